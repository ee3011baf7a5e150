/**
 * `Client(6, 7, 8)`: `FullStatus` and `WatchAll`
 * (`apiserver/facades/client/client`).
 * @module
 */
import { fullStatus } from "../status.js";
import type { MethodSpec } from "./registry.js";
import { storageStatus } from "./storage.js";

/** The Client methods. */
export const clientMethods: readonly MethodSpec[] = [
  {
    facade: "Client",
    method: "FullStatus",
    params: "params.StatusParams",
    call: (ctx, p) => {
      const patterns = p.strings("patterns");
      const status = fullStatus(ctx.model(), patterns, ctx.version);
      if (p.optBool("include-storage") !== true) return status;
      return { ...status, ...storageStatus(ctx.model()) };
    },
  },
  {
    facade: "Client",
    method: "WatchAll",
    call: (ctx) => ({ "watcher-id": ctx.addWatcher(ctx.model().entities.watch()) }),
  },
];

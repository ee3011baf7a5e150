/**
 * `Client(6, 7, 8)`: `FullStatus` and `WatchAll`
 * (`apiserver/facades/client/client`).
 * @module
 */
import { fullStatus } from "../status.js";
import type { MethodSpec } from "./registry.js";

/** The Client methods. */
export const clientMethods: readonly MethodSpec[] = [
  {
    facade: "Client",
    method: "FullStatus",
    params: "params.StatusParams",
    call: (ctx, p) => {
      const patterns = p.strings("patterns");
      p.optBool("include-storage");
      return fullStatus(ctx.model(), patterns, ctx.version);
    },
  },
  {
    facade: "Client",
    method: "WatchAll",
    call: (ctx) => ({ "watcher-id": ctx.addWatcher(ctx.model().entities.watch()) }),
  },
];

/**
 * `Client(6, 7, 8)`: `FullStatus` and `WatchAll`
 * (`apiserver/facades/client/client`). On the 4.0 profile `WatchAll` fails as
 * Juju 4's does: no AllWatcher.
 * @module
 */
import type { Client, Juju4 } from "../../facades/generated/index.js";
import { ServerError } from "../errors.js";
import { fullStatus } from "../status.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { storageStatus } from "./storage.js";
import { method, type Reply } from "./typed.js";

/**
 * Juju 4 dropped metering and SLAs: its FullStatus has no `meter-statuses`
 * per application and no `meter-status` or `sla` in the model.
 */
function withoutMetering(
  ctx: CallContext,
  status: Reply<Client.FullStatus>,
): Reply<Client.FullStatus> | Reply<Juju4.Client.FullStatus> {
  if (ctx.store.profile.major === 3) return status;
  const { sla: _sla, "meter-status": _meter, ...model } = status.model;
  const applications: Record<string, Reply<Juju4.Client.ApplicationStatus>> = {};
  for (const [name, app] of Object.entries(status.applications ?? {})) {
    const { "meter-statuses": _m, ...rest } = app;
    applications[name] = rest;
  }
  return { ...status, model, applications };
}

/** The Client methods. */
export const clientMethods: readonly MethodSpec[] = [
  method({
    facade: "Client",
    method: "FullStatus",
    params: "params.StatusParams",
    call: (ctx, p) => {
      const patterns = p.strings("patterns");
      const status = withoutMetering(ctx, fullStatus(ctx.model(), patterns, ctx.version));
      if (p.optBool("include-storage") !== true) return status;
      return { ...status, ...storageStatus(ctx.model()) };
    },
  }),
  method({
    facade: "Client",
    method: "WatchAll",
    call: (ctx) => {
      // Juju 4 removed the AllWatcher: its Client.WatchAll answers
      // errors.NotImplementedf("WatchAll") (apiserver/facades/client/client/client.go).
      if (!ctx.store.profile.allWatcher)
        throw new ServerError("WatchAll not implemented", "not implemented");
      return { "watcher-id": ctx.addWatcher(ctx.model().entities.watch()) };
    },
  }),
];

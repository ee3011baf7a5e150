/**
 * `Client(6, 7, 8)`: `FullStatus` and `WatchAll`
 * (`apiserver/facades/client/client`).
 * @module
 */
import { goTime } from "../store.js";
import type { MethodSpec } from "./registry.js";

/** The Client methods. */
export const clientMethods: readonly MethodSpec[] = [
  {
    facade: "Client",
    method: "FullStatus",
    params: "params.StatusParams",
    call: (ctx, p) => {
      p.strings("patterns");
      p.optBool("include-storage");
      const m = ctx.model();
      const model: Record<string, unknown> = {
        name: m.name,
        type: m.type,
        "cloud-tag": `cloud-${m.cloud.name}`,
        version: m.agentVersion,
        "available-version": "",
        "model-status": {
          status: m.status.current,
          info: m.status.message,
          data: {},
          since: goTime(m.status.since),
          kind: "",
          version: "",
          life: "",
        },
        "meter-status": { color: "", message: "" },
        sla: "unsupported",
      };
      if (m.region !== "") model.region = m.region;
      return {
        model,
        machines: {},
        applications: {},
        "remote-applications": {},
        offers: {},
        relations: [],
        "controller-timestamp": goTime(new Date()),
        branches: {},
      };
    },
  },
  {
    facade: "Client",
    method: "WatchAll",
    call: (ctx) => ({ "watcher-id": ctx.addWatcher(ctx.model().entities.watch()) }),
  },
];

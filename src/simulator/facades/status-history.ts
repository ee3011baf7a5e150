/**
 * `Client.StatusHistory` (`apiserver/facades/client/client/status.go`): the
 * recorded statuses of one entity per request, newest first, each request
 * answering its own error (an invalid filter, a bad tag).
 * @module
 */

import type { Client } from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { ServerError } from "../errors.js";
import { parseTag } from "../tags.js";
import type { MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

/** The Client.StatusHistory method. */
export const statusHistoryMethods: readonly MethodSpec[] = [
  method({
    facade: "Client",
    method: "StatusHistory",
    params: "params.StatusHistoryRequests",
    call: (ctx, p) => {
      const model = ctx.model();
      return {
        results: p.objects("requests", "params.StatusHistoryRequest").map((r) => {
          try {
            const kind = r.string("historyKind");
            const tag = r.string("tag");
            parseTag(tag);
            const filter: Params<Client.StatusHistoryFilter> = new Fields(
              r.raw("filter"),
              "params.StatusHistoryFilter",
              "requests.filter",
              "StatusHistoryRequests",
            );
            // The request's own `size` is the pre-filter field; the filter's wins.
            const size = filter.optInt("size") ?? r.optInt("size") ?? 0;
            const date = filter.string("date") || undefined;
            const delta = filter.optInt("delta", "time.Duration");
            const exclude = filter.strings("exclude");
            const statuses = model.entities.statusHistory.query(
              kind,
              tag,
              { size, date, delta, exclude },
              ctx.store.clock.now(),
            );
            return { history: { statuses } };
          } catch (e) {
            if (e instanceof ServerError) return { history: { statuses: [], error: e.toWire() } };
            throw e;
          }
        }),
      };
    },
  }),
];

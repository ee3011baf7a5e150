/**
 * `Application.Consume` and `Application.DestroyConsumedApplications`
 * (`apiserver/facades/client/application` of Juju 3.6): SAAS applications
 * added from consume details (an offer of this controller or, with
 * `external-controller`, of another one the remote relations worker then
 * connects to) and removed again. Served with the other
 * Application methods (`application.ts` lists them).
 * @module
 */
import type { ExternalOffer } from "../cross-model-worker.js";
import { Fields } from "../decode.js";
import { ServerError } from "../errors.js";
import {
  consume,
  destroySaas,
  type RemoteEndpointValue,
  reconcile,
} from "../remote-applications.js";
import { parseTagOfKind } from "../tags.js";
import { bulkResults, errorResults } from "./bulk.js";
import type { MethodSpec } from "./registry.js";
import { type ItemOf, method, type Params, type ParamsOfMethod } from "./typed.js";

const ROLES = ["provider", "requirer", "peer"] as const;

function remoteEndpoints(
  arg: Params<ItemOf<ParamsOfMethod<"Application", "Consume">["args"]>>,
): RemoteEndpointValue[] {
  return arg.objects("endpoints", "params.RemoteEndpoint").map((e) => {
    const role = e.string("role");
    return {
      name: e.string("name"),
      role: (ROLES as readonly string[]).includes(role)
        ? (role as RemoteEndpointValue["role"])
        : "requirer",
      interface: e.string("interface"),
      limit: e.optInt("limit") ?? 0,
    };
  });
}

/** The Consume and DestroyConsumedApplications methods. */
export const consumeMethods: readonly MethodSpec[] = [
  method({
    facade: "Application",
    method: "Consume",
    params: "params.ConsumeApplicationArgsV5",
    call: async (ctx, p) => {
      const model = ctx.model();
      const out = await bulkResults(p.objects("args", "params.ConsumeApplicationArgV5"), (arg) => {
        const sourceModelUuid = parseTagOfKind(arg.string("source-model-tag"), "model");
        let externalControllerUuid = "";
        let external: ExternalOffer | undefined;
        const ext = arg.raw("external-controller");
        if (ext !== undefined && ext !== null) {
          const info = new Fields(ext, "params.ExternalControllerInfo");
          const id = parseTagOfKind(info.string("controller-tag"), "controller");
          info.string("controller-alias");
          if (id !== ctx.store.controllerUuid) {
            // `SaveExternalController`: where the remote relations worker will connect.
            const addrs = info.strings("addrs");
            if (addrs.length === 0) {
              throw new ServerError(`no addresses for external controller ${id}`, "not valid");
            }
            externalControllerUuid = id;
            external = {
              controllerUuid: id,
              addrs,
              caCert: info.string("ca-cert"),
              offerUuid: arg.string("offer-uuid"),
              offerModelUuid: sourceModelUuid,
            };
          }
        }
        const name = arg.string("application-alias") || arg.string("offer-name");
        const mac = arg.raw("macaroon");
        consume(model, {
          name,
          offerUuid: arg.string("offer-uuid"),
          offerName: arg.string("offer-name"),
          offerUrl: arg.string("offer-url"),
          sourceModelUuid,
          description: arg.string("application-description"),
          endpoints: remoteEndpoints(arg),
          externalControllerUuid,
          ...(external === undefined ? {} : { external }),
          macaroon:
            mac !== null && typeof mac === "object" ? (mac as Record<string, unknown>) : undefined,
        });
        return {};
      });
      reconcile(ctx.store);
      return out;
    },
  }),
  method({
    facade: "Application",
    method: "DestroyConsumedApplications",
    params: "params.DestroyConsumedApplicationsParams",
    call: (ctx, p) => {
      const model = ctx.model();
      return errorResults(
        p.objects("applications", "params.DestroyConsumedApplicationParams"),
        (arg) => {
          const name = parseTagOfKind(arg.string("application-tag"), "application");
          arg.optBool("force");
          arg.optInt("max-wait", "time.Duration");
          destroySaas(model, name);
        },
      );
    },
  }),
];

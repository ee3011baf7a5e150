/**
 * `SecretBackends(1).ListSecretBackends` on controller connections
 * (`apiserver/facades/client/secretbackends`, `BackendSummaryInfo` of
 * `apiserver/common/secrets`): the controller's `internal` backend (type
 * `controller`, id = controller uuid, never pinged) with the number of
 * secrets it holds across the controller's models. The simulator has no
 * external (vault) backends and no CAAS models, whose built-in
 * `<model>-local` backends Juju would also list. `internal` has no secret
 * config, so `reveal` changes nothing; the call needs controller superuser,
 * as every method of the facade does.
 * @module
 */
import { Errors } from "../errors.js";
import { INTERNAL_BACKEND, INTERNAL_BACKEND_TYPE, secretsPerBackend } from "../secrets.js";
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The SecretBackends methods. */
export const secretBackendsMethods: readonly MethodSpec[] = [
  method({
    facade: "SecretBackends",
    method: "ListSecretBackends",
    params: "params.ListSecretBackendsArgs",
    call: (ctx, p) => {
      const wanted = new Set(p.strings("names"));
      p.optBool("reveal");
      if (ctx.store.users.get(ctx.user)?.controllerAccess !== "superuser") {
        throw Errors.permissionDenied();
      }
      const counts = secretsPerBackend(ctx.store);
      const backends = [
        { id: ctx.store.controllerUuid, name: INTERNAL_BACKEND, type: INTERNAL_BACKEND_TYPE },
      ];
      const results = backends
        .filter((b) => wanted.size === 0 || wanted.has(b.name))
        .map((b) => ({
          result: { name: b.name, "backend-type": b.type, config: {} },
          id: b.id,
          "num-secrets": counts.get(b.id) ?? 0,
          status: "active",
        }));
      return { results };
    },
  }),
];

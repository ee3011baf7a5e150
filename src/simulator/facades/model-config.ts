/**
 * `ModelConfig(3)`: `ModelGet`, `ModelSet`, `ModelUnset`,
 * `GetModelConstraints` and `SetModelConstraints` on the
 * connection's model (the controller model on `/api`).
 * @module
 */
import { CONSTRAINTS_VALUE } from "../decode.js";
import { validateModelSet } from "../model-config-schema.js";
import { constraintsFrom } from "../placement.js";
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The ModelConfig methods. */
export const modelConfigMethods: readonly MethodSpec[] = [
  method({
    facade: "ModelConfig",
    method: "ModelGet",
    call: (ctx) => {
      const config: Record<string, { value: unknown; source: string }> = {};
      const entries = [...ctx.model().config.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [k, e] of entries) {
        // ModelGet leaves authorized-keys out: `juju ssh-keys` lists them.
        if (k === "authorized-keys") continue;
        config[k] = { value: e.value, source: e.source };
      }
      return { config };
    },
  }),
  method({
    facade: "ModelConfig",
    method: "ModelSet",
    params: "params.ModelSet",
    call: (ctx, p) => {
      // Coerced and validated as environs/config does before state stores it.
      ctx.model().setConfig(validateModelSet(p.map("config")));
      return undefined;
    },
  }),
  method({
    facade: "ModelConfig",
    method: "ModelUnset",
    params: "params.ModelUnset",
    call: (ctx, p) => {
      ctx.model().unsetConfig(p.strings("keys"));
      return undefined;
    },
  }),
  method({
    facade: "ModelConfig",
    method: "GetModelConstraints",
    call: (ctx) => ({ constraints: { ...ctx.model().state.modelConstraints } }),
  }),
  method({
    facade: "ModelConfig",
    method: "SetModelConstraints",
    params: "params.SetConstraints",
    call: (ctx, p) => {
      p.string("application");
      const model = ctx.model();
      model.state.modelConstraints = constraintsFrom(p.struct("constraints", CONSTRAINTS_VALUE));
      model.publish();
      return undefined;
    },
  }),
];

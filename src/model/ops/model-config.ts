/**
 * Model config and constraints (`ModelConfig` facade).
 * @module
 */
import type { Constraints } from "../../parse/constraints.js";
import * as ac from "../arg-check.js";
import type { OpsContext } from "../ops-context.js";
import { type Base, parseBase } from "./bases.js";
import { toConstraints } from "./common.js";

/** One model config value and where it comes from (`default`, `model`, `controller`, `region`). */
export interface ConfigValue {
  /** The value in effect. */
  value: unknown;
  /** Where it comes from: `default`, `controller`, `region` or `model`. */
  source: string;
}

/** The model config (`ModelConfig.ModelGet`). */
export async function getModelConfig(
  ctx: OpsContext,
  signal?: AbortSignal,
): Promise<Record<string, ConfigValue>> {
  const res = await ctx.connection
    .facade("ModelConfig")
    .call("ModelGet", undefined, signal ? { signal } : {});
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(res.config ?? {})) {
    out[k] = { value: v?.value, source: v?.source ?? "" };
  }
  return out;
}

/**
 * Sets model config (`ModelConfig.ModelSet`). Values are sent as given
 * (strings, numbers, booleans); a {@link ConfigValue} is unwrapped.
 */
export async function setModelConfig(
  ctx: OpsContext,
  config: Readonly<Record<string, unknown>>,
): Promise<void> {
  ac.checkArg("config", config, ac.recordOf(ac.configValue));
  const wire: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    wire[k] = v !== null && typeof v === "object" && "value" in v && "source" in v ? v.value : v;
  }
  await ctx.connection
    .facade("ModelConfig")
    .call("ModelSet", { config: wire as Record<string, Record<string, unknown>> });
}

/** Resets model config keys to their defaults (`ModelConfig.ModelUnset`). */
export async function unsetModelConfig(ctx: OpsContext, keys: readonly string[]): Promise<void> {
  ac.checkArg("keys", keys, ac.arrayOf(ac.name));
  await ctx.connection.facade("ModelConfig").call("ModelUnset", { keys: [...keys] });
}

/** The model's constraints (`ModelConfig.GetModelConstraints`), without empty fields. */
export async function getModelConstraints(
  ctx: OpsContext,
  signal?: AbortSignal,
): Promise<Constraints> {
  const res = await ctx.connection
    .facade("ModelConfig")
    .call("GetModelConstraints", undefined, signal ? { signal } : {});
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(res.constraints ?? {})) {
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out as Constraints;
}

/** Sets the model's constraints (`ModelConfig.SetModelConstraints`); a string is parsed first. */
export async function setModelConstraints(
  ctx: OpsContext,
  constraints: string | Constraints,
): Promise<void> {
  ac.checkArg("constraints", constraints, ac.constraints);
  await ctx.connection
    .facade("ModelConfig")
    .call("SetModelConstraints", { application: "", constraints: toConstraints(constraints) });
}

/** The architecture to deploy for: the model's `arch` constraint, else `amd64`. */
export async function modelArchitecture(ctx: OpsContext, signal?: AbortSignal): Promise<string> {
  return (await getModelConstraints(ctx, signal)).arch ?? "amd64";
}

/** The model's `default-base`, only when set explicitly (not Juju's default), as the CLI uses it. */
export async function modelDefaultBase(
  ctx: OpsContext,
  signal?: AbortSignal,
): Promise<Base | undefined> {
  const v = (await getModelConfig(ctx, signal))["default-base"];
  if (!v || v.source === "default" || typeof v.value !== "string" || v.value === "")
    return undefined;
  return parseBase(v.value);
}

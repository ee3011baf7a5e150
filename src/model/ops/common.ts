/**
 * Small helpers shared by the model operations.
 * @module
 */
import { type Constraints, parseConstraints } from "../../parse/constraints.js";
import { type Placement, parsePlacement } from "../../parse/placement.js";
import type { CallOptions } from "../../rpc/connection.js";
import { type CallSite, JujuBulkError, JujuError } from "../../rpc/errors.js";
import {
  any,
  constraints as checkConstraints,
  placement as checkPlacement,
  configValue,
  recordOf,
} from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";

/** The call site of a facade method, recorded on bulk errors. */
export function siteOf(facade: { name: string; version: number }, method: string): CallSite {
  return { facade: facade.name, version: facade.version, method };
}

/** Per-call options (signal, timeout) copied without undefined values. */
export function callOptions(o: { signal?: AbortSignal; callTimeout?: number }): CallOptions {
  const out: CallOptions = {};
  if (o.signal) out.signal = o.signal;
  if (o.callTimeout !== undefined) out.timeout = o.callTimeout;
  return out;
}

/**
 * Constraints given as a Juju string (`"mem=4G cores=2"`, parsed, throwing
 * `ParseError` on bad input) or as the wire object (used as is).
 */
export function toConstraints(
  c: string | Constraints | undefined,
  argument = "constraints",
): Constraints {
  if (c === undefined) return {};
  checkConstraints(c, argument);
  return typeof c === "string" ? parseConstraints(c) : { ...c };
}

/**
 * Placement directives from `to`: one string (comma separated, as the
 * CLI's `--to`) or an array. Scope-less directives get the model UUID.
 */
export function toPlacements(
  to: string | readonly string[] | undefined,
  uuid: string,
): Placement[] {
  if (to === undefined) return [];
  checkPlacement(to, "to");
  const list = typeof to === "string" ? to.split(",") : [...to];
  return list.map((d) => parsePlacement(d.trim(), uuid));
}

/** Stringifies config values as the API expects (`map[string]string`). */
export function stringifyConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  recordOf(any)(config, "config");
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined || v === null)
      throw new InvalidArgumentError(
        "config",
        `config value of ${JSON.stringify(k)} is ${v}; use resetConfig/unsetConfig to clear it`,
      );
    configValue(v, `config.${k}`);
    out[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Seconds (as the options take them) to the nanoseconds of Juju's `max-wait`. */
export function maxWaitNs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1e9);
}

/**
 * For a bulk call about one item: the item's error as a {@link JujuError}
 * (of the subclass its code calls for) whose message names the item, so
 * `"cannot deploy \"mysql\": application already exists"` rather than an index.
 */
export async function single<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // A one-item call throws the item's error (bulkIndex set); a bulk error of one failure too.
    const e =
      err instanceof JujuBulkError
        ? err.failures.length === 1
          ? err.failures[0]!.error
          : undefined
        : err instanceof JujuError && err.bulkIndex !== undefined
          ? err
          : undefined;
    if (e === undefined) throw err;
    const named = JujuError.fromWire(
      { message: `${what}: ${e.message}`, code: e.jujuCode, info: e.info ?? null },
      {
        ...(e.facade ? { facade: e.facade } : {}),
        ...(e.version ? { version: e.version } : {}),
        ...(e.method ? { method: e.method } : {}),
      },
    );
    (named as { cause?: unknown }).cause = err;
    throw named;
  }
}

/**
 * Relations: `Application.AddRelation` / `DestroyRelation` / `SetRelationsSuspended`.
 * @module
 */
import type { Application as ApplicationFacade } from "../../facades/generated/index.js";
import type { RelationData } from "../../protocol/entity-data.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { OperationWaitOptions, OpsContext } from "../ops-context.js";
import { endpointNames, endpointsMatch } from "../relation-endpoints.js";
import { isApplicationName } from "../tags.js";
import { maxWaitNs, siteOf } from "./common.js";
import { consumeOfferEndpoints } from "./offers.js";

/** Options of `Model.integrate`. */
export interface IntegrateOptions extends OperationWaitOptions {
  /** CIDRs the remote side may use (cross-model relations). */
  viaCidrs?: readonly string[];
  /**
   * What an identical existing relation gives: `"return"` (the default, as
   * python-libjuju) returns it; `"error"` rethrows Juju's `already exists`
   * error, as `juju integrate` reports it.
   */
  existing?: "return" | "error";
}

// charm.ValidRelationName: lower-case words joined by hyphens or underscores.
const ENDPOINT = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** Checks an `app[:endpoint]` spec locally, as python-libjuju does, before sending it. */
export function checkEndpointSpec(spec: string): void {
  ac.checkArg("endpoint", spec, ac.name);
  if (spec.includes("/") || spec.includes(".")) {
    throw new NotSupportedError(
      `integrate(${JSON.stringify(spec)})`,
      "an offer URL must be `[<controller>:][<user>/]<model>.<offer>`",
    );
  }
  const [app, ep, ...rest] = spec.split(":");
  if (
    app === undefined ||
    !isApplicationName(app) ||
    rest.length > 0 ||
    (ep !== undefined && !ENDPOINT.test(ep))
  ) {
    throw new InvalidArgumentError(
      "endpoint",
      `invalid relation endpoint ${JSON.stringify(spec)}: expected "application[:endpoint]"`,
    );
  }
}

/**
 * Relates two endpoints (`Application.AddRelation`), waits for the
 * relation to appear and returns its id (as the live state keys it). As
 * python-libjuju, an existing identical relation (Juju's `already exists`)
 * is returned instead of failing.
 */
export async function integrate(
  ctx: OpsContext,
  endpoint1: string,
  endpoint2: string,
  options: IntegrateOptions = {},
): Promise<string> {
  ac.checkOptions("integrate", options, { ...ac.WAIT_OPTIONS, viaCidrs: ac.arrayOf(ac.name) });
  ctx.requireWatching("integrate");
  // As python-libjuju: an offer URL is consumed first, then related by its offer name.
  [endpoint1, endpoint2] = await consumeOfferEndpoints(ctx, [endpoint1, endpoint2], options);
  checkEndpointSpec(endpoint1);
  checkEndpointSpec(endpoint2);
  const find = (...specs: string[]): string | undefined => {
    for (const r of ctx.state.live("relation")) {
      const data = r.current as RelationData;
      if (endpointsMatch(endpointNames(data.endpoints), specs)) return r.id;
    }
    return undefined;
  };
  const params: ApplicationFacade.AddRelation = { endpoints: [endpoint1, endpoint2] };
  if (options.viaCidrs?.length) params["via-cidrs"] = [...options.viaCidrs];
  let specs: string[];
  try {
    const res = await ctx.connection
      .facade("Application")
      .call("AddRelation", params, options.signal ? { signal: options.signal } : {});
    specs = Object.entries(res.endpoints ?? {}).map(([app, rel]) => `${app}:${rel.name}`);
  } catch (err) {
    if (!(err instanceof JujuError && err.jujuCode === "already exists")) throw err;
    if (options.existing === "error") throw err;
    const existing = find(endpoint1, endpoint2);
    if (existing) return existing;
    throw err;
  }
  await ctx.waitFor(
    `relation ${specs.join(" ")} to appear`,
    () => find(...specs) !== undefined,
    options,
  );
  return find(...specs)!;
}

/** Options of relation removal. */
export interface DestroyRelationOptions {
  /** Remove the relation even when its hooks fail. */
  force?: boolean;
  /** With `force`, seconds to wait before forcing. */
  maxWait?: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** Removes a relation given by id or by its two endpoints (`Application.DestroyRelation`). */
export async function destroyRelation(
  ctx: OpsContext,
  target: { relationId: number } | { endpoints: [string, string] },
  options: DestroyRelationOptions = {},
): Promise<void> {
  ac.checkOptions("destroyRelation", options, {
    force: ac.bool,
    maxWait: ac.num(0),
    signal: ac.signal,
  });
  const params: ApplicationFacade.DestroyRelation =
    "relationId" in target
      ? { "relation-id": target.relationId }
      : ({ endpoints: [...target.endpoints] } as ApplicationFacade.DestroyRelation);
  if (options.force !== undefined) params.force = options.force;
  const mw = maxWaitNs(options.maxWait);
  if (mw !== undefined) params["max-wait"] = mw;
  await ctx.connection
    .facade("Application")
    .call("DestroyRelation", params, options.signal ? { signal: options.signal } : {});
}

/** Options of `Relation.suspend` / `resume`. */
export interface SuspendRelationOptions {
  /** Why it is suspended (the relation's status message); ignored when resuming. */
  message?: string;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/**
 * Suspends or resumes a cross-model relation (`Application.SetRelationsSuspended`,
 * as `juju suspend-relation` / `resume-relation`, run in the offering model).
 * Juju refuses a relation without an offer connection.
 */
export async function setRelationSuspended(
  ctx: OpsContext,
  relationId: number,
  suspended: boolean,
  options: SuspendRelationOptions = {},
): Promise<void> {
  ac.checkOptions(suspended ? "suspend" : "resume", options, {
    message: ac.str,
    signal: ac.signal,
  });
  const f = ctx.connection.facade("Application");
  const arg: ApplicationFacade.RelationSuspendedArg = {
    "relation-id": relationId,
    suspended,
    message: suspended ? (options.message ?? "") : "",
  };
  const res = await f.call(
    "SetRelationsSuspended",
    { args: [arg] },
    options.signal ? { signal: options.signal } : {},
  );
  const [one] = res.results ?? [];
  if (one?.error) throw JujuError.fromWire(one.error, siteOf(f, "SetRelationsSuspended"));
}

/**
 * `Model.reset` (python-libjuju's `reset`): empties the model, applications
 * first, then machines, containers before their hosts.
 * @module
 */

import * as ac from "../arg-check.js";
import { DEFAULT_OPERATION_TIMEOUT, type OpsContext } from "../ops-context.js";
import { destroyApplications } from "./applications.js";
import { destroyMachines } from "./machines.js";

/** Options of `Model.reset`. */
export interface ResetOptions {
  /** Force the removals. */
  force?: boolean;
  /** Milliseconds each round of removals may take. */
  timeout?: number;
}

/** The ids of the live machines that host no container (a host refuses removal until its containers are gone). */
function leafMachines(ctx: OpsContext): string[] {
  const ids = [...ctx.state.live("machine")].map((r) => r.id);
  const depth = (id: string) => id.split("/").length;
  return ids.filter((id) => !ids.some((o) => o.startsWith(`${id}/`) && depth(o) === depth(id) + 2));
}

/**
 * Destroys every application, waits for them to go, then every machine
 * (containers before their hosts), waiting for each round to go: the model
 * is empty when this resolves.
 */
export async function resetModel(ctx: OpsContext, options: ResetOptions = {}): Promise<void> {
  ac.checkOptions("reset", options, { force: ac.bool, timeout: ac.num(0) });
  ctx.requireWatching("reset");
  const timeout = options.timeout ?? DEFAULT_OPERATION_TIMEOUT;
  const force = options.force ?? false;
  const apps = [...ctx.state.live("application")].map((r) => r.id);
  if (apps.length > 0) {
    await destroyApplications(ctx, apps, { force, blockUntilDone: true, timeout });
  }
  while ([...ctx.state.live("machine")].length > 0) {
    await destroyMachines(ctx, leafMachines(ctx), { force, blockUntilDone: true, timeout });
  }
}

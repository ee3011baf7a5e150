/**
 * The bundle planner's own view of a change while it is being planned
 * (shared by its modules; not part of the public API).
 * @module
 */
import type { BundleApplication, BundleChangeMethod } from "./types.js";

/** One change while planning: its args are read when the plan is emitted, after placement filled them. */
export interface PendingChange {
  id: string;
  method: BundleChangeMethod;
  requires: string[];
  args(): Record<string, unknown>;
  positional(): unknown[];
  describe(): string[];
  /** Set when requires are already in Juju's sorted order. */
  presorted?: boolean;
}

export interface AddMachineChange extends PendingChange {
  machineID: string;
  bundleMachineID: string;
}

export interface AddUnitChange extends PendingChange {
  unitName: string;
  to: string;
  placementDescription: string;
  baseMachine: string;
  directive: string;
}

/** A `$<id>` placeholder for the result of change `id`. */
export function placeholder(id: string): string {
  return `$${id}`;
}

/** Units an application asks for (`num_units`, or Kubernetes' `scale`). */
export function numUnits(app: BundleApplication): number {
  return app.num_units ?? app.scale ?? 0;
}

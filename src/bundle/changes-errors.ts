/**
 * Errors the bundle planner raises while planning (the bundle itself is
 * validated before planning). Pure: the simulator imports the planner too.
 * @module
 */

/** Stable codes of planner errors. */
export const BundlePlanErrorCodes = {
  /** Units placed on each other's applications in a loop. */
  placementCycle: "bundle placement cycle",
  /** A bundle machine has no counterpart and nothing to host. */
  inconsistentMachineMap: "bundle machine map inconsistent",
  /** The existing application cannot be upgraded to the bundle's charm. */
  upgradeNotSupported: "bundle upgrade not supported",
  /** An offer names an application that neither exists nor is deployed. */
  offerApplicationNotFound: "not found",
  /** A placement names a machine the bundle does not declare. */
  invalidPlacement: "bundle invalid placement",
  /** Constraints the planner must rewrite (bindings → spaces) are malformed. */
  invalidConstraints: "bundle invalid constraints",
} as const;

/** A planner-time failure, with Juju's message and a stable `code`. */
export class BundlePlanError extends Error {
  /** One of {@link BundlePlanErrorCodes}. */
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = "BundlePlanError";
    this.code = code;
  }
}

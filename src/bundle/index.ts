/**
 * `libjuju/bundle`: Juju bundles without a controller. Parse and verify
 * bundle YAML with its overlays as Juju 3.6 does ({@link parseBundle}), and
 * plan the changes that deploy it ({@link planBundle}). Pure: runs in a
 * browser; files are read through an injected `readFile`.
 * @module
 */
export { type CharmResolver, type PlanBundleOptions, planBundle } from "./changes.js";
export { BundlePlanError, BundlePlanErrorCodes } from "./changes-errors.js";
export {
  BUNDLE_INVALID,
  type BundleProblem,
  type BundleProblemStage,
  BundleValidationError,
  formatProblems,
} from "./errors.js";
export {
  type BundleFileReader,
  type BundleOverlay,
  type CheckBundleDataOptions,
  checkBundleData,
  type ParseBundleOptions,
  type ParseBundleSyncOptions,
  parseBundle,
  parseBundleSync,
} from "./parse.js";
export {
  baseForSeries,
  isKnownSeries,
  type ParsedBase,
  parseBaseString,
  seriesForBase,
} from "./series.js";
export type * from "./types.js";
export {
  type CharmURL,
  formatCharmURL,
  isLocalCharmPath,
  parseCharmURL,
  parseUnitPlacement,
  type UnitPlacement,
} from "./validate.js";

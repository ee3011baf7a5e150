/**
 * The plan behind `Bundle.GetChanges` and `Bundle.GetChangesMapArgs`, as
 * Juju 3.6's facade builds it (`doGetBundleChanges`): read and merge the
 * YAML stream (the first document is the bundle, later ones overlays), verify
 * it, then plan onto an empty model. Reading failures fail the call
 * (`cannot read bundle YAML: …`); verification failures come back as the
 * result's `errors` list; planning failures fail the call. The parsing and
 * planning are the shared pure modules of `src/bundle`.
 * @module
 */

import { BundlePlanError } from "../bundle/changes-errors.js";
import {
  type BundleChange,
  type BundleProblem,
  BundleValidationError,
  parseBundleSync,
  planBundle,
} from "../bundle/index.js";
import { ServerError } from "./errors.js";

/** A plan, or the verification errors that stopped it. */
export type BundleChangeSet = { changes: BundleChange[] } | { errors: string[] };

/** Problems Juju finds while reading and merging the YAML, before verification: they fail the call. */
function isReadProblem(p: BundleProblem): boolean {
  return p.stage === "read" || p.stage === "merge";
}

/** The message yaml.v2 and the bundle reader give for reading problems. */
function readErrorMessage(problems: readonly BundleProblem[]): string {
  const unmarshal = problems.filter((p) => p.message.startsWith("cannot unmarshal"));
  if (unmarshal.length > 0) {
    const lines = unmarshal.map((p) => `  line ${p.line ?? 0}: ${p.message}`);
    return `yaml: unmarshal errors:\n${lines.join("\n")}`;
  }
  const first = problems[0] as BundleProblem;
  return first.line !== undefined ? `yaml: line ${first.line}: ${first.message}` : first.message;
}

/**
 * Plans `yaml` like the Bundle facade: `bundleURL` is stamped on the
 * applications as their `bundleURL` annotation.
 * @throws ServerError for YAML Juju cannot read and for plans it cannot make.
 */
export function bundleChanges(yaml: string, bundleURL: string): BundleChangeSet {
  let data: ReturnType<typeof parseBundleSync>;
  try {
    // Juju's server reads leniently (unknown keys are ignored, not errors) and
    // applies only the facade's checks, not those the CLI adds.
    data = parseBundleSync(yaml, { strict: false, checks: "controller" });
  } catch (e) {
    if (!(e instanceof BundleValidationError)) throw e;
    const read = e.problems.filter(isReadProblem);
    if (read.length > 0) {
      throw new ServerError(`cannot read bundle YAML: ${readErrorMessage(read)}`);
    }
    return { errors: e.problems.map((p) => p.message) };
  }
  try {
    return { changes: planBundle(data, bundleURL === "" ? {} : { bundleURL }).changes };
  } catch (e) {
    if (e instanceof BundlePlanError) throw new ServerError(e.message);
    throw e;
  }
}

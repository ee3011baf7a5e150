/**
 * Errors of bundle parsing and validation.
 * @module
 */
import { LibjujuError } from "../protocol/libjuju-error.js";

/** One thing wrong with a bundle. */
export interface BundleProblem {
  /**
   * Where in the bundle: a YAML path such as `applications.mysql.to[1]` or
   * `relations[2]`; `""` for the bundle as a whole. Keys that are not plain
   * words are quoted: `applications.wordpress.bindings[""]`.
   */
  path: string;
  /** What is wrong, in Juju's words where Juju has a message for it. */
  message: string;
  /** The file (or `overlays[i]` / `bundle`) the problem was found in, when it belongs to one. */
  source?: string;
  /** 1-based line in `source`, when known. */
  line?: number;
  /**
   * Where Juju would have stopped: `read` (YAML syntax, value types, unknown
   * keys: the bundle cannot be read), `merge` (overlays and includes:
   * Juju's ReadAndMergeBundleData), `verify` (the bundle's content: Juju's
   * Verify, which the Bundle facade returns as its `errors` list). Absent for
   * problems with the arguments themselves.
   */
  stage?: BundleProblemStage;
}

/** See {@link BundleProblem.stage}. */
export type BundleProblemStage = "read" | "merge" | "verify";

/** The `code` of {@link BundleValidationError}. */
export const BUNDLE_INVALID = "ERR_BUNDLE_INVALID";

/**
 * A bundle (with its overlays) is not valid. Every problem found is listed in
 * {@link problems}; the message starts as Juju's does (`the provided bundle
 * has the following errors:`) and has one `path: message` line per problem.
 */
export class BundleValidationError extends LibjujuError {
  /** Every problem, in the order found. */
  readonly problems: readonly BundleProblem[];
  constructor(problems: BundleProblem[]) {
    super(formatProblems(problems), BUNDLE_INVALID);
    this.problems = problems;
  }
}

/** Formats problems as the {@link BundleValidationError} message does. */
export function formatProblems(problems: readonly BundleProblem[]): string {
  const lines = problems.map((p) => {
    const where = [p.source, p.line !== undefined ? `line ${p.line}` : undefined]
      .filter((s) => s !== undefined)
      .join(" ");
    const prefix = p.path === "" ? "" : `${p.path}: `;
    return `${prefix}${p.message}${where ? ` (${where})` : ""}`;
  });
  return `the provided bundle has the following errors:\n${lines.join("\n")}`;
}

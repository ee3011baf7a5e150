/**
 * Vitest sequencer: starts the test files known to take longest first, so
 * that with two workers no long file begins near the end of the run and
 * leaves one worker idle while it finishes. CI installs afresh, so vitest's
 * own duration cache (what the base order uses) is empty there and the base
 * order would be file size. Files not listed keep the base order.
 * @module
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest files, longest first (durations from a full run on 2 cores).
 * Keep roughly up to date; a stale entry only costs a less even split.
 */
export const SLOW_FILES = [
  "test/package-exports.test.ts",
  "test/cli-deploy.e2e.test.ts",
  "test/offers-juju4.e2e.test.ts",
  "test/cli-commands.e2e.test.ts",
  "test/offers.e2e.test.ts",
  "test/model-members.e2e.test.ts",
  "test/entity-members.e2e.test.ts",
  "test/reconnect.e2e.test.ts",
  "test/cli-bundle.e2e.test.ts",
  "test/pytest-example.e2e.test.ts",
  "test/readme-examples.test.ts",
  "test/cli.e2e.test.ts",
];

/** Listed slow files first, in the list's order; then the rest as vitest orders them. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const path = spec.moduleId.replaceAll("\\", "/");
      const i = SLOW_FILES.findIndex((f) => path.endsWith(`/${f}`));
      return i === -1 ? SLOW_FILES.length : i;
    };
    // Array.prototype.sort is stable: unlisted files keep the base order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

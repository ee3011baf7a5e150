/**
 * `npm run bench`: runs every benchmark and prints one table. Numbers are
 * only comparable within a run, so each benchmark measures its own baseline
 * (the physical limit) beside libjuju and reports the ratio.
 * @module
 */
import { renderTable } from "../src/cli/table.js";
import { benchBulkFairness } from "./bulk-fairness.js";
import { benchBundleDeploy } from "./bundle-deploy.js";
import { benchBundlePlan } from "./bundle-plan.js";
import { benchCharmArchive } from "./charm-archive.js";
import { benchCliStartup } from "./cli-startup.js";
import { benchDeltaApply } from "./delta-apply.js";
import { benchLocalCharmUpload } from "./local-charm-upload.js";
import { benchPing } from "./ping.js";
import { benchSimSnapshot } from "./sim-snapshot.js";
import { benchStatusPoll } from "./status-poll.js";
import { benchTestingVirtualTime } from "./testing-virtual-time.js";
import { benchWaitForIdle } from "./wait-for-idle.js";
import { benchWaitSettle } from "./wait-settle.js";

/** One row of the results table. */
export interface BenchRow {
  benchmark: string;
  case: string;
  result: string;
  p50?: string;
  p99?: string;
  vsBaseline?: string;
  target?: string;
}

const rows: BenchRow[] = [];
for (const bench of [
  benchPing,
  benchDeltaApply,
  benchWaitForIdle,
  benchWaitSettle,
  benchStatusPoll,
  benchCharmArchive,
  benchLocalCharmUpload,
  benchBundleDeploy,
  benchBundlePlan,
  benchCliStartup,
  benchBulkFairness,
  benchTestingVirtualTime,
  benchSimSnapshot,
]) {
  rows.push(...(await bench()));
}
process.stdout.write(
  `${renderTable(
    ["Benchmark", "Case", "Result", "p50", "p99", "vs baseline", "Target"],
    rows.map((r) => [
      r.benchmark,
      r.case,
      r.result,
      r.p50 ?? "",
      r.p99 ?? "",
      r.vsBaseline ?? "",
      r.target ?? "",
    ]),
  )}\n`,
);

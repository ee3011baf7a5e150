/**
 * How long `libjuju --help` takes, beside the floor of any Node command
 * line: `node -e 0` and a script that only loads commander, measured in
 * the same run (median of several runs each, alternating). The CLI loads
 * the client and the simulator only when a command runs, so help and
 * argument errors should cost little more than commander itself.
 * @module
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BenchRow } from "./run.js";

const run = promisify(execFile);
const RUNS = 9;

async function timeOnce(args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(process.execPath, args);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** `libjuju --help` start-up time against bare Node and commander alone. */
export async function benchCliStartup(): Promise<BenchRow[]> {
  // The built CLI, as users run it (`npm run bench` builds it first).
  const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
  const commander = `import(${JSON.stringify(import.meta.resolve("commander"))})`;
  const cases = {
    node: ["-e", "0"],
    commander: ["--input-type=module", "-e", `await ${commander}`],
    help: [main, "--help"],
    version: [main, "--version"],
  };
  const times: Record<keyof typeof cases, number[]> = {
    node: [],
    commander: [],
    help: [],
    version: [],
  };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(cases)) {
      times[name as keyof typeof cases].push(await timeOnce(args));
    }
  }
  const node = median(times.node);
  const row = (label: string, ms: number, target?: string): BenchRow => ({
    benchmark: "cli start-up",
    case: label,
    result: `${ms.toFixed(0)} ms`,
    vsBaseline: `${(ms / node).toFixed(2)}× node -e 0`,
    ...(target ? { target } : {}),
  });
  return [
    row("node -e 0 (baseline)", node),
    row("node + commander", median(times.commander)),
    row("libjuju --help", median(times.help), "< 150 ms"),
    row("libjuju --version", median(times.version)),
  ];
}

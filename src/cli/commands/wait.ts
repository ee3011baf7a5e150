/**
 * `libjuju wait`: waits until applications are idle (every unit's agent
 * idle for `--idle` on the controller's clock, with workload `--status`
 * when given), showing what is still pending and why: one live line per
 * entity on a terminal, a plain line per status change elsewhere. Exits 0
 * when ready; 1 with the reason on a timeout or as soon as something goes
 * into error (a unit in error, a failed machine, a lost agent; a blocked
 * workload with `--raise-on-blocked`).
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import {
  anyBlocked,
  anyError,
  anyLost,
  type Condition,
  idleCondition,
  or,
  type WaitProgress,
} from "../../index.js";
import { parseDuration } from "../args.js";
import { abortOnSignals, connect, InterruptedError } from "../connect.js";
import { type ProgressOutput, ProgressView } from "../progress.js";

/** Options of `libjuju wait`, as parsed by commander. */
export interface WaitCommandOptions {
  model?: string;
  apps?: string[];
  status?: string;
  idle: number;
  timeout: number;
  raiseOnBlocked?: boolean;
}

/** Application names from a comma-separated `--apps` value. */
function parseApps(text: string): string[] {
  const apps = text
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (apps.length === 0)
    throw new InvalidArgumentError(`no application names in ${JSON.stringify(text)}`);
  return apps;
}

/** Registers the `wait` command. */
export function registerWait(program: Command): void {
  program
    .command("wait")
    .description("wait until applications are idle (and in a status), showing what is pending")
    .option("-m, --model <model>", "model, as [controller:][user/]model (default: current)")
    .option("--apps <apps>", "applications to wait for, comma-separated (default: all)", parseApps)
    .option("--status <status>", "workload status every unit must have, e.g. active")
    .option(
      "--idle <duration>",
      "how long each agent must have been idle (5s, 1m)",
      parseDuration,
      15_000,
    )
    .option(
      "--timeout <duration>",
      "give up after this long (600s, 10m, 1h)",
      parseDuration,
      600_000,
    )
    .option("--raise-on-blocked", "fail as soon as a workload is blocked")
    .action(async (opts: WaitCommandOptions) => {
      await runWait(opts, process.stdout);
    });
}

/** Drops the running durations (`for 12 s`), so plain output changes only with statuses. */
const withoutDurations = (text: string) =>
  text
    .replace(/ for \d+ (?:min \d+ )?s\b/g, "")
    .replace(/\bidle for [\d.]+s of (\S+)/g, "idle, counting to $1");

/** Runs `libjuju wait`, writing progress and the result to `out`. */
export async function runWait(opts: WaitCommandOptions, out: ProgressOutput): Promise<void> {
  const signals = abortOnSignals();
  const model = await connect(opts.model);
  const view = new ProgressView(out);
  try {
    const apps = opts.apps ?? [];
    const ready = idleCondition({
      ...(opts.apps ? { apps: opts.apps } : {}),
      ...(opts.status ? { status: opts.status } : {}),
      idlePeriod: opts.idle,
    });
    const errors: Condition[] = [anyError(...apps), anyLost(...apps)];
    if (opts.raiseOnBlocked) errors.push(anyBlocked(...apps));
    view.title(`Waiting for ${ready.description}`);
    const notes = new Set<string>();
    const onProgress = (p: WaitProgress) => {
      for (const n of p.notes) {
        if (notes.has(n)) continue;
        notes.add(n);
        if (!view.live) out.write(`note: ${n}\n`);
      }
      // One line per entity, its reasons joined.
      const byEntity = new Map<string, string[]>();
      for (const n of p.notReady) {
        const reason = view.live ? n.reason : withoutDurations(n.reason);
        byEntity.set(n.entity, [...(byEntity.get(n.entity) ?? []), reason]);
      }
      view.update([...byEntity].map(([key, reasons]) => ({ key, text: reasons.join("; ") })));
    };
    const summary = await model
      .wait(ready, {
        error: or(...errors),
        timeout: opts.timeout,
        signal: signals.signal,
        onProgress,
      })
      .catch((err: unknown) => {
        if (signals.interruptedBy === undefined) throw err;
        throw new InterruptedError(signals.interruptedBy, "wait interrupted");
      });
    view.stop();
    out.write(`${summary.summary}\n`);
    for (const n of summary.notes) if (!notes.has(n)) out.write(`note: ${n}\n`);
  } finally {
    view.stop();
    signals.release();
    await model.disconnect();
  }
}

/**
 * The body of `libjuju wait`, loaded only when the command runs so that
 * `libjuju --help` stays fast.
 * @module
 */
import {
  anyBlocked,
  anyError,
  anyLost,
  type Condition,
  idleCondition,
  or,
  type WaitProgress,
} from "../../index.js";
import { connect } from "../connect.js";
import { type ProgressOutput, ProgressView } from "../progress.js";
import { abortOnSignals, InterruptedError } from "../signals.js";
import type { WaitCommandOptions } from "./wait.js";

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

/**
 * Running a bundle plan: each change starts as soon as the changes it
 * requires are done, at most `concurrency` at a time, in plan order among
 * those ready (so `concurrency: 1` runs the plan exactly in Juju's order).
 * Pure: no Node modules, no knowledge of what a change does.
 * @module
 */
import type { BundleChange } from "../bundle/types.js";
import { AbortError, LibjujuError } from "../rpc/errors.js";
import { InvalidArgumentError } from "./errors.js";

/** One progress event of {@link BundleHandler.executePlan}: a change started, finished or failed. */
export type BundleProgressEvent =
  | {
      /** The change started. */
      type: "started";
      /** The change. */
      change: BundleChange;
      /** When it started (`Date.now()`). */
      startedAt: number;
    }
  | {
      /** The change completed. */
      type: "done";
      /** The change. */
      change: BundleChange;
      /** When it started (`Date.now()`). */
      startedAt: number;
      /** Milliseconds the change took. */
      elapsedMs: number;
      /** What the change produced (application name, machine id, unit name, charm URL…). */
      result: string | undefined;
    }
  | {
      /** The change failed. */
      type: "failed";
      /** The change. */
      change: BundleChange;
      /** When it started (`Date.now()`). */
      startedAt: number;
      /** Milliseconds until it failed. */
      elapsedMs: number;
      /** Why it failed. */
      error: unknown;
    };

/** Options of a plan execution. */
export interface ExecutePlanOptions {
  /** Changes in flight at most (default 8); 1 runs them one by one in plan order. */
  concurrency?: number;
  /** Stops starting changes and aborts those in flight. */
  signal?: AbortSignal;
  /** Called for every change when it starts, finishes and fails. */
  onProgress?: (event: BundleProgressEvent) => void;
}

/** Default number of changes in flight. */
export const DEFAULT_BUNDLE_CONCURRENCY = 8;

/**
 * A change of a bundle plan failed. `change` is the one that failed (the
 * first, when several in flight failed); `done` lists the ids of the
 * changes that completed, `skipped` those never started, `failed` every
 * change that failed. The change's own error is the `cause`.
 */
export class BundleChangeError extends LibjujuError {
  /** The failed change. */
  readonly change: BundleChange;
  /** Ids of the changes that completed, in completion order. */
  readonly done: string[];
  /** Ids of the changes that were not started, in plan order. */
  readonly skipped: string[];
  /** Every change that failed with its error (the first is {@link change}). */
  readonly failed: {
    /** A failed change. */
    change: BundleChange;
    /** Its error. */
    error: unknown;
  }[];
  constructor(
    failed: { change: BundleChange; error: unknown }[],
    done: string[],
    skipped: string[],
  ) {
    const first = failed[0]!;
    const why = first.error instanceof Error ? first.error.message : String(first.error);
    super(
      `bundle change ${first.change.id} (${first.change.description}) failed: ${why}; ` +
        `${done.length} change${done.length === 1 ? "" : "s"} done, ${skipped.length} skipped`,
      "ERR_BUNDLE_CHANGE",
      { cause: first.error },
    );
    this.change = first.change;
    this.done = done;
    this.skipped = skipped;
    this.failed = failed;
  }
}

/**
 * The bundle deployment was aborted through its signal. Like
 * {@link BundleChangeError} it says what was done and what was skipped;
 * changes in flight when the signal fired are in neither list when they
 * failed because of it (they are in `interrupted`).
 */
export class BundleAbortError extends AbortError {
  /** Ids of the changes that completed, in completion order. */
  readonly done: string[];
  /** Ids of the changes that were not started, in plan order. */
  readonly skipped: string[];
  /** Ids of changes in flight when the signal fired that did not complete. */
  readonly interrupted: string[];
  constructor(done: string[], skipped: string[], interrupted: string[]) {
    super(
      `bundle deployment aborted: ${done.length} change${done.length === 1 ? "" : "s"} done, ` +
        `${interrupted.length} interrupted, ${skipped.length} skipped`,
    );
    this.done = done;
    this.skipped = skipped;
    this.interrupted = interrupted;
  }
}

/**
 * Runs `changes` (ordered as the planner returns them) with `run`, which
 * returns each change's result. Resolves with the results by change id;
 * rejects with {@link BundleChangeError} (after the changes in flight
 * settle) or {@link BundleAbortError}. A change whose `requires` names a
 * change not in the plan is a planner bug: it fails before anything runs.
 */
export async function runPlan(
  changes: readonly BundleChange[],
  run: (change: BundleChange, signal: AbortSignal) => Promise<string | undefined>,
  options: ExecutePlanOptions = {},
): Promise<Map<string, string | undefined>> {
  const concurrency = options.concurrency ?? DEFAULT_BUNDLE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidArgumentError(
      "concurrency",
      `concurrency must be a positive integer, got ${String(concurrency)}`,
    );
  const ids = new Set(changes.map((c) => c.id));
  for (const c of changes) {
    const missing = c.requires.filter((r) => !ids.has(r));
    if (missing.length)
      throw new LibjujuError(
        `bundle change ${c.id} requires ${missing.join(", ")}, which the plan does not contain`,
        "ERR_BUNDLE_PLAN",
      );
  }
  if (options.signal?.aborted)
    throw new BundleAbortError(
      [],
      changes.map((c) => c.id),
      [],
    );

  // With room for several changes, those heading the longest chains of
  // dependents go first (critical path first); one at a time keeps Juju's order.
  const height = concurrency > 1 ? chainHeights(changes) : undefined;
  const order = new Map(changes.map((c, i) => [c.id, i]));
  const results = new Map<string, string | undefined>();
  const done: string[] = [];
  const failed: { change: BundleChange; error: unknown }[] = [];
  const pending = height
    ? [...changes].sort(
        (a, b) => height.get(b.id)! - height.get(a.id)! || order.get(a.id)! - order.get(b.id)!,
      )
    : [...changes];
  const inFlight = new Map<string, Promise<void>>();
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const emit = (e: BundleProgressEvent) => {
    try {
      options.onProgress?.(e);
    } catch {
      // A broken progress listener must not break the deployment.
    }
  };

  let wake: (() => void) | undefined;
  const start = (change: BundleChange) => {
    const startedAt = Date.now();
    emit({ type: "started", change, startedAt });
    const p = (async () => {
      try {
        const result = await run(change, inner.signal);
        results.set(change.id, result);
        done.push(change.id);
        emit({ type: "done", change, startedAt, elapsedMs: Date.now() - startedAt, result });
      } catch (error) {
        failed.push({ change, error });
        emit({ type: "failed", change, startedAt, elapsedMs: Date.now() - startedAt, error });
      } finally {
        inFlight.delete(change.id);
        wake?.();
      }
    })();
    inFlight.set(change.id, p);
  };

  try {
    for (;;) {
      const stopping = failed.length > 0 || inner.signal.aborted;
      if (!stopping) {
        for (let i = 0; i < pending.length && inFlight.size < concurrency; ) {
          const c = pending[i]!;
          if (c.requires.every((r) => results.has(r))) {
            pending.splice(i, 1);
            start(c);
          } else i++;
        }
      }
      if (inFlight.size === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }

  const skipped = pending.sort((a, b) => order.get(a.id)! - order.get(b.id)!).map((c) => c.id);
  if (inner.signal.aborted) {
    throw new BundleAbortError(
      done,
      skipped,
      failed.map((f) => f.change.id),
    );
  }
  if (failed.length > 0) throw new BundleChangeError(failed, done, skipped);
  if (pending.length > 0) {
    // Only reachable with a cycle in `requires`: report it rather than hang.
    throw new LibjujuError(
      `bundle changes ${skipped.join(", ")} wait for each other (a cycle in the plan)`,
      "ERR_BUNDLE_PLAN",
    );
  }
  return results;
}

/** For each change, the number of changes on the longest chain that waits for it (itself included). */
function chainHeights(changes: readonly BundleChange[]): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const c of changes)
    for (const r of c.requires) dependents.set(r, [...(dependents.get(r) ?? []), c.id]);
  const height = new Map<string, number>();
  // The plan is topologically sorted: walk it backwards so dependents come first.
  for (let i = changes.length - 1; i >= 0; i--) {
    const id = changes[i]!.id;
    let h = 1;
    for (const d of dependents.get(id) ?? []) h = Math.max(h, 1 + (height.get(d) ?? 1));
    height.set(id, h);
  }
  return height;
}

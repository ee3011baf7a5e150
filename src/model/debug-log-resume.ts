/**
 * A debug-log stream that survives lost links: when the socket is lost
 * while the model reconnects, it opens the log again from the last
 * record's time and skips the records it already delivered. No Node-only
 * imports (the socket itself is opened by the caller's `open`).
 * @module
 */
import { ConnectError, ConnectionClosedError } from "../rpc/errors.js";
import { InvalidArgumentError } from "./errors.js";
import type { DebugLogOptions, LogRecord } from "./ops/debug-log.js";
import { backoffDelay, type ReconnectPolicy } from "./reconnect.js";

/** What {@link resumableDebugLog} needs from the model. */
export interface DebugLogResumeSource {
  /** Opens one debug-log socket on the model's current endpoint. */
  open(options: DebugLogOptions): AsyncIterableIterator<LogRecord>;
  /** The reconnect policy; undefined: a lost socket fails the stream. */
  policy: ReconnectPolicy | undefined;
  /** Resolves once the model is connected; rejects once it is gone for good. */
  whenConnected(signal?: AbortSignal): Promise<unknown>;
}

const keyOf = (r: LogRecord) => JSON.stringify([r.entity, r.severity, r.module, r.message]);

const isLoss = (err: unknown) =>
  (err instanceof ConnectionClosedError && err.retryable) || err instanceof ConnectError;

/**
 * The debug log of `options`, reopened after lost links (up to the
 * policy's attempts per loss). The iterator ends only when its consumer
 * stops, the `limit` is reached, the server ends the stream (`noTail`), or
 * the model is disconnected; a loss it cannot recover from is thrown.
 */
export function resumableDebugLog(
  source: DebugLogResumeSource,
  options: DebugLogOptions,
): AsyncIterableIterator<LogRecord> {
  const { limit, ...base } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidArgumentError("limit", `limit must be a non-negative integer, got ${limit}`);
  }
  let inner = source.open(base);
  let delivered = 0;
  let lastTime: Date | undefined;
  /** Records delivered at `lastTime`, to skip them when the log is reopened from it. */
  let atLast = new Set<string>();
  let skipping: Set<string> | undefined;
  let stopped = false;

  const reopen = async (err: unknown): Promise<void> => {
    const policy = source.policy;
    if (policy === undefined) throw err;
    let last = err;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const delay = backoffDelay(attempt, policy);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (stopped) return;
      await source.whenConnected(options.signal);
      if (stopped) return;
      const again: DebugLogOptions = { ...base, lines: 0 };
      if (lastTime !== undefined) {
        again.startTime = lastTime;
        delete again.replay;
      }
      inner = source.open(again);
      skipping = new Set(atLast);
      try {
        // Pull through the handshake: a failure to open counts as an attempt.
        const first = await inner.next();
        pending = first;
        return;
      } catch (e) {
        if (!isLoss(e)) throw e;
        last = e;
      }
    }
    throw last;
  };
  let pending: IteratorResult<LogRecord> | undefined;

  const iterator: AsyncIterableIterator<LogRecord> = {
    async next(): Promise<IteratorResult<LogRecord>> {
      for (;;) {
        if (stopped || (limit !== undefined && delivered >= limit)) {
          await iterator.return?.();
          return { done: true, value: undefined };
        }
        let r: IteratorResult<LogRecord>;
        try {
          r = pending ?? (await inner.next());
          pending = undefined;
        } catch (err) {
          if (stopped) return { done: true, value: undefined };
          if (!isLoss(err)) throw err;
          try {
            await reopen(err);
          } catch (e) {
            // disconnect() while reopening ends the stream normally.
            if (stopped) return { done: true, value: undefined };
            throw e;
          }
          continue;
        }
        if (r.done) return r;
        const rec = r.value;
        if (skipping !== undefined) {
          if (lastTime !== undefined && rec.timestamp.getTime() === lastTime.getTime()) {
            if (skipping.has(keyOf(rec))) continue;
          } else skipping = undefined;
        }
        if (lastTime === undefined || rec.timestamp.getTime() !== lastTime.getTime()) {
          lastTime = rec.timestamp;
          atLast = new Set();
        }
        atLast.add(keyOf(rec));
        delivered++;
        return { done: false, value: rec };
      }
    },
    async return(): Promise<IteratorResult<LogRecord>> {
      stopped = true;
      await inner.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * Stopping commands cleanly on Ctrl-C or SIGTERM. Light on purpose: `main`
 * loads it for every command, including `--help`.
 * @module
 */

/** What {@link abortOnSignals} returns. */
export interface SignalAbort {
  /** Aborted on SIGINT or SIGTERM, or by {@link SignalAbort.abort}. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command, if one did (not set by {@link SignalAbort.abort}). */
  readonly interruptedBy: NodeJS.Signals | undefined;
  /** Aborts as a signal would (timeouts, closed output). */
  abort(): void;
  /** Restores the default handling of the signals. */
  release(): void;
}

/**
 * Turns SIGINT and SIGTERM into an abort, so that a command can disconnect
 * from the model before exiting instead of dying mid-call.
 */
export function abortOnSignals(): SignalAbort {
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const release = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const stop = () => {
    release();
    controller.abort();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    interruptedBy = signal;
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    get interruptedBy() {
      return interruptedBy;
    },
    abort: stop,
    release,
  };
}

const SIGNAL_NUMBERS: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGINT: 2,
  SIGTERM: 15,
};

/**
 * A command stopped by Ctrl-C or SIGTERM. Not a failure of the operation:
 * the CLI prints only its note and exits 128 + the signal number (130 for
 * Ctrl-C), as shells report an interrupted program.
 */
export class InterruptedError extends Error {
  /** Stable code, as for the library's errors. */
  readonly code = "interrupted";
  /** The process exit code. */
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, note: string) {
    super(note);
    this.name = "InterruptedError";
    this.exitCode = 128 + (SIGNAL_NUMBERS[signal] ?? 2);
  }
}

/**
 * Connecting the commands to the model they act on, and stopping cleanly
 * on Ctrl-C.
 * @module
 */
import { Model, type ModelFromFilesOptions } from "../index.js";

/** Connects to `-m/--model` (`[controller:][user/]model`), else the current model. */
export function connect(
  model: string | undefined,
  options: ModelFromFilesOptions = {},
): Promise<Model> {
  return model ? Model.connectModel(model, options) : Model.connectCurrent(options);
}

/** What {@link abortOnSignals} returns. */
export interface SignalAbort {
  /** Aborted on SIGINT or SIGTERM, or by {@link SignalAbort.abort}. */
  readonly signal: AbortSignal;
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
  const release = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  };
  const stop = () => {
    release();
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return { signal: controller.signal, abort: stop, release };
}

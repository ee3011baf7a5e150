/**
 * What a model's waits read ({@link WaitSource}): the state and its change
 * signal, the session's staleness and end, and the controller's clock for
 * idle periods measured from `since`.
 * @module
 */

import type { ModelSession } from "./session.js";
import type { ModelState } from "./state.js";
import type { WaitSource } from "./waits.js";

/** The wait source of a model; `controllerTime` reads `controller-timestamp` from a status call. */
export function waitSourceOf(
  session: ModelSession,
  state: ModelState,
  controllerTime: WaitSource["controllerTime"],
): WaitSource {
  const source: WaitSource = {
    state,
    onStateChange: (fn) => session.onStateChange(fn),
    watchFailed: session.lost,
    isStale: () => session.stale,
    epoch: () => session.epoch,
    // A polled state is only proven up to its last poll.
    observed: () => session.observed,
  };
  if (controllerTime !== undefined) source.controllerTime = controllerTime;
  return source;
}

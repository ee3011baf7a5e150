/**
 * A cheap way to tell that the controller state changed: one counter per
 * controller that moves on every change of the state a snapshot keeps
 * (`snapshot.ts` lists where it is bumped), so that `libjuju sim --state`
 * saves only when the counter moved instead of serialising the whole
 * controller to compare it with the last save.
 * @module
 */

/**
 * A counter of changes to a controller's saved state. It only grows; what
 * the change was is not recorded. Bumping too often costs a needless save,
 * missing a bump loses the change at the next save: when in doubt, bump.
 */
export class ChangeCounter {
  #value = 0;

  /** How many changes were noted so far. */
  get value(): number {
    return this.#value;
  }

  /** Notes that state a snapshot keeps changed. */
  bump(): void {
    this.#value++;
  }
}

/**
 * API calls known to change nothing a snapshot keeps: the frequent polls.
 * Every other call (and every login, which records `last-connection`)
 * counts as a change, so that state a facade changes directly (users,
 * offers, secrets, storage, clouds, blocks, …) is saved without each
 * facade having to bump the counter.
 */
const READ_ONLY_CALLS: ReadonlySet<string> = new Set([
  "Pinger.Ping",
  "Client.FullStatus",
  "Client.StatusHistory",
  "AllWatcher.Next",
  "ModelConfig.ModelGet",
]);

/** Whether an API call may have changed the controller state (see {@link READ_ONLY_CALLS}). */
export function callMayChangeState(facade: string, method: string): boolean {
  return !READ_ONLY_CALLS.has(`${facade}.${method}`);
}

/** Whether an HTTP request may have changed the controller state (uploads do; reads do not). */
export function httpMayChangeState(method: string | undefined): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}

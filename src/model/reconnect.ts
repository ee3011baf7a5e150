/**
 * The reconnect policy of a `Model`: options, backoff with jitter, the
 * calls that are safe to send again after a lost link, and the connection
 * state changes it reports. Pure: no Node-only imports.
 * @module
 */
import type { RpcRequest } from "../rpc/connection.js";
import type { LibjujuError } from "../rpc/errors.js";
import { InvalidArgumentError } from "./errors.js";

/**
 * How a `Model` reconnects after losing its link (`reconnect` in the model
 * options; `reconnect: false` turns reconnecting off). Each attempt dials
 * every known address (the controller's `servers` from the last Login
 * first, then the configured endpoints) happy-eyeballs style, logs in again
 * (following redirects), restarts the AllWatcher and resyncs the state.
 */
export interface ReconnectOptions {
  /** Attempts per outage before giving up (≥ 1, or `Infinity`). Default 10. */
  maxAttempts?: number;
  /** Milliseconds before the second attempt (the first is immediate). Default 250. */
  initialDelay?: number;
  /** Largest delay between attempts, in ms. Default 10 000. */
  maxDelay?: number;
  /** Growth of the delay per attempt. Default 2. */
  factor?: number;
  /**
   * Random part of each delay, 0..1: a delay `d` becomes a uniform pick in
   * `[d·(1-jitter), d]`, so clients dropped together do not come back
   * together. Default 0.5.
   */
  jitter?: number;
}

/** The reconnect options with every default filled in. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** Defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: ReconnectPolicy = {
  maxAttempts: 10,
  initialDelay: 250,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.5,
};

/**
 * Checks the `reconnect` model option; `undefined` means the defaults and
 * `false` means no reconnecting. Throws {@link InvalidArgumentError}
 * naming the bad option.
 */
export function reconnectPolicy(
  option: boolean | ReconnectOptions | undefined,
): ReconnectPolicy | undefined {
  if (option === false) return undefined;
  if (option === undefined || option === true) return { ...DEFAULT_RECONNECT };
  if (typeof option !== "object" || option === null) {
    throw new InvalidArgumentError(
      "reconnect",
      `reconnect must be a boolean or an options object, got ${typeof option}`,
    );
  }
  const p: ReconnectPolicy = { ...DEFAULT_RECONNECT };
  const num = (key: keyof ReconnectOptions, ok: (v: number) => boolean, what: string) => {
    const v = option[key];
    if (v === undefined) return;
    if (typeof v !== "number" || Number.isNaN(v) || !ok(v)) {
      throw new InvalidArgumentError(
        `reconnect.${key}`,
        `reconnect.${key} must be ${what}, got ${String(v)}`,
      );
    }
    p[key] = v;
  };
  num(
    "maxAttempts",
    (v) => v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && v >= 1),
    "an integer ≥ 1 or Infinity",
  );
  num("initialDelay", (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  num("maxDelay", (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  num("factor", (v) => Number.isFinite(v) && v >= 1, "a finite number ≥ 1");
  num("jitter", (v) => v >= 0 && v <= 1, "a number between 0 and 1");
  return p;
}

/**
 * Milliseconds to wait before reconnect attempt `attempt` (1-based): 0 for
 * the first, then `initialDelay·factor^(attempt-2)` capped at `maxDelay`,
 * minus a random share of up to `jitter` of it.
 */
export function backoffDelay(
  attempt: number,
  policy: ReconnectPolicy,
  random: () => number = Math.random,
): number {
  if (attempt <= 1) return 0;
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** (attempt - 2));
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * Calls that only read, so that sending them again after a lost link
 * cannot change the model twice: a `Model` re-sends them once reconnected
 * instead of failing them. Everything else that was in flight when the
 * link dropped rejects with a `ConnectionClosedError` whose
 * `mayHaveBeenApplied` is true.
 */
export const RETRY_SAFE_CALLS: ReadonlySet<string> = new Set([
  "Action.Actions",
  "Action.ApplicationsCharmsActions",
  "Action.ListOperations",
  "Action.Operations",
  "Annotations.Get",
  "Application.ApplicationsInfo",
  "Application.CharmConfig",
  "Application.CharmRelations",
  "Application.Get",
  "Application.GetCharmURLOrigin",
  "Application.GetConfig",
  "Application.GetConstraints",
  "Application.UnitsInfo",
  "ApplicationOffers.FindApplicationOffers",
  "ApplicationOffers.ListApplicationOffers",
  "Bundle.GetChanges",
  "Bundle.GetChangesMapArgs",
  "Charms.CharmInfo",
  "Charms.List",
  "Charms.ListCharmResources",
  "Charms.ResolveCharms",
  "Client.FullStatus",
  "Client.StatusHistory",
  "KeyManager.ListKeys",
  "ModelConfig.GetModelConstraints",
  "ModelConfig.ModelGet",
  "ModelManager.ListModelSummaries",
  "ModelManager.ListModels",
  "ModelManager.ModelInfo",
  "Resources.ListResources",
  "Spaces.ListSpaces",
  "Spaces.ShowSpace",
  "Storage.ListFilesystems",
  "Storage.ListPools",
  "Storage.ListStorageDetails",
  "Storage.ListVolumes",
  "Subnets.ListSubnets",
  "UserManager.UserInfo",
]);

/** True when `request` is in {@link RETRY_SAFE_CALLS}. */
export function isRetrySafe(request: Pick<RpcRequest, "type" | "request">): boolean {
  return RETRY_SAFE_CALLS.has(`${request.type}.${request.request}`);
}

/**
 * The state of a `Model`'s link:
 * - `connected`: logged in, and (when watching) the state is in sync;
 * - `reconnecting`: the link was lost and the model is dialling again; the
 *   state is stale, waits hold, calls wait for the link;
 * - `disconnected`: for good, after `disconnect()`, with `reconnect: false`,
 *   or when reconnecting gave up.
 */
export type ConnectionState = "connected" | "reconnecting" | "disconnected";

/** A change of a `Model`'s {@link ConnectionState}. */
export interface ConnectionChange {
  /** Always `"connection"`: tells it apart from entity events in `events({ connectionEvents: true })`. */
  readonly type: "connection";
  /** The new state. */
  readonly state: ConnectionState;
  /** The state before. */
  readonly previous: ConnectionState;
  /**
   * Reconnect attempts made in this outage: 0 when the link was just lost,
   * the successful attempt's number on `connected`, the attempts made on a
   * give-up.
   */
  readonly attempt: number;
  /**
   * Why: the loss (on `reconnecting`), the last failure (while retrying, and
   * on giving up). Undefined on `connected` and after `disconnect()`.
   */
  readonly error: LibjujuError | undefined;
  /** The `host:port` now in use (on `connected`). */
  readonly endpoint: string | undefined;
}

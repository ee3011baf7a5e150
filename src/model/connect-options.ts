/**
 * The options of `Model.connect`, `Model.open`, `Model.connectCurrent` and
 * `Model.connectModel`, and how they become the options of `connectApi`:
 * the {@link ModelOptions} split off, python-libjuju's spellings resolved
 * (`cacert`, a list in `endpoint`), bad values refused before anything is
 * dialled.
 * @module
 */

import type { ClientFilesOptions, ControllerAccess } from "../jujudata/controller-access.js";
import type { CommonConnectOptions, ConnectApiOptions } from "../rpc/connect.js";
import { Credentials, type MacaroonJson } from "../rpc/credentials.js";
import type { ObserverError } from "./errors.js";
import { InvalidArgumentError } from "./errors.js";
import { type ReconnectOptions, reconnectPolicy } from "./reconnect.js";
import { StatusPollOptionError, type StatusPollOptions, statusPollPolicy } from "./status-poll.js";
import type { StateSourceKind } from "./watcher.js";

/**
 * How a {@link Model} keeps its live state. python-libjuju always watches;
 * so does libjuju by default.
 */
export interface ModelOptions {
  /**
   * Start the AllWatcher on connect (default true): it fills
   * {@link Model.state}, the live maps, observers, events and waits.
   * With `false` the model makes plain RPCs only, and anything that needs
   * the state throws {@link NotWatchingError}.
   */
  watch?: boolean;
  /** States kept per entity (default 16; `Infinity` for all). */
  historyCap?: number;
  /** Throw on delta kinds this client does not know instead of skipping them. */
  strictDeltas?: boolean;
  /**
   * Receives every error thrown (or rejection returned) by an observer.
   * Without it, such errors are not lost: each is reported with
   * `process.emitWarning`, and the wait that is pending (or the next
   * `blockUntil` / `waitForIdle`) rejects with the {@link ObserverError}.
   */
  onObserverError?: (error: ObserverError) => void;
  /**
   * Reconnect when the link is lost (default: on, with the defaults of
   * {@link ReconnectOptions}); `false` to turn it off. While reconnecting,
   * {@link Model.isConnected} is false, waits hold (up to their timeout),
   * new calls wait for the link, and in-flight calls reject with a
   * retryable `ConnectionClosedError` (read-only calls are sent again).
   * Once reconnected the AllWatcher restarts and the state is resynced
   * (entities gone meanwhile get `remove` events). Without reconnecting, or
   * once it gave up, waits and `events()` fail with `ConnectionClosedError`.
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Where the live state comes from: `"allwatcher"` (`Client.WatchAll`),
   * `"status-poll"` (`Client.FullStatus` at an adaptive interval, diffed
   * into the same deltas), or `"auto"` (default): the AllWatcher on Juju 3,
   * status polls on Juju 4, which has no AllWatcher. See docs/status-poll.md
   * for what a status-polled entity lacks.
   */
  stateSource?: "auto" | StateSourceKind;
  /** The interval policy of the status-poll source. */
  statusPoll?: StatusPollOptions;
}

const MODEL_OPTION_KEYS = [
  "watch",
  "historyCap",
  "strictDeltas",
  "onObserverError",
  "reconnect",
  "stateSource",
  "statusPoll",
] as const;

/** Splits the {@link ModelOptions} out of connect options. */
export function splitModelOptions<T extends ModelOptions>(
  o: T,
): [ModelOptions, Omit<T, keyof ModelOptions>] {
  // Bad options fail before anything is dialled.
  reconnectPolicy(o.reconnect);
  checkStateSource(o);
  const model: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const k of MODEL_OPTION_KEYS) {
    if (k in rest) {
      if (rest[k] !== undefined) model[k] = rest[k];
      delete rest[k];
    }
  }
  return [model as ModelOptions, rest as Omit<T, keyof ModelOptions>];
}

const STATE_SOURCES: readonly string[] = ["auto", "allwatcher", "status-poll"];

/** Throws on a bad `stateSource` or `statusPoll` option. */
function checkStateSource(o: ModelOptions): void {
  if (o.stateSource !== undefined && !STATE_SOURCES.includes(o.stateSource)) {
    throw new StatusPollOptionError(
      `stateSource must be one of ${STATE_SOURCES.join(", ")}, got ${JSON.stringify(o.stateSource)}`,
    );
  }
  statusPollPolicy(o.statusPoll);
}

/**
 * Where a controller is and who logs in: the options {@link Model.connect}
 * and `Controller.connect` share.
 */
export interface LoginTargetOptions {
  /** One `host:port`, or several tried in order (python-libjuju's `endpoint`). */
  endpoint?: string | readonly string[];
  /**
   * `host:port` addresses tried after those of `endpoint`.
   * @deprecated Pass the list as `endpoint`; kept for code written against earlier versions.
   */
  endpoints?: readonly string[];
  /** User name, e.g. `admin`. */
  username: string;
  /** Password. When absent, `macaroons` are sent. */
  password?: string;
  /** Macaroon slices for a macaroon login. */
  macaroons?: MacaroonJson[][];
  /** PEM of the controller CA. */
  caCert?: string;
  /**
   * PEM of the controller CA, under python-libjuju's spelling.
   * @deprecated Use `caCert`; giving both with different values is an {@link InvalidArgumentError}.
   */
  cacert?: string;
}

/** Options of {@link Model.connect}: where the model is and who logs in. */
export interface ModelConnectOptions
  extends CommonConnectOptions,
    ModelOptions,
    LoginTargetOptions {
  /** The model UUID. */
  uuid: string;
  /** Name of the controller, for display (the CLI shows it). */
  controllerName?: string;
  /** Qualified model name (`user/model`), for display. */
  modelName?: string;
}

/** Options of {@link Model.connectCurrent} and {@link Model.connectModel}. */
export interface ModelFromFilesOptions
  extends CommonConnectOptions,
    ClientFilesOptions,
    ModelOptions {}

/** The endpoints of `endpoint` then of `endpoints`, in order. */
const endpointList = (opts: ModelConnectOptions): string[] => {
  const list: string[] = [];
  if (typeof opts.endpoint === "string") list.push(opts.endpoint);
  else if (opts.endpoint) list.push(...opts.endpoint);
  if (opts.endpoints) list.push(...opts.endpoints);
  return list;
};

/** Copies the common options, leaving out undefined values. @internal */
export function commonOptions(opts: CommonConnectOptions): CommonConnectOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (
      v !== undefined &&
      k !== "jujuData" &&
      k !== "env" &&
      !(MODEL_OPTION_KEYS as readonly string[]).includes(k)
    )
      out[k] = v;
  }
  return out as CommonConnectOptions;
}

/** The connect options that are not `Model.connect`'s own (those `connectApi` and the transport take). */
function stripModelOptions(o: ModelConnectOptions): CommonConnectOptions {
  const {
    endpoint: _e,
    endpoints: _es,
    uuid: _u,
    username: _n,
    password: _p,
    macaroons: _m,
    caCert: _ca,
    cacert: _c,
    controllerName: _cn,
    modelName: _mn,
    ...rest
  } = o;
  return rest;
}

/** The CA options: `caCert`, and python-libjuju's spelling `cacert` (deprecated). */
export interface CaCertOptions {
  /** PEM of the controller CA. */
  caCert?: string | undefined;
  /** python-libjuju's spelling of `caCert`. */
  cacert?: string | undefined;
}

/**
 * The controller CA given as `caCert` or under its deprecated alias
 * `cacert`; both with different values is an {@link InvalidArgumentError}
 * (one of them would be silently ignored).
 */
export function caCertOption(options: CaCertOptions): string | undefined {
  const { caCert, cacert } = options;
  if (caCert !== undefined && cacert !== undefined && caCert !== cacert) {
    throw new InvalidArgumentError(
      "caCert",
      "caCert and cacert (its deprecated alias) were both given, with different values",
    );
  }
  return caCert ?? cacert;
}

/** Display names of a connection (the CLI shows them). */
export interface ConnectionNames {
  /** The controller's name in the client files. */
  controllerName?: string;
  /** The qualified model name (`user/model`). */
  modelName?: string;
}

/** What `Model.connect`'s options become: the model's options, the dial options, the names. */
export interface DirectConnect {
  /** How the model keeps its state. */
  model: ModelOptions;
  /** What `connectApi` dials with. */
  api: ConnectApiOptions & { modelUuid: string };
  /** For display. */
  names: ConnectionNames;
}

/** Reads `Model.connect`'s options (throws on bad ones before anything is dialled). */
export function directConnectOptions(options: ModelConnectOptions): DirectConnect {
  const [model, connectOptions] = splitModelOptions(options);
  const api: ConnectApiOptions & { modelUuid: string } = {
    ...commonOptions(stripModelOptions(connectOptions as ModelConnectOptions)),
    endpoints: endpointList(options),
    modelUuid: options.uuid,
    credentials: new Credentials({
      username: options.username,
      password: options.password,
      macaroons: options.macaroons,
    }),
  };
  const caCert = caCertOption(options);
  if (caCert !== undefined) api.caCert = caCert;
  const names: ConnectionNames = {};
  if (options.controllerName !== undefined) names.controllerName = options.controllerName;
  if (options.modelName !== undefined) names.modelName = options.modelName;
  return { model, api, names };
}

/**
 * The dial options of a controller found in the client files, as `Model` and
 * `Controller` both connect by name: the files' addresses, credentials and CA
 * beside the caller's common options, the CLI's cookie jar filed under the
 * controller UUID (where Juju keeps discharged macaroons), and the
 * controller's version as the client version unless one was given.
 */
export function dialFromClientFiles(
  access: ControllerAccess,
  options: CommonConnectOptions,
): Omit<ConnectApiOptions, "modelUuid"> {
  const base: Omit<ConnectApiOptions, "modelUuid"> = {
    ...commonOptions(options),
    endpoints: access.endpoints,
    credentials: access.credentials,
    macaroonsFor: access.macaroonsFor,
    cookieJar: options.cookieJar ?? access.cookieJar,
    cookieHost: options.cookieHost ?? access.controllerUuid,
  };
  if (access.caCert !== undefined) base.caCert = access.caCert;
  if (base.clientVersion === undefined && access.agentVersion) {
    base.clientVersion = access.agentVersion;
  }
  return base;
}

/**
 * Opening a logged-in API connection over any {@link Transport}: dial the
 * endpoints staggered in parallel (happy-eyeballs style, so an address that
 * black-holes packets never blocks a good one), log in, follow redirects
 * (bounded), negotiate facades.
 * No Node-only imports: a browser can use it with a native-WebSocket
 * transport factory. `connect.ts` adds the Node `ws` default.
 * @module
 */
import { Connection, type ConnectionOptions } from "./connection.js";
import type { Credentials } from "./credentials.js";
import type { Discharger, InteractionInfo, MacaroonJar } from "./discharger.js";
import {
  AbortError,
  ConnectError,
  JujuError,
  JujuRedirectError,
  LibjujuError,
  TimeoutError,
} from "./errors.js";
import { hostPortsToEndpoints, type LoginInfo, login, redirectTarget } from "./login.js";
import { CloseCodes, type Transport } from "./transport.js";

/** Options a transport factory receives for one dial. */
export interface DialOptions {
  /** PEM of the CA to trust. */
  ca?: string;
  /** Skip TLS verification. Insecure; explicit opt-in only. */
  insecureSkipVerify?: boolean;
  /** Largest incoming frame, in bytes. */
  maxFrameSize?: number;
  /** Aborts the dial. */
  signal?: AbortSignal;
}

/** Opens a transport to a `wss://…` URL. */
export type TransportFactory = (url: string, options: DialOptions) => Promise<Transport>;

/** Options of {@link openApi} and `connectApi`. */
export interface ConnectApiOptions {
  /**
   * `host:port` addresses. They are dialled in this order, each one
   * `dialStagger` ms after the previous (or as soon as it failed), and the
   * first to open is used; the others are abandoned.
   */
  endpoints: readonly string[];
  /** Model to connect to (`/model/<uuid>/api`); omitted: the controller (`/api`). */
  modelUuid?: string;
  /** Who logs in. */
  credentials: Credentials;
  /** PEM of the controller CA (`ca-cert` in controllers.yaml). */
  caCert?: string;
  /** Skip TLS verification. Insecure; explicit opt-in only. */
  insecureSkipVerify?: boolean;
  /** Largest incoming frame, in bytes (default 64 MiB). */
  maxFrameSize?: number;
  /**
   * Milliseconds for the whole connect (dials, login, redirects) before it
   * fails with {@link TimeoutError}. Default 60 000; 0 for none.
   */
  timeout?: number;
  /** Default per-call timeout of the resulting connection (ms; 0 = none). */
  callTimeout?: number;
  /** Cancels the connect. */
  signal?: AbortSignal;
  /** `client-version` sent at login (default `3.6.28`). */
  clientVersion?: string;
  /** `cli-args` sent at login. */
  cliArgs?: string;
  /** Pinger interval in ms (default 10 000; 0 disables). */
  pingInterval?: number;
  /** Milliseconds a ping may take before the link is declared dead; see {@link ConnectionOptions.pingTimeout}. */
  pingTimeout?: number;
  /**
   * Milliseconds one address may take to open (TCP, TLS and websocket
   * handshake) before it counts as failed. Default 10 000; 0 for none (the
   * overall `timeout` still applies).
   */
  dialTimeout?: number;
  /**
   * Milliseconds between starting the dials of successive addresses while
   * none has opened yet (happy eyeballs' "connection attempt delay").
   * Default 250; 0 dials every address at once.
   */
  dialStagger?: number;
  /** Frame tap; see {@link ConnectionOptions.onFrame}. */
  onFrame?: ConnectionOptions["onFrame"];
  /** See {@link ConnectionOptions.onProtocolError}. */
  onProtocolError?: ConnectionOptions["onProtocolError"];
  /** Facade → versions the client knows. Default: the generated table of the server's major (3.x or 4.x). */
  clientFacades?: Readonly<Record<string, readonly number[]>>;
  /** How many redirects to follow (default 3). */
  maxRedirects?: number;
  /** Opens transports; `connectApi` defaults to the Node `ws` TLS transport. */
  transportFactory?: TransportFactory;
  /**
   * Called before logging in when the credentials have no password, to
   * supply macaroons (e.g. from the cookie jar) for the dialled host.
   */
  macaroonsFor?: (host: string) => Promise<Credentials>;
  /**
   * Discharges third-party caveats when Login answers
   * `bakery-discharge-required` (an externally authenticated user). Default:
   * an `HttpDischarger` (macaroon-bakery v3 over HTTP(S)) using `onInteraction`.
   */
  discharger?: Discharger;
  /**
   * Called with the URL to log in at when the identity provider asks for an
   * interactive login; libjuju then waits for the login to finish. Without
   * it, such a login fails with `InteractionRequiredError` (libjuju never
   * opens a browser).
   */
  onInteraction?: (info: InteractionInfo) => void | Promise<void>;
  /**
   * Where discharged login macaroons are read from before Login (when the
   * credentials have no password or macaroons) and saved after a discharge,
   * as the juju CLI's cookie jar. Node: `FileCookieJar`.
   */
  cookieJar?: MacaroonJar;
  /**
   * Host of the cookie URL the jar files macaroons under (Juju: the
   * controller UUID, else the dialled host). Default: the dialled host.
   */
  cookieHost?: string;
}

/**
 * The connect options shared by `Model` and `Controller` (everything except
 * where to connect and who logs in).
 */
export type CommonConnectOptions = Omit<
  ConnectApiOptions,
  "endpoints" | "modelUuid" | "credentials" | "caCert" | "macaroonsFor"
>;

/** Failures of a macaroon login: the same on every address, so not worth another one. */
const DISCHARGE_CODES: ReadonlySet<string> = new Set([
  "ERR_DISCHARGE_REQUIRED",
  "ERR_DISCHARGE_FAILED",
  "ERR_INTERACTION_REQUIRED",
]);

/** A logged-in connection and how it was reached. */
export interface ConnectedApi {
  /** The logged-in connection. */
  connection: Connection;
  /** The Login reply. */
  info: LoginInfo;
  /** The `host:port` that answered. */
  endpoint: string;
  /** The endpoints of the controller that answered (after redirects: the new controller's). */
  endpoints: string[];
  /** The CA used for the controller that answered. */
  caCert: string | undefined;
  /** Number of redirects followed. */
  redirects: number;
}

/** The websocket URL of the API for `endpoint` and, optionally, a model. */
export function apiUrl(endpoint: string, modelUuid?: string): string {
  return modelUuid ? `wss://${endpoint}/model/${modelUuid}/api` : `wss://${endpoint}/api`;
}

const hostOf = (endpoint: string): string => {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (m?.[1]) return m[1];
  const i = endpoint.lastIndexOf(":");
  return i > 0 ? endpoint.slice(0, i) : endpoint;
};

/**
 * Opens a logged-in API connection. Endpoints are dialled staggered in
 * parallel (see {@link ConnectApiOptions.endpoints}); a dial failure or a
 * failed login on one address moves on to the others, an error from the
 * controller (e.g. a wrong password, {@link JujuUnauthorizedError}) stops.
 * A `redirection required` answer is followed up to `maxRedirects` times.
 */
export async function openApi(
  options: ConnectApiOptions & { transportFactory: TransportFactory },
): Promise<ConnectedApi> {
  if (options.endpoints.length === 0) {
    throw new ConnectError("no API endpoints to connect to", "");
  }
  const controller = new AbortController();
  const timeout = options.timeout ?? 60_000;
  let timedOut = false;
  const timer =
    timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeout)
      : undefined;
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    return await connectLoop(options, controller.signal);
  } catch (err) {
    if (timedOut) {
      throw new TimeoutError(`connecting to the Juju API timed out after ${timeout} ms`, {
        cause: err,
      });
    }
    if (options.signal?.aborted && !(err instanceof AbortError)) {
      throw new AbortError("connect aborted", { cause: err });
    }
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}

async function connectLoop(
  options: ConnectApiOptions & { transportFactory: TransportFactory },
  signal: AbortSignal,
): Promise<ConnectedApi> {
  const factory = options.transportFactory;
  const maxRedirects = options.maxRedirects ?? 3;
  let endpoints = [...options.endpoints];
  let caCert = options.caCert;
  for (let redirects = 0; ; redirects++) {
    const failures: string[] = [];
    let lastError: unknown;
    let redirect: { endpoints: string[]; caCert: string | undefined } | undefined;
    let candidates = [...endpoints];
    while (candidates.length > 0 && !redirect) {
      if (signal.aborted) throw new AbortError("connect aborted");
      const dial: Omit<DialOptions, "signal"> = {};
      if (caCert !== undefined) dial.ca = caCert;
      if (options.insecureSkipVerify) dial.insecureSkipVerify = true;
      if (options.maxFrameSize !== undefined) dial.maxFrameSize = options.maxFrameSize;
      const race = await dialFirst(candidates, (e) => apiUrl(e, options.modelUuid), factory, dial, {
        timeout: options.dialTimeout ?? 10_000,
        stagger: options.dialStagger ?? 250,
        signal,
      });
      for (const f of race.failures) {
        lastError = f.error;
        failures.push(`${f.endpoint}: ${f.error.message}`);
      }
      if (!race.won) break;
      const { endpoint, transport } = race.won;
      const failed = new Set(race.failures.map((f) => f.endpoint));
      candidates = candidates.filter((e) => e !== endpoint && !failed.has(e));
      const url = apiUrl(endpoint, options.modelUuid);
      const connOptions: ConnectionOptions = { endpoint: url };
      if (options.callTimeout !== undefined) connOptions.timeout = options.callTimeout;
      if (options.pingInterval !== undefined) connOptions.pingInterval = options.pingInterval;
      if (options.pingTimeout !== undefined) connOptions.pingTimeout = options.pingTimeout;
      if (options.onFrame) connOptions.onFrame = options.onFrame;
      if (options.onProtocolError) connOptions.onProtocolError = options.onProtocolError;
      const connection = new Connection(transport, connOptions);
      try {
        let credentials = options.credentials;
        const host = hostOf(endpoint);
        const cookieHost = options.cookieHost ?? host;
        if (credentials.password === undefined && options.macaroonsFor) {
          credentials = await options.macaroonsFor(host);
        }
        if (
          credentials.password === undefined &&
          !credentials.macaroons?.length &&
          options.cookieJar
        ) {
          const stored = await options.cookieJar.load([...new Set([cookieHost, host])]);
          if (stored.length > 0) credentials = credentials.withMacaroons(stored);
        }
        const loginOptions: Parameters<typeof login>[1] = {
          credentials,
          signal,
          cookieHost,
        };
        if (options.discharger) loginOptions.discharger = options.discharger;
        if (options.onInteraction) loginOptions.onInteraction = options.onInteraction;
        if (options.cookieJar) loginOptions.cookieJar = options.cookieJar;
        // Default: the table of the server's major version, chosen at login.
        if (options.clientFacades) loginOptions.clientFacades = options.clientFacades;
        if (options.clientVersion) loginOptions.clientVersion = options.clientVersion;
        if (options.cliArgs) loginOptions.cliArgs = options.cliArgs;
        const info = await login(connection, loginOptions);
        return { connection, info, endpoint, endpoints, caCert, redirects };
      } catch (err) {
        if (err instanceof JujuRedirectError) {
          try {
            const target = await redirectTarget(connection, err, { signal });
            redirect = {
              endpoints: hostPortsToEndpoints(target.servers),
              caCert: target.caCert ?? caCert,
            };
          } finally {
            await connection.close();
          }
          if (redirect.endpoints.length === 0) {
            throw new ConnectError(
              `${err.message}: the controller gave no addresses to redirect to`,
              url,
              { cause: err },
            );
          }
          break;
        }
        await connection.close();
        if (err instanceof JujuError || err instanceof AbortError) throw err;
        if (err instanceof LibjujuError && DISCHARGE_CODES.has(err.code)) throw err;
        lastError = err;
        failures.push(`${endpoint}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (redirect) {
      if (redirects >= maxRedirects) {
        throw new ConnectError(
          `too many redirects (more than ${maxRedirects}); last pointed to ${redirect.endpoints.join(", ")}`,
          redirect.endpoints[0] ?? "",
        );
      }
      endpoints = redirect.endpoints;
      caCert = redirect.caCert;
      continue;
    }
    if (failures.length === 1 && lastError instanceof Error) throw lastError;
    throw new ConnectError(
      `cannot connect to any API endpoint: ${failures.join("; ")}`,
      endpoints.join(","),
      { cause: lastError },
    );
  }
}

/** One address that could not be dialled. */
interface DialFailure {
  endpoint: string;
  error: Error;
}

/** The outcome of {@link dialFirst}. */
interface DialRace {
  /** The first address that opened, when one did. */
  won: { endpoint: string; transport: Transport } | undefined;
  /** The addresses that failed before one opened (every one of them when none did). */
  failures: DialFailure[];
}

/**
 * Dials `endpoints` happy-eyeballs style: the first at once, each next one
 * `stagger` ms later or as soon as every dial started so far has failed;
 * each dial gets `timeout` ms. Resolves with the first transport to open
 * (the others are cancelled, and closed should they open anyway), or with
 * every failure. Throws {@link AbortError} when `signal` aborts.
 */
function dialFirst(
  endpoints: readonly string[],
  urlOf: (endpoint: string) => string,
  factory: TransportFactory,
  dial: Omit<DialOptions, "signal">,
  opts: { timeout: number; stagger: number; signal: AbortSignal },
): Promise<DialRace> {
  return new Promise<DialRace>((resolve, reject) => {
    const failures: DialFailure[] = [];
    const attempts: AbortController[] = [];
    let next = 0;
    let running = 0;
    let done = false;
    let staggerTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: DialRace | Error) => {
      if (done) return;
      done = true;
      if (staggerTimer) clearTimeout(staggerTimer);
      opts.signal.removeEventListener("abort", onAbort);
      for (const a of attempts) a.abort();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () => finish(new AbortError("connect aborted"));
    const startNext = () => {
      if (done || next >= endpoints.length) return;
      const endpoint = endpoints[next++]!;
      if (staggerTimer) clearTimeout(staggerTimer);
      staggerTimer = undefined;
      if (next < endpoints.length && opts.stagger > 0) {
        staggerTimer = setTimeout(startNext, opts.stagger);
      }
      const attempt = new AbortController();
      attempts.push(attempt);
      running++;
      let timedOut = false;
      const timer =
        opts.timeout > 0
          ? setTimeout(() => {
              timedOut = true;
              attempt.abort();
            }, opts.timeout)
          : undefined;
      const settle = () => {
        running--;
        if (timer) clearTimeout(timer);
      };
      factory(urlOf(endpoint), { ...dial, signal: attempt.signal }).then(
        (transport) => {
          settle();
          if (done) {
            transport.close(CloseCodes.normal, "another address answered first");
            return;
          }
          finish({ won: { endpoint, transport }, failures });
        },
        (err: unknown) => {
          settle();
          if (done) return;
          const error = timedOut
            ? new TimeoutError(`dial timed out after ${opts.timeout} ms`, { cause: err })
            : err instanceof Error
              ? err
              : new Error(String(err));
          failures.push({ endpoint, error });
          // A failed address hands over at once rather than after the stagger.
          if (next < endpoints.length) startNext();
          else if (running === 0) finish({ won: undefined, failures });
        },
      );
      if (opts.stagger <= 0) startNext();
    };
    if (opts.signal.aborted) {
      onAbort();
      return;
    }
    opts.signal.addEventListener("abort", onAbort, { once: true });
    startNext();
  });
}

/**
 * Opening a logged-in API connection over any {@link Transport}: dial each
 * endpoint in order, log in, follow redirects (bounded), negotiate facades.
 * No Node-only imports: a browser can use it with a native-WebSocket
 * transport factory. `connect.ts` adds the Node `ws` default.
 * @module
 */
import { CLIENT_FACADE_VERSIONS } from "../facades/generated/index.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import type { Credentials } from "./credentials.js";
import {
  AbortError,
  ConnectError,
  JujuError,
  JujuRedirectError,
  LibjujuError,
  TimeoutError,
} from "./errors.js";
import { hostPortsToEndpoints, type LoginInfo, login, redirectTarget } from "./login.js";
import type { Transport } from "./transport.js";

/** Options a transport factory receives for one dial. */
export interface DialOptions {
  /** PEM of the CA to trust. */
  ca?: string;
  insecureSkipVerify?: boolean;
  maxFrameSize?: number;
  signal?: AbortSignal;
}

/** Opens a transport to a `wss://…` URL. */
export type TransportFactory = (url: string, options: DialOptions) => Promise<Transport>;

/** Options of {@link openApi} and `connectApi`. */
export interface ConnectApiOptions {
  /** `host:port` addresses, tried in order until one answers. */
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
  /** Frame tap; see {@link ConnectionOptions.onFrame}. */
  onFrame?: ConnectionOptions["onFrame"];
  /** See {@link ConnectionOptions.onProtocolError}. */
  onProtocolError?: ConnectionOptions["onProtocolError"];
  /** Facade → versions the client knows. Default: every generated facade version. */
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
}

/**
 * The connect options shared by `Model` and `Controller` (everything except
 * where to connect and who logs in).
 */
export type CommonConnectOptions = Omit<
  ConnectApiOptions,
  "endpoints" | "modelUuid" | "credentials" | "caCert" | "macaroonsFor"
>;

/** A logged-in connection and how it was reached. */
export interface ConnectedApi {
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
 * Opens a logged-in API connection. Endpoints are tried in order: a dial
 * failure moves on to the next one, an error from the controller (e.g. a
 * wrong password, {@link JujuUnauthorizedError}) stops. A `redirection
 * required` answer is followed up to `maxRedirects` times.
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
    for (const endpoint of endpoints) {
      if (signal.aborted) throw new AbortError("connect aborted");
      const url = apiUrl(endpoint, options.modelUuid);
      let transport: Transport;
      try {
        const dial: DialOptions = { signal };
        if (caCert !== undefined) dial.ca = caCert;
        if (options.insecureSkipVerify) dial.insecureSkipVerify = true;
        if (options.maxFrameSize !== undefined) dial.maxFrameSize = options.maxFrameSize;
        transport = await factory(url, dial);
      } catch (err) {
        if (err instanceof AbortError) throw err;
        lastError = err;
        failures.push(`${endpoint}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const connOptions: ConnectionOptions = { endpoint: url };
      if (options.callTimeout !== undefined) connOptions.timeout = options.callTimeout;
      if (options.pingInterval !== undefined) connOptions.pingInterval = options.pingInterval;
      if (options.onFrame) connOptions.onFrame = options.onFrame;
      if (options.onProtocolError) connOptions.onProtocolError = options.onProtocolError;
      const connection = new Connection(transport, connOptions);
      try {
        let credentials = options.credentials;
        if (credentials.password === undefined && options.macaroonsFor) {
          credentials = await options.macaroonsFor(hostOf(endpoint));
        }
        const loginOptions: Parameters<typeof login>[1] = {
          credentials,
          clientFacades: options.clientFacades ?? CLIENT_FACADE_VERSIONS,
          signal,
        };
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
        if (err instanceof LibjujuError && err.code === "macaroon discharge required") throw err;
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

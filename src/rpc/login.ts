/**
 * `Admin.Login` (v3), redirect info and facade negotiation on an open
 * {@link Connection}. No Node-only imports.
 * @module
 */
import { CLIENT_FACADE_VERSIONS_BY_MAJOR } from "../facades/generated/index.js";
import type { FacadeVersions, HostPort } from "../protocol/frames.js";
import type { Connection } from "./connection.js";
import type { Credentials, MacaroonJson } from "./credentials.js";
import type { Discharger, InteractionInfo, MacaroonJar } from "./discharger.js";
import {
  DischargeRequiredError,
  JujuError,
  type JujuRedirectError,
  ProtocolError,
} from "./errors.js";
import { type JujuMajor, jujuMajorOf } from "./facade-table.js";
import { negotiateFacades, serverFacadeMap } from "./negotiate.js";

/** The client version sent when neither the caller nor controllers.yaml says otherwise. */
export const DEFAULT_CLIENT_VERSION = "3.6.28";

/** The Admin facade version used for Login (the only one Juju 3.x accepts). */
export const ADMIN_VERSION = 3;

/** `user-info` of a Login reply. */
export interface LoginUserInfo {
  /** The user's display name, `""` when none. */
  displayName: string;
  /** The user's tag, e.g. `user-admin`. */
  identity: string;
  /** The user's controller access, e.g. `superuser`, `login`. */
  controllerAccess: string;
  /** The user's access to the model, e.g. `admin`, `write`, `read` (`""` without a model). */
  modelAccess: string;
}

/** What a successful Login tells the client (camelCase view of Juju's LoginResult). */
export interface LoginInfo {
  /** `model-<uuid>`; absent on a controller-only connection. */
  modelTag: string | undefined;
  /** The model UUID from `modelTag`. */
  modelUuid: string | undefined;
  /** `controller-<uuid>`. */
  controllerTag: string;
  /** The controller UUID from `controllerTag`. */
  controllerUuid: string;
  /** Who logged in and with what access; undefined when the reply has no `user-info`. */
  userInfo: LoginUserInfo | undefined;
  /** The controller's Juju version, e.g. `3.6.28`. */
  serverVersion: string;
  /** The major version of `serverVersion` whose facade table was negotiated against (3 or 4). */
  jujuMajor: JujuMajor;
  /** API addresses of the controller machines, one list per machine. */
  servers: HostPort[][];
  /** Facades the server offers. */
  facades: FacadeVersions[];
  /** Public DNS name of the controller, when configured. */
  publicDnsName: string | undefined;
}

/** Options of the login handshake (`Connection` logins, {@link connectApi}). */
export interface LoginOptions {
  /** Who logs in. With no password, the macaroons in the credentials are sent. */
  credentials: Credentials;
  /**
   * Facade → versions the client knows; used for negotiation. Default: the
   * generated table of the server's major version (`server-version` 3.x or
   * 4.x), because a facade version can have another shape on 4.x.
   */
  clientFacades?: Readonly<Record<string, readonly number[]>>;
  /** `client-version` sent to the server. Default: the newest Juju version this library was written against. */
  clientVersion?: string;
  /** `cli-args`, shown in the controller's audit log. */
  cliArgs?: string;
  /** Aborts the login. */
  signal?: AbortSignal;
  /** Milliseconds before the login request times out. */
  timeout?: number;
  /**
   * Discharges the third-party caveats of a `bakery-discharge-required`
   * answer. Default: an `HttpDischarger` (macaroon-bakery v3 over HTTP(S)).
   */
  discharger?: Discharger;
  /** Told the URL to log in at when the default discharger meets `interaction required`. */
  onInteraction?: (info: InteractionInfo) => void | Promise<void>;
  /** Where discharged macaroons are saved for the next login (as the juju CLI's cookie jar). */
  cookieJar?: MacaroonJar;
  /** The host of the cookie URL (`https://<host>/`): Juju uses the controller UUID when known. */
  cookieHost?: string;
}

/** Discharge rounds per login: Juju may ask again at another level (python-libjuju tries twice). */
const MAX_DISCHARGE_ROUNDS = 2;

interface WireLoginResult {
  servers?: HostPort[][] | null;
  facades?: FacadeVersions[] | null;
  "model-tag"?: string;
  "controller-tag"?: string;
  "user-info"?: {
    "display-name"?: string;
    identity?: string;
    "controller-access"?: string;
    "model-access"?: string;
  } | null;
  "server-version"?: string;
  "public-dns-name"?: string;
  "discharge-required"?: unknown;
  "bakery-discharge-required"?: unknown;
  "discharge-required-error"?: string;
}

const tagId = (tag: string | undefined, kind: string): string | undefined =>
  tag?.startsWith(`${kind}-`) ? tag.slice(kind.length + 1) : undefined;

/**
 * Logs in with `Admin.Login` v3, negotiates facade versions and records them
 * on the connection (which starts its pinger).
 *
 * When the controller answers `bakery-discharge-required` (a user from an
 * external identity provider), the macaroon's third-party caveats are
 * discharged through `options.discharger`, saved in `options.cookieJar`, and
 * Login is retried with the bound slice.
 *
 * Throws the server's error (e.g. {@link JujuUnauthorizedError} for a wrong
 * password, {@link JujuRedirectError} for a migrated model),
 * {@link DischargeError} / {@link InteractionRequiredError} when a discharge
 * fails, or {@link DischargeRequiredError} when the controller still asks
 * for one after discharging.
 */
export async function login(conn: Connection, options: LoginOptions): Promise<LoginInfo> {
  const { credentials } = options;
  const params: Record<string, unknown> = {
    "auth-tag":
      credentials.password !== undefined || !credentials.macaroons ? credentials.userTag : "",
    credentials: credentials.password ?? "",
    nonce: "",
    "client-version": options.clientVersion ?? DEFAULT_CLIENT_VERSION,
  };
  if (credentials.password === undefined) {
    if (credentials.macaroons?.length) {
      params.macaroons = credentials.macaroons satisfies MacaroonJson[][];
    }
    // As the juju CLI: a discharge-required answer then comes in bakery v3 form.
    params["bakery-version"] = 3;
  }
  if (options.cliArgs) params["cli-args"] = options.cliArgs;
  const callOptions: { signal?: AbortSignal; timeout?: number } = {};
  if (options.signal) callOptions.signal = options.signal;
  if (options.timeout !== undefined) callOptions.timeout = options.timeout;
  const call = async (p: Record<string, unknown>): Promise<WireLoginResult> => {
    try {
      return await conn.rpc<WireLoginResult>(
        { type: "Admin", version: ADMIN_VERSION, request: "Login", params: p },
        callOptions,
      );
    } catch (e) {
      // The error form of the same request (`params.CodeDischargeRequired`).
      if (e instanceof JujuError && e.jujuCode === "macaroon discharge required" && e.info) {
        return {
          "discharge-required": e.info.macaroon,
          "bakery-discharge-required": e.info["bakery-macaroon"],
          "discharge-required-error": e.message,
        };
      }
      throw e;
    }
  };
  let result = await call(params);
  for (
    let round = 0;
    result["discharge-required"] || result["bakery-discharge-required"];
    round++
  ) {
    const why = result["discharge-required-error"];
    const dc = result["bakery-discharge-required"] ?? result["discharge-required"];
    if (round >= MAX_DISCHARGE_ROUNDS || credentials.password !== undefined) {
      throw new DischargeRequiredError(
        `login as ${credentials.username} still needs a macaroon discharged by a third party` +
          `${why ? ` (${why})` : ""} after ${round} discharge round(s)`,
      );
    }
    const slice = await dischargeLoginMacaroon(dc, options);
    params["auth-tag"] = "";
    params.credentials = "";
    params.macaroons = [slice];
    params["bakery-version"] = 3;
    result = await call(params);
  }
  const controllerTag = result["controller-tag"];
  if (typeof controllerTag !== "string" || !Array.isArray(result.facades)) {
    throw new ProtocolError("Admin.Login reply has no controller-tag or facades");
  }
  const serverFacades = serverFacadeMap(result.facades);
  const jujuMajor = jujuMajorOf(result["server-version"]);
  const clientFacades = options.clientFacades ?? CLIENT_FACADE_VERSIONS_BY_MAJOR[jujuMajor];
  const ui = result["user-info"];
  const info: LoginInfo = {
    modelTag: result["model-tag"] || undefined,
    modelUuid: tagId(result["model-tag"], "model"),
    controllerTag,
    controllerUuid: tagId(controllerTag, "controller") ?? "",
    userInfo: ui
      ? {
          displayName: ui["display-name"] ?? "",
          identity: ui.identity ?? "",
          controllerAccess: ui["controller-access"] ?? "",
          modelAccess: ui["model-access"] ?? "",
        }
      : undefined,
    serverVersion: result["server-version"] ?? "",
    jujuMajor,
    servers: result.servers ?? [],
    facades: result.facades,
    publicDnsName: result["public-dns-name"] || undefined,
  };
  conn.completeLogin({
    facadeVersions: negotiateFacades(clientFacades, serverFacades),
    serverFacades,
    clientFacades,
    info,
  });
  return info;
}

/**
 * Discharges the macaroon of a discharge-required Login answer and saves the
 * bound slice in the cookie jar. The discharge code is loaded only here, so
 * password logins never load it.
 */
async function dischargeLoginMacaroon(dc: unknown, options: LoginOptions): Promise<MacaroonJson[]> {
  const [{ dischargeAll, HttpDischarger }, { bakeryMacaroonFromJson, expiryOf }] =
    await Promise.all([import("./discharger.js"), import("./macaroon.js")]);
  let root: ReturnType<typeof bakeryMacaroonFromJson>;
  try {
    root = bakeryMacaroonFromJson(dc);
  } catch (e) {
    throw new ProtocolError(
      `Admin.Login asked for a discharge with an unreadable macaroon: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const discharger =
    options.discharger ??
    new HttpDischarger(options.onInteraction ? { onInteraction: options.onInteraction } : {});
  const { slice, macaroons } = await dischargeAll(root, discharger, options.signal);
  if (options.cookieJar && options.cookieHost) {
    await options.cookieJar.save(options.cookieHost, slice, expiryOf(macaroons));
  }
  return slice;
}

/** Where a redirect points: addresses and the CA of the other controller. */
export interface RedirectTarget {
  /** The target controller's addresses, one list per controller machine. */
  servers: HostPort[][];
  /** The target controller's CA certificate (PEM), when given. */
  caCert: string | undefined;
}

/**
 * The redirect target of a failed Login: `error-info` when it has servers,
 * else the answer of `Admin.RedirectInfo` on the same (not logged-in) connection.
 */
export async function redirectTarget(
  conn: Connection,
  error: JujuRedirectError,
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<RedirectTarget> {
  if (error.servers.length > 0) return { servers: error.servers, caCert: error.caCert };
  const info = await conn.rpc<{ servers?: HostPort[][] | null; "ca-cert"?: string }>(
    { type: "Admin", version: ADMIN_VERSION, request: "RedirectInfo" },
    options,
  );
  // As python-libjuju does for RedirectInfo answers, prefer public addresses.
  const servers = (info.servers ?? []).map((hps) => {
    const pub = hps.filter((hp) => hp.scope === "public");
    return pub.length > 0 ? pub : hps;
  });
  return { servers, caCert: info["ca-cert"] };
}

/**
 * `host:port` strings for a list of per-server HostPorts, public addresses
 * first, then cloud-local, then the rest; duplicates removed.
 */
export function hostPortsToEndpoints(servers: readonly (readonly HostPort[])[]): string[] {
  const rank: Record<string, number> = {
    public: 0,
    "local-cloud": 1,
    unknown: 2,
    "": 2,
    "local-machine": 3,
    "link-local": 4,
  };
  const all = servers
    .flat()
    .filter((hp) => hp && typeof hp.value === "string" && Number.isInteger(hp.port));
  const sorted = all
    .map((hp, i) => ({ hp, i }))
    .sort((a, b) => (rank[a.hp.scope] ?? 2) - (rank[b.hp.scope] ?? 2) || a.i - b.i);
  const out: string[] = [];
  for (const { hp } of sorted) {
    const host = hp.value.includes(":") && !hp.value.startsWith("[") ? `[${hp.value}]` : hp.value;
    const ep = `${host}:${hp.port}`;
    if (!out.includes(ep)) out.push(ep);
  }
  return out;
}

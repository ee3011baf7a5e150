/**
 * Secret backends of a controller (`SecretBackends.ListSecretBackends`), as
 * python-libjuju's `Controller.list_secret_backends`.
 * @module
 */
import type { CallOptions, Connection } from "../rpc/connection.js";
import { JujuError } from "../rpc/errors.js";

/** Options of `Controller.listSecretBackends`. */
export interface ListSecretBackendsOptions extends CallOptions {
  /** Include config attributes the backend marks secret (e.g. a vault token). */
  reveal?: boolean;
  /** Only these backends (by name). */
  names?: readonly string[];
}

/** A secret backend with its usage. */
export interface SecretBackendInfo {
  /** The backend's id. */
  id: string;
  /** `internal` for the controller's own store, `<model>-local` for a k8s model's. */
  name: string;
  /** `controller`, `kubernetes`, `vault`. */
  backendType: string;
  /** Backend config; secret attributes only with `reveal`. */
  config: Record<string, unknown>;
  /** How often the backend's access token is rotated (a Go duration in ns), when set. */
  tokenRotateInterval: number | undefined;
  /** How many secrets the backend holds. */
  numSecrets: number;
  /** `active` or `error`. */
  status: string;
  /** The backend's status message. */
  message: string | undefined;
  /** Why the backend could not be read, if it could not. */
  error: JujuError | undefined;
}

/** Lists the controller's secret backends (controller superuser only). */
export async function listSecretBackends(
  conn: Connection,
  options: ListSecretBackendsOptions = {},
): Promise<SecretBackendInfo[]> {
  const f = conn.facade("SecretBackends");
  const call: CallOptions = {};
  if (options.signal) call.signal = options.signal;
  if (options.timeout !== undefined) call.timeout = options.timeout;
  const res = await f.call(
    "ListSecretBackends",
    { names: [...(options.names ?? [])], reveal: options.reveal === true },
    call,
  );
  const site = { facade: f.name, version: f.version, method: "ListSecretBackends" };
  return (res.results ?? []).map((r) => ({
    id: r.id,
    name: r.result?.name ?? "",
    backendType: r.result?.["backend-type"] ?? "",
    config: { ...(r.result?.config ?? {}) },
    tokenRotateInterval: r.result?.["token-rotate-interval"] ?? undefined,
    numSecrets: r["num-secrets"],
    status: r.status,
    message: r.message || undefined,
    error: r.error?.message ? JujuError.fromWire(r.error, site) : undefined,
  }));
}

/**
 * Shapes of the JSON frames exchanged on a Juju API websocket
 * (`rpc/jsoncodec/codec.go`). Shared by the client transport and the
 * simulator; pure data, no runtime dependencies.
 * @module
 */

/** A request sent by a client. `params` may be omitted (the server reads it as `{}`). */
export interface RequestFrame {
  /** Matches the reply to the request; unique per connection. */
  "request-id": number;
  /** The facade name, e.g. `Application`. */
  type: string;
  /** The facade version. */
  version: number;
  /** The object id, for watcher facades (e.g. the AllWatcher id). */
  id?: string;
  /** The method name, e.g. `Deploy`. */
  request: string;
  /** The call's arguments. */
  params?: unknown;
}

/** A reply from the server: exactly one of `response` or `error` is meaningful. */
export interface ResponseFrame {
  /** The request this answers. */
  "request-id": number;
  /** The result, when the call succeeded. */
  response?: unknown;
  /** The error message, when the call failed. */
  error?: string;
  /** Juju's error code, e.g. `not found`. */
  "error-code"?: string;
  /** Extra error data, e.g. a redirect's addresses. */
  "error-info"?: Record<string, unknown>;
}

/** The error object found inside bulk results (`{"results":[{"error":{...}}]}`). */
export interface WireError {
  /** The error message. */
  message: string;
  /** Juju's error code, `""` when none. */
  code: string;
  /** Extra error data. */
  info?: Record<string, unknown> | null;
}

/** One host:port of a controller, flattened as in `params.HostPort`. */
export interface HostPort {
  /** The address (an IP or host name). */
  value: string;
  /** `ipv4`, `ipv6` or `hostname`. */
  type: string;
  /** `public`, `local-cloud`, `local-machine`, … */
  scope: string;
  /** The port. */
  port: number;
  /** The network space, when known. */
  "space-name"?: string;
  /** The network space id, when known. */
  "space-id"?: string;
  /** The subnet CIDR, when known. */
  cidr?: string;
  /** How the address was configured (`dhcp`, `static`, …), when known. */
  "config-type"?: string;
  /** Whether it is a secondary address of its device. */
  "is-secondary"?: boolean;
}

/** A facade and the versions a controller serves, as listed in a Login reply. */
export interface FacadeVersions {
  /** The facade name. */
  name: string;
  /** The versions served, ascending. */
  versions: number[];
}

/** Juju's error codes (`rpc/params/apierror.go`) that the library handles specially. */
export const ErrorCodes = {
  notFound: "not found",
  userNotFound: "user not found",
  modelNotFound: "model not found",
  unauthorized: "unauthorized access",
  notImplemented: "not implemented",
  notSupported: "not supported",
  alreadyExists: "already exists",
  redirect: "redirection required",
  stopped: "stopped",
  badRequest: "bad request",
  operationBlocked: "operation is blocked",
  notValid: "not valid",
  tryAgain: "try again",
} as const;

/**
 * Shapes of the JSON frames exchanged on a Juju API websocket
 * (`rpc/jsoncodec/codec.go`). Shared by the client transport and the
 * simulator; pure data, no runtime dependencies.
 * @module
 */

/** A request sent by a client. `params` may be omitted (the server reads it as `{}`). */
export interface RequestFrame {
  "request-id": number;
  type: string;
  version: number;
  id?: string;
  request: string;
  params?: unknown;
}

/** A reply from the server: exactly one of `response` or `error` is meaningful. */
export interface ResponseFrame {
  "request-id": number;
  response?: unknown;
  error?: string;
  "error-code"?: string;
  "error-info"?: Record<string, unknown>;
}

/** The error object found inside bulk results (`{"results":[{"error":{...}}]}`). */
export interface WireError {
  message: string;
  code: string;
  info?: Record<string, unknown> | null;
}

/** One host:port of a controller, flattened as in `params.HostPort`. */
export interface HostPort {
  value: string;
  type: string;
  scope: string;
  port: number;
  "space-name"?: string;
  "space-id"?: string;
  cidr?: string;
  "config-type"?: string;
  "is-secondary"?: boolean;
}

/** A facade and the versions a controller serves, as listed in a Login reply. */
export interface FacadeVersions {
  name: string;
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

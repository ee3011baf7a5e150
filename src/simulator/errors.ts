/**
 * Server-side errors of the simulated controller, with the messages and codes
 * a Juju 3.6 controller sends (`apiserver/errors/errors.go`,
 * `internal/rpcreflect`, `rpc/params/apierror.go`).
 * @module
 */
import { ErrorCodes } from "../protocol/frames.js";

/** An error that a facade method returns to the client as an RPC error reply. */
export class ServerError extends Error {
  /** Juju's `error-code`; `""` when the Go error carries none. */
  readonly code: string;
  /** Juju's `error-info`, when the error has structured details (for example redirects). */
  readonly info: Record<string, unknown> | undefined;
  constructor(message: string, code = "", info?: Record<string, unknown>) {
    super(message);
    this.name = "ServerError";
    this.code = code;
    this.info = info;
  }

  /** The `{message, code, info?}` object used inside bulk results (`code` is always present). */
  toWire(): {
    /** The error message. */
    message: string;
    /** Juju's error code, `""` when none. */
    code: string;
    /** Juju's `error-info`, when any. */
    info?: Record<string, unknown>;
  } {
    return this.info === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, info: this.info };
  }

  /** A copy of this error whose message carries Go's `errors.Annotate` prefix. */
  annotate(prefix: string): ServerError {
    return new ServerError(`${prefix}: ${this.message}`, this.code, this.info);
  }
}

/**
 * `rpcreflect.CallNotImplementedError`: the facade, version or method does not
 * exist on the connection's current root. The message depends on which parts
 * are known, exactly as in Go.
 */
export function callNotImplemented(facade: string, version: number, method?: string): ServerError {
  if (method === undefined || method === "") {
    const message =
      version !== 0
        ? `unknown version (${version}) of interface ${JSON.stringify(facade)}`
        : `unknown object type ${JSON.stringify(facade)}`;
    return new ServerError(message, ErrorCodes.notImplemented);
  }
  const where = version !== 0 ? `${facade}(${version})` : facade;
  return new ServerError(
    `no such request - method ${where}.${method} is not implemented`,
    ErrorCodes.notImplemented,
  );
}

/** The fixed errors of `apiserver/errors/errors.go` and `rpc`, one constructor each. */
export const Errors = {
  /** Wrong password, unknown user or unknown agent. */
  unauthorized: () => new ServerError("invalid entity name or password", ErrorCodes.unauthorized),
  /** The user lacks the permission the call needs. */
  permissionDenied: () => new ServerError("permission denied", ErrorCodes.unauthorized),
  /** Admin (and other id-less facades) called with a non-empty `id`. */
  badId: () => new ServerError("id not found", ErrorCodes.notFound),
  /** A watcher id that this connection does not hold. */
  unknownWatcher: () => new ServerError("unknown watcher id", ErrorCodes.notFound),
  /** A pending `AllWatcher.Next` whose watcher was stopped: python-libjuju matches this text, and Go sends no code. */
  watcherStopped: () => new ServerError("watcher was stopped"),
  /** A request that arrives after the connection started closing (`rpc.ErrShutdown`). */
  shutdown: () => new ServerError("connection is shut down"),
  /** Every call on `/model/<uuid>/api` for a model this controller does not know. */
  unknownModel: (uuid: string) =>
    new ServerError(`unknown model: ${JSON.stringify(uuid)}`, ErrorCodes.modelNotFound),
  /** An Admin version other than 3. */
  oldLogin: () =>
    new ServerError(
      "this version of Juju does not support login from old clients",
      ErrorCodes.notSupported,
    ),
  /** A facade that the connection kind does not serve (`restrict_controller.go`, `restrict_model.go`). */
  facadeNotSupported: (facade: string, kind: "model" | "controller") =>
    new ServerError(
      `facade ${JSON.stringify(facade)} not supported for ${kind} API connection`,
      ErrorCodes.notSupported,
    ),
  /** Go's `errors.NotFoundf(what)`. */
  notFound: (what: string) => new ServerError(`${what} not found`, ErrorCodes.notFound),
  /** Go's `errors.AlreadyExistsf(what)`. */
  alreadyExists: (what: string) =>
    new ServerError(`${what} already exists`, ErrorCodes.alreadyExists),
  /** Go's `errors.NotValidf(what)`. */
  notValid: (what: string) => new ServerError(`${what} not valid`, ErrorCodes.notValid),
} as const;

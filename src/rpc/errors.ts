/**
 * Typed errors raised by the client. Every error has a stable libjuju
 * `code` (`ERR_…`, see `LibjujuErrorCode`); server errors also keep Juju's
 * own `error-code` as it was sent, in `jujuCode`.
 * Messages never contain credentials: callers must not interpolate them, and
 * {@link redactSecrets} is applied to anything built from request params.
 * @module
 */
import { ErrorCodes, type HostPort, type WireError } from "../protocol/frames.js";
import {
  ERROR_BRAND,
  LIBJUJU_ERROR_CODES,
  LibjujuError,
  type LibjujuErrorCode,
} from "../protocol/libjuju-error.js";

/** Where a server error came from, when it answered an RPC. */
export interface CallSite {
  /** The facade called, e.g. `Application`. */
  facade?: string;
  /** The facade version called. */
  version?: number;
  /** The method called, e.g. `Deploy`. */
  method?: string;
  /** The request id of the call on its connection. */
  requestId?: number;
  /** For the error of one item of a bulk reply: the item's position in `results[]`. */
  bulkIndex?: number;
}

export { ERROR_BRAND, LIBJUJU_ERROR_CODES, LibjujuError, type LibjujuErrorCode };

/**
 * An error returned by the Juju controller. `code` is `ERR_JUJU` (or the
 * subclass's own `ERR_JUJU_…`); Juju's `error-code` is {@link jujuCode}.
 */
export class JujuError extends LibjujuError {
  /** The libjuju code of this class of server error. */
  static readonly localCode: LibjujuErrorCode = "ERR_JUJU";
  /** Juju's `error-code` as the server sent it (`not found`, `already exists`…), `""` when none. */
  readonly jujuCode: string;
  /** Juju's `error-info`, when the server sent one. */
  readonly info: Record<string, unknown> | undefined;
  /** The facade of the failed call, when known. */
  readonly facade: string | undefined;
  /** The facade version of the failed call, when known. */
  readonly version: number | undefined;
  /** The method of the failed call, when known. */
  readonly method: string | undefined;
  /** The request id of the failed call, when known. */
  readonly requestId: number | undefined;
  /** Set when this is the error of one item of a bulk reply: its position in `results[]`. */
  readonly bulkIndex: number | undefined;
  /** `jujuCode` is Juju's `error-code`; the libjuju `code` follows from the class. */
  constructor(
    message: string,
    jujuCode = "",
    info?: Record<string, unknown> | null,
    site: CallSite = {},
    options?: ErrorOptions,
  ) {
    super(message, (new.target as typeof JujuError).localCode, options);
    this.jujuCode = jujuCode;
    this.info = info ?? undefined;
    this.facade = site.facade;
    this.version = site.version;
    this.method = site.method;
    this.requestId = site.requestId;
    this.bulkIndex = site.bulkIndex;
  }

  /** Builds the most specific subclass for a server error. */
  static fromWire(
    err: WireError | { message: string; code?: string; info?: Record<string, unknown> | null },
    site: CallSite = {},
  ): JujuError {
    const code = err.code ?? "";
    const info = err.info ?? undefined;
    switch (code) {
      case ErrorCodes.unauthorized:
        return new JujuUnauthorizedError(err.message, code, info, site);
      case ErrorCodes.notFound:
      case ErrorCodes.userNotFound:
      case ErrorCodes.modelNotFound:
        return new JujuNotFoundError(err.message, code, info, site);
      case ErrorCodes.redirect:
        return new JujuRedirectError(err.message, code, info, site);
      case ErrorCodes.notImplemented:
      case ErrorCodes.notSupported:
        return new JujuNotImplementedError(err.message, code, info, site);
      default:
        return new JujuError(err.message, code, info, site);
    }
  }
}

/** `unauthorized access`: bad credentials or no permission. */
export class JujuUnauthorizedError extends JujuError {
  static override readonly localCode = "ERR_JUJU_UNAUTHORIZED";
}
/** `not found`, `user not found`, `model not found`. */
export class JujuNotFoundError extends JujuError {
  static override readonly localCode = "ERR_JUJU_NOT_FOUND";
}
/** `not implemented` / `not supported`: unknown facade, version or method. */
export class JujuNotImplementedError extends JujuError {
  static override readonly localCode = "ERR_JUJU_NOT_IMPLEMENTED";
}

/** `redirection required`: the model lives on another controller. */
export class JujuRedirectError extends JujuError {
  static override readonly localCode = "ERR_JUJU_REDIRECT";
  /** Addresses of the controller to use instead, from `error-info.servers`. */
  get servers(): HostPort[][] {
    const s = this.info?.servers;
    return Array.isArray(s) ? (s as HostPort[][]) : [];
  }
  /** CA certificate of the target controller, from `error-info.ca-cert`. */
  get caCert(): string | undefined {
    const c = this.info?.["ca-cert"];
    return typeof c === "string" ? c : undefined;
  }
}

/** One failed item of a bulk (`results[]`) reply. */
export interface BulkFailure {
  /** Position of the item in `results[]` (and in the request's bulk args). */
  index: number;
  /** The item's error. */
  error: JujuError;
}

/**
 * Some items of a bulk call of several items failed. `failures` names each
 * failed item; `results` keeps every item, so successes are not lost.
 * `jujuCode` is the failures' Juju code when they all share one. (A call
 * of one item throws that item's own error instead.)
 */
export class JujuBulkError extends JujuError {
  static override readonly localCode = "ERR_JUJU_BULK";
  /** Every failed item, by its position in `results[]`. */
  readonly failures: readonly BulkFailure[];
  /** Every item of `results[]`, successful or not, in order. */
  readonly results: readonly unknown[];
  constructor(failures: BulkFailure[], results: unknown[], site: CallSite = {}) {
    const where = site.facade && site.method ? `${site.facade}.${site.method}: ` : "";
    const detail = failures.map((f) => `[${f.index}] ${f.error.message}`).join("; ");
    super(
      `${where}${failures.length} of ${results.length} items failed: ${detail}`,
      failures.every((f) => f.error.jujuCode === failures[0]?.error.jujuCode)
        ? (failures[0]?.error.jujuCode ?? "")
        : "",
      null,
      site,
    );
    this.failures = failures;
    this.results = results;
  }
}

/** A call did not get its reply in time. */
export class TimeoutError extends LibjujuError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_TIMEOUT", options);
  }
}

/** The call was cancelled through its `AbortSignal`. */
export class AbortError extends LibjujuError {
  constructor(message = "the operation was aborted", options?: ErrorOptions) {
    super(message, "ERR_ABORTED", options);
  }
}

/** What a {@link ConnectionClosedError} knows about the call it failed. */
export interface ConnectionClosedOptions extends ErrorOptions {
  /** See {@link ConnectionClosedError.retryable}. Default false. */
  retryable?: boolean;
  /** See {@link ConnectionClosedError.mayHaveBeenApplied}. Default false. */
  mayHaveBeenApplied?: boolean;
  /** See {@link ConnectionClosedError.method}. */
  method?: string;
}

/**
 * The connection closed (or failed) before the call was answered, or the
 * model was disconnected while something waited on it.
 */
export class ConnectionClosedError extends LibjujuError {
  /**
   * True when the link was lost rather than closed on purpose (by `close()`
   * or `disconnect()`): issuing the operation again once connected (a
   * `Model` reconnects by itself unless `reconnect: false`) may succeed.
   */
  readonly retryable: boolean;
  /**
   * True when the request had been sent and no reply came: the controller
   * may or may not have applied it, so check the model before repeating a
   * write. False when the request never left, or for waits and streams.
   */
  readonly mayHaveBeenApplied: boolean;
  /** `Facade.Method` of the failed call, when a call failed. */
  readonly method: string | undefined;
  constructor(message: string, options: ConnectionClosedOptions = {}) {
    const { retryable, mayHaveBeenApplied, method, ...errorOptions } = options;
    super(message, "ERR_CONNECTION_CLOSED", errorOptions);
    this.retryable = retryable ?? false;
    this.mayHaveBeenApplied = mayHaveBeenApplied ?? false;
    this.method = method;
  }
}

/**
 * A connection could not be opened (refused, TLS verification failed,
 * unexpected HTTP answer, handshake timeout). `cause` holds the underlying error.
 */
export class ConnectError extends LibjujuError {
  /** The URL or endpoint that was dialled. */
  readonly endpoint: string;
  constructor(message: string, endpoint: string, options?: ErrorOptions) {
    super(message, "ERR_CONNECT_FAILED", options);
    this.endpoint = endpoint;
  }
}

/**
 * Login still asks for a third-party macaroon discharge after libjuju
 * discharged what it was given (or the reply carried no macaroon to discharge).
 */
export class DischargeRequiredError extends LibjujuError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_DISCHARGE_REQUIRED", options);
  }
}

/**
 * A third party (e.g. an identity provider) would not discharge a caveat of
 * the login macaroon, or could not be reached; `cause` holds the underlying error.
 */
export class DischargeError extends LibjujuError {
  /** The third party's location (URL) that was asked. */
  readonly location: string;
  /** The bakery error code the third party answered with (e.g. `permission denied`), if any. */
  readonly bakeryCode: string | undefined;
  constructor(
    message: string,
    location: string,
    options: ErrorOptions & { bakeryCode?: string | undefined } = {},
  ) {
    const { bakeryCode, ...errorOptions } = options;
    super(message, "ERR_DISCHARGE_FAILED", errorOptions);
    this.location = location;
    this.bakeryCode = bakeryCode;
  }
}

/**
 * The identity provider wants the user to log in interactively at
 * `visitUrl`, and no `onInteraction` callback was given to report it to
 * (libjuju never opens a browser itself).
 */
export class InteractionRequiredError extends LibjujuError {
  /** The URL the user must visit to log in. */
  readonly visitUrl: string;
  /** The third party's location (URL). */
  readonly location: string;
  constructor(message: string, visitUrl: string, location: string) {
    super(message, "ERR_INTERACTION_REQUIRED");
    this.visitUrl = visitUrl;
    this.location = location;
  }
}

/** The server sent something that is not a valid Juju RPC frame. */
export class ProtocolError extends LibjujuError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_PROTOCOL", options);
  }
}

/** No facade version is known to both client and server. */
export class FacadeVersionError extends LibjujuError {
  constructor(message: string) {
    super(message, "ERR_FACADE_VERSION");
  }
}

/** Client files (controllers.yaml, accounts.yaml, models.yaml) are missing or malformed. */
export class JujuDataError extends LibjujuError {
  /** The file that was wrong. */
  readonly file: string;
  /** The key (dotted path) that was missing or wrong, when known. */
  readonly key: string | undefined;
  constructor(message: string, file: string, key?: string) {
    super(message, "ERR_JUJU_DATA");
    this.file = file;
    this.key = key;
  }
}

const SECRET_KEYS =
  /^(credentials|password|macaroons?|secret-key|token|bakery-discharge-required|discharge-required)$/i;

/**
 * Returns a copy of `value` with every credential-bearing field replaced by
 * `"<redacted>"`, for logs and error messages built from request params.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k)
        ? v !== null && typeof v === "object" && !Array.isArray(v)
          ? redactLeaves(v)
          : "<redacted>"
        : SECRET_CONTENT_KEYS.has(k)
          ? redactSecretContent(v)
          : redactSecrets(v);
    }
    return out;
  }
  return value;
}

/**
 * Hides every scalar under a secret-looking key but keeps the shape, so a
 * charm config option *named* `token` (an object describing the option) still
 * reads as an object in a schema-checked frame tap while nothing of it leaks.
 */
function redactLeaves(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactLeaves(v);
    return out;
  }
  return "<redacted>";
}

/** Where secret values travel: `content.data` (Secrets/SecretsManager requests) and `value.data` (revealed values). */
const SECRET_CONTENT_KEYS = new Set(["content", "value"]);

/**
 * A secret content or value object with each value of its `data` map
 * replaced, keys kept: the frame keeps its shape (so schema checks on tapped
 * frames still hold) and shows which keys a secret has, never their values.
 */
function redactSecretContent(v: unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return redactSecrets(v);
  const out = redactSecrets(v) as Record<string, unknown>;
  const data = (v as Record<string, unknown>).data;
  if (data && typeof data === "object" && !Array.isArray(data)) {
    out.data = Object.fromEntries(Object.keys(data).map((k) => [k, "<redacted>"]));
  }
  return out;
}

/**
 * Typed errors of local charm and resource uploads that fail on the client,
 * before or without the controller (the controller's own refusals are
 * {@link JujuError}s keeping Juju's message and code).
 * @module
 */
import { JujuError, LibjujuError } from "../../rpc/errors.js";
import type { HttpReply } from "../http/edge.js";

/**
 * A local charm is not one: an empty or non-zip `.charm` file, no
 * metadata.yaml in it, no hooks nor dispatch file. The code is Juju's
 * `not valid`.
 */
export class LocalCharmError extends LibjujuError {
  /** The file or directory that was read. */
  readonly path: string;
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, "ERR_LOCAL_CHARM", options);
    this.path = path;
  }
}

/**
 * A local file (charm, archive, resource) cannot be read: missing, a
 * directory where a file was expected, no permission. `errno` is the
 * system's code (`ENOENT`, `EACCES`…) when there is one.
 */
export class LocalFileError extends LibjujuError {
  /** The path that could not be read. */
  readonly path: string;
  /** The system error code, e.g. `ENOENT`. */
  readonly errno: string | undefined;
  constructor(message: string, path: string, errno?: string, options?: ErrorOptions) {
    super(message, "ERR_LOCAL_FILE", options);
    this.path = path;
    this.errno = errno;
  }
}

/**
 * The controller's answer to an HTTP request that failed, as a
 * {@link JujuError} of the subclass its code calls for: Juju's JSON
 * `{"error": {message, code}}` when it sent one, else the text of the
 * body with a code from the status (401 → `unauthorized access`, 403 →
 * `forbidden`, 404 → `not found`, 405 → `method not allowed`, 413 →
 * `request entity too large`, other 4xx → `bad request`). The call site
 * names the request (`PUT /model-…/charms/…`) and `info.status` keeps the
 * HTTP status.
 */
export function httpError(method: string, path: string, reply: HttpReply): JujuError {
  const site = { facade: "HTTP", method: `${method} ${path.replace(/\?.*$/, "")}` };
  let message = reply.body.trim();
  let code = "";
  try {
    const v = JSON.parse(reply.body) as unknown;
    const err = typeof v === "object" && v !== null ? (v as { error?: unknown }).error : undefined;
    if (typeof err === "object" && err !== null) {
      const e = err as { message?: unknown; code?: unknown };
      if (typeof e.message === "string") message = e.message;
      if (typeof e.code === "string") code = e.code;
    } else if (typeof err === "string") {
      // The legacy charms handler's CharmsResponse carries `error` and `error-code`.
      message = err;
      const c = (v as { "error-code"?: unknown })["error-code"];
      if (typeof c === "string") code = c;
    }
  } catch {
    // Not JSON: Juju's authentication middleware answers text/plain.
  }
  if (code === "") code = codeOfStatus(reply.status);
  if (message === "") message = `HTTP ${reply.status}`;
  return JujuError.fromWire({ message, code, info: { status: reply.status } }, site);
}

function codeOfStatus(status: number): string {
  switch (status) {
    case 401:
      return "unauthorized access";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request entity too large";
    default:
      return status >= 400 && status < 500 ? "bad request" : "";
  }
}

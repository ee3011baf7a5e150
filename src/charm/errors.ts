/**
 * Typed errors of the charm module. They extend {@link LibjujuError} so that
 * callers can branch on `code` like on any other libjuju error.
 * @module
 */
import { LibjujuError, type LibjujuErrorCode } from "../protocol/libjuju-error.js";

/**
 * A charm file (metadata.yaml, charmcraft.yaml, config.yaml, actions.yaml,
 * lxd-profile.yaml) is malformed or breaks one of Juju's metadata rules.
 * The code is `not valid`, as Juju's `errors.NotValid` gives.
 */
export class CharmMetadataError extends LibjujuError {
  /** The charm file that was wrong, e.g. `metadata.yaml`. */
  readonly file: string;
  /** The key (dotted path) that was missing or wrong, when known, e.g. `requires.db.scope`. */
  readonly key: string | undefined;
  /** The 1-based line of a YAML syntax error, when the file did not parse. */
  readonly line: number | undefined;
  constructor(
    message: string,
    file: string,
    key?: string,
    options?: ErrorOptions & { line?: number },
  ) {
    super(message, "ERR_CHARM_METADATA", options);
    this.file = file;
    this.key = key;
    this.line = options?.line;
  }
}

/**
 * A charm directory cannot be read: it does not exist, or it has neither a
 * metadata.yaml nor a charmcraft.yaml naming the charm, or a file in it
 * (revision, version) is unreadable. The code is `not valid`; `cause` holds
 * the underlying error when there is one.
 */
export class CharmDirError extends LibjujuError {
  /** The directory that was read. */
  readonly path: string;
  constructor(
    message: string,
    path: string,
    options?: ErrorOptions,
    code: LibjujuErrorCode = "ERR_CHARM_DIR",
  ) {
    super(message, code, options);
    this.path = path;
  }
}

/** Why a charm archive could not be written or read; see {@link CharmArchiveError}. */
export type CharmArchiveErrorReason =
  /** A symlink points outside the charm directory (Juju: `links out of charm`). */
  | "symlink-escapes"
  /** A symlink has an absolute target (Juju: `is absolute`). */
  | "symlink-absolute"
  /** A named pipe, socket or device file (Juju refuses to archive them). */
  | "special-file"
  /** `.jujuignore` has a pattern that does not compile. */
  | "bad-ignore-rule"
  /** A file or directory could not be read (permissions, I/O error, vanished). */
  | "unreadable"
  /** A file changed size while it was being archived. */
  | "changed"
  /** The archive could not be written to its destination, or writing was aborted. */
  | "write-failed"
  /** A `.charm` file is not a readable zip archive. */
  | "bad-archive";

/**
 * A charm directory cannot be archived, or a `.charm` file cannot be read.
 * `file` names the offending entry relative to the charm root (`/`-separated)
 * when there is one. The code is `not valid` when the charm's content is at
 * fault (escaping or absolute symlinks, special files, a bad `.jujuignore`, a
 * broken `.charm`), and `charm archive failed` for I/O failures (unreadable
 * or changing files, a failing or aborted destination).
 */
export class CharmArchiveError extends CharmDirError {
  /** The offending entry, relative to the charm root, when there is one. */
  readonly file: string | undefined;
  /** What went wrong, for branching without parsing the message. */
  readonly reason: CharmArchiveErrorReason;
  constructor(
    message: string,
    path: string,
    reason: CharmArchiveErrorReason,
    file?: string,
    options?: ErrorOptions,
  ) {
    const io = reason === "unreadable" || reason === "changed" || reason === "write-failed";
    super(message, path, options, io ? "ERR_CHARM_ARCHIVE_IO" : "ERR_CHARM_ARCHIVE");
    this.reason = reason;
    this.file = file;
  }
}

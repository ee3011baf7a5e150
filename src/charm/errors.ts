/**
 * Typed errors of the charm module. They extend {@link LibjujuError} so that
 * callers can branch on `code` like on any other libjuju error.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";

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
  constructor(message: string, file: string, key?: string, options?: ErrorOptions) {
    super(message, "not valid", options);
    this.file = file;
    this.key = key;
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
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, "not valid", options);
    this.path = path;
  }
}

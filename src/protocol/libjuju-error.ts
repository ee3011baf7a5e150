/**
 * The base class of every libjuju error, in a pure module so that the pure
 * layers (bundle planner, parsers, charm metadata) and the simulator can
 * throw typed errors without importing the client's RPC layer.
 * @module
 */

/** Base class of every error thrown by libjuju. */
export class LibjujuError extends Error {
  /** Machine-readable code: Juju's `error-code`, or a libjuju code such as `connection closed`. */
  readonly code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The base class of every libjuju error, in a pure module so that the pure
 * layers (bundle planner, parsers, charm metadata) and the simulator can
 * throw typed errors without importing the client's RPC layer.
 * @module
 */

/**
 * Every `code` a libjuju error can carry: stable, `ERR_…` style, one space
 * of names owned by libjuju. A server error's own code (Juju's `error-code`,
 * e.g. `not found`) is kept apart, in `JujuError.jujuCode`, so a local
 * failure never shares a code with a server one.
 */
export const LIBJUJU_ERROR_CODES = [
  // Server errors (`JujuError` and its subclasses; Juju's code is `jujuCode`).
  "ERR_JUJU",
  "ERR_JUJU_UNAUTHORIZED",
  "ERR_JUJU_NOT_FOUND",
  "ERR_JUJU_NOT_IMPLEMENTED",
  "ERR_JUJU_REDIRECT",
  "ERR_JUJU_BULK",
  // Connections and calls.
  "ERR_TIMEOUT",
  "ERR_ABORTED",
  "ERR_CONNECTION_CLOSED",
  "ERR_CONNECT_FAILED",
  "ERR_DISCHARGE_REQUIRED",
  "ERR_DISCHARGE_FAILED",
  "ERR_INTERACTION_REQUIRED",
  "ERR_PROTOCOL",
  "ERR_FACADE_VERSION",
  "ERR_JUJU_DATA",
  // The model and its waits.
  "ERR_WAIT_TIMEOUT",
  "ERR_ENTITY_ERROR",
  "ERR_ENTITY_BLOCKED",
  "ERR_UNKNOWN_DELTA_KIND",
  "ERR_DEAD_ENTITY",
  "ERR_NOT_SUPPORTED",
  "ERR_NOT_WATCHING",
  "ERR_OBSERVER",
  "ERR_INVALID_ARGUMENT",
  "ERR_NOT_CONNECTED",
  // Bundles.
  "ERR_BUNDLE_INVALID",
  "ERR_BUNDLE_FILE",
  "ERR_BUNDLE_SOURCE",
  "ERR_BUNDLE_LOCAL_CHARM",
  "ERR_BUNDLE_LOCAL_CHARM_NOT_FOUND",
  "ERR_BUNDLE_TRUST",
  "ERR_BUNDLE_PLACEHOLDER",
  "ERR_BUNDLE_PLAN",
  "ERR_BUNDLE_CHANGE",
  "ERR_CHARM_IS_BUNDLE",
  // Charms.
  "ERR_CHARM_METADATA",
  "ERR_CHARM_DIR",
  "ERR_CHARM_ARCHIVE",
  "ERR_CHARM_ARCHIVE_IO",
  "ERR_JUJUIGNORE_SYNTAX",
  "ERR_LOCAL_CHARM",
  "ERR_LOCAL_FILE",
  "ERR_CHARMHUB",
  "ERR_CHARMHUB_NETWORK",
  "ERR_CHARMHUB_BAD_RESPONSE",
  // Parsing, manual provisioning, the CLI and the simulator's catalog.
  "ERR_PARSE",
  "ERR_SSH",
  "ERR_SSH_AUTH",
  "ERR_SSH_UNREACHABLE",
  "ERR_SSH_TIMEOUT",
  "ERR_SSH_HOST_KEY",
  "ERR_ALREADY_PROVISIONED",
  "ERR_COMMAND_FAILED",
  "ERR_DETECTION_FAILED",
  "ERR_PROVISIONING_FAILED",
  "ERR_CHARM_DIRS",
  "ERR_CATALOG",
  "ERR_ACTION_FAILED",
] as const;

/** A libjuju error code (see {@link LIBJUJU_ERROR_CODES}). */
export type LibjujuErrorCode = (typeof LIBJUJU_ERROR_CODES)[number];

/**
 * The brand every libjuju error carries: the names of its classes, from its
 * own up to `LibjujuError`. Registered with `Symbol.for`, so it is the same
 * symbol in every copy of the package loaded in one process.
 */
export const ERROR_BRAND: unique symbol = Symbol.for("libjuju.error.classes") as never;

const chains = new WeakMap<object, readonly string[]>();

/** Class names from `ctor` up to `LibjujuError`, cached per class. */
function classChain(ctor: abstract new (...args: never[]) => unknown): readonly string[] {
  let chain = chains.get(ctor);
  if (chain === undefined) {
    const names: string[] = [];
    for (let c: unknown = ctor; typeof c === "function" && c !== Error; ) {
      names.push((c as { name: string }).name);
      if (c === LibjujuError) break;
      c = Object.getPrototypeOf(c);
    }
    chain = Object.freeze(names);
    chains.set(ctor, chain);
  }
  return chain;
}

/**
 * Base class of every error thrown by libjuju. `instanceof` works across
 * duplicate copies of the package (two versions in `node_modules`, or one
 * loaded twice): an error of another copy's `JujuNotFoundError` is an
 * instance of this copy's `JujuNotFoundError`, by class name.
 */
export class LibjujuError extends Error {
  /** Machine-readable, stable code (see {@link LibjujuErrorCode}). */
  readonly code: LibjujuErrorCode;
  /** See {@link ERROR_BRAND}. */
  declare readonly [ERROR_BRAND]: readonly string[];

  constructor(message: string, code: LibjujuErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, ERROR_BRAND, { value: classChain(new.target) });
  }

  /** True for this class's instances, including those made by another copy of libjuju. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass asked about, not LibjujuError
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null) return false;
    const brand = (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND];
    // biome-ignore lint/complexity/noThisInStatic: the subclass's own name is what the brand lists
    return Array.isArray(brand) && brand.includes(this.name);
  }
}

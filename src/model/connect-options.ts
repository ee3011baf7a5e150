/**
 * Reading the connect options of `Model.connect` and `Controller.connect`:
 * the names python-libjuju spells differently resolve to one value here.
 * @module
 */

import { InvalidArgumentError } from "./errors.js";

/** The CA options: `caCert`, and python-libjuju's spelling `cacert` (deprecated). */
export interface CaCertOptions {
  /** PEM of the controller CA. */
  caCert?: string | undefined;
  /** python-libjuju's spelling of `caCert`. */
  cacert?: string | undefined;
}

/**
 * The controller CA given as `caCert` or under its deprecated alias
 * `cacert`; both with different values is an {@link InvalidArgumentError}
 * (one of them would be silently ignored).
 */
export function caCertOption(options: CaCertOptions): string | undefined {
  const { caCert, cacert } = options;
  if (caCert !== undefined && cacert !== undefined && caCert !== cacert) {
    throw new InvalidArgumentError(
      "caCert",
      "caCert and cacert (its deprecated alias) were both given, with different values",
    );
  }
  return caCert ?? cacert;
}

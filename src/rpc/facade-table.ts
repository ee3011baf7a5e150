/**
 * The type table that types {@link FacadeClient}: facade → version →
 * method → `{params, result}`, generated from Juju's schema.
 * @module
 */
import type { JujuFacades, JujuFacadesByMajor, JujuMajor } from "../facades/generated/index.js";

export type { JujuMajor } from "../facades/generated/index.js";

/** The shape of a facade type table. */
export type FacadeTable = {
  [facade: string]: {
    [version: number]: { [method: string]: { params?: unknown; result?: unknown } };
  };
};

/** The facades the client has types for on Juju 3.x (the generated `JujuFacades`). */
export type KnownFacades = JujuFacades;

/** The type table of a controller's major version: 3.x and 4.x shapes are never merged. */
export type KnownFacadesOf<J extends JujuMajor> = JujuFacadesByMajor[J];

/**
 * The major version of a Login's `server-version`: 4 for 4.x and later (the
 * newest table the client has), 3 for anything older or unparsable.
 */
export function jujuMajorOf(serverVersion: string | undefined): JujuMajor {
  const major = Number.parseInt(serverVersion ?? "", 10);
  return Number.isInteger(major) && major >= 4 ? 4 : 3;
}

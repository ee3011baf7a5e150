/**
 * The type table that types {@link FacadeClient}: facade → version →
 * method → `{params, result}`, generated from Juju's schema.
 * @module
 */
import type { JujuFacades } from "../facades/generated/index.js";

/** The shape of a facade type table. */
export type FacadeTable = {
  [facade: string]: {
    [version: number]: { [method: string]: { params?: unknown; result?: unknown } };
  };
};

/** The facades the client has types for (the generated `JujuFacades`). */
export type KnownFacades = JujuFacades;

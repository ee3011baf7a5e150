/**
 * The units on the far side of a cross-model relation, as the uniter sees
 * them join: for a SAAS application they are the offered application's
 * units in the offering model; for a consumer proxy (`remote-…`) in the
 * offering model they are the consuming application's units. Juju's
 * remote relations worker carries them between the models; here the agents
 * of each model ask this registry (`remote-applications.ts` fills it).
 * @module
 */
import type { ModelEntities, UnitRecord } from "./entities.js";

const PROVIDERS = new WeakMap<ModelEntities, Map<string, () => UnitRecord[]>>();

/** Registers where the remote units of `app` (a SAAS or a consumer proxy) come from. */
export function setRemoteUnits(ents: ModelEntities, app: string, units: () => UnitRecord[]): void {
  let m = PROVIDERS.get(ents);
  if (m === undefined) {
    m = new Map();
    PROVIDERS.set(ents, m);
  }
  m.set(app, units);
}

/** Forgets the remote units of an application that is gone. */
export function clearRemoteUnits(ents: ModelEntities, app: string): void {
  PROVIDERS.get(ents)?.delete(app);
}

/** The remote units of `app`; empty for a local application. */
export function remoteUnitsOf(ents: ModelEntities, app: string): UnitRecord[] {
  return PROVIDERS.get(ents)?.get(app)?.() ?? [];
}

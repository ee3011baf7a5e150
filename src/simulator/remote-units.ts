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

/**
 * What a model knows of a unit on the far side: its name, life and whether
 * its agent started (it entered the relation's scope). A unit of another
 * controller is known only through what that controller publishes.
 */
export type RemoteUnit = Pick<UnitRecord, "name" | "life" | "started">;

const PROVIDERS = new WeakMap<ModelEntities, Map<string, () => RemoteUnit[]>>();

/** Registers where the remote units of `app` (a SAAS or a consumer proxy) come from. */
export function setRemoteUnits(ents: ModelEntities, app: string, units: () => RemoteUnit[]): void {
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
export function remoteUnitsOf(ents: ModelEntities, app: string): RemoteUnit[] {
  return PROVIDERS.get(ents)?.get(app)?.() ?? [];
}

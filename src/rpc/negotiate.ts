/**
 * Facade version negotiation, as Juju's Go client and python-libjuju do it:
 * for each facade, the highest version both sides know.
 * @module
 */
import type { FacadeVersions } from "../protocol/frames.js";
import { FacadeVersionError } from "./errors.js";

/** Facade name → negotiated version. */
export type FacadeVersionMap = ReadonlyMap<string, number>;

/** What {@link requireFacadeVersion} needs to explain a failure. */
export interface NegotiationState {
  facadeVersions: FacadeVersionMap;
  serverFacades: ReadonlyMap<string, readonly number[]>;
  clientFacades: Readonly<Record<string, readonly number[]>>;
}

/** Turns a Login reply's `facades` list into a map. */
export function serverFacadeMap(
  facades: readonly FacadeVersions[] | null | undefined,
): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const f of facades ?? []) {
    if (f && typeof f.name === "string" && Array.isArray(f.versions)) {
      out.set(
        f.name,
        f.versions.filter((v) => Number.isInteger(v)),
      );
    }
  }
  return out;
}

/**
 * For each facade the client knows, the highest version that the server
 * also offers. Facades with no common version are left out.
 */
export function negotiateFacades(
  client: Readonly<Record<string, readonly number[]>>,
  server: ReadonlyMap<string, readonly number[]>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, clientVersions] of Object.entries(client)) {
    const serverVersions = server.get(name);
    if (!serverVersions) continue;
    const offered = new Set(serverVersions);
    let best: number | undefined;
    for (const v of clientVersions) {
      if (offered.has(v) && (best === undefined || v > best)) best = v;
    }
    if (best !== undefined) out.set(name, best);
  }
  return out;
}

const list = (v: readonly number[] | undefined) => (v?.length ? `[${v.join(", ")}]` : "none");

/**
 * The negotiated version of `name`, or a {@link FacadeVersionError} naming
 * the client's and the server's versions.
 */
export function requireFacadeVersion(name: string, state: NegotiationState | undefined): number {
  if (!state) {
    throw new FacadeVersionError(
      `cannot use facade ${name}: not logged in, so no facade versions were negotiated`,
    );
  }
  const v = state.facadeVersions.get(name);
  if (v !== undefined) return v;
  throw new FacadeVersionError(
    `no common version of facade ${name}: client knows ${list(state.clientFacades[name])}, ` +
      `server offers ${list(state.serverFacades.get(name))}`,
  );
}

/**
 * Macaroons as Juju sends and accepts them (`gopkg.in/macaroon.v2` JSON,
 * whose codec is the pure `protocol/macaroon-json.ts`, wrapped by
 * `macaroon-bakery.v3` as `{m, v, ns, cdata}`), and the one piece
 * of cryptography a client needs: binding a discharge macaroon to the
 * macaroon it discharges (HMAC-SHA256 through WebCrypto, so no Node-only
 * module). Creating and verifying macaroons is the server's job and lives in
 * the simulator.
 * @module
 */
import {
  base64url,
  bytesKey,
  type Caveat,
  decodeBase64Any,
  macaroonFromJson as decodeMacaroonJson,
  macaroonToJson as encodeMacaroonJson,
  type Macaroon,
  MacaroonFormatError,
} from "../protocol/macaroon-json.js";
import type { MacaroonJson } from "./credentials.js";
import { ProtocolError } from "./errors.js";

export type { Caveat, Macaroon } from "../protocol/macaroon-json.js";
export {
  base64std,
  base64url,
  bytesKey,
  decodeBase64Any,
  toHex,
} from "../protocol/macaroon-json.js";

/**
 * A bakery macaroon: the macaroon plus what travels beside it in bakery v3,
 * the encrypted third-party caveat data (`cdata`) keyed by caveat id.
 */
export interface BakeryMacaroon {
  /** The macaroon itself. */
  macaroon: Macaroon;
  /** Bakery version (1–3); 1 or 2 when the JSON was a bare macaroon. */
  version: number;
  /** The first-party caveat namespace, e.g. `std:`. */
  namespace: string | undefined;
  /** Caveat id (as `bytesKey` makes it) → encrypted caveat payload (bakery v3). */
  caveatData: Map<string, Uint8Array>;
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Decodes a macaroon in go-macaroon's JSON form (version 2 or 1).
 * {@link ProtocolError} when malformed.
 */
export function macaroonFromJson(j: unknown): Macaroon {
  try {
    return decodeMacaroonJson(j);
  } catch (e) {
    if (e instanceof MacaroonFormatError) throw new ProtocolError(e.message, { cause: e });
    throw e;
  }
}

/** Encodes a macaroon as go-macaroon's version 2 JSON (what Login's `macaroons` carry). */
export function macaroonToJson(m: Macaroon): MacaroonJson {
  return encodeMacaroonJson(m);
}

/**
 * Decodes a bakery macaroon: `{m, v, ns, cdata}` (bakery v3, what
 * `bakery-discharge-required` and discharge answers hold) or a bare macaroon
 * (older bakery versions, `discharge-required`).
 */
export function bakeryMacaroonFromJson(j: unknown): BakeryMacaroon {
  if (!isObject(j)) throw new ProtocolError("bakery macaroon: not a JSON object");
  if (!("m" in j)) {
    const macaroon = macaroonFromJson(j);
    return {
      macaroon,
      version: "identifier" in j ? 1 : 2,
      namespace: undefined,
      caveatData: new Map(),
    };
  }
  const v = j.v;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 3) {
    throw new ProtocolError(`bakery macaroon: unsupported version ${JSON.stringify(v)}`);
  }
  const caveatData = new Map<string, Uint8Array>();
  if (j.cdata !== undefined && j.cdata !== null) {
    if (!isObject(j.cdata)) throw new ProtocolError("bakery macaroon: cdata is not an object");
    for (const [k, val] of Object.entries(j.cdata)) {
      const id = decodeBase64Any(k);
      const data = typeof val === "string" ? decodeBase64Any(val) : undefined;
      if (id === undefined || data === undefined) {
        throw new ProtocolError("bakery macaroon: cdata entry is not base64");
      }
      caveatData.set(bytesKey(id), data);
    }
  }
  return {
    macaroon: macaroonFromJson(j.m),
    version: v,
    namespace: typeof j.ns === "string" ? j.ns : undefined,
    caveatData,
  };
}

/** Encodes a bakery macaroon as bakery v3 JSON (`{m, v, ns, cdata}`). */
export function bakeryMacaroonToJson(b: BakeryMacaroon): MacaroonJson {
  const out: Record<string, unknown> = { m: macaroonToJson(b.macaroon), v: b.version };
  if (b.namespace !== undefined) out.ns = b.namespace;
  if (b.caveatData.size > 0) {
    const cdata: Record<string, string> = {};
    for (const [k, v] of b.caveatData) {
      cdata[base64url(Uint8Array.from(k, (c) => c.charCodeAt(0)))] = base64url(v);
    }
    out.cdata = cdata;
  }
  return out;
}

function subtle(): (typeof globalThis.crypto)["subtle"] {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new ProtocolError("macaroon binding needs WebCrypto (crypto.subtle)");
  return s;
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await subtle().sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
}

const ZERO_KEY = new Uint8Array(32);

/**
 * go-macaroon's `bindForRequest`: the signature a discharge macaroon must
 * carry to be used with a macaroon whose signature is `rootSig`
 * (HMAC of the two signatures' HMACs under the zero key). A discharge whose
 * signature already equals `rootSig` is left alone.
 */
export async function bindSignature(
  rootSig: Uint8Array,
  dischargeSig: Uint8Array,
): Promise<Uint8Array> {
  if (rootSig.length === dischargeSig.length && rootSig.every((b, i) => b === dischargeSig[i])) {
    return rootSig;
  }
  const h1 = await hmac(ZERO_KEY, rootSig);
  const h2 = await hmac(ZERO_KEY, dischargeSig);
  const both = new Uint8Array(64);
  both.set(h1, 0);
  both.set(h2, 32);
  return hmac(ZERO_KEY, both);
}

/** A discharge macaroon bound to `root` (go-macaroon's `Macaroon.Bind`). */
export async function bindForRequest(root: Macaroon, discharge: Macaroon): Promise<Macaroon> {
  return { ...discharge, signature: await bindSignature(root.signature, discharge.signature) };
}

/** The third-party caveats of a macaroon (those with a verification id and a location). */
export function thirdPartyCaveats(m: Macaroon): Caveat[] {
  return m.caveats.filter((c) => c.verificationId !== undefined && c.location !== undefined);
}

/**
 * The earliest `time-before` first-party caveat in a slice of macaroons
 * (`checkers.MacaroonsExpiryTime`): when the cookie holding them expires.
 */
export function expiryOf(slice: readonly Macaroon[]): Date | undefined {
  let earliest: Date | undefined;
  for (const m of slice) {
    for (const c of m.caveats) {
      if (c.verificationId !== undefined) continue;
      let text: string;
      try {
        text = utf8Strict.decode(c.id);
      } catch {
        continue;
      }
      const match = /^time-before (\S+)$/.exec(text);
      if (!match?.[1]) continue;
      const d = new Date(match[1]);
      if (Number.isNaN(d.getTime())) continue;
      if (earliest === undefined || d < earliest) earliest = d;
    }
  }
  return earliest;
}

/**
 * Macaroons as Juju sends and accepts them (`gopkg.in/macaroon.v2` JSON,
 * wrapped by `macaroon-bakery.v3` as `{m, v, ns, cdata}`), and the one piece
 * of cryptography a client needs: binding a discharge macaroon to the
 * macaroon it discharges (HMAC-SHA256 through WebCrypto, so no Node-only
 * module). Creating and verifying macaroons is the server's job and lives in
 * the simulator.
 * @module
 */
import type { MacaroonJson } from "./credentials.js";
import { ProtocolError } from "./errors.js";

/** A caveat: first-party when it has no `verificationId`, third-party otherwise. */
export interface Caveat {
  /** The caveat id: a condition (first-party) or an opaque id for the third party. */
  id: Uint8Array;
  /** Third-party only: the caveat root key, encrypted with the macaroon's signature at that point. */
  verificationId?: Uint8Array;
  /** Third-party only: where the discharge comes from (a URL). */
  location?: string;
}

/** A decoded macaroon (version 2 semantics; version 1 JSON is decoded into the same shape). */
export interface Macaroon {
  /** The macaroon's identifier, as bytes. */
  id: Uint8Array;
  /** A hint of where the macaroon is meant to be used. */
  location: string;
  /** Its caveats, in order. */
  caveats: Caveat[];
  /** The HMAC chain's final signature. */
  signature: Uint8Array;
}

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

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** A Map key for bytes (latin1 string of the bytes). */
export function bytesKey(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** Base64 (URL-safe, unpadded, as Go's `base64.RawURLEncoding`). */
export function base64url(b: Uint8Array): string {
  return btoa(bytesKey(b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Standard base64 with padding. */
export function base64std(b: Uint8Array): string {
  return btoa(bytesKey(b));
}

/**
 * Decodes base64 in any of the four variants (standard or URL-safe, padded
 * or not), as go-macaroon's `Base64Decode`; undefined when it is not base64.
 */
export function decodeBase64Any(s: string): Uint8Array | undefined {
  const normal = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(normal) || normal.length % 4 === 1) return undefined;
  try {
    const bin = atob(normal + "=".repeat((4 - (normal.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function isUtf8(b: Uint8Array): boolean {
  try {
    utf8Strict.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Go's `putJSONBinaryField`: the text field when the bytes are UTF-8, else the base64 one. */
function putBinary(out: Record<string, unknown>, b: Uint8Array, text: string, b64: string): void {
  if (isUtf8(b)) out[text] = utf8Strict.decode(b);
  else out[b64] = base64url(b);
}

function getBinary(
  j: Record<string, unknown>,
  text: string,
  b64: string,
  what: string,
): Uint8Array | undefined {
  const t = j[text];
  const b = j[b64];
  if (t !== undefined && b !== undefined) {
    throw new ProtocolError(`macaroon: both ${text} and ${b64} set in ${what}`);
  }
  if (typeof t === "string") return utf8.encode(t);
  if (typeof b === "string") {
    const d = decodeBase64Any(b);
    if (d === undefined) throw new ProtocolError(`macaroon: ${what} ${b64} is not base64`);
    return d;
  }
  if (t !== undefined || b !== undefined) {
    throw new ProtocolError(`macaroon: ${what} ${t !== undefined ? text : b64} is not a string`);
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function hexToBytes(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Decodes a macaroon in go-macaroon's JSON form: version 2 (`i`/`i64`, `l`,
 * `c`, `s`/`s64`) or version 1 (`identifier`, `location`, `caveats` with
 * `cid`/`vid`/`cl`, hex `signature`). {@link ProtocolError} when malformed.
 */
export function macaroonFromJson(j: unknown): Macaroon {
  if (!isObject(j)) throw new ProtocolError("macaroon: not a JSON object");
  if ("identifier" in j || "signature" in j) return macaroonFromJsonV1(j);
  const id = getBinary(j, "i", "i64", "macaroon id");
  if (id === undefined) throw new ProtocolError("macaroon: no identifier (i or i64)");
  const sig = getBinary(j, "s", "s64", "macaroon signature");
  if (sig === undefined || sig.length !== 32) {
    throw new ProtocolError("macaroon: signature missing or not 32 bytes");
  }
  if (j.l !== undefined && typeof j.l !== "string") {
    throw new ProtocolError("macaroon: location (l) is not a string");
  }
  const cs = j.c ?? [];
  if (!Array.isArray(cs)) throw new ProtocolError("macaroon: caveats (c) is not an array");
  const caveats = cs.map((c, n): Caveat => {
    if (!isObject(c)) throw new ProtocolError(`macaroon: caveat [${n}] is not an object`);
    const cid = getBinary(c, "i", "i64", `caveat [${n}] id`);
    if (cid === undefined) throw new ProtocolError(`macaroon: caveat [${n}] has no id`);
    const vid = getBinary(c, "v", "v64", `caveat [${n}] verification id`);
    if (c.l !== undefined && typeof c.l !== "string") {
      throw new ProtocolError(`macaroon: caveat [${n}] location is not a string`);
    }
    const cav: Caveat = { id: cid };
    if (vid !== undefined) cav.verificationId = vid;
    if (typeof c.l === "string" && c.l !== "") cav.location = c.l;
    return cav;
  });
  return { id, location: (j.l as string | undefined) ?? "", caveats, signature: sig };
}

function macaroonFromJsonV1(j: Record<string, unknown>): Macaroon {
  const str = (v: unknown, what: string): string => {
    if (typeof v !== "string") throw new ProtocolError(`macaroon: ${what} is not a string`);
    return v;
  };
  const sig = hexToBytes(str(j.signature, "signature"));
  if (sig === undefined || sig.length !== 32) {
    throw new ProtocolError("macaroon: signature is not 32 bytes of hex");
  }
  const cs = j.caveats ?? [];
  if (!Array.isArray(cs)) throw new ProtocolError("macaroon: caveats is not an array");
  const caveats = cs.map((c, n): Caveat => {
    if (!isObject(c)) throw new ProtocolError(`macaroon: caveat [${n}] is not an object`);
    const cav: Caveat = { id: utf8.encode(str(c.cid, `caveat [${n}] cid`)) };
    if (typeof c.vid === "string" && c.vid !== "") {
      const vid = decodeBase64Any(c.vid);
      if (vid === undefined) throw new ProtocolError(`macaroon: caveat [${n}] vid is not base64`);
      cav.verificationId = vid;
    }
    if (typeof c.cl === "string" && c.cl !== "") cav.location = c.cl;
    return cav;
  });
  return {
    id: utf8.encode(str(j.identifier, "identifier")),
    location: typeof j.location === "string" ? j.location : "",
    caveats,
    signature: sig,
  };
}

/** Encodes a macaroon as go-macaroon's version 2 JSON (what Login's `macaroons` carry). */
export function macaroonToJson(m: Macaroon): MacaroonJson {
  const out: Record<string, unknown> = {};
  if (m.caveats.length > 0) {
    out.c = m.caveats.map((c) => {
      const cj: Record<string, unknown> = {};
      putBinary(cj, c.id, "i", "i64");
      if (c.verificationId !== undefined) putBinary(cj, c.verificationId, "v", "v64");
      if (c.location) cj.l = c.location;
      return cj;
    });
  }
  if (m.location) out.l = m.location;
  putBinary(out, m.id, "i", "i64");
  out.s64 = base64url(m.signature);
  return out;
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

/**
 * go-macaroon's JSON form of macaroons (`gopkg.in/macaroon.v2`: version 2
 * `i`/`i64`, `l`, `c`, `s`/`s64`, and version 1 for reading), and the base64
 * variants it uses: the pure codec that the client (`rpc/macaroon.ts`) and
 * the simulator (`simulator/macaroon.ts`) share. The cryptography stays with
 * each of them. Pure: no Node-only module (`atob`/`btoa`, `TextEncoder`).
 * @module
 */
import { LibjujuError } from "./libjuju-error.js";

/** Macaroon JSON that cannot be decoded (code `ERR_PROTOCOL`); the message says what is wrong. */
export class MacaroonFormatError extends LibjujuError {
  constructor(message: string) {
    super(message, "ERR_PROTOCOL");
  }
}

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
    throw new MacaroonFormatError(`macaroon: both ${text} and ${b64} set in ${what}`);
  }
  if (typeof t === "string") return utf8.encode(t);
  if (typeof b === "string") {
    const d = decodeBase64Any(b);
    if (d === undefined) throw new MacaroonFormatError(`macaroon: ${what} ${b64} is not base64`);
    return d;
  }
  if (t !== undefined || b !== undefined) {
    throw new MacaroonFormatError(
      `macaroon: ${what} ${t !== undefined ? text : b64} is not a string`,
    );
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
 * `cid`/`vid`/`cl`, hex `signature`). {@link MacaroonFormatError} when malformed.
 */
export function macaroonFromJson(j: unknown): Macaroon {
  if (!isObject(j)) throw new MacaroonFormatError("macaroon: not a JSON object");
  if ("identifier" in j || "signature" in j) return macaroonFromJsonV1(j);
  const id = getBinary(j, "i", "i64", "macaroon id");
  if (id === undefined) throw new MacaroonFormatError("macaroon: no identifier (i or i64)");
  const sig = getBinary(j, "s", "s64", "macaroon signature");
  if (sig === undefined || sig.length !== 32) {
    throw new MacaroonFormatError("macaroon: signature missing or not 32 bytes");
  }
  if (j.l !== undefined && typeof j.l !== "string") {
    throw new MacaroonFormatError("macaroon: location (l) is not a string");
  }
  const cs = j.c ?? [];
  if (!Array.isArray(cs)) throw new MacaroonFormatError("macaroon: caveats (c) is not an array");
  const caveats = cs.map((c, n): Caveat => {
    if (!isObject(c)) throw new MacaroonFormatError(`macaroon: caveat [${n}] is not an object`);
    const cid = getBinary(c, "i", "i64", `caveat [${n}] id`);
    if (cid === undefined) throw new MacaroonFormatError(`macaroon: caveat [${n}] has no id`);
    const vid = getBinary(c, "v", "v64", `caveat [${n}] verification id`);
    if (c.l !== undefined && typeof c.l !== "string") {
      throw new MacaroonFormatError(`macaroon: caveat [${n}] location is not a string`);
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
    if (typeof v !== "string") throw new MacaroonFormatError(`macaroon: ${what} is not a string`);
    return v;
  };
  const sig = hexToBytes(str(j.signature, "signature"));
  if (sig === undefined || sig.length !== 32) {
    throw new MacaroonFormatError("macaroon: signature is not 32 bytes of hex");
  }
  const cs = j.caveats ?? [];
  if (!Array.isArray(cs)) throw new MacaroonFormatError("macaroon: caveats is not an array");
  const caveats = cs.map((c, n): Caveat => {
    if (!isObject(c)) throw new MacaroonFormatError(`macaroon: caveat [${n}] is not an object`);
    const cav: Caveat = { id: utf8.encode(str(c.cid, `caveat [${n}] cid`)) };
    if (typeof c.vid === "string" && c.vid !== "") {
      const vid = decodeBase64Any(c.vid);
      if (vid === undefined)
        throw new MacaroonFormatError(`macaroon: caveat [${n}] vid is not base64`);
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
export function macaroonToJson(m: Macaroon): Record<string, unknown> {
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

/**
 * The server side of macaroon login, as Juju 3.6 does it for users of an
 * external identity provider (`apiserver/authentication` with
 * `identchecker`, `macaroon-bakery.v3`, `gopkg.in/macaroon.v2`): mint a login
 * macaroon with a third-party caveat `need-declared username
 * is-authenticated-user` for the identity location, encrypted for the
 * discharger's Curve25519 key (bakery v3 caveat format, NaCl box), and
 * verify the bound slice a client logs in with (HMAC-SHA256 chain,
 * verification ids opened with NaCl secretbox, discharges bound to the root
 * signature, `time-before` and `declared` caveats).
 *
 * The cryptography is written apart from the client's `rpc/macaroon.ts` on
 * purpose: the simulator is judged against Juju, not against libjuju's
 * client. Only the pure JSON codec is shared (`protocol/macaroon-json.ts`,
 * checked against pymacaroons' vectors on both sides). NaCl comes from
 * `tweetnacl`, loaded only when macaroon auth is switched on.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  decodeBase64Any,
  type Macaroon,
  MacaroonFormatError,
  macaroonFromJson,
  macaroonToJson,
} from "../protocol/macaroon-json.js";

/** The parts of tweetnacl used here. */
export interface Nacl {
  box: {
    (msg: Uint8Array, nonce: Uint8Array, theirPub: Uint8Array, mySecret: Uint8Array): Uint8Array;
    open(
      box: Uint8Array,
      nonce: Uint8Array,
      theirPub: Uint8Array,
      mySecret: Uint8Array,
    ): Uint8Array | null;
    keyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  };
  secretbox: {
    (msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
    open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
  };
}

/** Loads tweetnacl (only when macaroon auth is on). */
export async function loadNacl(): Promise<Nacl> {
  const mod = (await import("tweetnacl")) as unknown as { default?: Nacl } & Nacl;
  return mod.default ?? mod;
}

/** A caveat of a {@link Mac}. */
export interface MacCaveat {
  id: Buffer;
  vid?: Buffer;
  location?: string;
}

/** A macaroon with its signature (go-macaroon v2). */
export interface Mac {
  id: Buffer;
  location: string;
  caveats: MacCaveat[];
  sig: Buffer;
}

const KEY_GEN = Buffer.from("macaroons-key-generator");
const hmac = (key: Uint8Array, data: Uint8Array): Buffer =>
  createHmac("sha256", key).update(data).digest();
/** go-macaroon's `makeKey`: the macaroon key derived from a root key. */
export const deriveKey = (rootKey: Uint8Array): Buffer => hmac(KEY_GEN, rootKey);
const hmac2 = (key: Uint8Array, a: Uint8Array, b: Uint8Array): Buffer =>
  hmac(key, Buffer.concat([hmac(key, a), hmac(key, b)]));
/** go-macaroon's `bindForRequest`. */
export function bindSig(rootSig: Buffer, sig: Buffer): Buffer {
  if (rootSig.equals(sig)) return rootSig;
  return hmac2(Buffer.alloc(32), rootSig, sig);
}

/** A new macaroon signed with `rootKey`. */
export function newMac(rootKey: Uint8Array, id: Buffer, location: string): Mac {
  return { id, location, caveats: [], sig: hmac(deriveKey(rootKey), id) };
}

/** Adds a first-party caveat. */
export function addFirstParty(m: Mac, condition: string): void {
  const id = Buffer.from(condition, "utf8");
  m.caveats.push({ id });
  m.sig = hmac(m.sig, id);
}

/** Adds a third-party caveat (`AddThirdPartyCaveat`): the caveat root key goes into the vid. */
export function addThirdParty(
  nacl: Nacl,
  m: Mac,
  caveatRootKey: Uint8Array,
  caveatId: Buffer,
  location: string,
): void {
  const nonce = randomBytes(24);
  const vid = Buffer.concat([nonce, nacl.secretbox(deriveKey(caveatRootKey), nonce, m.sig)]);
  m.caveats.push({ id: caveatId, vid, location });
  m.sig = hmac2(m.sig, vid, caveatId);
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
/** The bytes as a Buffer, without copying. */
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** go-macaroon v2 JSON (the shared codec of `protocol/macaroon-json.ts`). */
export function macToJson(m: Mac): Record<string, unknown> {
  return macaroonToJson({
    id: m.id,
    location: m.location,
    caveats: m.caveats.map((c) => ({
      id: c.id,
      ...(c.vid === undefined ? {} : { verificationId: c.vid }),
      ...(c.location === undefined ? {} : { location: c.location }),
    })),
    signature: m.sig,
  });
}

/** Go's `Base64Decode`: any of the four alphabets/paddings. */
export function b64any(s: string): Buffer | undefined {
  const b = decodeBase64Any(s);
  return b === undefined ? undefined : buf(b);
}

/**
 * Decodes go-macaroon JSON (version 2, or 1 as go-macaroon also reads);
 * undefined when malformed (the verifier then fails the slice).
 */
export function macFromJson(j: unknown): Mac | undefined {
  let m: Macaroon;
  try {
    m = macaroonFromJson(j);
  } catch (e) {
    if (e instanceof MacaroonFormatError) return undefined;
    throw e;
  }
  return {
    id: buf(m.id),
    location: m.location,
    caveats: m.caveats.map((c) => {
      const cav: MacCaveat = { id: buf(c.id) };
      if (c.verificationId !== undefined) cav.vid = buf(c.verificationId);
      if (c.location !== undefined) cav.location = c.location;
      return cav;
    }),
    sig: buf(m.signature),
  };
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function readUvarint(b: Buffer, at: number): [number, number] | undefined {
  let n = 0;
  let shift = 0;
  for (let i = at; i < b.length && shift < 35; i++) {
    const x = b[i]!;
    n |= (x & 0x7f) << shift;
    if (x < 0x80) return [n >>> 0, i + 1];
    shift += 7;
  }
  return undefined;
}

/** The standard first-party caveat namespace, as text (`checkers.Namespace` with `std:`). */
export const STD_NAMESPACE = "std:";

/**
 * Bakery v2/v3 third-party caveat payload (`encodeCaveatV2V3`): version,
 * 4 bytes of the third party's public key, the first party's public key,
 * nonce, and `box.Seal` of (version, root key, namespace (v3), condition).
 */
export function encodeCaveat(
  nacl: Nacl,
  version: 2 | 3,
  condition: string,
  rootKey: Uint8Array,
  thirdPartyPub: Uint8Array,
  firstParty: { publicKey: Uint8Array; secretKey: Uint8Array },
): Buffer {
  const ns = Buffer.from(STD_NAMESPACE);
  const secret = Buffer.concat([
    Buffer.from([version]),
    uvarint(rootKey.length),
    Buffer.from(rootKey),
    ...(version >= 3 ? [uvarint(ns.length), ns] : []),
    Buffer.from(condition, "utf8"),
  ]);
  const nonce = randomBytes(24);
  const sealed = nacl.box(secret, nonce, thirdPartyPub, firstParty.secretKey);
  return Buffer.concat([
    Buffer.from([version]),
    Buffer.from(thirdPartyPub.subarray(0, 4)),
    Buffer.from(firstParty.publicKey),
    nonce,
    Buffer.from(sealed),
  ]);
}

/** What a third party reads from a caveat payload. */
export interface CaveatInfo {
  version: number;
  rootKey: Buffer;
  condition: string;
  namespace: string;
  firstPartyPublicKey: Buffer;
}

/** Decodes a v2/v3 caveat payload with the third party's key pair; a string says why not. */
export function decodeCaveat(
  nacl: Nacl,
  payload: Buffer,
  keys: { publicKey: Uint8Array; secretKey: Uint8Array },
): CaveatInfo | string {
  if (payload.length === 0) return "empty third party caveat";
  const version = payload[0]!;
  if (version !== 2 && version !== 3) return "caveat has unsupported version";
  if (payload.length < 1 + 4 + 32 + 24 + 16 + 1) {
    return "caveat id payload not provided for caveat id";
  }
  if (!payload.subarray(1, 5).equals(Buffer.from(keys.publicKey.subarray(0, 4)))) {
    return "public key mismatch";
  }
  const fpPub = payload.subarray(5, 37);
  const nonce = payload.subarray(37, 61);
  const opened = nacl.box.open(payload.subarray(61), nonce, fpPub, keys.secretKey);
  if (opened === null) return "cannot decrypt caveat id";
  const secret = Buffer.from(opened);
  if (secret[0] !== version) return "caveat version mismatch";
  const rk = readUvarint(secret, 1);
  if (!rk) return "bad root key length";
  const [rkLen, rkAt] = rk;
  let at = rkAt + rkLen;
  const rootKey = secret.subarray(rkAt, at);
  let namespace = "";
  if (version >= 3) {
    const nsl = readUvarint(secret, at);
    if (!nsl) return "bad namespace length";
    namespace = secret.subarray(nsl[1], nsl[1] + nsl[0]).toString("utf8");
    at = nsl[1] + nsl[0];
  }
  if (at > secret.length) return "caveat secret part too short";
  return {
    version,
    rootKey: Buffer.from(rootKey),
    condition: secret.subarray(at).toString("utf8"),
    namespace,
    firstPartyPublicKey: Buffer.from(fpPub),
  };
}

/** Go's RFC 3339 time text, as `checkers.TimeBeforeCaveat` writes it. */
export const goTimeText = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The outcome of {@link MacaroonAuthority.verify}. */
export type VerifyOutcome = { ok: true; username: string } | { ok: false; reason: string };

/** Options of {@link MacaroonAuthority}. */
export interface MacaroonAuthorityOptions {
  /** The identity location (the discharger's URL) named in the third-party caveat. */
  identityLocation: string;
  /** The discharger's Curve25519 public key. */
  identityPublicKey: Uint8Array;
  /** Time source (the store's clock). */
  now: () => Date;
  /** Lifetime of a login macaroon (Juju: 24 h). */
  expiryMs?: number;
}

/**
 * The controller's bakery for external users: mints login macaroons and
 * verifies what clients log in with.
 */
export class MacaroonAuthority {
  readonly #nacl: Nacl;
  readonly #keys: { publicKey: Uint8Array; secretKey: Uint8Array };
  readonly #rootKeys = new Map<string, Buffer>();
  readonly #opts: MacaroonAuthorityOptions;
  /** Login macaroons minted (each discharge-required answer mints one). */
  minted = 0;

  constructor(nacl: Nacl, opts: MacaroonAuthorityOptions) {
    this.#nacl = nacl;
    this.#keys = nacl.box.keyPair();
    this.#opts = opts;
  }

  /** The identity location external users are sent to. */
  get identityLocation(): string {
    return this.#opts.identityLocation;
  }

  /**
   * The discharge-required part of a Login result (`LoginResult`'s
   * `discharge-required`, `bakery-discharge-required`,
   * `discharge-required-error`). With bakery version 3 the caveat payload
   * travels in `cdata` beside a short caveat id; older clients get it in
   * the caveat id itself (v2 format).
   */
  dischargeRequired(bakeryVersion: number): Record<string, unknown> {
    const v3 = bakeryVersion >= 3;
    const rootKey = randomBytes(24);
    const id = Buffer.concat([Buffer.from([3]), randomBytes(16)]);
    this.#rootKeys.set(id.toString("hex"), rootKey);
    this.minted++;
    const m = newMac(rootKey, id, "juju");
    const expiry = new Date(this.#opts.now().getTime() + (this.#opts.expiryMs ?? 86_400_000));
    const caveatRootKey = randomBytes(24);
    const payload = encodeCaveat(
      this.#nacl,
      v3 ? 3 : 2,
      "need-declared username is-authenticated-user",
      caveatRootKey,
      this.#opts.identityPublicKey,
      this.#keys,
    );
    // bakery v3's caveat ids: version byte then a uvarint counter.
    const caveatId = v3 ? Buffer.from([3, 0]) : payload;
    addThirdParty(this.#nacl, m, caveatRootKey, caveatId, this.#opts.identityLocation);
    addFirstParty(m, `time-before ${goTimeText(expiry)}`);
    const json = macToJson(m);
    const bakery: Record<string, unknown> = { m: json, v: 3, ns: STD_NAMESPACE };
    if (v3) bakery.cdata = { [b64u(caveatId)]: b64u(payload) };
    return {
      "discharge-required": json,
      "bakery-discharge-required": bakery,
      "discharge-required-error": "macaroon discharge required: authentication required",
    };
  }

  /** Verifies Login's `macaroons` (slices of macaroon JSON); the first valid slice wins. */
  verify(slices: unknown): VerifyOutcome {
    if (!Array.isArray(slices) || slices.length === 0) {
      return { ok: false, reason: "no macaroons" };
    }
    let reason = "no valid macaroon";
    for (const slice of slices) {
      if (!Array.isArray(slice)) continue;
      const out = this.#verifySlice(slice);
      if (out.ok) return out;
      reason = out.reason;
    }
    return { ok: false, reason };
  }

  #verifySlice(slice: unknown[]): VerifyOutcome {
    const macs = slice.map(macFromJson);
    if (macs.some((m) => m === undefined)) return { ok: false, reason: "malformed macaroon" };
    const [root, ...discharges] = macs as Mac[];
    if (root === undefined) return { ok: false, reason: "empty slice" };
    const rootKey = this.#rootKeys.get(root.id.toString("hex"));
    if (rootKey === undefined) return { ok: false, reason: "macaroon not found in storage" };
    const declared = new Map<string, string>();
    const used = new Set<Mac>();
    const now = this.#opts.now();
    const check = (m: Mac, key: Buffer, isRoot: boolean, depth: number): string | undefined => {
      if (depth > 8) return "too many discharge levels";
      let sig = hmac(key, m.id);
      for (const c of m.caveats) {
        if (c.vid) {
          if (c.vid.length < 24 + 16) return "bad verification id";
          const dk = this.#nacl.secretbox.open(c.vid.subarray(24), c.vid.subarray(0, 24), sig);
          if (dk === null) return "failed to decrypt caveat root key";
          const d = discharges.find((x) => !used.has(x) && x.id.equals(c.id));
          if (d === undefined) return `cannot find discharge macaroon for caveat`;
          used.add(d);
          const why = check(d, Buffer.from(dk), false, depth + 1);
          if (why) return why;
          sig = hmac2(sig, c.vid, c.id);
        } else {
          const cond = c.id.toString("utf8");
          const why = checkFirstParty(cond, now, declared);
          if (why) return why;
          sig = hmac(sig, c.id);
        }
      }
      const want = isRoot ? sig : bindSig(root.sig, sig);
      if (want.length !== m.sig.length || !timingSafeEqual(want, m.sig)) {
        return `signature mismatch after caveat verification${isRoot ? "" : " (discharge)"}`;
      }
      return undefined;
    };
    const why = check(root, deriveKey(rootKey), true, 0);
    if (why) return { ok: false, reason: why };
    if (used.size !== discharges.length)
      return { ok: false, reason: "discharge macaroon not used" };
    const user = declared.get("username");
    if (!user) return { ok: false, reason: "no declared username" };
    return { ok: true, username: user.includes("@") ? user : `${user}@external` };
  }
}

/** Checks one first-party caveat of the std namespace; a string says why it fails. */
function checkFirstParty(
  cond: string,
  now: Date,
  declared: Map<string, string>,
): string | undefined {
  const sp = cond.indexOf(" ");
  const name = sp < 0 ? cond : cond.slice(0, sp);
  const arg = sp < 0 ? "" : cond.slice(sp + 1);
  if (name === "time-before") {
    const t = new Date(arg);
    if (Number.isNaN(t.getTime())) return `caveat ${JSON.stringify(cond)} not satisfied: bad time`;
    if (now >= t) return `caveat ${JSON.stringify(cond)} not satisfied: macaroon has expired`;
    return undefined;
  }
  if (name === "declared") {
    const sp2 = arg.indexOf(" ");
    const key = sp2 < 0 ? arg : arg.slice(0, sp2);
    const value = sp2 < 0 ? "" : arg.slice(sp2 + 1);
    const prev = declared.get(key);
    if (prev !== undefined && prev !== value) return `got ${key}=${prev} and ${key}=${value}`;
    declared.set(key, value);
    return undefined;
  }
  return `caveat ${JSON.stringify(cond)} not satisfied: caveat not recognized`;
}

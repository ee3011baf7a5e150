/**
 * The controller CA and the API server certificate, made at start-up.
 * Juju clients verify the server against the CA from `controllers.yaml` with
 * ServerName `juju-apiserver` whatever host they dial, so that name must be
 * a SAN (`controller/config.go` DefaultDNSNames, `api.NewTLSConfig`).
 *
 * Node's crypto makes the keys and the signatures; the certificates
 * themselves are DER written here (RFC 5280), which needs only the handful of
 * ASN.1 types below instead of a general X.509 library.
 * @module
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";

/** PEM-encoded CA and server certificate with the server's private key. */
export interface ControllerCerts {
  /** The CA certificate (what clients store as `ca-cert`). */
  caCert: string;
  /** The server certificate, signed by the CA. */
  serverCert: string;
  /** The server's private key (PKCS#8 PEM). */
  serverKey: string;
}

/**
 * A PEM with LF line endings and one trailing newline, as Go's `pem.Encode`
 * writes it.
 */
export function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n?/g, "\n").trimEnd()}\n`;
}

/** DNS names every Juju API server certificate carries. */
const DEFAULT_DNS_NAMES = ["localhost", "juju-apiserver", "juju-mongodb", "anything"];

// --- DER (X.690) ------------------------------------------------------------

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...items: Buffer[]) => der(0x30, ...items);
const set = (...items: Buffer[]) => der(0x31, ...items);
const octets = (b: Buffer) => der(0x04, b);
const NULL = Buffer.from([0x05, 0x00]);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
/** A BIT STRING with no unused bits. */
const bits = (b: Buffer) => der(0x03, Buffer.from([0]), b);
/** EXPLICIT context tag `[n]`. */
const explicit = (n: number, inner: Buffer) => der(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian bytes (a 0 byte kept in front of a set top bit). */
function unsigned(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] ?? 0) & 0x80) === 0) i++;
  const v = b.subarray(i);
  return der(0x02, ((v[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      base128.unshift(0x80 | (v & 0x7f));
    }
    out.push(...base128);
  }
  return der(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : der(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

const OID = {
  sha256WithRSA: "1.2.840.113549.1.1.11",
  organizationName: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** An X.501 Name of single-valued RDNs, each a UTF8String. */
function name(rdns: Array<[string, string]>): Buffer {
  return seq(
    ...rdns.map(([type, value]) => set(seq(oid(type), der(0x0c, Buffer.from(value, "utf8"))))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

/** KeyUsage bits, numbered as in RFC 5280 §4.2.1.3 (0 = digitalSignature). */
function keyUsage(...bitNumbers: number[]): Buffer {
  const highest = Math.max(...bitNumbers);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const n of bitNumbers) bytes[n >> 3] = (bytes[n >> 3] ?? 0) | (0x80 >> (n & 7));
  const unused = 7 - (highest % 8);
  return der(0x03, Buffer.from([unused]), bytes);
}

/** The subjectPublicKey bits of a SubjectPublicKeyInfo, for key identifiers (RFC 5280 §4.2.1.2). */
function keyId(spki: Buffer): Buffer {
  // SEQUENCE { AlgorithmIdentifier, BIT STRING }: walk past the outer header and the algorithm.
  const skipHeader = (b: Buffer, at: number): number => {
    const first = b[at + 1] ?? 0;
    return at + 2 + (first & 0x80 ? first & 0x7f : 0);
  };
  const lengthAt = (b: Buffer, at: number): number => {
    const first = b[at + 1] ?? 0;
    if ((first & 0x80) === 0) return first;
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + (b[at + 2 + i] ?? 0);
    return n;
  };
  const alg = skipHeader(spki, 0);
  const bitString = skipHeader(spki, alg) + lengthAt(spki, alg);
  const key = spki.subarray(skipHeader(spki, bitString) + 1); // past the unused-bits byte
  return createHash("sha1").update(key).digest();
}

interface KeyPair {
  spki: Buffer;
  privatePem: string;
}

function rsaKeys(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { spki: publicKey, privatePem: privateKey };
}

function serial(): Buffer {
  // Positive (top bit clear), non-zero 128-bit serial.
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b;
}

interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  spki: Buffer;
  extensions: Buffer[];
  years: number;
  signerKey: string;
}

/** A signed certificate (sha256WithRSAEncryption) as PEM. */
function certificate(spec: CertSpec): string {
  const now = Date.now();
  const algorithm = seq(oid(OID.sha256WithRSA), NULL);
  const tbs = seq(
    explicit(0, der(0x02, Buffer.from([2]))), // v3
    unsigned(serial()),
    algorithm,
    spec.issuer,
    seq(
      time(new Date(now - 5 * 60 * 1000)),
      time(new Date(now + spec.years * 365 * 24 * 3600 * 1000)),
    ),
    spec.subject,
    spec.spki,
    explicit(3, seq(...spec.extensions)),
  );
  const signature = sign("sha256", tbs, spec.signerKey);
  const cert = seq(tbs, algorithm, bits(signature));
  const b64 = cert.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

/** An IP address's bytes for a SAN (4 for IPv4, 16 for IPv6). */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  // An IPv4 tail (`::ffff:10.0.0.1`) becomes its two 16-bit groups.
  const v6 = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [a * 256 + Number(b), c * 256 + Number(d)].map((n: number) => n.toString(16)).join(":"),
  );
  const [head = "", tail = ""] = v6.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = v6.includes("::") ? groups(tail) : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = Buffer.alloc(16);
  for (const [i, w] of words.entries()) out.writeUInt16BE(Number.parseInt(w, 16), i * 2);
  return out;
}

/**
 * Generates a CA and a server certificate signed by it. `hosts` are extra
 * addresses or names the server is reached at (the bound host); `127.0.0.1`
 * is always included.
 */
export function generateControllerCerts(
  controllerUuid: string,
  hosts: string[] = [],
): ControllerCerts {
  const ca = rsaKeys();
  const caId = keyId(ca.spki);
  const caName = name([
    [OID.organizationName, "juju"],
    [OID.commonName, `juju-generated CA for model "juju-ca"`],
    [OID.organizationalUnit, `controller-${controllerUuid}`],
  ]);
  const caCert = certificate({
    subject: caName,
    issuer: caName,
    spki: ca.spki,
    years: 10,
    signerKey: ca.privatePem,
    extensions: [
      extension(OID.basicConstraints, true, seq(TRUE)),
      // digitalSignature (0), keyCertSign (5), cRLSign (6)
      extension(OID.keyUsage, true, keyUsage(0, 5, 6)),
      extension(OID.subjectKeyId, false, octets(caId)),
    ],
  });

  const srv = rsaKeys();
  const dns = new Set(DEFAULT_DNS_NAMES);
  const ips = new Set(["127.0.0.1"]);
  for (const h of hosts) {
    if (h === "" || h === "0.0.0.0" || h === "::") continue;
    if (isIP(h) !== 0) ips.add(h);
    else dns.add(h);
  }
  const altNames = seq(
    ...[...dns].map((d) => der(0x82, Buffer.from(d, "ascii"))), // [2] dNSName
    ...[...ips].map((ip) => der(0x87, ipBytes(ip))), // [7] iPAddress
  );
  const serverCert = certificate({
    subject: name([
      [OID.organizationName, "juju"],
      [OID.commonName, "*"],
    ]),
    issuer: caName,
    spki: srv.spki,
    years: 10,
    signerKey: ca.privatePem,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature (0), keyEncipherment (2)
      extension(OID.keyUsage, true, keyUsage(0, 2)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))),
      extension(OID.authorityKeyId, false, seq(der(0x80, caId))), // [0] keyIdentifier
      extension(OID.subjectAltName, false, altNames),
    ],
  });

  return { caCert, serverCert, serverKey: normalizePem(srv.privatePem) };
}

/**
 * The OpenSSH public key line (`ssh-rsa AAAA… comment`) of an RSA private
 * key in PEM (RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n).
 */
export function opensshPublicKey(privateKeyPem: string, comment: string): string {
  const jwk = createPublicKey(privateKeyPem).export({ format: "jwk" });
  if (jwk.kty !== "RSA" || jwk.n === undefined || jwk.e === undefined) {
    throw new TypeError("opensshPublicKey: not an RSA key");
  }
  const sshString = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const mpint = (b64url: string) => {
    const b = Buffer.from(b64url, "base64url");
    return sshString(((b[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), mpint(jwk.e), mpint(jwk.n)]);
  return `ssh-rsa ${blob.toString("base64")} ${comment}`;
}

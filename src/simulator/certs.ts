/**
 * The controller CA and the API server certificate, made at start-up.
 * Juju clients verify the server against the CA from `controllers.yaml` with
 * ServerName `juju-apiserver` whatever host they dial, so that name must be
 * a SAN (`controller/config.go` DefaultDNSNames, `api.NewTLSConfig`).
 * @module
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

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
 * writes it (node-forge emits CRLF).
 */
export function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n?/g, "\n").trimEnd()}\n`;
}

/** DNS names every Juju API server certificate carries. */
const DEFAULT_DNS_NAMES = ["localhost", "juju-apiserver", "juju-mongodb", "anything"];

function rsaKeys(): { pub: forge.pki.PublicKey; priv: forge.pki.PrivateKey; privPem: string } {
  // Node's native generator is far faster than forge's pure-JS one.
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    pub: forge.pki.publicKeyFromPem(publicKey),
    priv: forge.pki.privateKeyFromPem(privateKey),
    privPem: privateKey,
  };
}

function serial(): string {
  // Positive (top bit clear) 128-bit serial, as hex.
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString("hex");
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + years * 365 * 24 * 3600 * 1000);
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
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.pub;
  caCert.serialNumber = serial();
  validity(caCert, 10);
  const caSubject = [
    { name: "organizationName", value: "juju" },
    { name: "commonName", value: `juju-generated CA for model "juju-ca"` },
    { shortName: "OU", value: `controller-${controllerUuid}` },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(ca.priv as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const srv = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.pub;
  cert.serialNumber = serial();
  validity(cert, 10);
  cert.setSubject([
    { name: "organizationName", value: "juju" },
    { name: "commonName", value: "*" },
  ]);
  cert.setIssuer(caSubject);
  const dns = new Set(DEFAULT_DNS_NAMES);
  const ips = new Set(["127.0.0.1"]);
  for (const h of hosts) {
    if (h === "" || h === "0.0.0.0" || h === "::") continue;
    if (isIP(h) !== 0) ips.add(h);
    else dns.add(h);
  }
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    {
      name: "authorityKeyIdentifier",
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
    {
      name: "subjectAltName",
      altNames: [
        ...[...dns].map((value) => ({ type: 2, value })),
        ...[...ips].map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(ca.priv as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  return {
    caCert: normalizePem(forge.pki.certificateToPem(caCert)),
    serverCert: normalizePem(forge.pki.certificateToPem(cert)),
    serverKey: normalizePem(srv.privPem),
  };
}

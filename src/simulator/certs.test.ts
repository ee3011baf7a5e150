import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { connect, createServer as createTlsServer } from "node:tls";
import forge from "node-forge";
import { describe, expect, it } from "vitest";
import { generateControllerCerts, opensshPublicKey } from "./certs.js";

describe("generateControllerCerts", () => {
  const certs = generateControllerCerts("deadbeef-0000-4000-8000-000000000000", [
    "10.1.2.3",
    "sim.example",
    "::ffff:192.0.2.1",
    "2001:db8::1",
  ]);
  const ca = new X509Certificate(certs.caCert);
  const server = new X509Certificate(certs.serverCert);

  it("makes a self-signed CA carrying the controller uuid", () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.subject).toContain("OU=controller-deadbeef-0000-4000-8000-000000000000");
    expect(ca.subject).toContain("O=juju");
    expect(ca.subject).toContain("CN=juju-generated CA for model");
    expect(ca.issuer).toBe(ca.subject);
  });

  it("signs a server certificate for Juju's names and the given hosts", () => {
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    for (const host of ["juju-apiserver", "localhost", "juju-mongodb", "anything", "sim.example"]) {
      expect(server.checkHost(host)).toBe(host);
    }
    for (const ip of ["127.0.0.1", "10.1.2.3", "2001:db8::1"]) expect(server.checkIP(ip)).toBe(ip);
    expect(server.checkHost("other.example")).toBeUndefined();
    expect(server.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1"]));
    const years = (Date.parse(server.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
  });

  it("completes a TLS handshake verified against the CA with ServerName juju-apiserver", async () => {
    const tls = createTlsServer({ cert: certs.serverCert, key: certs.serverKey }, (s) =>
      s.end("ok"),
    );
    tls.listen(0, "127.0.0.1");
    await once(tls, "listening");
    try {
      const { port } = tls.address() as AddressInfo;
      const socket = connect({
        host: "127.0.0.1",
        port,
        ca: certs.caCert,
        servername: "juju-apiserver",
      });
      await once(socket, "secureConnect");
      expect(socket.authorized).toBe(true);
      socket.destroy();
    } finally {
      tls.close();
    }
  });

  it("writes PEMs with LF line endings and one trailing newline", () => {
    for (const pem of [certs.caCert, certs.serverCert, certs.serverKey]) {
      expect(pem).not.toContain("\r");
      expect(pem.endsWith("-----\n")).toBe(true);
    }
  });
});

describe("opensshPublicKey", () => {
  it("writes the same ssh-rsa line as node-forge did", () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const rsa = forge.pki.privateKeyFromPem(privateKey);
    const expected = forge.ssh.publicKeyToOpenSSH(
      forge.pki.setRsaPublicKey(rsa.n, rsa.e),
      "juju-client-key",
    );
    expect(opensshPublicKey(privateKey, "juju-client-key")).toBe(expected);
  });
});

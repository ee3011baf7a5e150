import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import forge from "node-forge";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { Connection } from "./connection.js";
import { AbortError, ConnectError, ConnectionClosedError, ProtocolError } from "./errors.js";
import { WebSocketTransport } from "./ws-transport.js";

interface Pki {
  caCert: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate with exactly the given SANs. */
function makePki(dnsNames: string[], ips: string[]): Pki {
  const keys = () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    return { pub: forge.pki.publicKeyFromPem(publicKey), priv: privateKey };
  };
  const now = Date.now();
  const ca = keys();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.pub;
  caCert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  caCert.validity.notBefore = new Date(now - 60_000);
  caCert.validity.notAfter = new Date(now + 86_400_000);
  const caName = [{ name: "commonName", value: "test CA" }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, critical: true },
  ]);
  const caPriv = forge.pki.privateKeyFromPem(ca.priv) as forge.pki.rsa.PrivateKey;
  caCert.sign(caPriv, forge.md.sha256.create());
  const srv = keys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.pub;
  cert.serialNumber = `02${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + 86_400_000);
  cert.setSubject([{ name: "commonName", value: "*" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    {
      name: "subjectAltName",
      altNames: [
        ...dnsNames.map((value) => ({ type: 2, value })),
        ...ips.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(caPriv, forge.md.sha256.create());
  return {
    caCert: forge.pki.certificateToPem(caCert),
    cert: forge.pki.certificateToPem(cert),
    key: srv.priv,
  };
}

const jujuPki = makePki(["juju-apiserver"], []);
const ipOnlyPki = makePki(["localhost"], ["127.0.0.1"]);
const otherPki = makePki(["juju-apiserver"], []);

const servers: Server[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An echo-style server: replies `{"request-id": n, "response": {"echo": request}}`. */
async function startServer(
  pki: Pki,
  onText?: (text: string, send: (t: string) => void, ws: WebSocket) => void,
): Promise<string> {
  const server = createServer({ cert: pki.cert, key: pki.key });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    sockets.push(ws);
    ws.on("message", (data) => {
      const text = String(data);
      if (onText) onText(text, (t) => ws.send(t), ws);
      else {
        const req = JSON.parse(text) as { "request-id": number; request: string };
        ws.send(
          JSON.stringify({ "request-id": req["request-id"], response: { echo: req.request } }),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return `wss://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

describe("WebSocketTransport", () => {
  it("verifies the certificate for juju-apiserver when dialling an IP address", async () => {
    const url = await startServer(jujuPki);
    const conn = new Connection(await WebSocketTransport.connect(url, { ca: jujuPki.caCert }));
    await expect(conn.rpc({ type: "Pinger", version: 1, request: "Ping" })).resolves.toEqual({
      echo: "Ping",
    });
    await conn.close();
  });

  it("rejects a certificate valid for the dialled IP but not for juju-apiserver", async () => {
    const url = await startServer(ipOnlyPki);
    const err = await WebSocketTransport.connect(url, { ca: ipOnlyPki.caCert }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain("TLS certificate verification failed");
    expect((err as Error).message).toContain("juju-apiserver");
  });

  it("rejects a certificate signed by another CA", async () => {
    const url = await startServer(jujuPki);
    const err = await WebSocketTransport.connect(url, { ca: otherPki.caCert }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain("TLS certificate verification failed");
  });

  it("rejects an untrusted certificate when no CA is given", async () => {
    const url = await startServer(jujuPki);
    await expect(WebSocketTransport.connect(url)).rejects.toBeInstanceOf(ConnectError);
  });

  it("skips verification only with insecureSkipVerify", async () => {
    const url = await startServer(ipOnlyPki);
    const t = await WebSocketTransport.connect(url, { insecureSkipVerify: true });
    t.close();
    expect((await t.closed).code).toBe(1000);
  });

  it("closes with a ProtocolError when a frame exceeds maxFrameSize", async () => {
    const url = await startServer(jujuPki, (text, send) => {
      const req = JSON.parse(text) as { "request-id": number };
      send(JSON.stringify({ "request-id": req["request-id"], response: { x: "y".repeat(5000) } }));
    });
    const conn = new Connection(
      await WebSocketTransport.connect(url, { ca: jujuPki.caCert, maxFrameSize: 1024 }),
    );
    await expect(
      conn.rpc({ type: "Client", version: 8, request: "FullStatus" }),
    ).rejects.toBeInstanceOf(ConnectionClosedError);
    const reason = await conn.closed();
    expect(reason).toBeInstanceOf(ProtocolError);
    expect(reason?.message).toContain("1024");
  });

  it("closes with a ProtocolError when the server sends invalid JSON", async () => {
    const url = await startServer(jujuPki, (_text, send) => send("}{"));
    const conn = new Connection(await WebSocketTransport.connect(url, { ca: jujuPki.caCert }));
    await expect(conn.rpc({ type: "Client", version: 8, request: "X" })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    expect(await conn.closed()).toBeInstanceOf(ProtocolError);
  });

  it("reports a refused connection as ConnectError", async () => {
    await expect(
      WebSocketTransport.connect("wss://127.0.0.1:1/api", { timeout: 5000 }),
    ).rejects.toBeInstanceOf(ConnectError);
  });

  it("times out a handshake that never completes", async () => {
    // A TLS server that never answers the websocket upgrade.
    const server = createServer({ cert: jujuPki.cert, key: jujuPki.key }, () => {});
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const err = await WebSocketTransport.connect(url, { ca: jujuPki.caCert, timeout: 100 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain("timed out");
  });

  it("aborts a dial through its AbortSignal", async () => {
    const server = createServer({ cert: jujuPki.cert, key: jujuPki.key }, () => {});
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const ac = new AbortController();
    const p = WebSocketTransport.connect(url, { ca: jujuPki.caCert, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(AbortError);
    await expect(
      WebSocketTransport.connect(url, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects in-flight calls when the server drops the connection", async () => {
    const url = await startServer(jujuPki, (_text, _send, ws) => ws.terminate());
    const conn = new Connection(await WebSocketTransport.connect(url, { ca: jujuPki.caCert }));
    await expect(conn.rpc({ type: "Client", version: 8, request: "X" })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    expect(await conn.closed()).toBeInstanceOf(ConnectionClosedError);
  });
});

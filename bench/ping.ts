/**
 * `Pinger.Ping` throughput and latency through libjuju against the
 * simulator, beside the physical limit: a bare `ws` client and a TLS
 * websocket echo server that answers each request frame at once, measured
 * in the same run with the same callers (best of three alternating runs each).
 * @module
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { Credentials, connectApi } from "../src/index.js";
import { generateControllerCerts, Simulator } from "../src/simulator/index.js";
import { closedLoop, type Measurement } from "./measure.js";
import type { BenchRow } from "./run.js";

const ROUNDS = 3;
const CASES = [
  { concurrency: 1, calls: 5_000 },
  { concurrency: 64, calls: 50_000 },
];

/** A TLS websocket server that replies `{"request-id":N,"response":{}}` to every frame. */
async function startEchoServer(): Promise<{ url: string; ca: string; close: () => Promise<void> }> {
  const certs = generateControllerCerts(randomUUID());
  const https = createServer({ cert: certs.serverCert, key: certs.serverKey });
  const wss = new WebSocketServer({ server: https });
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { "request-id": number };
      ws.send(JSON.stringify({ "request-id": req["request-id"], response: {} }));
    });
  });
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
  const port = (https.address() as AddressInfo).port;
  return {
    url: `wss://127.0.0.1:${port}/`,
    ca: certs.caCert,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        https.close(() => r());
      }),
  };
}

/** The thinnest possible client: request ids and a map of pending promises. */
async function rawClient(
  url: string,
  ca: string,
): Promise<{ ping: () => Promise<unknown>; close: () => void }> {
  const ws = new WebSocket(url, { ca, servername: "juju-apiserver" } as WebSocket.ClientOptions);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const pending = new Map<number, (v: unknown) => void>();
  let next = 1;
  ws.on("message", (data) => {
    const res = JSON.parse(String(data)) as { "request-id": number; response: unknown };
    pending.get(res["request-id"])?.(res.response);
    pending.delete(res["request-id"]);
  });
  return {
    ping: () =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(
          JSON.stringify({
            "request-id": id,
            type: "Pinger",
            version: 1,
            request: "Ping",
            params: {},
          }),
        );
      }),
    close: () => ws.close(),
  };
}

const fmtMs = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;
const fmtOps = (m: Measurement) => `${Math.round(m.opsPerSec).toLocaleString("en-US")} calls/s`;

/** Runs the ping benchmark. */
export async function benchPing(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const echo = await startEchoServer();
  const raw = await rawClient(echo.url, echo.ca);
  const sim = await Simulator.start({});
  const api = await connectApi({
    endpoints: [sim.endpoint],
    modelUuid: sim.defaultModelUuid,
    credentials: new Credentials({ username: sim.username, password: sim.password }),
    caCert: sim.caCert,
    pingInterval: 0,
  });
  const conn = api.connection;
  const ping = () => conn.rpc({ type: "Pinger", version: 1, request: "Ping", params: {} });
  try {
    for (const { concurrency, calls } of CASES) {
      // Warm both paths up so the JIT has compiled them before measuring.
      await closedLoop(raw.ping, concurrency, Math.min(calls, 2_000));
      await closedLoop(ping, concurrency, Math.min(calls, 2_000));
      // Other work on the machine slows single runs down at random, so the
      // two paths are measured in alternation and each keeps its best run.
      let base: Measurement | undefined;
      let lib: Measurement | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        const b = await closedLoop(raw.ping, concurrency, calls);
        const l = await closedLoop(ping, concurrency, calls);
        if (!base || b.opsPerSec > base.opsPerSec) base = b;
        if (!lib || l.opsPerSec > lib.opsPerSec) lib = l;
      }
      if (!base || !lib) throw new Error("no measurement");
      const callers = `${concurrency} caller${concurrency > 1 ? "s" : ""}`;
      rows.push(
        {
          benchmark: "Pinger.Ping",
          case: `raw ws echo, ${callers}`,
          result: fmtOps(base),
          p50: fmtMs(base.p50Ms),
          p99: fmtMs(base.p99Ms),
        },
        {
          benchmark: "Pinger.Ping",
          case: `libjuju → simulator, ${callers}`,
          result: fmtOps(lib),
          p50: fmtMs(lib.p50Ms),
          p99: fmtMs(lib.p99Ms),
          vsBaseline: `${(lib.opsPerSec / base.opsPerSec).toFixed(2)}×`,
          target: concurrency === 64 ? "≥ 0.80× raw echo" : "",
        },
      );
    }
  } finally {
    await conn.close();
    raw.close();
    await sim.stop();
    await echo.close();
  }
  return rows;
}

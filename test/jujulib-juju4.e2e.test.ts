/**
 * A real Juju 4 client against the simulator's 4.0 profile:
 * `@canonical/jujulib` 9.1 (its facades are generated from Juju 4.0) logs in,
 * reads FullStatus with its own Client v8 class and plans a bundle with its
 * own Bundle v8 class. Every frame the simulator sees is checked against
 * schema-4.0.json.
 */
import { connectAndLogin } from "@canonical/jujulib";
import BundleV8 from "@canonical/jujulib/dist/api/facades/bundle/BundleV8.js";
import ClientV8 from "@canonical/jujulib/dist/api/facades/client/ClientV8.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { RequestFrame, ResponseFrame } from "../src/protocol/frames.js";
import { Simulator } from "../src/simulator/index.js";
import { SchemaConformance } from "./support/schema-conformance.js";

let sim: Simulator;
const violations: string[] = [];
let framesSeen = 0;

beforeAll(async () => {
  const schema = SchemaConformance.forMajor(4);
  // Per session: request id → request, to check each reply against its method's result.
  const sent = new Map<string, RequestFrame>();
  sim = await Simulator.start({
    juju: "4.0",
    password: "s3cret",
    timing: "instant",
    onFrame: (dir, frame, session) => {
      framesSeen++;
      const f = frame as RequestFrame & ResponseFrame;
      const key = `${session.id}/${f["request-id"]}`;
      if (dir === "in") {
        sent.set(key, f);
        violations.push(...schema.checkRequest(f));
      } else {
        const req = sent.get(key);
        if (req !== undefined) violations.push(...schema.checkResponse(req, f));
      }
    },
  });
});

afterAll(async () => {
  expect(framesSeen).toBeGreaterThan(4);
  expect(violations).toEqual([]);
  await sim?.stop();
});

/**
 * jujulib opens sockets with `new wsclass(url)` and uses the W3C WebSocket
 * API; Node 20 has no global WebSocket, so `ws` (W3C-compatible) is handed in,
 * trusting the simulator's CA for the `juju-apiserver` name.
 */
function socketClass(caCert: string): typeof globalThis.WebSocket {
  class SimWebSocket extends WebSocket {
    constructor(url: string) {
      const tls: WebSocket.ClientOptions & { servername: string } = {
        ca: caCert,
        servername: "juju-apiserver",
      };
      super(url, tls);
    }
  }
  return SimWebSocket as unknown as typeof globalThis.WebSocket;
}

describe("@canonical/jujulib 9.1 on the Juju 4.0 simulator", () => {
  it("logs in, reads FullStatus (Client v8) and plans a bundle (Bundle v8)", async () => {
    const url = `wss://127.0.0.1:${sim.port}/model/${sim.defaultModelUuid}/api`;
    const { conn, logout } = await connectAndLogin(
      url,
      {
        facades: [ClientV8, BundleV8],
        wsclass: socketClass(sim.caCert),
        closeCallback: () => {},
      },
      { username: "admin", password: sim.password },
    );
    try {
      expect(conn).toBeDefined();
      expect(conn?.info.serverVersion).toBe("4.0.15");
      const client = conn?.facades.client as ClientV8;
      const bundle = conn?.facades.bundle as BundleV8;
      expect(client.VERSION).toBe(8);
      expect(bundle.VERSION).toBe(8);

      const status = await client.fullStatus({ patterns: [], "include-storage": false });
      expect(status.model.name).toBe("default");
      expect(status.model.version).toBe("4.0.15");

      const plan = await bundle.getChangesMapArgs({
        yaml: "applications:\n  ubuntu:\n    charm: ubuntu\n    num_units: 2\n",
        bundleURL: "",
      });
      expect(plan.changes?.map((c) => c.method)).toEqual([
        "addCharm",
        "deploy",
        "addUnit",
        "addUnit",
      ]);
    } finally {
      logout();
    }
  });
});

/**
 * A real Juju 4 client against the simulator's 4.0 profile:
 * `@canonical/jujulib` 9.1 (its facades are generated from Juju 4.0) logs in,
 * reads FullStatus with its own Client v8 class and plans a bundle with its
 * own Bundle v8 class, in process (every frame the simulator sees checked
 * against schema-4.0.json) and against the `libjuju sim --juju 4.0` command.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connectAndLogin } from "@canonical/jujulib";
import BundleV8 from "@canonical/jujulib/dist/api/facades/bundle/BundleV8.js";
import ClientV8 from "@canonical/jujulib/dist/api/facades/client/ClientV8.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parse } from "yaml";
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

interface Target {
  port: number;
  caCert: string;
  modelUuid: string;
  password: string;
}

/** Logs in with jujulib, reads FullStatus (Client v8) and plans a bundle (Bundle v8). */
async function jujulibSession(t: Target): Promise<void> {
  const url = `wss://127.0.0.1:${t.port}/model/${t.modelUuid}/api`;
  const { conn, logout } = await connectAndLogin(
    url,
    {
      facades: [ClientV8, BundleV8],
      wsclass: socketClass(t.caCert),
      closeCallback: () => {},
    },
    { username: "admin", password: t.password },
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
}

describe("@canonical/jujulib 9.1 on the Juju 4.0 simulator", () => {
  it("logs in, reads FullStatus (Client v8) and plans a bundle (Bundle v8)", async () => {
    await jujulibSession({
      port: sim.port,
      caCert: sim.caCert,
      modelUuid: sim.defaultModelUuid,
      password: sim.password,
    });
  });

  it("does the same against `libjuju sim --juju 4.0`", async () => {
    const root = resolve(import.meta.dirname, "..");
    const dir = await mkdtemp(join(tmpdir(), "libjuju-sim4-cli-"));
    const child = spawn(
      process.execPath,
      [
        join(root, "node_modules", "tsx", "dist", "cli.mjs"),
        join(root, "src", "cli", "main.ts"),
        "sim",
        "--juju",
        "4.0",
        "--port",
        "0",
        "--juju-data",
        dir,
        "--timing",
        "instant",
      ],
      { cwd: root, env: { ...process.env, LIBJUJU_SIM_PASSWORD: "s3cret-cli" } },
    );
    try {
      let output = "";
      const port = await new Promise<number>((ready, fail) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const m = /ready: listening on wss:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (m) ready(Number(m[1]));
        });
        child.stderr?.on("data", (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.on("exit", () => fail(new Error(`sim exited early:\n${output}`)));
      });
      expect(output).toContain("Juju 4.0.15");
      const controllers = parse(await readFile(join(dir, "controllers.yaml"), "utf8"));
      const models = parse(await readFile(join(dir, "models.yaml"), "utf8"));
      await jujulibSession({
        port,
        caCert: controllers.controllers["libjuju-sim"]["ca-cert"],
        modelUuid: models.controllers["libjuju-sim"].models["admin/default"].uuid,
        password: "s3cret-cli",
      });
    } finally {
      const exited = new Promise((r) => child.on("exit", r));
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../src/index.js";
import { ControlHttpServer } from "../src/simulator/control-http.js";
import { spawnCli } from "./support/cli-harness.js";

/** A stand-in for the control object: one method per outcome the server must map. */
class FakeControl {
  calls: unknown[][] = [];
  echo(...args: unknown[]): unknown {
    this.calls.push(args);
    return { args };
  }
  nothing(): void {}
  async later(ms: number): Promise<{ waited: number }> {
    await new Promise((r) => setTimeout(r, ms));
    return { waited: ms };
  }
  missing(name: string): never {
    throw Object.assign(new Error(`unit ${name} not found`), { code: "not found" });
  }
  crash(): never {
    throw new Error("boom");
  }
  /** Not in the allowlist: must not be reachable. */
  secret(): string {
    return "leaked";
  }
}

async function call(
  url: string,
  init: { token?: string; method?: string; body?: string } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: init.method ?? "POST",
    headers: init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === "" ? undefined : JSON.parse(text),
    headers: res.headers,
  };
}

describe("control API over HTTP (fake control object)", () => {
  const fake = new FakeControl();
  let server: ControlHttpServer;

  beforeAll(async () => {
    server = await ControlHttpServer.listen({
      target: fake,
      methods: ["echo", "nothing", "later", "missing", "crash"],
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("listens on loopback and hides the token from inspect", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    const { inspect } = await import("node:util");
    expect(inspect(server)).not.toContain(server.token);
  });

  it("requires the bearer token on every call", async () => {
    for (const token of [undefined, "wrong", `${server.token}x`]) {
      const r = await call(`${server.url}/v1/echo`, token === undefined ? {} : { token });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(r.body).toEqual({
        error: { code: "unauthorized", message: "missing or wrong bearer token" },
      });
    }
    // Not even an unknown path says more without the token.
    expect((await call(`${server.url}/v1/secret`)).status).toBe(401);
    expect(fake.calls).toEqual([]);
  });

  it("calls an allowlisted method with the JSON array as its arguments", async () => {
    const r = await call(`${server.url}/v1/echo`, {
      token: server.token,
      body: JSON.stringify(["mysql/0", "install", { times: 1 }]),
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ result: { args: ["mysql/0", "install", { times: 1 }] } });
    expect((await call(`${server.url}/v1/nothing`, { token: server.token })).body).toEqual({
      result: null,
    });
    expect(
      (await call(`${server.url}/v1/later`, { token: server.token, body: "[5]" })).body,
    ).toEqual({ result: { waited: 5 } });
  });

  it("answers 404 for unknown methods and other paths", async () => {
    for (const path of ["/v1/secret", "/v1/constructor", "/v1/toString", "/v2/echo", "/", "/v1/"]) {
      const r = await call(`${server.url}${path}`, { token: server.token });
      expect(r.status, path).toBe(404);
      expect((r.body as { error: { code: string } }).error.code).toBe("not found");
    }
  });

  it("answers 405 for other HTTP methods", async () => {
    const r = await call(`${server.url}/v1/echo`, { token: server.token, method: "GET" });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("POST");
  });

  it("answers 400 for a body that is not JSON or not an array", async () => {
    const bad = await call(`${server.url}/v1/echo`, { token: server.token, body: "{nope" });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: "bad request",
      message: expect.stringContaining("not JSON"),
    });
    const obj = await call(`${server.url}/v1/echo`, { token: server.token, body: '{"a":1}' });
    expect(obj.status).toBe(400);
    expect((obj.body as { error: { message: string } }).error.message).toContain("JSON array");
  });

  it("maps a method's error code to a status and keeps its code and message", async () => {
    const r = await call(`${server.url}/v1/missing`, { token: server.token, body: '["x/0"]' });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: "not found", message: "unit x/0 not found" } });
    const c = await call(`${server.url}/v1/crash`, { token: server.token });
    expect(c.status).toBe(500);
    expect(c.body).toEqual({ error: { code: "internal", message: "boom" } });
  });
});

describe("libjuju sim --control-port", { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-sim-control-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the simulator's control API and snapshots with the token from the ready line", async () => {
    const sim = spawnCli(
      ["sim", "--port", "0", "--timing", "instant", "--juju-data", dir, "--control-port", "0"],
      {},
    );
    try {
      await sim.until(() => /ready: .*token \S+\n/.test(sim.output().stdout), "ready");
      const m = /control API (http:\/\/127\.0\.0\.1:\d+)\/v1\/ token (\S+)/.exec(
        sim.output().stdout,
      );
      expect(m).not.toBeNull();
      const [, base, token] = m as unknown as [string, string, string];

      expect((await call(`${base}/v1/now`)).status).toBe(401);
      expect((await call(`${base}/v1/nosuch`, { token })).status).toBe(404);
      expect((await call(`${base}/v1/now`, { token, body: "[" })).status).toBe(400);

      const c = await Controller.connectCurrent({ env: { JUJU_DATA: dir }, pingInterval: 0 });
      try {
        const model = await c.getModel("default");
        await model.deploy("ubuntu");
        await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
        const set = await call(`${base}/v1/setWorkloadStatus`, {
          token,
          body: JSON.stringify(["ubuntu/0", "blocked", "needs a database"]),
        });
        expect(set).toMatchObject({ status: 200, body: { result: null } });
        await model.blockUntil(
          () => model.units.get("ubuntu/0")?.workloadStatusMessage === "needs a database",
          { timeout: 10_000 },
        );
        const notFound = await call(`${base}/v1/setWorkloadStatus`, {
          token,
          body: JSON.stringify(["nosuch/0", "active"]),
        });
        expect(notFound.status).toBe(404);
        expect((notFound.body as { error: { code: string } }).error.code).toBe("not found");

        const snap = await call(`${base}/v1/snapshot`, { token });
        expect(snap.status).toBe(200);
        const snapshot = (snap.body as { result: { format: string } }).result;
        expect(snapshot.format).toBe("libjuju-sim-snapshot");
        await model.removeApplication("ubuntu", { force: true });
        const restored = await call(`${base}/v1/restore`, {
          token,
          body: JSON.stringify([snapshot]),
        });
        expect(restored).toMatchObject({ status: 200, body: { result: null } });
        expect(Object.keys((await model.getStatus()).applications)).toEqual(["ubuntu"]);
        const badRestore = await call(`${base}/v1/restore`, { token, body: '[{"format":"x"}]' });
        expect(badRestore.status).toBe(400);
        expect((badRestore.body as { error: { code: string } }).error.code).toBe(
          "ERR_SNAPSHOT_INVALID",
        );
        await model.disconnect();
      } finally {
        await c.disconnect();
      }
    } finally {
      sim.child.kill("SIGINT");
      expect(await sim.exited).toBe(0);
    }
  });
});

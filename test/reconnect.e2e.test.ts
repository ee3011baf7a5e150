import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectionChange,
  ConnectionClosedError,
  Model,
  type ModelConnectOptions,
  type ModelEvent,
  TimeoutError,
  WaitTimeoutError,
} from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";
import { FlakyProxy } from "./support/flaky-proxy.js";

// Every frame is checked against the schema of its facade version.
const tap = createConformanceTap();
let sim: Simulator;
const open: { close(): Promise<void> }[] = [];
const models: Model[] = [];

beforeAll(async () => {
  sim = await Simulator.start({ timing: "fast" });
});

afterEach(async () => {
  sim.advertise(undefined);
  sim.delay("Client", "FullStatus", 0);
  sim.delay("Application", "SetConfigs", 0);
  for (const m of models.splice(0)) await m.disconnect();
  for (const p of open.splice(0)) await p.close();
});

afterAll(async () => {
  expect(tap.violations).toEqual([]);
  await sim?.stop();
});

/** A proxy towards the simulator that the controller also advertises, so that reconnects go through it too. */
async function proxied(): Promise<FlakyProxy> {
  const proxy = await FlakyProxy.start(sim.endpoint);
  open.push(proxy);
  sim.advertise([proxy.endpoint]);
  return proxy;
}

async function connect(options: Partial<ModelConnectOptions> = {}): Promise<Model> {
  const model = await Model.connect({
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    endpoint: sim.endpoint,
    onFrame: tap.onFrame,
    pingInterval: 0,
    reconnect: { initialDelay: 10, maxDelay: 200 },
    ...options,
  });
  models.push(model);
  return model;
}

/** Resolves with the next connection change in state `state`. */
function nextChange(model: Model, state: ConnectionChange["state"]): Promise<ConnectionChange> {
  return new Promise((resolve) => {
    const off = model.onConnectionChange((c) => {
      if (c.state !== state) return;
      off();
      resolve(c);
    });
  });
}

/**
 * Checks that events form one consistent stream over the entities that
 * were live when it started: no add of a live entity, no change or remove
 * of an entity that is not live. Returns the problems.
 */
function inconsistencies(initial: Iterable<string>, events: readonly ModelEvent[]): string[] {
  const live = new Set(initial);
  const problems: string[] = [];
  for (const e of events) {
    const key = `${e.entityType} ${e.entityId}`;
    if (e.action === "add") {
      if (live.has(key)) problems.push(`duplicate add of ${key}`);
      live.add(key);
    } else if (e.action === "change") {
      if (!live.has(key)) problems.push(`change of ghost ${key}`);
    } else {
      if (!live.has(key)) problems.push(`remove of ghost ${key}`);
      live.delete(key);
    }
  }
  return problems;
}

const liveKeys = (model: Model) =>
  (["application", "unit", "machine", "relation"] as const).flatMap((k) =>
    [...model.state.live(k)].map((r) => `${k} ${r.id}`),
  );

describe("reconnecting Model", { timeout: 120_000 }, () => {
  it("survives 20 drops in a row during a deploy; its state then equals FullStatus, with one consistent event stream", async () => {
    const proxy = await proxied();
    const watcher = await connect({ endpoint: proxy.endpoint });
    const writer = await connect({ reconnect: false });
    await writer.deploy("ubuntu", { applicationName: "gone-soon", numUnits: 1 });
    await watcher.waitFor("gone-soon", () => watcher.applications.has("gone-soon"));

    const initial = liveKeys(watcher);
    const events: ModelEvent[] = [];
    const changes: ConnectionChange[] = [];
    const stream = watcher.events({ connectionEvents: true });
    const collecting = (async () => {
      for await (const e of stream) {
        if ("type" in e) changes.push(e);
        else events.push(e);
      }
    })();

    const deployed = writer.deploy("ubuntu", { applicationName: "during", numUnits: 3 });
    const work = (async () => {
      await deployed;
      await writer.removeApplication("gone-soon");
      await writer.applications.get("during")?.addUnits({ count: 1 });
    })();
    for (let i = 0; i < 20; i++) {
      const back = nextChange(watcher, "connected");
      proxy.drop();
      await back;
    }
    await work;
    await writer.waitForIdle({ apps: ["during"], idlePeriod: 0, timeout: 60_000 });

    // Every write is done: the watcher must come to hold exactly what FullStatus says.
    const status = await watcher.getStatus();
    const want = {
      applications: Object.keys(status.applications ?? {}).sort(),
      units: Object.values(status.applications ?? {})
        .flatMap((a) => Object.keys(a.units ?? {}))
        .sort(),
      machines: Object.keys(status.machines ?? {}).sort(),
    };
    const have = () => ({
      applications: [...watcher.applications.keys()].sort(),
      units: [...watcher.units.keys()].sort(),
      machines: [...watcher.machines.keys()].sort(),
    });
    await watcher.blockUntil(() => JSON.stringify(have()) === JSON.stringify(want), {
      timeout: 30_000,
    });
    expect(have()).toEqual(want);
    expect(want.applications).toContain("during");
    expect(want.applications).not.toContain("gone-soon");

    await watcher.disconnect();
    await collecting; // disconnect ends the stream normally
    expect(changes.filter((c) => c.state === "connected")).toHaveLength(20);
    expect(changes.filter((c) => c.state === "reconnecting" && c.attempt === 0)).toHaveLength(20);
    expect(changes.at(-1)?.state).toBe("disconnected");
    expect(proxy.accepted).toBeGreaterThanOrEqual(21);
    expect(inconsistencies(initial, events)).toEqual([]);
    expect(events.some((e) => e.entityType === "application" && e.entityId === "during")).toBe(
      true,
    );
  });

  it("dials the controller's advertised servers first when reconnecting", async () => {
    const configured = await FlakyProxy.start(sim.endpoint);
    open.push(configured);
    const advertised = await proxied();
    const model = await connect({ endpoint: configured.endpoint });
    expect(model.endpoint).toBe(configured.endpoint);
    const back = nextChange(model, "connected");
    configured.drop();
    expect((await back).endpoint).toBe(advertised.endpoint);
    expect(model.endpoint).toBe(advertised.endpoint);
  });

  it("connects through endpoints [black-holed, good] without waiting for the black hole", async () => {
    const hole = await FlakyProxy.start(sim.endpoint);
    open.push(hole);
    hole.pause();
    // A dial timeout far beyond the test's: only a parallel dial can pass.
    const model = await connect({
      endpoint: [hole.endpoint, sim.endpoint],
      dialTimeout: 600_000,
      timeout: 600_000,
    });
    expect(model.endpoint).toBe(sim.endpoint);
    expect(hole.accepted).toBe(1);
    expect(model.isConnected()).toBe(true);
  });

  it("notices a half-open link within 2 ping intervals and reconnects once the network heals", async () => {
    const proxy = await proxied();
    let pings = 0;
    let pingsAtPause = -1;
    const model = await connect({
      endpoint: proxy.endpoint,
      pingInterval: 300,
      onFrame: (dir, frame) => {
        tap.onFrame(dir, frame);
        if (dir === "out" && "type" in frame && frame.type === "Pinger") pings++;
      },
    });
    const lost = nextChange(model, "reconnecting");
    pingsAtPause = pings;
    proxy.pause();
    const change = await lost;
    // Detected by the first or second ping sent into the black hole.
    expect(pings - pingsAtPause).toBeLessThanOrEqual(2);
    expect(change.error?.message).toMatch(/ping failed/);
    expect(model.isConnected()).toBe(false);
    const back = nextChange(model, "connected");
    proxy.resume();
    await back;
    expect(model.isConnected()).toBe(true);
    expect((await model.getStatus()).model.name).toBe("default");
  });

  it("with pingInterval 0, a per-call timeout still fires on a black-holed link", async () => {
    const proxy = await proxied();
    const model = await connect({ endpoint: proxy.endpoint, pingInterval: 0 });
    proxy.pause();
    const err = await model.getStatus({ timeout: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it("waits do not resolve while the link is down; they resolve after the resync", async () => {
    const proxy = await proxied();
    const model = await connect({ endpoint: proxy.endpoint });
    const writer = await connect({ reconnect: false });
    const order: string[] = [];
    model.onConnectionChange((c) => order.push(c.state));
    const lost = nextChange(model, "reconnecting");
    proxy.pause(); // new connections are held too
    proxy.drop();
    await lost;
    expect(model.isConnected()).toBe(false);
    const trivially = model.blockUntil(() => true).then(() => order.push("blockUntil"));
    const late = model
      .waitFor("application late", () => model.applications.has("late"), { timeout: 60_000 })
      .then(() => order.push("waitFor"));
    const idle = model
      .waitForIdle({ apps: [], idlePeriod: 0, timeout: 60_000 })
      .then(() => order.push("waitForIdle"));
    // Changed while the model is away: only the resync can tell it.
    await writer.deploy("ubuntu", { applicationName: "late", numUnits: 0 });
    // A wait with a short timeout, while down, times out naming the connection.
    const early = await model.blockUntil(() => true, { timeout: 200 }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(WaitTimeoutError);
    expect((early as WaitTimeoutError).notReady[0]?.entity).toBe("model connection");
    expect(order).toEqual(["reconnecting"]);
    proxy.resume();
    await Promise.all([trivially, late, idle]);
    expect(order[0]).toBe("reconnecting");
    expect(order.indexOf("connected")).toBeGreaterThan(0);
    for (const w of ["blockUntil", "waitFor", "waitForIdle"]) {
      expect(order.indexOf(w)).toBeGreaterThan(order.indexOf("connected"));
    }
    expect(model.applications.has("late")).toBe(true);
    await writer.removeApplication("late");
  });

  it("with reconnect: false, a lost link rejects waits and ends events() with ConnectionClosedError", async () => {
    const proxy = await proxied();
    const model = await connect({ endpoint: proxy.endpoint, reconnect: false });
    const events = model.events();
    const pending = model.waitFor("never", () => false, { timeout: 60_000 }).catch((e) => e);
    const next = events.next().catch((e: unknown) => e);
    proxy.drop();
    const err = await pending;
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect(await next).toBeInstanceOf(ConnectionClosedError);
    expect(await model.closed()).toBeInstanceOf(ConnectionClosedError);
    expect(model.isConnected()).toBe(false);
    expect(model.connectionState).toBe("disconnected");
    await expect(model.blockUntil(() => true)).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(model.waitForIdle({ idlePeriod: 0 })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    await expect(model.getStatus()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("after disconnect(), waits reject with ConnectionClosedError and events() ends", async () => {
    const model = await connect();
    const events = model.events();
    const next = events.next();
    await model.disconnect();
    expect((await next).done).toBe(true);
    await expect(model.blockUntil(() => true)).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(model.waitFor("x", () => true)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await model.closed()).toBeUndefined();
  });

  it("an in-flight write rejects with a retryable ConnectionClosedError that may have been applied; an in-flight read is sent again", async () => {
    const proxy = await proxied();
    const sent = new Set<string>();
    const model = await connect({
      endpoint: proxy.endpoint,
      onFrame: (dir, frame) => {
        tap.onFrame(dir, frame);
        if (dir === "out" && "type" in frame) sent.add(`${frame.type}.${frame.request}`);
      },
    });
    await model.deploy("ubuntu", { applicationName: "inflight", numUnits: 0 });
    sim.delay("Application", "SetConfigs", 60_000);
    sim.delay("Client", "FullStatus", 1_000);
    const write = model.applications
      .get("inflight")!
      .setConfig({ hostname: "x" })
      .catch((e: unknown) => e);
    const read = model.getStatus();
    await model.blockUntil(
      () => sent.has("Application.SetConfigs") && sent.has("Client.FullStatus"),
      {
        timeout: 30_000,
      },
    );
    const back = nextChange(model, "connected");
    proxy.drop();
    const err = (await write) as ConnectionClosedError;
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect(err.retryable).toBe(true);
    expect(err.mayHaveBeenApplied).toBe(true);
    expect(err.method).toBe("Application.SetConfigs");
    expect(err.message).toMatch(/may or may not have been applied/);
    await back;
    expect((await read).applications?.inflight).toBeDefined();
    sim.delay("Application", "SetConfigs", 0);
    await model.removeApplication("inflight");
  });
});

describe("when the controller does not come back", { timeout: 120_000 }, () => {
  it("reconnecting gives up after maxAttempts: events() throws, waits reject, closed() says why", async () => {
    const lonely = await Simulator.start({ timing: "instant" });
    const model = await Model.connect({
      uuid: lonely.defaultModelUuid,
      username: lonely.username,
      password: lonely.password,
      caCert: lonely.caCert,
      endpoint: lonely.endpoint,
      pingInterval: 0,
      reconnect: { maxAttempts: 3, initialDelay: 10, maxDelay: 50 },
    });
    models.push(model);
    const changes: ConnectionChange[] = [];
    model.onConnectionChange((c) => changes.push(c));
    const events = model.events();
    const next = events.next().catch((e: unknown) => e);
    const waiting = model.waitFor("never", () => false, { timeout: 60_000 }).catch((e) => e);
    await lonely.stop();
    const err = (await next) as ConnectionClosedError;
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect(err.message).toMatch(/could not reconnect \(3 attempts\)/);
    expect(err.retryable).toBe(false);
    expect(await waiting).toBeInstanceOf(ConnectionClosedError);
    expect(await model.closed()).toBe(err);
    expect(changes.map((c) => `${c.state}:${c.attempt}`)).toEqual([
      "reconnecting:0",
      "reconnecting:1",
      "reconnecting:2",
      "reconnecting:3",
      "disconnected:3",
    ]);
  });
});

describe("debugLog() across a drop", { timeout: 120_000 }, () => {
  it("reopens after the link drops and delivers every record exactly once", async () => {
    const proxy = await proxied();
    const writer = await connect({ reconnect: false });
    const line = (r: { timestamp: Date; entity: string; message: string }) =>
      `${r.timestamp.toISOString()} ${r.entity} ${r.message}`;
    const everything = async () => {
      const out: string[] = [];
      for await (const r of writer.debugLog({ replay: true, noTail: true })) out.push(line(r));
      return out;
    };
    await writer.deploy("ubuntu", { applicationName: "logger", numUnits: 1 });
    await writer.waitForIdle({ apps: ["logger"], idlePeriod: 0, timeout: 60_000 });
    const before = await everything();
    expect(before.length).toBeGreaterThan(2);
    const model = await connect({ endpoint: proxy.endpoint });
    const log = model.debugLog({ replay: true });
    const seen: string[] = [];
    while (seen.length < before.length) {
      const r = await log.next();
      if (!r.done) seen.push(line(r.value));
    }
    proxy.drop();
    // Records logged after the drop can only come through a reopened socket.
    await writer.applications.get("logger")?.addUnits({ count: 1 });
    await writer.waitForIdle({ apps: ["logger"], idlePeriod: 0, timeout: 60_000 });
    const after = await everything();
    expect(after.length).toBeGreaterThan(before.length);
    while (seen.length < after.length) {
      const r = await log.next();
      if (!r.done) seen.push(line(r.value));
    }
    await log.return?.();
    expect(seen).toEqual(after);
    await writer.removeApplication("logger");
  });
});

describe("disconnect() and the process", () => {
  it("ends events() and debugLog() streams, and the process exits by itself", async () => {
    const writer = await connect({ reconnect: false });
    // Agents log while they deploy: the debug log has records to stream.
    await writer.deploy("ubuntu", { applicationName: "exiting", numUnits: 1 });
    await writer.waitForIdle({ apps: ["exiting"], idlePeriod: 0, timeout: 60_000 });
    const root = resolve(import.meta.dirname, "..");
    const child = spawn(
      process.execPath,
      [
        join(root, "node_modules", "tsx", "dist", "cli.mjs"),
        join(root, "test", "support", "disconnect-exit-script.ts"),
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          SIM_ENDPOINT: sim.endpoint,
          SIM_UUID: sim.defaultModelUuid,
          SIM_PASSWORD: sim.password,
          SIM_CACERT: sim.caCert,
        },
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    // A process kept alive by a socket or timer is killed: the code is then null, not 0.
    const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    clearTimeout(killer);
    expect(out).toContain("debugLog started: record");
    expect(out).toContain("events ended");
    expect(out).toContain("debugLog ended");
    expect(out).toContain("disconnected");
    expect(code).toBe(0);
    await writer.removeApplication("exiting");
  }, 120_000);
});

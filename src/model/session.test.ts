import { describe, expect, it } from "vitest";
import { fakeModelFactory } from "../../test/support/fake-model.js";
import { loginResponse } from "../../test/support/fake-server.js";
import { FACADES } from "../facades/generated/index.js";
import type { RequestFrame } from "../protocol/frames.js";
import { Credentials } from "../rpc/credentials.js";
import { ProtocolError } from "../rpc/errors.js";
import type { Delta } from "./delta.js";
import { InvalidArgumentError } from "./errors.js";
import { Model } from "./model.js";
import type { ModelEvent } from "./observers.js";
import { backoffDelay, DEFAULT_RECONNECT, RETRY_SAFE_CALLS, reconnectPolicy } from "./reconnect.js";

const UUID = "11111111-2222-4333-8444-555555555555";
const facades = ["Client:8", "AllWatcher:3", "Application:22"].map((s) => {
  const [name, v] = s.split(":") as [string, string];
  return { name, versions: [Number(v)] };
});

const machine = (id: string, extra: Record<string, unknown> = {}): Delta => [
  "machine",
  "change",
  { id, "model-uuid": UUID, ...extra },
];

async function open(initial: Delta[], errors: ProtocolError[] = []) {
  const { factory, server } = fakeModelFactory((req: RequestFrame) => {
    if (req.type === "Admin") return loginResponse(facades, { "model-tag": `model-${UUID}` });
    return { error: "not scripted", code: "not implemented" };
  }, initial);
  const model = await Model.open({
    endpoints: ["ctl:17070"],
    modelUuid: UUID,
    credentials: new Credentials({ username: "admin", password: "pw" }),
    pingInterval: 0,
    transportFactory: factory,
    onProtocolError: (e) => errors.push(e),
    reconnect: { initialDelay: 1, maxDelay: 5 },
  });
  return { model, server };
}

const watchAlls = (server: { requests: { req: RequestFrame }[] }) =>
  server.requests.filter((r) => r.req.type === "Client" && r.req.request === "WatchAll").length;

describe("watcher failures on a live link", () => {
  it("a malformed batch is a ProtocolError, and the watcher restarts and resyncs without duplicates", async () => {
    const errors: ProtocolError[] = [];
    const { model, server } = await open([machine("0"), machine("1")], errors);
    const events: ModelEvent[] = [];
    model.addObserver((e) => {
      events.push(e);
    });
    server.push([["machine", "change", null as never]]);
    // The restarted watcher's first batch: machine 1 went away, 2 came.
    server.push([machine("0"), machine("2")]);
    await model.blockUntil(() => model.machines.has("2"), { timeout: 5000 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect(errors[0]?.message).toMatch(/delta 0 is malformed: the entity is not an object/);
    expect(watchAlls(server)).toBe(2);
    expect([...model.machines.keys()].sort()).toEqual(["0", "2"]);
    expect(events.map((e) => `${e.action} ${e.entityId}`)).toEqual(["add 2", "remove 1"]);
    expect(model.isConnected()).toBe(true);
    await model.disconnect();
  });

  it("a watcher stopped without our asking is restarted; the state resyncs", async () => {
    const { model, server } = await open([machine("0")]);
    server.stopWatchers();
    server.push([machine("0", { series: "jammy" })]);
    await model.blockUntil(() => model.state.entityData("machine", "0")?.series === "jammy", {
      timeout: 5000,
    });
    expect(watchAlls(server)).toBe(2);
    expect(model.watching).toBe(true);
    await model.disconnect();
  });

  it("a drop reconnects through the fake transport and resyncs the new snapshot", async () => {
    const { model, server } = await open([machine("0")]);
    const states: string[] = [];
    model.onConnectionChange((c) => states.push(c.state));
    server.drop();
    server.push([machine("5")]); // queued: the first Next of the next watcher
    await model.blockUntil(() => model.machines.has("5") && !model.machines.has("0"), {
      timeout: 5000,
    });
    expect(states).toEqual(["reconnecting", "connected"]);
    const logins = server.requests.filter((r) => r.req.request === "Login").length;
    expect(logins).toBe(2);
    await model.disconnect();
    expect(states.at(-1)).toBe("disconnected");
  });
});

describe("reconnect policy", () => {
  it("backoff grows by the factor, caps at maxDelay and subtracts up to jitter", () => {
    const p = { ...DEFAULT_RECONNECT, initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 0.5 };
    expect(backoffDelay(1, p, () => 1)).toBe(0);
    expect([2, 3, 4, 5, 6].map((a) => backoffDelay(a, p, () => 0))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelay(3, p, () => 1)).toBe(100);
    expect(backoffDelay(20, p, () => 0.5)).toBe(750);
  });

  it("checks every option and names the bad one", () => {
    expect(reconnectPolicy(false)).toBeUndefined();
    expect(reconnectPolicy(undefined)).toEqual(DEFAULT_RECONNECT);
    expect(reconnectPolicy({ maxAttempts: Number.POSITIVE_INFINITY })?.maxAttempts).toBe(
      Number.POSITIVE_INFINITY,
    );
    for (const [bad, name] of [
      [{ maxAttempts: 0 }, "reconnect.maxAttempts"],
      [{ maxAttempts: 1.5 }, "reconnect.maxAttempts"],
      [{ initialDelay: -1 }, "reconnect.initialDelay"],
      [{ maxDelay: Number.NaN }, "reconnect.maxDelay"],
      [{ factor: 0.5 }, "reconnect.factor"],
      [{ jitter: 2 }, "reconnect.jitter"],
      [{ jitter: "x" }, "reconnect.jitter"],
      ["yes", "reconnect"],
    ] as const) {
      let err: unknown;
      try {
        reconnectPolicy(bad as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe(name);
    }
  });

  it("bad reconnect options fail before anything is dialled", async () => {
    let dialled = 0;
    const err = await Model.open({
      endpoints: ["ctl:17070"],
      modelUuid: UUID,
      credentials: new Credentials({ username: "admin", password: "pw" }),
      transportFactory: async () => {
        dialled++;
        throw new Error("no");
      },
      reconnect: { jitter: 3 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(dialled).toBe(0);
  });

  it("every retry-safe call is a real facade method that only reads", () => {
    for (const call of RETRY_SAFE_CALLS) {
      const [facade, method] = call.split(".") as [string, string];
      const versions = Object.values(FACADES[facade] ?? {});
      expect(
        versions.some((v) => Object.hasOwn(v, method)),
        call,
      ).toBe(true);
      expect(method, call).toMatch(
        /^(Get|List|Full|Show|Find|Info|Charm|Status|Model(Get|Info)|Actions|Operations|Applications|Units|Resolve|User)/,
      );
    }
  });
});

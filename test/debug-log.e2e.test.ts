import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  debugLogEntity,
  JujuUnauthorizedError,
  type LogRecord,
  type Model,
  ProtocolError,
} from "../src/index.js";
import { openDebugLog, parseLogRecord } from "../src/model/ops/debug-log.js";
import { Credentials } from "../src/rpc/credentials.js";
import { type Simulator, StaticCharmSource } from "../src/simulator/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("debug-log", {
  seed: 3,
  charms: new StaticCharmSource([
    {
      name: "ubuntu",
      revision: 26,
      channels: ["latest/stable"],
      bases: [{ name: "ubuntu", channel: "22.04" }],
    },
  ]),
});
let sim: Simulator;
let model: Model;

const collect = async (it: AsyncIterable<LogRecord>): Promise<LogRecord[]> => {
  const out: LogRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
};

beforeAll(async () => {
  sim = env.sim;
  model = await env.controller.addModel("logs");
  await model.deploy("ubuntu");
  await model.waitForIdle({ apps: ["ubuntu"], idlePeriod: 0, timeout: 10_000 });
});

afterAll(async () => {
  await model?.disconnect();
});

describe("Model.debugLog", () => {
  it("replays a unit's hook lines", async () => {
    const recs = await collect(
      model.debugLog({ replay: true, noTail: true, include: ["ubuntu/0"] }),
    );
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every((r) => r.entity === "unit-ubuntu-0")).toBe(true);
    const msgs = recs.map((r) => r.message);
    for (const hook of ["install", "config-changed", "start"]) {
      expect(msgs).toContain(`ran "${hook}" hook (via hook dispatching script: dispatch)`);
    }
    const first = recs[0] as LogRecord;
    expect(first.timestamp).toBeInstanceOf(Date);
    expect(first.labels).toEqual({});
  });

  it("filters by level, machine and application", async () => {
    const info = await collect(model.debugLog({ replay: true, noTail: true, level: "INFO" }));
    expect(info.length).toBeGreaterThan(0);
    expect(info.every((r) => r.severity !== "DEBUG")).toBe(true);
    const debug = await collect(model.debugLog({ replay: true, noTail: true, level: "DEBUG" }));
    expect(debug.some((r) => r.severity === "DEBUG")).toBe(true);
    const machine = await collect(model.debugLog({ replay: true, noTail: true, include: ["0"] }));
    expect(machine.length).toBeGreaterThan(0);
    expect(machine.every((r) => r.entity === "machine-0")).toBe(true);
    const app = await collect(
      model.debugLog({ replay: true, noTail: true, include: ["ubuntu"], exclude: ["0"] }),
    );
    expect(app.length).toBeGreaterThan(0);
    expect(app.every((r) => r.entity === "unit-ubuntu-0")).toBe(true);
    const lines = await collect(model.debugLog({ noTail: true, lines: 2 }));
    expect(lines).toHaveLength(2);
  });

  it("maps entity names as the CLI does", () => {
    expect(debugLogEntity("mysql/0")).toBe("unit-mysql-0");
    expect(debugLogEntity("mysql")).toBe("unit-mysql-*");
    expect(debugLogEntity("0")).toBe("machine-0");
    expect(debugLogEntity("0/lxd/1")).toBe("machine-0-lxd-1");
    expect(debugLogEntity("unit-mysql-0")).toBe("unit-mysql-0");
    expect(debugLogEntity("unit-mysql-*")).toBe("unit-mysql-*");
  });

  it("stops after limit records", async () => {
    const recs = await collect(model.debugLog({ replay: true, limit: 3 }));
    expect(recs).toHaveLength(3);
  });

  it("ends a tailing stream on abort with AbortError", async () => {
    const ac = new AbortController();
    const it = model.debugLog({ replay: true, signal: ac.signal });
    const first = await it.next();
    expect(first.done).toBe(false);
    setTimeout(() => ac.abort(), 20);
    await expect(collect(it)).rejects.toBeInstanceOf(AbortError);
  });

  it("throws a typed error for a bad password", async () => {
    const it = openDebugLog(
      {
        endpoint: model.endpoint,
        modelUuid: model.uuid,
        credentials: new Credentials({ username: "admin", password: "wrong" }),
        caCert: sim.caCert,
      },
      { noTail: true },
    );
    const err = await collect(it).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuUnauthorizedError);
    expect((err as JujuUnauthorizedError).jujuCode).toBe("unauthorized access");
    expect((err as Error).message).toBe("authentication failed: invalid entity name or password");
  });

  it("rejects a malformed record with ProtocolError", () => {
    expect(() => parseLogRecord("not json")).toThrow(ProtocolError);
    expect(() =>
      parseLogRecord('{"tag":"unit-a-0","ts":"x","sev":"INFO","mod":"m","msg":""}'),
    ).toThrow(ProtocolError);
    expect(() => parseLogRecord('{"tag":1}')).toThrow(ProtocolError);
    const ok = parseLogRecord(
      '{"tag":"unit-a-0","ts":"2025-01-10T10:03:00.123456Z","sev":"INFO","mod":"m","loc":"a.go:1","msg":"hi","lab":["http"]}',
    );
    expect(ok.labels).toEqual({ "logger-tags": "http" });
  });
});

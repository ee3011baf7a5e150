import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { deployOld, type Frame, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";
import { readDebugLogParams } from "./logs.js";

let sim: Simulator;
let w: RawClient;

interface LogSession {
  initial: Frame;
  records: Frame[];
  close: { code: number };
  ws: WebSocket;
}

/** Opens `path` with `ws` over TLS (CA + `juju-apiserver`), collecting frames until the socket closes or `until` holds. */
function openLog(
  path: string,
  opts: { password?: string; userinfo?: boolean; until?: (records: Frame[]) => boolean } = {},
): Promise<LogSession> {
  const password = opts.password ?? sim.password;
  const host = `127.0.0.1:${sim.port}`;
  const url = opts.userinfo
    ? `wss://user-admin:${encodeURIComponent(password)}@${host}${path}`
    : `wss://${host}${path}`;
  const tls: WebSocket.ClientOptions & { servername: string } = {
    ca: sim.caCert,
    servername: "juju-apiserver",
    ...(opts.userinfo
      ? {}
      : {
          headers: {
            Authorization: `Basic ${Buffer.from(`user-admin:${password}`).toString("base64")}`,
          },
        }),
  };
  const ws = new WebSocket(url, tls);
  const frames: string[] = [];
  return new Promise((resolve, reject) => {
    const done = (code: number) => {
      const [first = "null", ...rest] = frames;
      resolve({
        initial: JSON.parse(first) as Frame,
        records: rest.map((f) => JSON.parse(f) as Frame),
        close: { code },
        ws,
      });
    };
    ws.on("message", (d) => {
      frames.push(String(d));
      if (opts.until?.(frames.slice(1).map((f) => JSON.parse(f) as Frame))) done(0);
    });
    ws.on("close", (code) => done(code));
    ws.on("error", reject);
  });
}

const logPath = (q = "", uuid = sim.defaultModelUuid) =>
  `/model/${uuid}/log${q === "" ? "" : `?${q}`}`;

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant", seed: 5 });
  w = await RawClient.open(sim);
  await deployOld(w, "ubuntu", "ubuntu", 1);
  // Wait until the unit has run its start hook.
  for (let i = 0; i < 200; i++) {
    const s = await openLog(logPath("replay=true&noTail=true&includeEntity=unit-ubuntu-0"));
    if (s.records.some((r) => String(r.msg).includes('"start" hook'))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.close();
  await sim.stop();
});

describe("debug-log socket", () => {
  it("replays the hook lines of a unit with {} first and record frames", async () => {
    const s = await openLog(logPath("replay=true&noTail=true&includeEntity=unit-ubuntu-0"));
    expect(s.initial).toEqual({});
    expect(s.close.code).toBe(1000);
    const ran = s.records.filter((r) => r.sev === "INFO" && String(r.msg).startsWith("ran "));
    expect(ran.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        'ran "install" hook (via hook dispatching script: dispatch)',
        'ran "start" hook (via hook dispatching script: dispatch)',
      ]),
    );
    const rec = s.records[0] as Frame;
    expect(Object.keys(rec).sort()).toEqual(["lab", "loc", "mod", "msg", "sev", "tag", "ts"]);
    expect(rec.tag).toBe("unit-ubuntu-0");
    expect(rec.lab).toBeNull();
    expect(String(rec.ts)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(s.records.every((r) => r.tag === "unit-ubuntu-0")).toBe(true);
  });

  it("filters by level, module, wildcard entities and exclusion", async () => {
    const info = await openLog(logPath("replay=true&noTail=true&level=info"));
    expect(info.records.length).toBeGreaterThan(0);
    expect(info.records.every((r) => r.sev !== "DEBUG")).toBe(true);
    const machines = await openLog(logPath("replay=true&noTail=true&includeEntity=machine-*"));
    expect(machines.records.length).toBeGreaterThan(0);
    expect(machines.records.every((r) => String(r.tag).startsWith("machine-"))).toBe(true);
    const mod = await openLog(logPath("replay=true&noTail=true&includeModule=juju.worker.uniter"));
    expect(mod.records.length).toBeGreaterThan(0);
    expect(mod.records.every((r) => String(r.mod).startsWith("juju.worker.uniter"))).toBe(true);
    const ex = await openLog(
      logPath("replay=true&noTail=true&excludeEntity=unit-ubuntu-*&excludeModule=juju.worker"),
    );
    expect(ex.records.every((r) => r.tag !== "unit-ubuntu-0")).toBe(true);
    expect(ex.records.every((r) => !String(r.mod).startsWith("juju.worker"))).toBe(true);
  });

  it("sends the last backlog lines (maxLines acts as the backlog in 3.6)", async () => {
    const all = await openLog(logPath("replay=true&noTail=true"));
    const last2 = await openLog(logPath("backlog=2&noTail=true"));
    expect(last2.records).toEqual(all.records.slice(-2));
    const max3 = await openLog(logPath("maxLines=3&noTail=true"));
    expect(max3.records).toEqual(all.records.slice(-3));
    // Without a backlog the tailer reads the log from its start.
    const none = await openLog(logPath("noTail=true"));
    expect(none.records).toEqual(all.records);
    const future = await openLog(
      logPath(`replay=true&noTail=true&startTime=${encodeURIComponent("2999-01-01T00:00:00Z")}`),
    );
    expect(future.records).toEqual([]);
  });

  it("tails new records when noTail is not set", async () => {
    const s = openLog(logPath("backlog=1&includeEntity=unit-late-0"), {
      until: (records) => records.some((r) => String(r.msg).includes('"start" hook')),
    });
    await deployOld(w, "ubuntu", "late", 1);
    const got = await s;
    got.ws.close();
    expect(got.initial).toEqual({});
    expect(got.records.every((r) => r.tag === "unit-late-0")).toBe(true);
  });

  it("authenticates with userinfo, rejects a bad password inside the socket", async () => {
    const ok = await openLog(logPath("noTail=true&backlog=1"), { userinfo: true });
    expect(ok.initial).toEqual({});
    const bad = await openLog(logPath("noTail=true"), { password: "wrong" });
    expect(bad.initial).toEqual({
      error: {
        message: "authentication failed: invalid entity name or password",
        code: "unauthorized access",
      },
    });
    expect(bad.records).toEqual([]);
    expect(bad.close.code).toBe(1001);
  });

  it("serves /log for the controller model and reports bad parameters and models", async () => {
    const ctl = await openLog("/log?noTail=true");
    expect(ctl.initial).toEqual({});
    expect(ctl.records.every((r) => !String(r.tag).startsWith("unit-ubuntu"))).toBe(true);
    const level = await openLog(logPath("level=CRITICAL"));
    expect(level.initial).toEqual({
      error: {
        message:
          'level value "CRITICAL" is not one of "TRACE", "DEBUG", "INFO", "WARNING", "ERROR"',
        code: "",
      },
    });
    expect(level.close.code).toBe(1001);
    const unknown = "deadbeef-0000-4000-8000-000000000000";
    const nm = await openLog(logPath("", unknown));
    expect(nm.initial).toEqual({
      error: { message: `unknown model: "${unknown}"`, code: "model not found" },
    });
    await expect(openLog("/model/not-a-uuid/log")).rejects.toThrow(/400/);
  });

  it("parses the query as readDebugLogParams", () => {
    const p = readDebugLogParams(
      new URLSearchParams(
        "replay=1&noTail=t&backlog=5&level=warn&includeLabel=http&includeLabel=x",
      ),
    );
    expect(p).toMatchObject({ replay: true, noTail: true, backlog: 5, level: 4 });
    expect([...p.includeLabels]).toEqual([["logger-tags", "http,x"]]);
    expect(() => readDebugLogParams(new URLSearchParams("backlog=-1"))).toThrow(
      'backlog value "-1" is not a valid unsigned number',
    );
    expect(() => readDebugLogParams(new URLSearchParams("replay=yes"))).toThrow(
      'replay value "yes" is not a valid boolean',
    );
  });
});

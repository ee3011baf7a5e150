import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOld, type Frame, RawClient } from "../../test/support/raw-client.js";
import { insertActionDefaults, validateActionParams } from "./action-params.js";
import { simulateExec } from "./exec-sim.js";
import { Simulator, VirtualClock } from "./index.js";

type Delta = [string, string, Frame];

/** The raw client, with a shorthand for the Action facade. */
class Wire extends RawClient {
  action(request: string, params?: unknown): Promise<Frame> {
    return this.ok("Action", 7, request, params);
  }
}

let sim: Simulator;
let clock: VirtualClock;
let w: Wire;
let watcher: string;

/** Runs the clock in 1 ms steps until the pending `Next` answers (real pauses let the reply arrive). */
async function next(): Promise<Delta[]> {
  let done = false;
  const p = w.call("AllWatcher", 3, "Next", {}, watcher).then((r) => {
    done = true;
    return r;
  });
  for (let i = 0; i < 5000 && !done; i++) {
    await new Promise((r) => setTimeout(r, 1));
    if (!done) await clock.advance(1);
  }
  return ((await p).response as { deltas: Delta[] }).deltas;
}

/** Collects deltas until `pred` holds over everything seen. */
async function until(pred: (seen: Delta[]) => boolean): Promise<Delta[]> {
  const seen: Delta[] = [];
  for (let i = 0; i < 500 && !pred(seen); i++) seen.push(...(await next()));
  if (!pred(seen)) throw new Error("condition not reached");
  return seen;
}

const unitIdle = (seen: Delta[], name: string) =>
  seen.some(
    ([k, , e]) =>
      k === "unit" &&
      e.name === name &&
      (e["agent-status"] as Frame).current === "idle" &&
      (e["workload-status"] as Frame).current !== "waiting",
  );

beforeAll(async () => {
  clock = new VirtualClock();
  sim = await Simulator.start({ timing: "fast", clock, seed: 3 });
  w = await Wire.open(sim);
  watcher = (await w.ok("Client", 8, "WatchAll"))["watcher-id"] as string;
  await next();
  await deployOld(w, "mysql", "mysql", 2);
  await deployOld(w, "juju-qa-test", "qa", 1);
  await until((s) => unitIdle(s, "mysql/0") && unitIdle(s, "mysql/1") && unitIdle(s, "qa/0"));
});

afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.ws.close();
  await sim.stop();
});

describe("Action facade", () => {
  it("lists the charm's actions with their JSON schema", async () => {
    const r = await w.action("ApplicationsCharmsActions", {
      entities: [{ tag: "application-mysql" }, { tag: "application-nope" }, { tag: "unit-x-0" }],
    });
    const [mysql, missing, bad] = r.results as Frame[];
    const actions = mysql?.actions as Record<string, Frame>;
    expect(mysql?.["application-tag"]).toBe("application-mysql");
    expect(actions["get-password"]?.params).toMatchObject({
      type: "object",
      title: "get-password",
      properties: { username: { type: "string" } },
    });
    expect(missing?.error).toEqual({ message: 'application "nope" not found', code: "not found" });
    expect(bad?.error).toEqual({ message: "id not found", code: "not found" });
  });

  it("enqueues an operation (operation 1, task 2), runs it on the unit and emits ordered deltas", async () => {
    const r = await w.action("EnqueueOperation", {
      actions: [{ receiver: "unit-mysql-0", name: "get-password", tag: "" }],
    });
    expect(r.operation).toBe("operation-1");
    const [a] = r.actions as Frame[];
    expect(a).toMatchObject({
      action: { tag: "action-2", receiver: "unit-mysql-0", name: "get-password" },
      status: "pending",
      started: "0001-01-01T00:00:00Z",
    });
    const seen = await until((s) =>
      s.some(([k, , e]) => k === "action" && e.id === "2" && e.status === "completed"),
    );
    const statuses = seen
      .filter(([k, , e]) => k === "action" && e.id === "2")
      .map(([, , e]) => e.status);
    expect(statuses).toEqual(["pending", "running", "completed"]);
    const running = seen.find(([k, , e]) => k === "action" && e.status === "running")?.[2];
    expect(Object.keys(running ?? {}).sort()).toEqual(
      [
        "completed",
        "enqueued",
        "id",
        "message",
        "model-uuid",
        "name",
        "receiver",
        "started",
        "status",
      ].sort(),
    );
    expect(running).toMatchObject({ receiver: "mysql/0", completed: "0001-01-01T00:00:00Z" });
    expect(
      seen.some(
        ([k, , e]) =>
          k === "unit" &&
          e.name === "mysql/0" &&
          (e["agent-status"] as Frame).current === "executing" &&
          (e["agent-status"] as Frame).message === "running action get-password",
      ),
    ).toBe(true);

    const out = await w.action("Actions", {
      entities: [{ tag: "action-2" }, { tag: "action-99" }],
    });
    const [done, missing] = out.results as Frame[];
    expect(done).toMatchObject({ status: "completed", output: { "return-code": 0 } });
    expect(done?.completed).not.toBe("0001-01-01T00:00:00Z");
    expect(missing?.error).toEqual({ message: "id not found", code: "not found" });
    const ops = await w.action("Operations", { entities: [{ tag: "operation-1" }] });
    expect((ops.results as Frame[])[0]).toMatchObject({
      operation: "operation-1",
      summary: "get-password run on unit-mysql-0",
      status: "completed",
    });
  });

  it("resolves app/leader, inserts defaults, and reports bad receivers, names and params per action", async () => {
    const r = await w.action("EnqueueOperation", {
      actions: [
        { receiver: "mysql/leader", name: "create-backup", tag: "" },
        { receiver: "unit-mysql-0", name: "nope", tag: "" },
        { receiver: "unit-mysql-0", name: "get-password", parameters: { username: 5 }, tag: "" },
        { receiver: "unit-mysql-9", name: "get-password", tag: "" },
        { receiver: "nope/leader", name: "get-password", tag: "" },
      ],
    });
    const [leader, unknown, badParams, noUnit, noLeader] = r.actions as Frame[];
    expect(leader?.action).toMatchObject({
      receiver: "unit-mysql-0",
      parameters: { force: false },
    });
    expect(unknown?.error).toEqual({
      message: 'action "nope" not defined on unit "mysql/0"',
      code: "",
    });
    expect(badParams?.error).toEqual({
      message: "validation failed: (root).username : must be of type string, given 5",
      code: "",
    });
    expect(noUnit?.error).toEqual({ message: '"unit-mysql-9" not found', code: "not found" });
    expect(noLeader?.error).toEqual({ message: 'could not determine leader for "nope"', code: "" });
    const ops = await w.action("Operations", { entities: [{ tag: r.operation }] });
    const op = (ops.results as Frame[])[0] as Frame;
    expect(op.summary).toBe(
      "multiple actions run on mysql/leader,unit-mysql-0,unit-mysql-0,unit-mysql-9,nope/leader",
    );
    expect(String(op.fail)).toMatch(
      /^error\(s\) enqueueing action\(s\): action "nope" not defined/,
    );
    await until((s) =>
      s.some(
        ([k, , e]) => k === "action" && e.status === "completed" && e.name === "create-backup",
      ),
    );
  });

  it("fails juju-qa-test's fortune with its fail parameter", async () => {
    const r = await w.action("EnqueueOperation", {
      actions: [
        { receiver: "unit-qa-0", name: "fortune", parameters: { fail: "no luck" }, tag: "" },
      ],
    });
    const tag = (((r.actions as Frame[])[0] as Frame).action as Frame).tag as string;
    await until((s) =>
      s.some(([k, , e]) => k === "action" && `action-${e.id}` === tag && e.status === "failed"),
    );
    const out = await w.action("Actions", { entities: [{ tag }] });
    expect((out.results as Frame[])[0]).toMatchObject({
      status: "failed",
      message: "no luck",
      output: { "return-code": 0 },
    });
  });

  it("runs juju exec on units and machines through the simulated shell", async () => {
    const r = await w.action("Run", {
      commands: "echo hello world; hostname\nnosuch-cmd",
      timeout: 0,
      units: ["mysql/1"],
      machines: ["0"],
    });
    const tags = (r.actions as Frame[]).map((a) => (a.action as Frame).tag as string);
    expect((r.actions as Frame[]).map((a) => (a.action as Frame).receiver)).toEqual([
      "unit-mysql-1",
      "machine-0",
    ]);
    await until((s) =>
      tags.every((t) =>
        s.some(([k, , e]) => k === "action" && `action-${e.id}` === t && e.status === "completed"),
      ),
    );
    const out = await w.action("Actions", { entities: tags.map((tag) => ({ tag })) });
    const [unit, machine] = out.results as Frame[];
    expect(unit?.output).toMatchObject({
      "return-code": 127,
      stderr: "bash: line 2: nosuch-cmd: command not found\n",
    });
    expect(String(((unit as Frame).output as Frame).stdout)).toMatch(
      /^hello world\njuju-[0-9a-f]{6}-\d+\n$/,
    );
    expect(String(((machine as Frame).output as Frame).stdout)).toMatch(
      /^hello world\njuju-[0-9a-f]{6}-0\n$/,
    );
    expect(((unit as Frame).action as Frame).parameters).toEqual({
      command: "echo hello world; hostname\nnosuch-cmd",
      timeout: 0,
      "workload-context": false,
    });
    const bad = await w.call("Action", 7, "Run", {
      commands: "true",
      timeout: 0,
      applications: ["nope"],
    });
    expect(bad.error).toBe('application "nope" not found');
  });

  it("cancels a pending task and pages ListOperations", async () => {
    const r = await w.action("EnqueueOperation", {
      actions: [{ receiver: "unit-mysql-1", name: "get-password", tag: "" }],
    });
    const tag = (((r.actions as Frame[])[0] as Frame).action as Frame).tag as string;
    const c = await w.action("Cancel", { entities: [{ tag }, { tag: "action-999" }] });
    const [cancelled, missing] = c.results as Frame[];
    expect(cancelled).toMatchObject({
      status: "cancelled",
      message: "action cancelled via the API",
    });
    expect(missing).toMatchObject({ action: { tag: "action-999" }, error: { code: "not found" } });

    const all = await w.action("ListOperations", {});
    const ids = (all.results as Frame[]).map((o) => o.operation);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(all.truncated).toBeUndefined();
    // No output or log in listings; show-task style detail comes from Actions.
    expect(
      (all.results as Frame[])
        .flatMap((o) => o.actions as Frame[])
        .every((a) => a.output === undefined),
    ).toBe(true);
    const page = await w.action("ListOperations", { limit: 2, offset: 1 });
    expect((page.results as Frame[]).map((o) => o.operation)).toEqual(ids.slice(1, 3));
    expect(page.truncated).toBe(true);
    const byStatus = await w.action("ListOperations", {
      status: ["cancelled"],
      units: ["mysql/1"],
    });
    expect((byStatus.results as Frame[]).map((o) => o.operation)).toEqual([r.operation]);
    const byName = await w.action("ListOperations", { actions: ["fortune"] });
    expect((byName.results as Frame[]).map((o) => o.summary)).toEqual(["fortune run on unit-qa-0"]);
  });
});

describe("simulated pieces", () => {
  it("validates params with Juju's messages (juju/charm TestValidateFail vectors)", () => {
    const schema = {
      type: "object",
      properties: { outfile: { type: "string" }, quality: { type: "integer" } },
      required: ["outfile"],
      additionalProperties: false,
    };
    expect(validateActionParams(schema, { outfile: 5 })).toBe(
      "validation failed: (root).outfile : must be of type string, given 5",
    );
    expect(validateActionParams(schema, { outfile: "foo.bz", bar: "foo" })).toBe(
      'validation failed: (root) : additional property "bar" is not allowed, given {"bar":"foo","outfile":"foo.bz"}',
    );
    expect(validateActionParams(schema, { quality: 5 })).toBe(
      'validation failed: (root) : "outfile" property is missing and required, given {"quality":5}',
    );
    expect(validateActionParams(schema, { outfile: "x", quality: "two" })).toBe(
      'validation failed: (root).quality : must be of type integer, given "two"',
    );
    expect(validateActionParams(schema, { outfile: "x", quality: 3 })).toBeUndefined();
    expect(insertActionDefaults({ properties: { a: { default: 1 } } }, {})).toEqual({ a: 1 });
  });

  it("interprets a small shell subset and nothing else", () => {
    const env = { hostname: "juju-abcdef-0" };
    expect(simulateExec("echo -n a 'b c'", env)).toEqual({ code: 0, stdout: "a b c", stderr: "" });
    expect(simulateExec("false && echo no || echo yes", env)).toEqual({
      code: 0,
      stdout: "yes\n",
      stderr: "",
    });
    expect(simulateExec("whoami; exit 3; echo never", env)).toEqual({
      code: 3,
      stdout: "root\n",
      stderr: "",
    });
    expect(simulateExec("rm -rf /", env)).toEqual({
      code: 127,
      stdout: "",
      stderr: "bash: line 1: rm: command not found\n",
    });
  });
});

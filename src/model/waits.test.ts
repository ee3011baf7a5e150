import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Delta } from "./delta.js";
import { ModelState } from "./state.js";
import {
  blockUntil,
  EntityStatusError,
  type WaitSource,
  WaitTimeoutError,
  waitForIdle,
} from "./waits.js";

class FakeSource implements WaitSource {
  readonly state = new ModelState();
  readonly #listeners = new Set<() => void>();
  onStateChange(fn: () => void) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
  apply(...deltas: Delta[]) {
    for (const d of deltas) this.state.applyDelta(d);
    for (const l of this.#listeners) l();
  }
  get listeners() {
    return this.#listeners.size;
  }
}

const app = (name: string, status = "unset"): Delta => [
  "application",
  "change",
  { name, status: { current: status, message: "" } },
];
const unit = (name: string, agent: string, workload: string, message = "", machine = ""): Delta => [
  "unit",
  "change",
  {
    name,
    application: name.split("/")[0],
    "machine-id": machine,
    "agent-status": { current: agent, message: "" },
    "workload-status": { current: workload, message },
  },
];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("blockUntil", () => {
  it("resolves when a delta makes the condition true, without polling", async () => {
    const src = new FakeSource();
    let done = false;
    const p = blockUntil(src, [
      () => src.state.entityData("application", "mysql") !== undefined,
    ]).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(false);
    src.apply(app("mysql"));
    await p;
    expect(done).toBe(true);
    expect(src.listeners).toBe(0);
  });

  it("also re-checks every waitPeriod for conditions outside the model", async () => {
    const src = new FakeSource();
    let flag = false;
    const p = blockUntil(src, [() => flag], { waitPeriod: 100 });
    flag = true;
    await vi.advanceTimersByTimeAsync(100);
    await expect(p).resolves.toBeUndefined();
  });

  it("times out with a typed error naming the false conditions", async () => {
    const src = new FakeSource();
    const p = blockUntil(src, [() => true, () => false], { timeout: 1000 });
    const check = expect(p).rejects.toThrow(WaitTimeoutError);
    await vi.advanceTimersByTimeAsync(1000);
    await check;
    await p.catch((e: WaitTimeoutError) =>
      expect(e.notReady).toEqual([{ entity: "condition 2", reason: "false" }]),
    );
  });

  it("stops on abort", async () => {
    const src = new FakeSource();
    const ac = new AbortController();
    const p = blockUntil(src, [() => false], { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: "ERR_ABORTED" });
  });
});

describe("waitForIdle", () => {
  it("waits for units to stay idle for the idle period", async () => {
    const src = new FakeSource();
    src.apply(app("mysql"), unit("mysql/0", "executing", "maintenance"));
    let done = false;
    const p = waitForIdle(src, { apps: ["mysql"], idlePeriod: 5000, timeout: 60_000 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    src.apply(unit("mysql/0", "idle", "active"));
    await vi.advanceTimersByTimeAsync(4000);
    expect(done).toBe(false);
    // Busy again: the idle period starts over.
    src.apply(unit("mysql/0", "executing", "active"));
    await vi.advanceTimersByTimeAsync(10);
    src.apply(unit("mysql/0", "idle", "active"));
    await vi.advanceTimersByTimeAsync(4990);
    expect(done).toBe(false);
    // Checks run at most every 50 ms, so the idle period ends within 50 ms of 15 s.
    await vi.advanceTimersByTimeAsync(100);
    await p;
    expect(done).toBe(true);
  });

  it("waits for the requested workload status and unit counts", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "waiting"));
    const p = waitForIdle(src, {
      apps: ["a"],
      status: "active",
      idlePeriod: 0,
      waitForExactUnits: 2,
      timeout: 5000,
    });
    const check = expect(p).rejects.toThrow(WaitTimeoutError);
    await vi.advanceTimersByTimeAsync(5000);
    await check;
    const err = (await p.catch((e: unknown) => e)) as WaitTimeoutError;
    expect(err.notReady).toEqual(
      expect.arrayContaining([
        { entity: "application a", reason: "has 1 units, waiting for exactly 2" },
        { entity: "application a", reason: "status is waiting, waiting for active" },
        { entity: "unit a/0", reason: "workload is waiting, waiting for active" },
      ]),
    );
    expect(err.message).toContain("unit a/0: workload is waiting");
  });

  it("succeeds once counts and statuses match", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    const p = waitForIdle(src, {
      apps: ["a"],
      status: "active",
      idlePeriod: 0,
      waitForUnits: { a: 2 },
    });
    await vi.advanceTimersByTimeAsync(10);
    src.apply(unit("a/1", "idle", "active"));
    await vi.advanceTimersByTimeAsync(50);
    await expect(p).resolves.toBeUndefined();
  });

  it("reports a missing application", async () => {
    const src = new FakeSource();
    const p = waitForIdle(src, { apps: ["ghost"], timeout: 100 });
    const check = expect(p).rejects.toThrow(/application ghost: missing from the model/);
    await vi.advanceTimersByTimeAsync(100);
    await check;
  });

  it("restarts the idle period after a busy spell shorter than the check interval", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    let done = false;
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 1000, timeout: 60_000 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(900);
    // Busy and idle again in one batch: no check ever sees the busy state,
    // but the history between checks does.
    src.apply(unit("a/0", "executing", "active"), unit("a/0", "idle", "active"));
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await p;
    expect(done).toBe(true);
  });

  it("raises on unit error by default and on blocked when asked", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "error", "hook failed: install"));
    await expect(waitForIdle(src, { apps: ["a"] })).rejects.toThrow(EntityStatusError);
    await expect(waitForIdle(src, { apps: ["a"] })).rejects.toThrow(
      /unit a\/0: hook failed: install/,
    );

    const src2 = new FakeSource();
    src2.apply(app("b"), unit("b/0", "idle", "blocked", "needs db"));
    await expect(waitForIdle(src2, { apps: ["b"], raiseOnBlocked: true })).rejects.toMatchObject({
      code: "ERR_ENTITY_BLOCKED",
    });
  });

  it("raises on machine provisioning errors", async () => {
    const src = new FakeSource();
    src.apply(
      [
        "machine",
        "change",
        {
          id: "3",
          "instance-status": { current: "provisioning error", message: "no capacity" },
          "agent-status": { current: "pending" },
        },
      ],
      app("a"),
      unit("a/0", "allocating", "waiting", "", "3"),
    );
    await expect(waitForIdle(src, { apps: ["a"] })).rejects.toThrow(/machine 3: no capacity/);
  });

  it("defaults to every application in the model", async () => {
    const src = new FakeSource();
    src.apply(app("a"), app("b"), unit("a/0", "idle", "active"));
    const p = waitForIdle(src, { idlePeriod: 0, timeout: 1000 });
    const check = expect(p).rejects.toThrow(/application b: has 0 units/);
    await vi.advanceTimersByTimeAsync(1000);
    await check;
  });

  it("rejects a bare string for apps", () => {
    const src = new FakeSource();
    expect(() => waitForIdle(src, { apps: "mysql" as unknown as string[] })).toThrow(TypeError);
  });
});

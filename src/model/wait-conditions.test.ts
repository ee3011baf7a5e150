import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Delta } from "./delta.js";
import { ModelState } from "./state.js";
import {
  allActive,
  allAgentsIdle,
  and,
  anyBlocked,
  not,
  or,
  relationEstablished,
  unitCount,
  where,
} from "./wait-conditions.js";
import {
  AgentLostError,
  EntityStatusError,
  MachineProvisioningError,
  UnitErrorStateError,
  WorkloadBlockedError,
} from "./wait-errors.js";
import {
  type WaitProgress,
  type WaitSource,
  WaitTimeoutError,
  waitForCondition,
  waitForIdle,
} from "./waits.js";

/** A wait source over a hand-fed state; `controllerNow` answers the FullStatus time. */
class FakeSource implements WaitSource {
  readonly state = new ModelState();
  readonly #listeners = new Set<() => void>();
  epochValue = 0;
  controllerTime?: WaitSource["controllerTime"];
  constructor(controllerNow?: () => number) {
    if (controllerNow) {
      this.controllerTime = async () => new Date(controllerNow()).toISOString();
    }
  }
  onStateChange(fn: () => void) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
  epoch = () => this.epochValue;
  apply(...deltas: Delta[]) {
    for (const d of deltas) this.state.applyDelta(d);
    for (const l of this.#listeners) l();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const app = (name: string, status = "unset"): Delta => [
  "application",
  "change",
  { name, status: { current: status, message: "" } },
];
const unit = (
  name: string,
  agent: string,
  workload: string,
  since?: number,
  extra: { message?: string; machine?: string; agentMessage?: string } = {},
): Delta => [
  "unit",
  "change",
  {
    name,
    application: name.split("/")[0],
    "machine-id": extra.machine ?? "",
    "agent-status": {
      current: agent,
      message: extra.agentMessage ?? "",
      ...(since !== undefined ? { since: iso(since) } : {}),
    },
    "workload-status": {
      current: workload,
      message: extra.message ?? "",
      ...(since !== undefined ? { since: iso(since) } : {}),
    },
  },
];

/**
 * A change that alters nothing the wait looks at, so that it checks right
 * now (not only when its own timer fires).
 */
const poke = (src: FakeSource) => src.apply(app("unrelated"));

/** Lets promise jobs run without moving time. */
const flush = () => vi.advanceTimersByTimeAsync(0);
/**
 * Lets a change be checked: checks of a burst of changes run at most every
 * 50 ms (a change right after a check waits that long), far below any poll.
 */
const checked = () => vi.advanceTimersByTimeAsync(50);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("idle periods on the controller's clock", () => {
  // The controller's clock runs 3 h ahead of this client's: only `since`
  // and the controller's own time are compared.
  const AHEAD = 3 * 3600_000;

  it("a model idle for longer than idlePeriod is ready as soon as the controller's time is known", async () => {
    const src = new FakeSource(() => Date.now() + AHEAD);
    src.apply(app("a"), unit("a/0", "idle", "active", Date.now() + AHEAD - 60_000));
    let done = false;
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 15_000 }).then(() => {
      done = true;
    });
    await flush();
    expect(done).toBe(true);
    await p;
  });

  it("a settling model is ready exactly when the last agent has been idle for idlePeriod", async () => {
    const src = new FakeSource(() => Date.now() + AHEAD);
    const idleAt = Date.now() + AHEAD - 2000;
    src.apply(
      app("a"),
      unit("a/0", "idle", "active", idleAt - 10_000),
      unit("a/1", "idle", "active", idleAt),
    );
    let done = false;
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 5000 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(2999);
    poke(src);
    await flush();
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    await p;
  });

  for (const skew of [10 * 60_000, -10 * 60_000]) {
    it(`never returns early without the controller's time, controller ${skew > 0 ? "ahead" : "behind"} by 10 min`, async () => {
      // No FullStatus: the newest since is the only bound of the controller's clock.
      const src = new FakeSource();
      src.apply(app("a"), unit("a/0", "idle", "active", Date.now() + skew - 60_000));
      let done = false;
      const p = waitForIdle(src, { apps: ["a"], idlePeriod: 5000 }).then(() => {
        done = true;
      });
      // The since says 60 s, but nothing proves the controller's clock is
      // past it by more than the time this client has watched.
      await vi.advanceTimersByTimeAsync(4999);
      poke(src);
      await flush();
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      await p;
    });
  }

  it("a busy spell resets the count; a reconnect does not undo what since proves", async () => {
    const src = new FakeSource(() => Date.now());
    src.apply(app("a"), unit("a/0", "idle", "active", Date.now()));
    let done = false;
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 5000 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(3000);
    src.apply(
      unit("a/0", "executing", "active", Date.now(), {
        agentMessage: "running config-changed hook",
      }),
    );
    await vi.advanceTimersByTimeAsync(10);
    src.apply(unit("a/0", "idle", "active", Date.now()));
    src.epochValue++;
    src.apply(unit("a/0", "idle", "active", Date.now() - 10));
    await vi.advanceTimersByTimeAsync(4989);
    poke(src);
    await flush();
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    await p;
  });

  it("without since, a reconnect starts the count over (what happened meanwhile is unknown)", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    let done = false;
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 5000 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(4000);
    src.epochValue++;
    src.apply(unit("a/0", "idle", "active"));
    // The count restarts at the first check after the resync.
    await checked();
    await vi.advanceTimersByTimeAsync(4999);
    poke(src);
    await flush();
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    await p;
  });

  it("says when it falls back to counting idle time itself", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    const seen: WaitProgress[] = [];
    const p = waitForCondition(src, allAgentsIdle("a"), { onProgress: (x) => seen.push(x) });
    await flush();
    await p;
    // allAgentsIdle has no period: ready at once, and no fallback was needed to say so.
    expect(seen.at(-1)?.done).toBe(true);

    const slow = waitForIdle(src, {
      apps: ["a"],
      idlePeriod: 1000,
      onProgress: (x) => seen.push(x),
    });
    await vi.advanceTimersByTimeAsync(1000);
    await slow;
    const last = seen.at(-1)!;
    expect(last.notes.join()).toMatch(/counted from when this client saw each unit ready/);
  });
});

describe("typed errors as soon as the trouble appears", () => {
  it("a unit in error → UnitErrorStateError, naming it with message and since", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "executing", "maintenance"));
    const p = waitForCondition(src, allActive("a")).catch((e: unknown) => e);
    await flush();
    const at = Date.parse("2025-01-01T00:00:03Z");
    src.apply(unit("a/0", "idle", "error", at, { message: 'hook failed: "install"' }));
    await checked();
    const err = await p;
    expect(err).toBeInstanceOf(UnitErrorStateError);
    expect(err).toBeInstanceOf(EntityStatusError);
    expect(err).toMatchObject({
      code: "ERR_ENTITY_ERROR",
      entity: "unit a/0",
      statusMessage: 'hook failed: "install"',
      since: "2025-01-01T00:00:03.000Z",
    });
  });

  it("a machine that failed provisioning → MachineProvisioningError", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "allocating", "waiting", undefined, { machine: "3" }));
    const p = waitForIdle(src, { apps: ["a"] }).catch((e: unknown) => e);
    await flush();
    src.apply([
      "machine",
      "change",
      {
        id: "3",
        "instance-status": { current: "provisioning error", message: "no capacity" },
        "agent-status": { current: "pending" },
      },
    ]);
    await checked();
    const err = await p;
    expect(err).toBeInstanceOf(MachineProvisioningError);
    expect((err as Error).message).toMatch(/machine 3: no capacity/);
  });

  it("a lost agent → AgentLostError (Model.wait's default error)", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    const p = waitForCondition(src, unitCount("a", 2)).catch((e: unknown) => e);
    await flush();
    src.apply(
      unit("a/0", "lost", "unknown", undefined, {
        agentMessage: "agent is not communicating with the server",
      }),
    );
    await checked();
    expect(await p).toBeInstanceOf(AgentLostError);
  });

  it("a blocked workload → WorkloadBlockedError only when asked", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "executing", "maintenance"));
    const asked = waitForCondition(src, allActive("a"), { error: anyBlocked() }).catch(
      (e: unknown) => e,
    );
    const notAsked = waitForCondition(src, allActive("a"), { timeout: 5000 }).catch(
      (e: unknown) => e,
    );
    const idle = waitForIdle(src, { apps: ["a"], raiseOnBlocked: true }).catch((e: unknown) => e);
    await flush();
    src.apply(unit("a/0", "idle", "blocked", undefined, { message: "needs a database" }));
    await checked();
    expect(await asked).toBeInstanceOf(WorkloadBlockedError);
    expect(await idle).toMatchObject({ code: "ERR_ENTITY_BLOCKED", entity: "application a" });
    expect(await idle).toBeInstanceOf(WorkloadBlockedError);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await notAsked).toBeInstanceOf(WaitTimeoutError);
  });
});

describe("explanations", () => {
  it("a timeout lists each entity with its status history in the window", async () => {
    const src = new FakeSource(() => Date.now());
    src.apply(
      app("a"),
      unit("a/0", "executing", "maintenance", Date.now(), { agentMessage: "running install hook" }),
    );
    const p = waitForIdle(src, { apps: ["a"], idlePeriod: 5000, timeout: 10_000 }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(2000);
    src.apply(unit("a/0", "idle", "active", Date.now()));
    await vi.advanceTimersByTimeAsync(2000);
    src.apply(
      unit("a/0", "executing", "active", Date.now(), {
        agentMessage: "running update-status hook",
      }),
    );
    await vi.advanceTimersByTimeAsync(6000);
    const err = (await p) as WaitTimeoutError;
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const a0 = err.notReady.find((n) => n.entity === "unit a/0")!;
    expect(a0.reason).toBe("agent executing (update-status) for 6 s");
    expect(a0.history).toEqual([
      expect.stringMatching(/Z agent idle, workload active$/),
      expect.stringMatching(/Z agent executing \(running update-status hook\)$/),
    ]);
    expect(err.message).toContain("running update-status hook");
  });

  it("progress comes at most once a second, on changes, and ends with a summary", async () => {
    const src = new FakeSource(() => Date.now());
    src.apply(app("ubuntu"), unit("ubuntu/0", "idle", "active", Date.now()));
    const seen: WaitProgress[] = [];
    const p = waitForCondition(src, unitCount("ubuntu", 3), { onProgress: (x) => seen.push(x) });
    await flush();
    expect(seen.map((s) => s.lines)).toEqual([
      ["application ubuntu: has 1 units, waiting for exactly 3"],
    ]);
    src.apply(unit("ubuntu/1", "idle", "active", Date.now()));
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(900);
    expect(seen.at(-1)?.lines).toEqual(["application ubuntu: has 2 units, waiting for exactly 3"]);
    src.apply(unit("ubuntu/2", "idle", "active", Date.now()));
    await checked();
    const summary = await p;
    expect(seen.at(-1)).toMatchObject({ done: true, lines: [] });
    expect(summary.summary).toMatch(
      /^ready after 1\.\d s; last waited on application ubuntu: has 2 units/,
    );
  });
});

describe("conditions", () => {
  it("combine with and / or / not and user functions, each explaining itself", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"), app("b"));
    const ctxWait = (c: Parameters<typeof waitForCondition>[1]) =>
      waitForCondition(src, c, { timeout: 1000, error: null }).catch((e: unknown) => e);
    const both = ctxWait(
      and(
        allActive("a"),
        unitCount("b", { min: 1 }),
        where(function bReady() {
          return false;
        }),
      ),
    );
    const either = ctxWait(or(unitCount("b", 1), not(allActive("a"))));
    await vi.advanceTimersByTimeAsync(1000);
    expect(
      ((await both) as WaitTimeoutError).notReady.map((n) => `${n.entity}: ${n.reason}`),
    ).toEqual(["application b: has 0 units, waiting for at least 1", "bReady(): false"]);
    expect(((await either) as WaitTimeoutError).notReady.map((n) => n.entity)).toEqual([
      "application b",
      "all active (a)",
    ]);
    await expect(waitForCondition(src, (s) => s.count("application") === 2)).resolves.toMatchObject(
      {
        summary: "ready after 0.0 s",
      },
    );
  });

  it("relationEstablished waits for the relation and its hooks", async () => {
    const src = new FakeSource();
    src.apply(
      app("db"),
      app("web"),
      unit("db/0", "idle", "active"),
      unit("web/0", "idle", "active"),
    );
    const p = waitForCondition(src, relationEstablished("web:db", "db")).then(() => "done");
    await flush();
    const rel: Delta = [
      "relation",
      "change",
      {
        key: "web:db db:db",
        id: 1,
        endpoints: [
          { "application-name": "web", relation: { name: "db", role: "requirer" } },
          { "application-name": "db", relation: { name: "db", role: "provider" } },
        ],
      },
    ];
    src.apply(
      rel,
      unit("web/0", "executing", "active", undefined, {
        agentMessage: "running db-relation-joined hook",
      }),
    );
    await checked();
    let done = false;
    void p.then(() => {
      done = true;
    });
    await flush();
    expect(done).toBe(false);
    src.apply(unit("web/0", "idle", "active"));
    await checked();
    await expect(p).resolves.toBe("done");
  });

  it("successes asks for that many checks in a row", async () => {
    const src = new FakeSource();
    src.apply(app("a"), unit("a/0", "idle", "active"));
    let done = false;
    const p = waitForCondition(src, allActive("a"), { successes: 3 }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(true);
    await p;
  });

  it("rejects malformed conditions with a TypeError", () => {
    expect(() => unitCount("a", -1)).toThrow(TypeError);
    expect(() => allActive("" as string)).toThrow(TypeError);
    const src = new FakeSource();
    expect(() => waitForCondition(src, 42 as unknown as () => boolean)).toThrow(TypeError);
  });
});

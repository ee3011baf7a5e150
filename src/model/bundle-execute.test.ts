import { describe, expect, it } from "vitest";
import type { BundleChange } from "../bundle/types.js";
import {
  BundleAbortError,
  BundleChangeError,
  type BundleProgressEvent,
  runPlan,
} from "./bundle-execute.js";
import { InvalidArgumentError } from "./errors.js";

const change = (id: string, requires: string[] = []): BundleChange => ({
  id,
  method: id.split("-")[0] as BundleChange["method"],
  requires,
  args: {},
  positionalArgs: [],
  description: `do ${id}`,
});

// addCharm-0 → deploy-1 → addUnit-2 → addUnit-3; addCharm-4 → deploy-5 (independent chain).
const PLAN = [
  change("addCharm-0"),
  change("deploy-1", ["addCharm-0"]),
  change("addUnit-2", ["deploy-1"]),
  change("addUnit-3", ["addUnit-2", "deploy-1"]),
  change("addCharm-4"),
  change("deploy-5", ["addCharm-4"]),
];

/** A controllable run: each change waits until released, so tests decide the interleaving. */
function gatedRun() {
  const started: string[] = [];
  const gates = new Map<string, { resolve: (v: string) => void; reject: (e: unknown) => void }>();
  let onStart: (() => void) | undefined;
  const run = (c: BundleChange, signal: AbortSignal) =>
    new Promise<string | undefined>((resolve, reject) => {
      started.push(c.id);
      gates.set(c.id, { resolve, reject });
      signal.addEventListener("abort", () => reject(new Error(`${c.id} interrupted`)));
      onStart?.();
    });
  const untilStarted = (n: number) =>
    new Promise<void>((r) => {
      const check = () => {
        if (started.length >= n) r();
      };
      onStart = check;
      check();
    });
  return { run, started, gates, untilStarted };
}

describe("runPlan", () => {
  it("runs one change at a time in plan order with concurrency 1", async () => {
    const order: string[] = [];
    const results = await runPlan(
      PLAN,
      async (c) => {
        order.push(c.id);
        return c.id.toUpperCase();
      },
      { concurrency: 1 },
    );
    expect(order).toEqual(PLAN.map((c) => c.id));
    expect(results.get("deploy-5")).toBe("DEPLOY-5");
  });

  it("starts independent changes together, never more than the bound, and only once their requirements are done", async () => {
    const g = gatedRun();
    const done = runPlan(PLAN, g.run, { concurrency: 2 });
    await g.untilStarted(2);
    expect(g.started.sort()).toEqual(["addCharm-0", "addCharm-4"]);
    g.gates.get("addCharm-4")!.resolve("ch:b");
    await g.untilStarted(3);
    expect(g.started).toContain("deploy-5");
    expect(g.started).not.toContain("deploy-1");
    g.gates.get("addCharm-0")!.resolve("ch:a");
    await g.untilStarted(4);
    g.gates.get("deploy-5")!.resolve("b");
    g.gates.get("deploy-1")!.resolve("a");
    await g.untilStarted(5);
    g.gates.get("addUnit-2")!.resolve("a/0");
    await g.untilStarted(6);
    g.gates.get("addUnit-3")!.resolve("a/1");
    const results = await done;
    expect([...results.keys()].sort()).toEqual(PLAN.map((c) => c.id).sort());
  });

  it("reports started/done/failed with timings, and a failure as BundleChangeError with done and skipped", async () => {
    const events: BundleProgressEvent[] = [];
    const err = await runPlan(
      PLAN,
      async (c) => {
        if (c.id === "deploy-1") throw new Error("no such charm");
        return c.id;
      },
      { concurrency: 1, onProgress: (e) => events.push(e) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleChangeError);
    const e = err as BundleChangeError;
    expect(e.code).toBe("ERR_BUNDLE_CHANGE");
    expect(e.change.id).toBe("deploy-1");
    expect(e.done).toEqual(["addCharm-0"]);
    expect(e.skipped).toEqual(["addUnit-2", "addUnit-3", "addCharm-4", "deploy-5"]);
    expect(e.message).toContain("deploy-1 (do deploy-1) failed: no such charm");
    expect((e.cause as Error).message).toBe("no such charm");
    expect(events.map((x) => `${x.type} ${x.change.id}`)).toEqual([
      "started addCharm-0",
      "done addCharm-0",
      "started deploy-1",
      "failed deploy-1",
    ]);
    for (const x of events) if (x.type !== "started") expect(x.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it("lets changes in flight finish after a failure, then starts nothing more", async () => {
    const g = gatedRun();
    const done = runPlan(PLAN, g.run, { concurrency: 4 }).catch((e: unknown) => e);
    await g.untilStarted(2);
    g.gates.get("addCharm-0")!.reject(new Error("boom"));
    await new Promise((r) => setTimeout(r, 5));
    expect(g.started.sort()).toEqual(["addCharm-0", "addCharm-4"]);
    g.gates.get("addCharm-4")!.resolve("ch:b");
    const e = (await done) as BundleChangeError;
    expect(e).toBeInstanceOf(BundleChangeError);
    expect(e.done).toEqual(["addCharm-4"]);
    expect(e.skipped).toEqual(["deploy-1", "addUnit-2", "addUnit-3", "deploy-5"]);
  });

  it("aborts: changes in flight get the signal, nothing more starts", async () => {
    const g = gatedRun();
    const ac = new AbortController();
    const done = runPlan(PLAN, g.run, { concurrency: 2, signal: ac.signal }).catch(
      (e: unknown) => e,
    );
    await g.untilStarted(2);
    g.gates.get("addCharm-0")!.resolve("ch:a");
    await g.untilStarted(3);
    ac.abort();
    const e = (await done) as BundleAbortError;
    expect(e).toBeInstanceOf(BundleAbortError);
    expect(e.code).toBe("ERR_ABORTED");
    expect(e.done).toEqual(["addCharm-0"]);
    expect(e.interrupted.sort()).toEqual(["addCharm-4", "deploy-1"]);
    expect(e.skipped).toEqual(["addUnit-2", "addUnit-3", "deploy-5"]);
    const before = await runPlan(PLAN, g.run, { signal: ac.signal }).catch((x: unknown) => x);
    expect(before).toBeInstanceOf(BundleAbortError);
  });

  it("refuses a plan whose requirements are missing or cyclic, and a bad concurrency", async () => {
    await expect(runPlan([change("deploy-1", ["addCharm-0"])], async () => "")).rejects.toThrow(
      /requires addCharm-0, which the plan does not contain/,
    );
    await expect(
      runPlan(
        [change("addUnit-0", ["addUnit-1"]), change("addUnit-1", ["addUnit-0"])],
        async () => "",
      ),
    ).rejects.toThrow(/wait for each other/);
    await expect(runPlan(PLAN, async () => "", { concurrency: 0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

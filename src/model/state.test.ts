import { describe, expect, it } from "vitest";
import type { Delta } from "./delta.js";
import { DeadEntityError, type EntityContext, ModelEntity } from "./entity.js";
import { ModelState, UnknownDeltaKindError } from "./state.js";

const unit = (name: string, status: string, extra: Record<string, unknown> = {}): Delta => [
  "unit",
  "change",
  { name, application: name.split("/")[0], "workload-status": { current: status }, ...extra },
];
const ctx: EntityContext = { addObserver: () => () => {} };
const view = <K extends "unit" | "relation">(
  state: ModelState,
  kind: K,
  id: string,
  version?: number,
) => {
  const r = state.getRecord(kind, id)!;
  return new ModelEntity<K>(r, version ?? r.latest, ctx);
};

describe("ModelState.applyDelta", () => {
  it("normalizes by kind and id and reports old and new versions", () => {
    const s = new ModelState();
    const a = s.applyDelta(unit("mysql/0", "waiting"))!;
    expect(a).toMatchObject({
      kind: "unit",
      id: "mysql/0",
      action: "add",
      oldVersion: undefined,
      newVersion: 0,
    });
    const b = s.applyDelta(unit("mysql/0", "active"))!;
    expect(b).toMatchObject({ action: "change", oldVersion: 0, newVersion: 1 });
    expect(s.entityData("unit", "mysql/0")?.["workload-status"]).toEqual({ current: "active" });
    expect(s.entityHistory("unit", "mysql/0")).toHaveLength(2);
    expect(s.count("unit")).toBe(1);
  });

  it("keys relations by id and offers by offer name", () => {
    const s = new ModelState();
    s.applyDelta(["relation", "change", { key: "a:x b:y", id: 7, endpoints: [] }]);
    s.applyDelta([
      "applicationOffer",
      "change",
      { "offer-name": "db", "application-name": "mysql" },
    ]);
    s.applyDelta([
      "applicationOffer",
      "change",
      { "offer-name": "db2", "application-name": "mysql" },
    ]);
    expect(s.entityData("relation", "7")?.key).toBe("a:x b:y");
    expect(s.count("applicationOffer")).toBe(2);
  });

  it("marks removed entities dead and keeps their last state", () => {
    const s = new ModelState();
    s.applyDelta(unit("mysql/0", "active"));
    const r = s.applyDelta(["unit", "remove", { name: "mysql/0", life: "dead" }])!;
    expect(r).toMatchObject({ action: "remove", oldVersion: 0, newVersion: 1 });
    expect(s.entityData("unit", "mysql/0")).toBeUndefined();
    expect(s.getRecord("unit", "mysql/0")?.removed).toBe(true);
    expect(s.count("unit")).toBe(0);
    // A later change with the same id is a new entity.
    expect(s.applyDelta(unit("mysql/0", "waiting"))?.action).toBe("add");
  });

  it("ignores unknown kinds unless strict", () => {
    const s = new ModelState();
    expect(s.applyDelta(["gizmo", "change", { id: "1" }])).toBeUndefined();
    expect(() => s.applyDelta(["gizmo", "change", { id: "1" }], true)).toThrow(
      UnknownDeltaKindError,
    );
  });

  it("bounds history by the cap and keeps versions absolute", () => {
    const s = new ModelState({ historyCap: 3 });
    for (let i = 0; i < 10; i++) s.applyDelta(unit("u/0", `s${i}`));
    const r = s.getRecord("unit", "u/0")!;
    expect(r.total).toBe(10);
    expect(r.oldest).toBe(7);
    expect(
      s
        .entityHistory("unit", "u/0")
        .map((d) => (d["workload-status"] as { current: string }).current),
    ).toEqual(["s7", "s8", "s9"]);
    expect(r.at(6)).toBeUndefined();
  });

  it("keeps everything with an unbounded cap", () => {
    const s = new ModelState({ historyCap: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 100; i++) s.applyDelta(unit("u/0", `s${i}`));
    expect(s.entityHistory("unit", "u/0")).toHaveLength(100);
  });

  it("rejects a nonsensical cap", () => {
    expect(() => new ModelState({ historyCap: 0 })).toThrow(RangeError);
  });
});

describe("ModelState.resync (reconnect)", () => {
  it("does not duplicate unchanged state and removes what vanished meanwhile", () => {
    const s = new ModelState();
    s.applyDelta(unit("a/0", "active"));
    s.applyDelta(unit("b/0", "active"));
    const applied = s.resync([unit("a/0", "active"), unit("c/0", "waiting")]);
    expect(applied.map((a) => [a.id, a.action])).toEqual([
      ["c/0", "add"],
      ["b/0", "remove"],
    ]);
    expect(s.entityHistory("unit", "a/0")).toHaveLength(1);
  });
});

describe("ModelEntity history navigation", () => {
  it("walks previous and next correctly at both ends", () => {
    const s = new ModelState();
    s.applyDelta(unit("u/0", "s0"));
    s.applyDelta(unit("u/0", "s1"));
    s.applyDelta(unit("u/0", "s2"));
    const latest = view(s, "unit", "u/0");
    expect(latest.current).toBe(true);
    const mid = latest.previous()!;
    expect(mid.version).toBe(1);
    expect(mid.current).toBe(false);
    const first = mid.previous()!;
    expect(first.version).toBe(0);
    // Past the oldest state there is nothing (python-libjuju wraps to the latest).
    expect(first.previous()).toBeUndefined();
    // next() goes forward (python-libjuju goes backward).
    expect(first.next()?.version).toBe(1);
    expect(first.next()?.next()?.version).toBe(2);
    expect(latest.next()).toBeUndefined();
    expect(first.latest().version).toBe(2);
  });

  it("stops previous() at states dropped by the cap", () => {
    const s = new ModelState({ historyCap: 2 });
    for (let i = 0; i < 5; i++) s.applyDelta(unit("u/0", `s${i}`));
    const latest = view(s, "unit", "u/0");
    expect(latest.previous()?.version).toBe(3);
    expect(latest.previous()?.previous()).toBeUndefined();
  });

  it("reports dead entities and guards safeData", () => {
    const s = new ModelState();
    s.applyDelta(unit("u/0", "active"));
    const before = view(s, "unit", "u/0");
    expect(before.alive).toBe(true);
    expect(before.safeData.name).toBe("u/0");
    s.applyDelta(["unit", "remove", { name: "u/0" }]);
    expect(before.dead).toBe(true);
    expect(before.current).toBe(false);
    expect(before.data?.name).toBe("u/0");
    expect(() => before.safeData).toThrow(DeadEntityError);
    expect(before.get("name")).toBe("u/0");
  });
});

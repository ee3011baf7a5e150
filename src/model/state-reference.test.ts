import { describe, expect, it } from "vitest";
import type { Delta } from "./delta.js";
import { ModelEntity } from "./entity.js";
import { ModelState } from "./state.js";

const app = (name: string, extra: Record<string, unknown> = {}): Delta => [
  "application",
  "change",
  { name, "charm-url": `ch:${name}`, ...extra },
];

/** Test deltas carry made-up fields: read them without the kind's wire type. */
type Loose = Record<string, unknown> | undefined;
const loose = (e: { data?: unknown } | undefined): Loose => e?.data as Loose;

describe("ModelState as python-libjuju states it", () => {
  it("applyDelta destructures to [old, new] entity views", () => {
    const s = new ModelState();
    const [old0, new0] = s.applyDelta(app("mysql", { exposed: false }))!;
    expect(old0).toBeUndefined();
    expect(new0).toBeInstanceOf(ModelEntity);
    expect(loose(new0)?.exposed).toBe(false);

    const [old1, new1] = s.applyDelta(app("mysql", { exposed: true }))!;
    expect(loose(old1)?.exposed).toBe(false);
    expect(loose(new1)?.exposed).toBe(true);
    expect(old1?.next()?.version).toBe(new1?.version);

    const [old2, new2] = s.applyDelta(["application", "remove", { name: "mysql" }])!;
    expect(loose(old2)?.exposed).toBe(true);
    expect(new2?.dead).toBe(true);
  });

  it("entityData and getEntity take history indexes, negative from the end", () => {
    const s = new ModelState({ historyCap: 3 });
    for (const n of [1, 2, 3, 4]) s.applyDelta(app("pg", { n }));
    // Four states seen, three kept: index 0 is the oldest kept one.
    expect((s.entityData("application", "pg", 0) as Loose)?.n).toBe(2);
    expect((s.entityData("application", "pg", -1) as Loose)?.n).toBe(4);
    expect((s.entityData("application", "pg", -3) as Loose)?.n).toBe(2);
    expect(s.entityData("application", "pg", -4)).toBeUndefined();
    expect(s.entityData("application", "pg", 3)).toBeUndefined();
    expect(s.entityData("application", "nope", -1)).toBeUndefined();

    expect(loose(s.getEntity("application", "pg"))?.n).toBe(4);
    expect(loose(s.getEntity("application", "pg", -2))?.n).toBe(3);
    expect(s.getEntity("application", "pg", -2)?.current).toBe(false);
    expect(s.getEntity("application", "pg", 5)).toBeUndefined();
    expect(s.getEntity("application", "missing")).toBeUndefined();
    expect(() => s.getEntity("application", "pg", 0.5)).toThrow(RangeError);

    const detached = s.getEntity("application", "pg", -1, false)!;
    expect(loose(detached)?.n).toBe(4);
    expect(() => detached.onChange(() => {})).toThrow(/not connected to a model/);
  });

  it("applications, machines and units map live entities by id", () => {
    const s = new ModelState();
    s.applyDelta(app("a"));
    s.applyDelta(app("b"));
    s.applyDelta(["application", "remove", { name: "b" }]);
    s.applyDelta(["machine", "change", { id: "0" }]);
    s.applyDelta(["unit", "change", { name: "a/0", application: "a" }]);
    expect([...s.applications.keys()]).toEqual(["a"]);
    expect([...s.machines.keys()]).toEqual(["0"]);
    expect(s.units.get("a/0")?.entityId).toBe("a/0");
  });

  it("views bound by a factory are the factory's", () => {
    const s = new ModelState();
    class Tagged extends ModelEntity {}
    s.bindEntities((r, v) => new Tagged(r, v, { addObserver: () => () => {} }));
    const [, now] = s.applyDelta(app("x"))!;
    expect(now).toBeInstanceOf(Tagged);
    expect(s.applications.get("x")).toBeInstanceOf(Tagged);
  });
});

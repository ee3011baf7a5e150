import { describe, expect, it } from "vitest";
import type { Delta } from "./delta.js";
import { type EntityContext, ModelEntity } from "./entity.js";
import {
  type ModelEvent,
  ModelObserver,
  type ObserverFailure,
  ObserverRegistry,
} from "./observers.js";
import { ModelState } from "./state.js";

const ctx: EntityContext = { addObserver: () => () => {} };

function eventsFor(state: ModelState, deltas: Delta[]): ModelEvent[] {
  return deltas.map((d) => {
    const a = state.applyDelta(d)!;
    return {
      entityType: a.kind,
      entityId: a.id,
      action: a.action,
      delta: d,
      old: a.oldVersion === undefined ? undefined : new ModelEntity(a.record, a.oldVersion, ctx),
      new: new ModelEntity(a.record, a.newVersion, ctx),
    } as ModelEvent;
  });
}

describe("ObserverRegistry", () => {
  it("filters by type, action, id and predicate", async () => {
    const state = new ModelState();
    const seen: string[] = [];
    const reg = new ObserverRegistry(() => {});
    reg.add((e) => void seen.push(`any:${e.entityId}:${e.action}`));
    reg.add((e) => void seen.push(`unit-add:${e.entityId}`), { entityType: "unit", action: "add" });
    reg.add((e) => void seen.push(`re:${e.entityId}`), { entityId: /^mysql\// });
    reg.add((e) => void seen.push(`pred:${e.entityId}`), {
      predicate: (e) => e.entityType === "application",
    });
    for (const e of eventsFor(state, [
      ["application", "change", { name: "mysql" }],
      ["unit", "change", { name: "mysql/0" }],
      ["unit", "change", { name: "mysql/0" }],
    ])) {
      void reg.dispatch(e);
    }
    await reg.idle();
    expect(seen).toEqual([
      "any:mysql:add",
      "pred:mysql",
      "any:mysql/0:add",
      "unit-add:mysql/0",
      "re:mysql/0",
      "any:mysql/0:change",
      "re:mysql/0",
    ]);
  });

  it("delivers in delta order even when observers are slow", async () => {
    const state = new ModelState();
    const seen: string[] = [];
    const reg = new ObserverRegistry(() => {});
    reg.add(async (e) => {
      await new Promise((r) => setTimeout(r, e.entityId === "a/0" ? 20 : 0));
      seen.push(e.entityId);
    });
    for (const e of eventsFor(state, [
      ["unit", "change", { name: "a/0" }],
      ["unit", "change", { name: "b/0" }],
    ])) {
      void reg.dispatch(e);
    }
    await reg.idle();
    expect(seen).toEqual(["a/0", "b/0"]);
  });

  it("surfaces observer exceptions with their event and keeps going", async () => {
    const state = new ModelState();
    const failures: ObserverFailure[] = [];
    const reg = new ObserverRegistry((f) => failures.push(f));
    let after = 0;
    reg.add(() => {
      throw new Error("boom");
    });
    reg.add(async () => {
      after++;
      throw new Error("async boom");
    });
    const [e] = eventsFor(state, [["machine", "change", { id: "0" }]]);
    await reg.dispatch(e!);
    expect(failures.map((f) => (f.error as Error).message)).toEqual(["boom", "async boom"]);
    expect(failures[0]?.event.entityId).toBe("0");
    expect(after).toBe(1);
  });

  it("unsubscribes", async () => {
    const state = new ModelState();
    let n = 0;
    const reg = new ObserverRegistry(() => {});
    const off = reg.add(() => void n++);
    const [e1, e2] = eventsFor(state, [
      ["machine", "change", { id: "0" }],
      ["machine", "change", { id: "0" }],
    ]);
    await reg.dispatch(e1!);
    off();
    off();
    await reg.dispatch(e2!);
    expect(n).toBe(1);
    expect(reg.size).toBe(0);
  });

  it("routes ModelObserver events to on<Kind><Action> handlers", async () => {
    const state = new ModelState();
    const seen: string[] = [];
    class Obs extends ModelObserver {
      override onUnitAdd(e: ModelEvent<"unit">) {
        seen.push(`unit-add ${e.entityId}`);
      }
      override onApplicationOfferChange(e: ModelEvent<"applicationOffer">) {
        seen.push(`offer-change ${e.entityId}`);
      }
      override onChange(e: ModelEvent) {
        seen.push(`fallback ${e.entityType} ${e.action}`);
      }
    }
    const reg = new ObserverRegistry(() => {});
    reg.add(new Obs());
    for (const e of eventsFor(state, [
      ["unit", "change", { name: "a/0" }],
      ["applicationOffer", "change", { "offer-name": "db" }],
      ["applicationOffer", "change", { "offer-name": "db" }],
      ["unit", "remove", { name: "a/0" }],
    ])) {
      void reg.dispatch(e);
    }
    await reg.idle();
    expect(seen).toEqual([
      "unit-add a/0",
      "fallback applicationOffer add",
      "offer-change db",
      "fallback unit remove",
    ]);
  });
});

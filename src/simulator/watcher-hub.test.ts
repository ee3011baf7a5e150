import { describe, expect, it } from "vitest";
import type { EntityDataOf, EntityKind } from "../protocol/entity-data.js";
import { EntityLog } from "./watcher-hub.js";

/** The log's mechanics read no field but the id given: these tests store partial entities. */
const set = <K extends EntityKind>(
  log: EntityLog,
  kind: K,
  id: string,
  data: Partial<EntityDataOf<K>>,
) => log.set(kind, id, data as EntityDataOf<K>);

describe("EntityLog", () => {
  it("gives the whole state first, then only changes, collapsed per entity", async () => {
    const log = new EntityLog();
    set(log, "machine", "0", { id: "0", life: "alive" });
    set(log, "machine", "1", { id: "1", life: "alive" });
    const w = log.watch();
    expect(await w.next()).toEqual([
      ["machine", "change", { id: "0", life: "alive" }],
      ["machine", "change", { id: "1", life: "alive" }],
    ]);
    set(log, "machine", "0", { id: "0", life: "dying" });
    set(log, "machine", "0", { id: "0", life: "dead" });
    log.remove("machine", "1");
    expect(await w.next()).toEqual([
      ["machine", "change", { id: "0", life: "dead" }],
      ["machine", "remove", { id: "1", life: "alive" }],
    ]);
  });

  it("blocks until a change and skips removals of entities never seen", async () => {
    const log = new EntityLog();
    set(log, "model", "m", { name: "m" });
    const w = log.watch();
    await w.next();
    let done = false;
    const p = w.next().then((d) => {
      done = true;
      return d;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    set(log, "unit", "a/0", { name: "a/0" });
    log.remove("unit", "a/0");
    set(log, "unit", "a/1", { name: "a/1" });
    expect(await p).toEqual([["unit", "change", { name: "a/1" }]]);
  });

  // core/multiwatcher/store.go, store.Update: `if reflect.DeepEqual(info, entry.info) { return }`.
  it("drops an update equal to the stored state: no revision, no wake-up, no delta", async () => {
    const log = new EntityLog();
    // Partial application data: the comparison is what is tested, not the shape.
    const set = (data: object) => log.set("application", "a", data as never);
    set({ name: "a", status: { current: "active" }, config: { x: 1 } });
    const w = log.watch();
    await w.next();
    const rev = log.revision;
    set({ config: { x: 1 }, status: { current: "active" }, name: "a" });
    expect(log.revision).toBe(rev);
    set({ name: "a", status: { current: "blocked" }, config: { x: 1 } });
    expect(log.revision).toBe(rev + 1);
    expect(await w.next()).toEqual([
      ["application", "change", { name: "a", status: { current: "blocked" }, config: { x: 1 } }],
    ]);
    // A removed entity set again with the same state comes back.
    log.remove("application", "a");
    set({ name: "a", status: { current: "blocked" }, config: { x: 1 } });
    expect(log.list("application")).toHaveLength(1);
  });

  it("rejects a pending next when stopped", async () => {
    const log = new EntityLog();
    const w = log.watch();
    await w.next();
    const p = w.next();
    w.stop();
    await expect(p).rejects.toThrow("watcher was stopped");
  });

  it("forgets removal tombstones once every watcher saw them", async () => {
    const log = new EntityLog();
    set(log, "unit", "a/0", { name: "a/0" });
    const w = log.watch();
    await w.next();
    log.remove("unit", "a/0");
    expect(await w.next()).toEqual([["unit", "remove", { name: "a/0" }]]);
    const late = log.watch();
    expect(await late.next()).toEqual([]);
    expect(log.list("unit")).toEqual([]);
  });
});

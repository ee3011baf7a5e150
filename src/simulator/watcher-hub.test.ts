import { describe, expect, it } from "vitest";
import { EntityLog } from "./watcher-hub.js";

describe("EntityLog", () => {
  it("gives the whole state first, then only changes, collapsed per entity", async () => {
    const log = new EntityLog();
    log.set("machine", "0", { id: "0", life: "alive" });
    log.set("machine", "1", { id: "1", life: "alive" });
    const w = log.watch();
    expect(await w.next()).toEqual([
      ["machine", "change", { id: "0", life: "alive" }],
      ["machine", "change", { id: "1", life: "alive" }],
    ]);
    log.set("machine", "0", { id: "0", life: "dying" });
    log.set("machine", "0", { id: "0", life: "dead" });
    log.remove("machine", "1");
    expect(await w.next()).toEqual([
      ["machine", "change", { id: "0", life: "dead" }],
      ["machine", "remove", { id: "1", life: "alive" }],
    ]);
  });

  it("blocks until a change and skips removals of entities never seen", async () => {
    const log = new EntityLog();
    log.set("model", "m", { name: "m" });
    const w = log.watch();
    await w.next();
    let done = false;
    const p = w.next().then((d) => {
      done = true;
      return d;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    log.set("unit", "a/0", { name: "a/0" });
    log.remove("unit", "a/0");
    log.set("unit", "a/1", { name: "a/1" });
    expect(await p).toEqual([["unit", "change", { name: "a/1" }]]);
  });

  // core/multiwatcher/store.go, store.Update: `if reflect.DeepEqual(info, entry.info) { return }`.
  it("drops an update equal to the stored state: no revision, no wake-up, no delta", async () => {
    const log = new EntityLog();
    log.set("application", "a", { name: "a", status: { current: "active" }, config: { x: 1 } });
    const w = log.watch();
    await w.next();
    const rev = log.revision;
    log.set("application", "a", { config: { x: 1 }, status: { current: "active" }, name: "a" });
    expect(log.revision).toBe(rev);
    log.set("application", "a", { name: "a", status: { current: "blocked" }, config: { x: 1 } });
    expect(log.revision).toBe(rev + 1);
    expect(await w.next()).toEqual([
      ["application", "change", { name: "a", status: { current: "blocked" }, config: { x: 1 } }],
    ]);
    // A removed entity set again with the same state comes back.
    log.remove("application", "a");
    log.set("application", "a", { name: "a", status: { current: "blocked" }, config: { x: 1 } });
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
    log.set("unit", "a/0", { name: "a/0" });
    const w = log.watch();
    await w.next();
    log.remove("unit", "a/0");
    expect(await w.next()).toEqual([["unit", "remove", { name: "a/0" }]]);
    const late = log.watch();
    expect(await late.next()).toEqual([]);
    expect(log.list("unit")).toEqual([]);
  });
});

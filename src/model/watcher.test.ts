import { describe, expect, it } from "vitest";
import type { RpcRequest } from "../rpc/connection.js";
import { ConnectionClosedError, JujuError } from "../rpc/errors.js";
import type { Delta } from "./delta.js";
import { type EntityContext, ModelEntity } from "./entity.js";
import { type ModelEvent, ObserverRegistry } from "./observers.js";
import { ModelState } from "./state.js";
import { ModelWatcher, type WatcherConnection } from "./watcher.js";

/** A scripted server: each Next takes the next batch, or waits until one is pushed. */
class ScriptedConnection implements WatcherConnection {
  readonly calls: RpcRequest[] = [];
  readonly #batches: (Delta[] | Error)[] = [];
  #waiting: ((b: Delta[] | Error) => void) | undefined;
  push(batch: Delta[] | Error) {
    if (this.#waiting) {
      this.#waiting(batch);
      this.#waiting = undefined;
    } else this.#batches.push(batch);
  }
  facadeVersion(name: string) {
    return name === "Client" ? 8 : name === "AllWatcher" ? 3 : undefined;
  }
  async rpc<R>(req: RpcRequest): Promise<R> {
    this.calls.push(req);
    if (req.request === "WatchAll") return { "watcher-id": "1" } as R;
    if (req.request === "Stop") {
      this.push(new JujuError("watcher was stopped"));
      return {} as R;
    }
    const next =
      this.#batches.shift() ?? (await new Promise<Delta[] | Error>((r) => (this.#waiting = r)));
    if (next instanceof Error) throw next;
    return { deltas: next } as R;
  }
}

const ctx: EntityContext = { addObserver: () => () => {} };
function setup(state = new ModelState()) {
  const conn = new ScriptedConnection();
  const observers = new ObserverRegistry(() => {});
  const watcher = new ModelWatcher(conn, {
    state,
    observers,
    entityFactory: (r, v) => new ModelEntity(r, v, ctx),
  });
  return { conn, observers, watcher, state };
}

describe("ModelWatcher", () => {
  it("applies the first batch before start resolves, then streams later batches in order", async () => {
    const { conn, watcher, state, observers } = setup();
    const seen: string[] = [];
    observers.add((e) => void seen.push(`${e.action} ${e.entityType} ${e.entityId}`));
    conn.push([["model", "change", { "model-uuid": "u", name: "default" }]]);
    await watcher.start();
    expect(state.entityData("model", "u")?.name).toBe("default");
    expect(
      conn.calls.map((c) => `${c.type}(${c.version}).${c.request}${c.id ? `#${c.id}` : ""}`),
    ).toEqual(["Client(8).WatchAll", "AllWatcher(3).Next#1", "AllWatcher(3).Next#1"]);
    const events = watcher.events();
    let changes = 0;
    watcher.onStateChange(() => changes++);
    conn.push([
      ["application", "change", { name: "mysql" }],
      ["unit", "change", { name: "mysql/0" }],
    ]);
    const a = (await events.next()).value as ModelEvent;
    const b = (await events.next()).value as ModelEvent;
    expect([a.entityId, b.entityId]).toEqual(["mysql", "mysql/0"]);
    expect(changes).toBe(1);
    await observers.idle();
    expect(seen).toEqual(["add model u", "add application mysql", "add unit mysql/0"]);
    await watcher.stop();
    expect((await events.next()).done).toBe(true);
  });

  it("fails the loop and its streams when the connection is lost", async () => {
    const { conn, watcher } = setup();
    conn.push([]);
    await watcher.start();
    const events = watcher.events();
    conn.push(new ConnectionClosedError("gone"));
    await expect(watcher.failed).rejects.toThrow(ConnectionClosedError);
    await expect(events.next()).rejects.toThrow("gone");
  });

  it("resyncs existing state after a reconnect without duplicating history", async () => {
    const state = new ModelState();
    state.applyDelta(["unit", "change", { name: "a/0", x: 1 }]);
    state.applyDelta(["unit", "change", { name: "b/0", x: 1 }]);
    const { conn, watcher } = setup(state);
    conn.push([["unit", "change", { name: "a/0", x: 1 }]]);
    await watcher.start({ resync: true });
    expect(state.entityHistory("unit", "a/0")).toHaveLength(1);
    expect(state.getRecord("unit", "b/0")?.removed).toBe(true);
    await watcher.stop();
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../src/index.js";
import { parseGoTime } from "../src/model/wait-clock.js";
import { relationStatusRefusal } from "../src/simulator/entities.js";
import type { VirtualClock } from "../src/simulator/index.js";
import { pause, settled, useClockedModel } from "./support/clocked-model.js";

// A relation's status is a document of its own (state/relation.go): joining
// from AddRelation, joined once the leader of a side enters its scope
// (worker/uniter/relation/statetracker.go), broken once it is going; each
// `since` is when that status was set, not when FullStatus was called. Run
// on a virtual clock, so that those times are exact.
const ctx = useClockedModel();
let model: Model;
let clock: VirtualClock;
beforeAll(() => {
  ({ model, clock } = ctx);
});

/** Moves virtual time in small steps until `done()`. */
async function drive(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 4000; i++) {
    if (await done()) return;
    await clock.advance(5);
    await pause();
  }
  throw new Error("the model never got there");
}

async function relationStatus(id: number): Promise<{ status: string; since: number }> {
  const status = await model.getStatus();
  const rel = status.relations.find((r) => r.id === id);
  if (rel === undefined) throw new Error(`relation ${id} is not in FullStatus`);
  return { status: rel.status.status, since: parseGoTime(rel.status.since ?? "") ?? Number.NaN };
}

describe("relation status in FullStatus", () => {
  it("goes joining → joined → broken, each since the time it was set", async () => {
    const deploying = Promise.all([model.deploy("haproxy"), model.deploy("rabbitmq-server")]);
    await drive(
      () =>
        model.applications.has("haproxy") &&
        model.applications.has("rabbitmq-server") &&
        settled(model, "haproxy", 1) &&
        settled(model, "rabbitmq-server", 1),
    );
    await deploying;
    await clock.advance(60_000);

    const relatedAt = clock.now().getTime();
    const rel = await model.integrate("haproxy:reverseproxy", "rabbitmq-server");
    // No unit has entered the relation's scope yet: virtual time stood still.
    expect(await relationStatus(rel.id)).toEqual({ status: "joining", since: relatedAt });

    await drive(async () => (await relationStatus(rel.id)).status === "joined");
    // Both leaders set it as they enter (the later one's time stays): let every hook run.
    for (let i = 0; i < 100; i++) {
      await clock.advance(100);
      await pause();
    }
    const joined = await relationStatus(rel.id);
    expect(joined.status).toBe("joined");
    expect(joined.since).toBeGreaterThan(relatedAt);
    expect(joined.since).toBeLessThanOrEqual(clock.now().getTime());
    // Later calls report the same since: it is the document's, not the call's.
    await clock.advance(60_000);
    await pause();
    expect(await relationStatus(rel.id)).toEqual(joined);

    const removedAt = clock.now().getTime();
    await model.relations.get(String(rel.id))!.destroy();
    expect(await relationStatus(rel.id)).toEqual({ status: "broken", since: removedAt });
  });
});

describe("relation status transitions", () => {
  it("follow Relation.SetStatus: nothing leaves broken, joined never goes back to joining", () => {
    expect(relationStatusRefusal("joining", "joined", "")).toBeUndefined();
    expect(relationStatusRefusal("joined", "suspending", "")).toBeUndefined();
    expect(relationStatusRefusal("suspended", "joined", "")).toBeUndefined();
    expect(relationStatusRefusal("joined", "broken", "")).toBeUndefined();
    expect(relationStatusRefusal("broken", "broken", "")).toBeUndefined();
    expect(relationStatusRefusal("joined", "joining", "")).toBe(
      'cannot set status "joining" when relation has status "joined"',
    );
    expect(relationStatusRefusal("broken", "joined", "")).toBe(
      'cannot set status "joined" when relation has status "broken"',
    );
    expect(relationStatusRefusal("suspended", "suspending", "")).toBeDefined();
    expect(relationStatusRefusal("joined", "error", "")).toBe(
      'cannot set status "error" without info',
    );
    expect(relationStatusRefusal("joined", "error", "boom")).toBeUndefined();
  });
});

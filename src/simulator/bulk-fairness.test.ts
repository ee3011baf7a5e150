/**
 * A bulk request with many entities is processed in slices: the server
 * answers another connection's pings between receiving it and replying to
 * it (an ordering check on the server's frames, not a timing one; speed is
 * in bench/bulk-fairness.ts).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { deployOld, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

let sim: Simulator;
let bulker: RawClient;
let pinger: RawClient;

/** What the server did, in order: `bulk-in`, `bulk-out`, `reply` (any other reply). */
const events: string[] = [];

beforeAll(async () => {
  sim = await Simulator.start({
    timing: "instant",
    onFrame: (dir, frame) => {
      const f = frame as { request?: string; response?: { results?: unknown[] } };
      if (dir === "in" && f.request === "DestroyUnit") events.push("bulk-in");
      else if (dir === "out")
        events.push(f.response?.results?.length === 50_000 ? "bulk-out" : "reply");
    },
  });
  bulker = await RawClient.open(sim);
  pinger = await RawClient.open(sim);
});

afterAll(async () => {
  expect(bulker.violations).toEqual([]);
  expect(pinger.violations).toEqual([]);
  bulker.close();
  pinger.close();
  await sim.stop();
});

it("answers another connection's pings while a 50 000-entity DestroyUnit runs", async () => {
  const units = Array.from({ length: 50_000 }, (_, i) => ({ "unit-tag": `unit-ghost-${i}` }));
  let done = false;
  const bulk = bulker.call("Application", 19, "DestroyUnit", { units }).finally(() => {
    done = true;
  });
  while (!done) await pinger.ok("Pinger", 1, "Ping");
  const reply = (await bulk).response as { results: Array<{ error?: { code: string } }> };
  expect(reply.results).toHaveLength(50_000);
  expect(reply.results[49_999]?.error?.code).toBe("not found");
  const during = events.slice(events.indexOf("bulk-in"), events.indexOf("bulk-out"));
  expect(during.filter((e) => e === "reply").length).toBeGreaterThan(0);
});

it("adds 5 000 units in one AddUnits call, in slices, all of them", async () => {
  await deployOld(bulker, "ubuntu", "many", 0);
  const r = await bulker.ok("Application", 19, "AddUnits", {
    application: "many",
    "num-units": 5_000,
    placement: [],
  });
  const units = r.units as string[];
  expect(units).toHaveLength(5_000);
  expect(new Set(units).size).toBe(5_000);
  expect(units[4_999]).toBe("many/4999");
});

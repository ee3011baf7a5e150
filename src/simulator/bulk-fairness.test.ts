/**
 * A bulk request with many entities is processed in slices: another
 * connection's ping sent after it is answered before it finishes (an
 * ordering check, not a timing one; speed is in bench/bulk-fairness.ts).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { deployOld, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

let sim: Simulator;
let bulker: RawClient;
let pinger: RawClient;

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
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

it("answers another connection's ping while a 50 000-entity DestroyUnit runs", async () => {
  const order: string[] = [];
  const units = Array.from({ length: 50_000 }, (_, i) => ({ "unit-tag": `unit-ghost-${i}` }));
  const bulk = bulker.call("Application", 19, "DestroyUnit", { units }).then((r) => {
    order.push("bulk");
    return r;
  });
  // Wait until the server has started on the bulk call (its first slice yields).
  await new Promise((r) => setTimeout(r, 50));
  await pinger.ok("Pinger", 1, "Ping").then(() => order.push("ping"));
  const reply = (await bulk).response as { results: Array<{ error?: { code: string } }> };
  expect(reply.results).toHaveLength(50_000);
  expect(reply.results[49_999]?.error?.code).toBe("not found");
  expect(order).toEqual(["ping", "bulk"]);
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

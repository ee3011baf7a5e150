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
/** The methods whose 50 000-entity requests are watched. */
const BULK = new Set(["DestroyUnit", "DestroyMachineWithParams", "RetryProvisioning"]);

/** Sends a 50 000-entity request and pings on another connection until it is answered. */
async function pingWhile(
  facade: string,
  version: number,
  method: string,
  params: Record<string, unknown>,
): Promise<{ results: Array<{ error?: { code: string } }> }> {
  events.length = 0;
  let done = false;
  const bulk = bulker.call(facade, version, method, params).finally(() => {
    done = true;
  });
  while (!done) await pinger.ok("Pinger", 1, "Ping");
  const reply = (await bulk).response as { results: Array<{ error?: { code: string } }> };
  const during = events.slice(events.indexOf("bulk-in"), events.indexOf("bulk-out"));
  expect(events).toContain("bulk-out");
  expect(during.filter((e) => e === "reply").length).toBeGreaterThan(0);
  return reply;
}

beforeAll(async () => {
  sim = await Simulator.start({
    timing: "instant",
    onFrame: (dir, frame) => {
      const f = frame as { request?: string; response?: { results?: unknown[] } };
      if (dir === "in" && BULK.has(f.request ?? "")) events.push("bulk-in");
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
  const reply = await pingWhile("Application", 19, "DestroyUnit", { units });
  expect(reply.results).toHaveLength(50_000);
  expect(reply.results[49_999]?.error?.code).toBe("not found");
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

it("answers pings while a 50 000-machine DestroyMachineWithParams runs", async () => {
  const tags = Array.from({ length: 50_000 }, (_, i) => `machine-${1_000_000 + i}`);
  const reply = await pingWhile("MachineManager", 10, "DestroyMachineWithParams", {
    "machine-tags": tags,
  });
  expect(reply.results).toHaveLength(50_000);
  expect(reply.results[49_999]?.error?.code).toBe("not found");
});

it("answers pings while a 50 000-machine RetryProvisioning runs", async () => {
  // Juju ignores unknown machines but reports each bad tag.
  const machines = Array.from({ length: 50_000 }, (_, i) => `box-${i}`);
  const reply = await pingWhile("MachineManager", 10, "RetryProvisioning", { machines });
  expect(reply.results).toHaveLength(50_000);
  expect(reply.results[0]?.error).toMatchObject({ message: '"box-0" is not a valid tag' });
});

it("retries and destroys 3 000 real machines in one sliced call each, every one of them", async () => {
  const added = await bulker.ok("MachineManager", 10, "AddMachines", {
    params: Array.from({ length: 3_000 }, () => ({ jobs: ["JobHostUnits"] })),
  });
  const ids = (added.machines as Array<{ machine: string }>).map((m) => m.machine);
  expect(new Set(ids).size).toBe(3_000);
  // With `all`, machines not in error are skipped: no results at all.
  const retried = await bulker.ok("MachineManager", 10, "RetryProvisioning", { all: true });
  expect(retried.results).toBeNull();
  // Named, each one not in error is reported.
  const named = await bulker.ok("MachineManager", 10, "RetryProvisioning", {
    machines: ids.map((id) => `machine-${id}`),
  });
  const namedResults = named.results as Array<{ error?: { message: string } }>;
  expect(namedResults).toHaveLength(3_000);
  expect(namedResults[0]?.error?.message).toMatch(/^machine \d+ is not in an error state \(/);
  const destroyed = await bulker.ok("MachineManager", 10, "DestroyMachineWithParams", {
    "machine-tags": ids.map((id) => `machine-${id}`),
  });
  const results = destroyed.results as Array<{ info?: { "machine-id": string }; error?: unknown }>;
  expect(results.map((r) => r.info?.["machine-id"])).toEqual(ids);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../src/index.js";
import { expectHookRuns, hookRuns } from "./support/hook-log.js";
import { useSimController } from "./support/sim-controller.js";

// Units added or removed after a cross-model relation exists: the units on
// the other side (other model) run relation-joined/-changed and -departed,
// as Juju's remote relations worker drives them.

const env = useSimController("offers-units");

let offering: Model;
let consuming: Model;
const URL = "admin/offering.db";

beforeAll(async () => {
  offering = await env.controller.addModel("offering");
  consuming = await env.controller.addModel("consuming");
  await offering.deploy("mysql");
  await consuming.deploy("keystone");
  await offering.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
  await consuming.waitForIdle({ apps: ["keystone"], idlePeriod: 0, timeout: 60_000 });
  await offering.createOffer("mysql:shared-db", { offerName: "db" });
  await consuming.consume(URL);
  await consuming.integrate("keystone:shared-db", "db");
  await offering.waitFor(
    "one active connection",
    () => offering.applicationOffers.get("db")?.activeConnectedCount === 1,
  );
  await expectHookRuns(consuming, "keystone/0", "shared-db-relation-joined", 1);
  await expectHookRuns(offering, "mysql/0", "shared-db-relation-joined", 1);
}, 120_000);

afterAll(async () => {
  await offering?.disconnect();
  await consuming?.disconnect();
});

describe("units joining and leaving a cross-model relation", () => {
  it("a unit added to the offered application joins on the consuming side", async () => {
    await offering.applications.get("mysql")?.addUnit();
    await offering.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
    // mysql/1 sees keystone/0 when it starts; keystone/0 sees mysql/1 join.
    await expectHookRuns(offering, "mysql/1", "shared-db-relation-joined", 1);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-joined", 2);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-changed", 2);
  });

  it("a unit added to the consuming application joins on the offering side", async () => {
    await consuming.applications.get("keystone")?.addUnit();
    await consuming.waitForIdle({ apps: ["keystone"], idlePeriod: 0, timeout: 60_000 });
    await expectHookRuns(consuming, "keystone/1", "shared-db-relation-joined", 1);
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-joined", 2);
    await expectHookRuns(offering, "mysql/1", "shared-db-relation-joined", 2);
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-changed", 2);
  });

  it("a removed unit departs on the other side, both ways", async () => {
    expect(await hookRuns(consuming, "keystone/0", "shared-db-relation-departed")).toBe(0);
    await offering.destroyUnit("mysql/1");
    await offering.waitFor("mysql/1 gone", () => !offering.units.has("mysql/1"));
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-departed", 1);
    await expectHookRuns(consuming, "keystone/1", "shared-db-relation-departed", 1);

    expect(await hookRuns(offering, "mysql/0", "shared-db-relation-departed")).toBe(0);
    await consuming.destroyUnit("keystone/1");
    await consuming.waitFor("keystone/1 gone", () => !consuming.units.has("keystone/1"));
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-departed", 1);
    // The relation itself is untouched on both sides.
    expect(offering.applicationOffers.get("db")?.activeConnectedCount).toBe(1);
    expect([...consuming.relations.values()].map((r) => r.key)).toEqual([
      "keystone:shared-db db:shared-db",
    ]);
  });
});

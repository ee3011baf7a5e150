import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, type Model, NotSupportedError } from "../src/index.js";
import { expectHookRuns } from "./support/hook-log.js";
import { useSimController } from "./support/sim-controller.js";

// Two simulators: the consuming one really connects to the offering one
// (addresses, CA and consume macaroon from the offering controller's consume
// details), logs in anonymously and speaks CrossModelRelations(2). Client
// frames on both controllers go through the conformance tap; the frames the
// consuming simulator sends are its own (cross-model-worker.ts) and are
// schema-checked on the facade side by offers-crossmodelrelations.e2e.test.ts.

const offerer = useSimController("cc-offering");
const consumer = useSimController("cc-consuming");

let offering: Model;
let consuming: Model;
const URL = "admin/offering.db";

const proxied = () =>
  [...offering.relations.values()].filter((r) =>
    r.endpoints.some((e) => e.application.startsWith("remote-")),
  );
const saasRelations = () => [...consuming.relations.values()].filter((r) => r.key.includes("db:"));
const counts = () => {
  const o = offering.applicationOffers.get("db");
  return o === undefined ? undefined : [o.totalConnectedCount, o.activeConnectedCount];
};

beforeAll(async () => {
  offering = await offerer.controller.addModel("offering");
  consuming = await consumer.controller.addModel("consuming");
  await offering.deploy("mysql");
  await consuming.deploy("keystone");
  await offering.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
  await consuming.waitForIdle({ apps: ["keystone"], idlePeriod: 0, timeout: 60_000 });
  await offering.createOffer("mysql:shared-db", { offerName: "db" });
}, 120_000);

afterAll(async () => {
  await offering?.disconnect();
  await consuming?.disconnect();
});

describe("consuming an offer of another controller", () => {
  it("consumes through the offering controller's consume details", async () => {
    expect(offerer.controller.controllerUuid).not.toBe(consumer.controller.controllerUuid);
    // Not a controller: refused before anything is sent.
    await expect(consuming.consume(URL, { controller: 3 as never })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    // Another controller's URL without its controller: python-libjuju would open it by name.
    await expect(consuming.consume(`elsewhere:${URL}`)).rejects.toBeInstanceOf(NotSupportedError);
    expect(await consuming.consume(URL, { controller: offerer.controller })).toBe("db");
    await consuming.waitFor("SAAS delta", () => consuming.remoteApplications.has("db"));
    // The SAAS shows the offered application's status, from the other controller.
    await consuming.waitFor(
      "SAAS active",
      () => consuming.remoteApplications.get("db")?.status === "active",
    );
  });

  it("relates across controllers: mirrored, counted and hooks on both sides", async () => {
    const rel = await consuming.integrate("keystone:shared-db", "db");
    expect(rel.key).toBe("keystone:shared-db db:shared-db");
    await offering.waitFor("mirrored", () => proxied().length === 1);
    await offering.waitFor("one active connection", () => counts()?.[1] === 1);
    const [listed] = await offering.listOffers();
    expect(listed?.connections).toEqual([
      expect.objectContaining({
        username: "admin",
        sourceModelTag: `model-${consuming.uuid}`,
        status: "joined",
      }),
    ]);
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-joined", 1);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-joined", 1);
    const cs = await consuming.getStatus();
    expect(cs["remote-applications"]?.db?.relations).toEqual({ "shared-db": ["keystone"] });
  });

  it("survives a snapshot and restore of both controllers: the relation carries on", async () => {
    const settled = async (sim: typeof offerer.sim) => {
      for (;;) {
        try {
          return JSON.parse(JSON.stringify(await sim.snapshot())) as Awaited<
            ReturnType<typeof sim.snapshot>
          >;
        } catch (e) {
          if ((e as { code?: string }).code !== "ERR_SNAPSHOT_BUSY") throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const offerSnap = await settled(offerer.sim);
    const consumeSnap = await settled(consumer.sim);
    await offerer.sim.restore(offerSnap);
    await consumer.sim.restore(consumeSnap);
    await offering.waitFor("mirror kept", () => proxied().length === 1);
    await consuming.waitFor("relation kept", () => saasRelations().length === 1);
    expect(counts()).toEqual([1, 1]);
  });

  it("units added later join on the other controller", async () => {
    await offering.applications.get("mysql")?.addUnit();
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-joined", 2);
    await consuming.applications.get("keystone")?.addUnit();
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-joined", 2);
    await offering.destroyUnit("mysql/1");
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-departed", 1);
  });

  it("teardown, relation first: the offering controller drops its side", async () => {
    await saasRelations()[0]?.destroy();
    await consuming.waitFor("relation gone", () => saasRelations().length === 0);
    await offering.waitFor("mirror gone", () => proxied().length === 0);
    await offering.waitFor("counts zero", () => counts()?.[0] === 0);
  });

  it("teardown, consumer first: remove-saas ends the relation on the offering controller", async () => {
    await consuming.integrate("keystone:shared-db", "db");
    await offering.waitFor("mirrored", () => proxied().length === 1);
    await consuming.removeSaas("db");
    await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
    await offering.waitFor("mirror gone", () => proxied().length === 0);
  });

  it("teardown, offer first: forced removal ends the relation and terminates the SAAS", async () => {
    await consuming.consume(URL, { controller: offerer.controller });
    await consuming.integrate("keystone:shared-db", "db");
    await offering.waitFor("mirrored", () => proxied().length === 1);
    await offering.removeOffer(URL, { force: true });
    await consuming.waitFor("relation gone", () => saasRelations().length === 0);
    await consuming.waitFor(
      "SAAS terminated",
      () => consuming.remoteApplications.get("db")?.status === "terminated",
    );
    await consuming.removeSaas("db");
    await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
  });

  it("an offering controller that stops puts the SAAS in error, without crashing the consumer", async () => {
    await offering.createOffer("mysql:shared-db", { offerName: "db" });
    await consuming.consume(URL, { controller: offerer.controller });
    await consuming.waitFor(
      "SAAS active",
      () => consuming.remoteApplications.get("db")?.status === "active",
    );
    await offering.disconnect();
    await offerer.controller.disconnect();
    await offerer.sim.stop();
    await consuming.waitFor(
      "SAAS in error",
      () => consuming.remoteApplications.get("db")?.status === "error",
    );
    const st = await consuming.getStatus();
    expect(st["remote-applications"]?.db?.status?.info).toMatch(
      /^cannot connect to external controller: /,
    );
    // The consuming controller still answers, and the SAAS can go.
    await consuming.removeSaas("db");
    await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
  });
});

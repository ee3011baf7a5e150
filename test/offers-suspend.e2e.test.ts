import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model, Relation } from "../src/index.js";
import { JujuError } from "../src/index.js";
import { expectHookRuns } from "./support/hook-log.js";
import { modelPath, RawClient } from "./support/raw-client.js";
import { useSimController } from "./support/sim-controller.js";

// Suspending a cross-model relation (`Application.SetRelationsSuspended`, run
// in the offering model as `juju suspend-relation` is): both sides' units
// leave it (departed, broken), the relation's status is `suspended` with the
// reason on both sides and on the offer connection; resuming joins them again.

const env = useSimController("offers-suspend");

let offering: Model;
let consuming: Model;
const URL = "admin/offering.db";

/** The FullStatus status of the model's only relation to `app`. */
async function relStatus(model: Model, app: string): Promise<{ status?: string; info?: string }> {
  const st = await model.getStatus();
  const rel = (st.relations ?? []).find((r) =>
    r.key.split(" ").some((e) => e.startsWith(`${app}:`)),
  );
  return { status: rel?.status?.status, info: rel?.status?.info };
}

function mirror(): Relation {
  const r = [...offering.relations.values()].find((x) => x.key.startsWith("remote-"));
  if (r === undefined) throw new Error("no mirror relation");
  return r;
}

beforeAll(async () => {
  offering = await env.controller.addModel("offering");
  consuming = await env.controller.addModel("consuming");
  await offering.deploy("mysql");
  await offering.deploy("keystone");
  await consuming.deploy("keystone");
  await offering.waitForIdle({ apps: ["mysql", "keystone"], idlePeriod: 0, timeout: 60_000 });
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

describe("suspending a cross-model relation", () => {
  it("suspend: hooks and status on both sides, the offer connection suspended", async () => {
    await mirror().suspend({ message: "maintenance" });
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-departed", 1);
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-broken", 1);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-departed", 1);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-broken", 1);
    expect(await relStatus(offering, "mysql")).toEqual({
      status: "suspended",
      info: "maintenance",
    });
    expect(await relStatus(consuming, "keystone")).toEqual({
      status: "suspended",
      info: "maintenance",
    });
    const [listed] = await offering.listOffers();
    expect(listed?.connections).toEqual([expect.objectContaining({ status: "suspended" })]);
    await offering.waitFor(
      "no active connection",
      () => offering.applicationOffers.get("db")?.activeConnectedCount === 0,
    );
    expect(offering.applicationOffers.get("db")?.totalConnectedCount).toBe(1);
    // Suspending again is a no-op (Juju returns early when nothing changes).
    await mirror().suspend({ message: "again" });
    expect(await relStatus(offering, "mysql")).toEqual({
      status: "suspended",
      info: "maintenance",
    });
  });

  it("resume: the units join again and the relation is joined on both sides", async () => {
    await mirror().resume();
    await expectHookRuns(offering, "mysql/0", "shared-db-relation-joined", 2);
    await expectHookRuns(consuming, "keystone/0", "shared-db-relation-joined", 2);
    for (let i = 0; i < 100 && (await relStatus(consuming, "keystone")).status !== "joined"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await relStatus(offering, "mysql")).toEqual({ status: "joined", info: "" });
    expect(await relStatus(consuming, "keystone")).toEqual({ status: "joined", info: "" });
    await offering.waitFor(
      "one active connection again",
      () => offering.applicationOffers.get("db")?.activeConnectedCount === 1,
    );
  });

  it("a relation without an offer connection: Juju's error", async () => {
    await offering.integrate("keystone:shared-db", "mysql:shared-db");
    const local = [...offering.relations.values()].find(
      (r) => r.key === "keystone:shared-db mysql:shared-db",
    );
    expect(local).toBeDefined();
    const err = await local!.suspend({ message: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).message).toContain(
      'cannot set suspend status for "keystone:shared-db mysql:shared-db" which is not associated with an offer',
    );
    // The consuming side's relation has no offer connection either (it lives in the offering model).
    const consumed = [...consuming.relations.values()][0];
    const err2 = await consumed!.suspend().catch((e: unknown) => e);
    expect((err2 as JujuError).message).toContain("which is not associated with an offer");
  });
});

describe("revoking consume access", () => {
  let second: Model;
  let raw: RawClient | undefined;

  afterAll(async () => {
    expect(raw?.violations ?? []).toEqual([]);
    raw?.ws.close();
    await second?.disconnect();
  });

  it("suspends that user's relations to the offer, and only theirs", async () => {
    await env.controller.addUser("eve", { password: "pw-eve" });
    await offering.grantOffer(URL, "eve", "consume");
    second = await env.controller.addModel("second");
    await second.deploy("keystone");
    await second.waitForIdle({ apps: ["keystone"], idlePeriod: 0, timeout: 60_000 });
    // A SAAS consumed as eve: a consume macaroon declaring eve, discharged again for her.
    const details = await env.controller.getConsumeDetails(URL);
    const mac = details.macaroon as { caveats: Array<{ cid: string }> };
    const asEve = {
      ...mac,
      caveats: mac.caveats.map((c) =>
        c.cid.startsWith("declared username ") ? { cid: "declared username eve" } : c,
      ),
    };
    raw = await RawClient.open(env.sim, modelPath(env.sim, second.uuid));
    const o = details.offer;
    const reply = await raw.ok("Application", 19, "Consume", {
      args: [
        {
          "source-model-tag": o?.["source-model-tag"],
          "offer-uuid": o?.["offer-uuid"],
          "offer-url": o?.["offer-url"],
          "offer-name": o?.["offer-name"],
          "application-description": o?.["application-description"],
          "application-alias": "db",
          endpoints: o?.endpoints ?? [],
          users: o?.users ?? [],
          macaroon: asEve,
        },
      ],
    });
    expect(reply).toEqual({ results: [{}] });
    await second.integrate("keystone:shared-db", "db");
    await offering.waitFor(
      "two active connections",
      () => offering.applicationOffers.get("db")?.activeConnectedCount === 2,
    );
    const [before] = await offering.listOffers();
    expect(before?.connections.map((c) => [c.username, c.status]).sort()).toEqual([
      ["admin", "joined"],
      ["eve", "joined"],
    ]);

    await offering.revokeOffer(URL, "eve", "consume");
    await expectHookRuns(second, "keystone/0", "shared-db-relation-broken", 1);
    const [after] = await offering.listOffers();
    expect(after?.connections.map((c) => [c.username, c.status]).sort()).toEqual([
      ["admin", "joined"],
      ["eve", "suspended"],
    ]);
    expect(await relStatus(second, "keystone")).toEqual({
      status: "suspended",
      info: "offer permission revoked",
    });
    expect((await relStatus(consuming, "keystone")).status).toBe("joined");

    // Resuming needs the connection's user to hold consume again (CheckCanConsume).
    const eves = [...offering.relations.values()].find(
      (r) => r.key.startsWith("remote-") && r.id !== mirror().id,
    );
    const denied = await eves?.resume().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(JujuError);
    expect((denied as JujuError).jujuCode).toBe("unauthorized access");
    await offering.grantOffer(URL, "eve", "consume");
    await eves?.resume();
    await expectHookRuns(second, "keystone/0", "shared-db-relation-joined", 2);
    expect(await relStatus(second, "keystone")).toEqual({ status: "joined", info: "" });
  });
});

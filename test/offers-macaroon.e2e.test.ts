import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogRecord, Model } from "../src/index.js";
import { modelPath, RawClient } from "./support/raw-client.js";
import { useSimController } from "./support/sim-controller.js";

// The consume macaroon a SAAS carries is checked when a relation to it is
// registered with the offering side (3.6's `CheckOfferMacaroons`), not at
// Consume: no declared user is `permission denied` (the worker logs it and
// the relation never reaches the offering model); a macaroon that does not
// verify needs a new discharge, which the offer access discharger grants
// only while the declared user has `consume` access, else the SAAS goes to
// `error` with the refusal.

const env = useSimController("offers-macaroon");

let offering: Model;
let consuming: Model;
let raw: RawClient;
let details: Awaited<ReturnType<typeof env.controller.getConsumeDetails>>;
const URL = "admin/offering.db";

/** Consumes the offer through a raw Application.Consume with `macaroon` (omitted when undefined). */
async function consumeWith(alias: string, macaroon: unknown): Promise<void> {
  const o = details.offer;
  const reply = await raw.ok("Application", 19, "Consume", {
    args: [
      {
        "source-model-tag": o?.["source-model-tag"],
        "offer-uuid": o?.["offer-uuid"],
        "offer-url": o?.["offer-url"],
        "offer-name": o?.["offer-name"],
        "application-description": o?.["application-description"],
        "application-alias": alias,
        endpoints: o?.endpoints ?? [],
        users: o?.users ?? [],
        ...(macaroon === undefined ? {} : { macaroon }),
      },
    ],
  });
  expect(reply).toEqual({ results: [{}] });
}

/** The consuming model's remote relations worker errors so far. */
async function workerErrors(): Promise<string[]> {
  const out: string[] = [];
  const recs: AsyncIterable<LogRecord> = consuming.debugLog({
    replay: true,
    noTail: true,
    includeModule: ["juju.worker.remoterelations"],
  });
  for await (const r of recs) out.push(r.message);
  return out;
}

/** The offering model's mirrored (consumer proxy) relations. */
const proxied = () =>
  [...offering.relations.values()].filter((r) =>
    r.endpoints.some((e) => e.application.startsWith("remote-")),
  );

/** Relates keystone to `saas`, waits for the outcome, then removes relation and SAAS again. */
async function relateThenClean(saas: string, outcome: () => Promise<void>): Promise<void> {
  await consuming.integrate("keystone:shared-db", saas);
  await outcome();
  await consuming.removeSaas(saas);
  await consuming.waitFor(`${saas} gone`, () => !consuming.remoteApplications.has(saas));
  await offering.waitFor("no proxied relation", () => proxied().length === 0);
}

beforeAll(async () => {
  offering = await env.controller.addModel("offering");
  consuming = await env.controller.addModel("consuming");
  await offering.deploy("mysql");
  await consuming.deploy("keystone");
  await offering.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
  await consuming.waitForIdle({ apps: ["keystone"], idlePeriod: 0, timeout: 60_000 });
  await offering.createOffer("mysql:shared-db", { offerName: "db" });
  await env.controller.addUser("eve", { password: "pw-eve" });
  details = await env.controller.getConsumeDetails(URL);
  raw = await RawClient.open(env.sim, modelPath(env.sim, consuming.uuid));
}, 120_000);

afterAll(async () => {
  expect(raw?.violations ?? []).toEqual([]);
  raw?.ws.close();
  await offering?.disconnect();
  await consuming?.disconnect();
});

describe("the consume macaroon, checked when relating", () => {
  it("a genuine macaroon registers the relation on the offering side", async () => {
    await consumeWith("genuine", details.macaroon);
    await relateThenClean("genuine", async () => {
      await offering.waitFor("mirrored", () => proxied().length === 1);
      expect(offering.applicationOffers.get("db")?.activeConnectedCount).toBe(1);
    });
  });

  it("no macaroon: permission denied, logged by the worker, nothing reaches the offering model", async () => {
    await consumeWith("nomac", undefined);
    await relateThenClean("nomac", async () => {
      const want =
        "error in remote application worker for nomac: registering application nomac and relation keystone:shared-db nomac:shared-db: permission denied";
      for (let i = 0; i < 100 && !(await workerErrors()).includes(want); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await workerErrors()).toContain(want);
      expect(proxied()).toEqual([]);
      expect(offering.applicationOffers.get("db")?.totalConnectedCount).toBe(0);
      // The SAAS keeps the offered application's status: only a refused discharge sets error.
      expect(consuming.remoteApplications.get("nomac")?.status).not.toBe("error");
    });
  });

  it("a forged macaroon for a user without consume access: the discharge is refused, the SAAS is in error", async () => {
    const mac = details.macaroon as { caveats: Array<{ cid: string }> };
    const forged = {
      ...mac,
      caveats: mac.caveats.map((c) =>
        c.cid.startsWith("declared username ") ? { cid: "declared username eve" } : c,
      ),
    };
    await consumeWith("forged", forged);
    await relateThenClean("forged", async () => {
      await consuming.waitFor(
        "SAAS in error",
        () => consuming.remoteApplications.get("forged")?.status === "error",
      );
      const st = await consuming.getStatus();
      expect(st["remote-applications"]?.forged?.status?.info).toBe(
        "third party refused discharge: cannot discharge: permission denied",
      );
      expect(proxied()).toEqual([]);
      expect(await workerErrors()).toContain(
        "error in remote application worker for forged: registering application forged and relation keystone:shared-db forged:shared-db: third party refused discharge: cannot discharge: permission denied",
      );
    });
  });

  it("a macaroon that does not verify is discharged again while the declared user has consume access", async () => {
    const mac = details.macaroon as { signature: string };
    await offering.grantOffer(URL, "eve", "consume");
    const eve = {
      ...(details.macaroon as Record<string, unknown>),
      caveats: (details.macaroon as { caveats: Array<{ cid: string }> }).caveats.map((c) =>
        c.cid.startsWith("declared username ") ? { cid: "declared username eve" } : c,
      ),
      signature: mac.signature.replace(/^./, (ch) => (ch === "0" ? "1" : "0")),
    };
    await consumeWith("redischarged", eve);
    await relateThenClean("redischarged", async () => {
      await offering.waitFor("mirrored", () => proxied().length === 1);
      const [listed] = await offering.listOffers();
      // The connection is the declared user's.
      expect(listed?.connections.map((c) => c.username)).toEqual(["eve"]);
    });
  });
});

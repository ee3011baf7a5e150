import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, JujuError, Model } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("offers");

let offering: Model;
let consuming: Model;
let dir: string;
const URL = "admin/offering.db";

/** The error a promise rejects with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error,
  );

/** The offer connection counts the offering model's `applicationOffer` delta carries. */
const counts = (name = "db") => {
  const o = offering.applicationOffers.get(name);
  return o === undefined ? undefined : [o.totalConnectedCount, o.activeConnectedCount];
};

/** Relations of the offering model that go to a consumer proxy (`remote-…`). */
const proxied = () =>
  [...offering.relations.values()].filter((r) =>
    r.endpoints.some((e) => e.application.startsWith("remote-")),
  );

/** Both sides clean: no SAAS relation, no proxy relation, counts zero. */
async function bothClean(): Promise<void> {
  await consuming.waitFor("no relation to the SAAS", () =>
    [...consuming.relations.values()].every((r) => !r.key.includes("db:")),
  );
  await offering.waitFor("no proxied relation", () => proxied().length === 0);
  const status = await offering.getStatus();
  for (const o of Object.values(status.offers ?? {})) {
    expect(o["active-connected-count"]).toBe(0);
    expect(o["total-connected-count"]).toBe(0);
  }
  expect(status.relations ?? []).toEqual([]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-offers-"));
  offering = await env.controller.addModel("offering");
  consuming = await env.controller.addModel("consuming");
  await offering.deploy("mysql");
  await consuming.deploy("keystone");
  await offering.waitForIdle({ apps: ["mysql"], timeout: 60_000 });
  await consuming.waitForIdle({ apps: ["keystone"], timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await offering?.disconnect();
  await consuming?.disconnect();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("offers", () => {
  it("creates an offer: delta, list, find and status show it", async () => {
    await offering.createOffer("mysql:shared-db", { offerName: "db" });
    await offering.waitFor("offer delta", () => offering.applicationOffers.has("db"));
    const delta = offering.applicationOffers.get("db");
    expect(delta?.applicationName).toBe("mysql");
    expect(delta?.charmName).toBe("mysql");
    expect(counts()).toEqual([0, 0]);

    const [listed, ...rest] = await offering.listOffers();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({
      offerName: "db",
      offerUrl: URL,
      applicationName: "mysql",
      endpoints: [{ name: "shared-db", role: "provider", interface: "mysql-shared" }],
      connections: [],
    });
    expect(listed?.charmUrl).toMatch(/mysql/);
    expect(listed?.users).toEqual([
      { user: "admin", displayName: "admin", access: "admin" },
      { user: "everyone@external", displayName: "", access: "read" },
    ]);

    expect((await consuming.findOffers({ url: URL })).map((o) => o.offerUrl)).toEqual([URL]);
    expect((await consuming.findOffers({ interface: "mysql-shared" })).length).toBe(1);
    expect(await consuming.findOffers({ interface: "nothing-like-it" })).toEqual([]);

    const status = await offering.getStatus();
    expect(status.offers?.db).toMatchObject({
      "offer-name": "db",
      "application-name": "mysql",
      endpoints: {
        "shared-db": { name: "shared-db", role: "provider", interface: "mysql-shared" },
      },
      "active-connected-count": 0,
      "total-connected-count": 0,
    });
  });

  it("answers python-libjuju's Controller members: list, consume details, create and remove", async () => {
    expect((await env.controller.listOffers("offering")).map((o) => o.offerUrl)).toEqual([URL]);
    const details = await env.controller.getConsumeDetails(URL);
    expect(details.offer?.["offer-url"]).toBe(URL);
    expect(details["external-controller"]).toMatchObject({
      "controller-tag": `controller-${offering.controllerUuid}`,
      addrs: [env.sim.endpoint],
      "ca-cert": env.sim.caCert,
    });
    // No bakery version asked: the v1 JSON python-libjuju reads.
    const caveats = (details.macaroon?.caveats ?? []) as Array<{ cid: string }>;
    expect(caveats.map((c) => c.cid)).toContain("declared username admin");
    expect(details.macaroon?.signature).toMatch(/^[0-9a-f]{64}$/);
    await env.controller.createOffer(offering.uuid, "mysql:shared-db", { offerName: "extra" });
    expect((await offering.listOffers()).map((o) => o.offerName)).toEqual(["db", "extra"]);
    await env.controller.removeOffer(offering.uuid, "admin/offering.extra");
    expect((await offering.listOffers()).map((o) => o.offerName)).toEqual(["db"]);
  });

  it("refuses bad offers with Juju's errors", async () => {
    const noEp = await failure(offering.createOffer("mysql:nope"));
    expect(noEp).toBeInstanceOf(JujuError);
    expect(noEp.message).toContain('application "mysql" has no "nope" relation');
    const noApp = (await failure(offering.createOffer("ghost:db"))) as JujuError;
    expect(noApp.jujuCode).toBe("not found");
    expect(noApp.message).toContain('getting offered application "ghost" not found');
    expect(await failure(offering.createOffer("mysql"))).toBeInstanceOf(InvalidArgumentError);
    expect(
      await failure(offering.createOffer("mysql:db", { offerName: 3 as never })),
    ).toBeInstanceOf(InvalidArgumentError);
  });

  it("consumes, relates and mirrors the relation in the offering model", async () => {
    expect(await consuming.consume(URL)).toBe("db");
    await consuming.waitFor("SAAS delta", () => consuming.remoteApplications.has("db"));
    expect(consuming.remoteApplications.get("db")?.offerUrl).toBe(URL);

    const rel = await consuming.integrate("keystone:shared-db", "db");
    expect(rel.key).toBe("keystone:shared-db db:shared-db");
    await offering.waitFor("proxied relation", () => proxied().length === 1);
    await offering.waitFor("one active connection", () => counts()?.[1] === 1);
    expect(counts()).toEqual([1, 1]);
    const mirror = proxied()[0];
    expect(mirror?.key).toMatch(/^remote-[0-9a-f]{32}:shared-db mysql:shared-db$/);

    const [listed] = await offering.listOffers();
    expect(listed?.connections).toEqual([
      expect.objectContaining({
        username: "admin",
        endpoint: "shared-db",
        status: "joined",
        sourceModelTag: `model-${consuming.uuid}`,
      }),
    ]);

    const cs = await consuming.getStatus();
    expect(cs["remote-applications"]?.db).toMatchObject({
      "offer-url": URL,
      "offer-name": "db",
      endpoints: [{ name: "shared-db", role: "provider", interface: "mysql-shared" }],
      relations: { "shared-db": ["keystone"] },
    });
    expect(cs.applications?.keystone?.relations).toEqual({ "shared-db": ["db"] });
    const os = await offering.getStatus();
    expect(os.offers?.db?.["active-connected-count"]).toBe(1);
    expect(os.applications?.mysql?.relations?.["shared-db"]?.[0]).toMatch(/^remote-/);
    // The SAAS shows the offered application's status.
    await consuming.waitFor(
      "SAAS active",
      () => consuming.remoteApplications.get("db")?.status === "active",
    );
  });

  it("refuses to remove an offered application with consumers unless forced", async () => {
    const refused = (await failure(offering.removeApplication("mysql"))) as JujuError;
    expect(refused.message).toBe(
      'cannot destroy application "mysql": application is used by 1 consumer',
    );
    expect(offering.applications.get("mysql")?.life).toBe("alive");
  });

  it("teardown, relation first: both models drop it", async () => {
    const rel = [...consuming.relations.values()].find((r) => r.key.includes("db:"));
    await rel?.destroy();
    await bothClean();
    await offering.waitFor("counts back to zero", () => counts()?.[0] === 0);
    expect(consuming.remoteApplications.has("db")).toBe(true);
  });

  it("teardown, consumer first: remove-saas takes its relations on both sides", async () => {
    await consuming.integrate("keystone:shared-db", "db");
    await offering.waitFor("proxied relation", () => proxied().length === 1);
    await consuming.removeSaas("db");
    await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
    await bothClean();
    await offering.waitFor("counts back to zero", () => counts()?.[0] === 0);
    expect((await consuming.getStatus())["remote-applications"]).toEqual({});
  });

  it("teardown, offer first: refused while related, forced it terminates the SAAS", async () => {
    // integrate with the offer URL consumes it first, as python-libjuju.
    await consuming.integrate("keystone:shared-db", URL);
    await offering.waitFor("proxied relation", () => proxied().length === 1);
    const refused = await failure(offering.removeOffer(URL));
    expect(refused.message).toBe('cannot delete application offer "db": offer has 1 relation');
    await offering.removeOffer(URL, { force: true });
    await offering.waitFor("offer delta gone", () => !offering.applicationOffers.has("db"));
    await bothClean();
    await consuming.waitFor(
      "SAAS terminated",
      () => consuming.remoteApplications.get("db")?.status === "terminated",
    );
    const cs = await consuming.getStatus();
    expect(cs["remote-applications"]?.db?.status?.info).toBe("offer has been removed");
    await consuming.removeSaas("db");
    await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
    expect(await offering.listOffers()).toEqual([]);
  });

  it("refuses unknown offers, missing access and bad names with Juju's errors", async () => {
    await offering.createOffer("mysql:shared-db", { offerName: "db" });
    const unknown = (await failure(consuming.consume("admin/offering.ghost"))) as JujuError;
    expect(unknown.jujuCode).toBe("not found");
    expect(unknown.message).toContain('application offer "admin/offering.ghost" not found');
    const noModel = (await failure(consuming.consume("admin/nowhere.db"))) as JujuError;
    expect(noModel.message).toContain('model "admin/nowhere" not found');
    expect(await failure(consuming.consume("not a url"))).toBeInstanceOf(InvalidArgumentError);
    expect(await failure(consuming.consume(`${URL}:shared-db`))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await failure(consuming.removeSaas("Bad_Name"))).toBeInstanceOf(InvalidArgumentError);
    const noSaas = (await failure(consuming.removeSaas("ghost"))) as JujuError;
    expect(noSaas.message).toBe('saas application "ghost" not found');
    const gone = (await failure(offering.removeOffer("admin/offering.ghost"))) as JujuError;
    expect(gone.jujuCode).toBe("not found");

    // A user with write access to the consuming model but none on the offer.
    await env.controller.addUser("carol", { password: "pw-carol" });
    await env.controller.grantModel("carol", "consuming", "write");
    const carol = await Model.connect({
      endpoint: env.sim.endpoint,
      uuid: consuming.uuid,
      username: "carol",
      password: "pw-carol",
      caCert: env.sim.caCert,
      pingInterval: 0,
      watch: false,
      onFrame: env.onFrame,
    });
    try {
      const hidden = (await failure(carol.consume(URL))) as JujuError;
      expect(hidden.jujuCode).toBe("not found");
      await offering.grantOffer(URL, "carol", "read");
      const denied = (await failure(carol.consume(URL))) as JujuError;
      expect(denied.jujuCode).toBe("unauthorized access");
      expect(denied.message).toContain("permission denied");
      const again = (await failure(offering.grantOffer(URL, "carol", "read"))) as JujuError;
      expect(again.message).toContain('user already has "read" access or greater');
      await offering.grantOffer(URL, "carol", "consume");
      expect(await carol.consume(URL, { applicationAlias: "carols-db" })).toBe("carols-db");
      const [seen] = await carol.findOffers({ url: URL });
      expect(seen?.users).toEqual([{ user: "carol", displayName: "", access: "consume" }]);
      expect(seen?.charmUrl).toBe("");
      expect(await failure(carol.listOffers())).toBeInstanceOf(JujuError);
      await offering.revokeOffer(URL, "carol", "consume");
      expect((await failure(carol.consume(URL))).message).toContain("permission denied");
      expect(await failure(offering.grantOffer(URL, "carol", "owner"))).toBeInstanceOf(
        InvalidArgumentError,
      );
      await carol.removeSaas("carols-db");
    } finally {
      await carol.disconnect();
    }
    await offering.removeOffer(URL);
    await offering.waitFor("offer delta gone", () => !offering.applicationOffers.has("db"));
  });

  it("deploys bundles with offers and saas for real", async () => {
    await writeFile(
      join(dir, "offer.yaml"),
      `applications:
  sql:
    charm: mysql
    channel: 8.0/stable
    num_units: 1
--- # offers come in an overlay document
applications:
  sql:
    offers:
      sql-offer:
        endpoints: [shared-db]
        acl:
          admin: admin
`,
    );
    await writeFile(
      join(dir, "saas.yaml"),
      `saas:
  remote-sql:
    url: admin/bundle-offer.sql-offer
applications:
  ks:
    charm: keystone
    channel: 2024.1/stable
    num_units: 1
relations:
  - ["ks:shared-db", "remote-sql:shared-db"]
`,
    );
    // Fresh models: a bundle deploying a charm the model already has is a planner issue of its own.
    await using offerer = await env.controller.addModel("bundle-offer");
    await offerer.deploy(join(dir, "offer.yaml"));
    await offerer.waitFor("bundle offer", () => offerer.applicationOffers.has("sql-offer"));
    expect((await offerer.listOffers()).map((o) => o.offerName)).toEqual(["sql-offer"]);
    await using bundled = await env.controller.addModel("bundled");
    await bundled.deploy(join(dir, "saas.yaml"));
    await bundled.waitFor("bundle SAAS", () => bundled.remoteApplications.has("remote-sql"));
    expect(bundled.remoteApplications.get("remote-sql")?.offerUrl).toBe(
      "admin/bundle-offer.sql-offer",
    );
    const active = () => offerer.applicationOffers.get("sql-offer")?.activeConnectedCount;
    await offerer.waitFor("bundle relation mirrored", () => active() === 1);
    // Deploying the same bundles again plans nothing new.
    await bundled.deploy(join(dir, "saas.yaml"));
    await offerer.deploy(join(dir, "offer.yaml"));
    expect(active()).toBe(1);
    expect(bundled.remoteApplications.size).toBe(1);

    // The offered application removed with force: its offer goes, the consumer's SAAS terminates.
    await offerer.removeApplication("sql", { force: true });
    await offerer.waitFor(
      "offer gone with its application",
      () => offerer.applicationOffers.size === 0,
    );
    await bundled.waitFor(
      "SAAS terminated",
      () => bundled.remoteApplications.get("remote-sql")?.status === "terminated",
    );
    await bundled.waitFor("relation gone", () => bundled.relations.size === 0);
  });
});

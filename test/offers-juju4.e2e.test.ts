/**
 * Cross-model offers against the simulator's Juju 4.0 profile: the client
 * negotiates ApplicationOffers 6 and sends its shapes (`model-qualifier` in
 * offer filters); every frame is checked against schema-4.0.json. mysql
 * assumes juju < 4, so the offer is easyrsa's `client` (tls-certificates),
 * consumed by haproxy.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JujuError, JujuNotFoundError, type Model } from "../src/index.js";
import { type Frame, RawClient } from "./support/raw-client.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("offers4", { juju: "4.0" });

let offering: Model;
let consuming: Model;
const URL = "admin/offering.certs";

/** The error a promise rejects with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error,
  );

beforeAll(async () => {
  offering = await env.controller.addModel("offering");
  consuming = await env.controller.addModel("consuming");
  await offering.deploy("easyrsa");
  await consuming.deploy("haproxy");
  await offering.waitForIdle({ apps: ["easyrsa"], timeout: 60_000 });
  await consuming.waitForIdle({ apps: ["haproxy"], timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await offering?.disconnect();
  await consuming?.disconnect();
});

describe("offers on a Juju 4.0 controller", () => {
  it("negotiates ApplicationOffers 6", () => {
    const f = env.controller.connection.facade("ApplicationOffers");
    expect(f.major).toBe(4);
    expect(f.version).toBe(6);
  });

  it("creates an offer and lists and finds it by qualifier", async () => {
    await offering.createOffer("easyrsa:client", { offerName: "certs" });
    // No AllWatcher on 4.0: the offer entity comes from a status poll.
    await offering.waitFor("offer entity", () => offering.applicationOffers.has("certs"));
    expect(offering.applicationOffers.get("certs")?.applicationName).toBe("easyrsa");
    const [listed, ...rest] = await offering.listOffers();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({
      offerName: "certs",
      offerUrl: URL,
      applicationName: "easyrsa",
      endpoints: [{ name: "client", role: "provider", interface: "tls-certificates" }],
      connections: [],
    });
    expect((await consuming.findOffers({ url: URL })).map((o) => o.offerUrl)).toEqual([URL]);
    expect((await consuming.findOffers({ interface: "tls-certificates" })).length).toBe(1);
    // The URL's qualifier reaches the filter: another qualifier names another model.
    const elsewhere = await failure(consuming.findOffers({ url: "nobody/offering.certs" }));
    expect(elsewhere).toBeInstanceOf(JujuNotFoundError);
    expect(elsewhere.message).toBe('model "nobody/offering" not found');
    const status = await offering.getStatus();
    expect(status.offers?.certs).toMatchObject({
      "offer-name": "certs",
      "application-name": "easyrsa",
    });
  });

  it("reads an older client's ApplicationOffers 5 filter (owner-name) as the qualifier", async () => {
    const raw = await RawClient.open(env.sim, "/api");
    try {
      const filter = (owner: Record<string, string>) => ({
        Filters: [
          {
            ...owner,
            "model-name": "offering",
            "offer-name": "",
            "application-name": "",
            "application-description": "",
            "application-user": "",
            "allowed-users": [],
            "connected-users": [],
            endpoints: [],
          },
        ],
      });
      const v5 = await raw.ok("ApplicationOffers", 5, "ListApplicationOffers", {
        ...filter({ "owner-name": "admin" }),
      });
      const v6 = await raw.ok("ApplicationOffers", 6, "ListApplicationOffers", {
        ...filter({ "model-qualifier": "admin" }),
      });
      const urls = (r: Frame) => (r.results as Frame[]).map((o) => o["offer-url"]);
      expect(urls(v5)).toEqual([URL]);
      expect(urls(v6)).toEqual([URL]);
      // v6 names the model by model-qualifier.
      const wrong = await raw.call("ApplicationOffers", 6, "ListApplicationOffers", {
        ...filter({ "model-qualifier": "nobody" }),
      });
      expect(wrong.error).toBe('model "nobody/offering" not found');
      const wrong5 = await raw.call("ApplicationOffers", 5, "ListApplicationOffers", {
        ...filter({ "owner-name": "nobody" }),
      });
      expect(wrong5.error).toBe('model "nobody/offering" not found');
      expect(raw.violations).toEqual([]);
    } finally {
      raw.ws.close();
    }
  });

  it("lists the offers of a model another user's qualifier names", async () => {
    await env.controller.addUser("bob");
    const bobs = await env.controller.addModel("bobs", { owner: "bob" });
    try {
      // A superuser is not a model writer: admin takes admin access to bob's model.
      await env.controller.grantModel("admin", bobs.uuid, "admin");
      await bobs.deploy("easyrsa");
      await bobs.createOffer("easyrsa:client", { offerName: "bobcerts" });
      // The model's qualifier is bob's, not the caller's: it comes from ModelInfo.
      expect((await bobs.listOffers()).map((o) => o.offerUrl)).toEqual(["bob/bobs.bobcerts"]);
      expect(
        (await env.controller.listOffers("bobs", { owner: "bob" })).map((o) => o.offerName),
      ).toEqual(["bobcerts"]);
      await env.controller.removeOffer(bobs.uuid, "bob/bobs.bobcerts");
      expect(await bobs.listOffers()).toEqual([]);
    } finally {
      await bobs.disconnect();
    }
  });

  it("consumes, integrates, and shows the connection on the offer", async () => {
    expect(await consuming.consume(URL)).toBe("certs");
    await consuming.integrate("haproxy:certificates", "certs");
    await consuming.waitFor("relation to the SAAS", () =>
      [...consuming.relations.values()].some((r) => r.key.includes("certs:client")),
    );
    const status = await consuming.getStatus();
    expect(status["remote-applications"]?.certs).toMatchObject({ "offer-url": URL });
    // The simulator records the connection as the consuming side relates.
    const [o] = await offering.listOffers();
    expect(o?.connections[0]).toMatchObject({ username: "admin", endpoint: "client" });
  });

  it("deploys bundles with offers and saas", async () => {
    await writeFile(
      join(env.dir, "offer4.yaml"),
      `applications:
  ca:
    charm: easyrsa
    num_units: 1
--- # offers come in an overlay document
applications:
  ca:
    offers:
      ca-offer:
        endpoints: [client]
        acl:
          admin: admin
`,
    );
    await writeFile(
      join(env.dir, "saas4.yaml"),
      `saas:
  remote-ca:
    url: admin/bundle-offer.ca-offer
applications:
  proxy:
    charm: haproxy
    num_units: 1
relations:
  - ["proxy:certificates", "remote-ca:client"]
`,
    );
    await using offerer = await env.controller.addModel("bundle-offer");
    await offerer.deploy(join(env.dir, "offer4.yaml"));
    expect((await offerer.listOffers()).map((o) => o.offerName)).toEqual(["ca-offer"]);
    await using bundled = await env.controller.addModel("bundled");
    await bundled.deploy(join(env.dir, "saas4.yaml"));
    await bundled.waitFor("bundle SAAS", () => bundled.remoteApplications.has("remote-ca"));
    expect(bundled.remoteApplications.get("remote-ca")?.offerUrl).toBe(
      "admin/bundle-offer.ca-offer",
    );
    const [offer] = await offerer.listOffers();
    expect(offer?.connections.map((c) => c.endpoint)).toEqual(["client"]);
  });

  it("refuses to remove a connected offer unless forced; remove-saas then removes it", async () => {
    const refused = await failure(offering.removeOffer(URL));
    expect(refused).toBeInstanceOf(JujuError);
    expect(refused.message).toContain("offer has 1 relation");
    await consuming.removeSaas("certs");
    await consuming.waitFor("SAAS gone", () =>
      [...consuming.relations.values()].every((r) => !r.key.includes("certs:")),
    );
    const [o] = await offering.listOffers();
    expect(o?.connections).toEqual([]);
    await offering.removeOffer(URL);
    expect(await offering.listOffers()).toEqual([]);
    const gone = (await failure(consuming.consume(URL))) as JujuError;
    expect(gone.message).toContain("not found");
  });
});

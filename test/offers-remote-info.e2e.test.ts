import { describe, expect, it } from "vitest";
import type { Model } from "../src/index.js";
import { type Frame, RawClient } from "./support/raw-client.js";
import { type SimController, useSimController } from "./support/sim-controller.js";

// ApplicationOffers.RemoteApplicationInfo, on Juju 3.6 (v5) and 4.0 (v6):
// the offer as a remote application, for users who may consume it.

const env36 = useSimController("offers-info-36");
const env40 = useSimController("offers-info-40", { juju: "4.0" });

/** A charm each profile deploys, its offered endpoint as `RemoteEndpoint`. */
const CHARM = {
  5: {
    charm: "mysql",
    endpoint: { name: "shared-db", role: "provider", interface: "mysql-shared", limit: 0 },
  },
  6: {
    charm: "easyrsa",
    endpoint: { name: "client", role: "provider", interface: "tls-certificates", limit: 0 },
  },
} as const;

async function setUp(
  env: SimController,
  version: 5 | 6,
): Promise<{ offering: Model; raw: RawClient }> {
  const offering = await env.controller.addModel("offering");
  const { charm, endpoint } = CHARM[version];
  await offering.deploy(charm);
  await offering.createOffer(`${charm}:${endpoint.name}`, { offerName: "db" });
  // ApplicationOffers is served on controller connections.
  const raw = await RawClient.open(env.sim, "/api");
  return { offering, raw };
}

async function check(env: SimController, version: 5 | 6): Promise<void> {
  const { offering, raw } = await setUp(env, version);
  try {
    const info = (await raw.ok("ApplicationOffers", version, "RemoteApplicationInfo", {
      "offer-urls": [
        "admin/offering.db",
        "offering.db",
        "admin/offering.ghost",
        "bad url",
        "admin/nowhere.db",
      ],
      "bakery-version": 3,
    })) as { results: Frame[] };
    const expected = {
      "model-tag": `model-${offering.uuid}`,
      name: "db",
      // The offer's description (the charm's unless the offer set one), as ApplicationOffers gives it.
      description: (await offering.listOffers())[0]?.applicationDescription,
      "source-model-label": "offering",
      endpoints: [CHARM[version].endpoint],
      "icon-url-path": "rest/1.0/remote-application/db/icon",
    };
    expect(info.results[0]).toEqual({ result: { ...expected, "offer-url": "admin/offering.db" } });
    // The URL is echoed as given (no user filled in), as 3.6's url.String().
    expect(info.results[1]).toEqual({ result: { ...expected, "offer-url": "offering.db" } });
    expect(info.results[2]).toEqual({
      error: { message: 'application offer "ghost" not found', code: "not found" },
    });
    expect(String((info.results[3]?.error as Frame | undefined)?.message)).toContain(
      "application offer URL",
    );
    expect(info.results[4]).toEqual({
      error: { message: 'model "admin/nowhere" not found', code: "not found" },
    });

    // A user who may only read the offer does not find it; with consume access they do.
    await env.controller.addUser("reader", { password: "pw-reader" });
    await offering.grantOffer("admin/offering.db", "reader", "read");
    const asReader = await RawClient.connect(env.sim, "/api");
    try {
      await asReader.ok("Admin", 3, "Login", {
        "auth-tag": "user-reader",
        credentials: "pw-reader",
        "client-version": "3.6.28",
      });
      const ask = async () =>
        (
          (await asReader.ok("ApplicationOffers", version, "RemoteApplicationInfo", {
            "offer-urls": ["admin/offering.db"],
          })) as { results: Frame[] }
        ).results[0];
      expect(await ask()).toEqual({
        error: { message: 'application offer "db" not found', code: "not found" },
      });
      await offering.grantOffer("admin/offering.db", "reader", "consume");
      expect((await ask())?.result).toMatchObject({ name: "db", "offer-url": "admin/offering.db" });
      expect(asReader.violations).toEqual([]);
    } finally {
      asReader.ws.close();
    }
    expect(raw.violations).toEqual([]);
  } finally {
    raw.ws.close();
    await offering.disconnect();
  }
}

describe("ApplicationOffers.RemoteApplicationInfo", () => {
  it("Juju 3.6 (v5): the offer as a remote application, with Juju's errors", async () => {
    await check(env36, 5);
  });
  it("Juju 4.0 (v6): the same", async () => {
    await check(env40, 6);
  });
});

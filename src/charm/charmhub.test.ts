import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CharmCatalog } from "../simulator/catalog/index.js";
import { Simulator } from "../simulator/index.js";
import {
  CHARMHUB_DEFAULT_URL,
  Charmhub,
  CharmhubError,
  CharmhubErrorCodes,
  type FetchLike,
} from "./charmhub.js";

let sim: Simulator;
let hub: Charmhub;
const catalog = CharmCatalog.default();

beforeAll(async () => {
  sim = await Simulator.start({ catalog });
  hub = new Charmhub({ url: sim.charmhubUrl });
});
afterAll(async () => {
  await sim.stop();
});

async function caught(p: Promise<unknown>): Promise<CharmhubError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CharmhubError);
    return e as CharmhubError;
  }
  throw new Error("expected a CharmhubError");
}

describe("Charmhub against the simulator", () => {
  it("reads info with Juju's fields", async () => {
    const info = await hub.info("mysql");
    const stable = catalog.resolve({ name: "mysql", channel: "8.0/stable" });
    expect(info).toMatchObject({ type: "charm", id: stable.id, name: "mysql" });
    expect(info.result?.summary).toBe(catalog.get("mysql")?.info.summary);
    expect(info["default-release"]?.channel?.name).toBe("8.0/stable");
    expect(info["default-release"]?.revision?.revision).toBe(stable.revision);
    expect(info["default-release"]?.revision?.["metadata-yaml"]).toContain("name: mysql");
    expect(info["channel-map"]?.length).toBeGreaterThan(3);
    const edge = await hub.info("mysql", { channel: "8.0/edge" });
    expect(edge["default-release"]?.channel?.risk).toBe("edge");
  });

  it("finds charms", async () => {
    const found = await hub.find("postgres");
    expect(found[0]?.name).toBe("postgresql");
    expect(found[0]?.result?.summary).toBe(catalog.get("postgresql")?.info.summary);
    expect(await hub.find("zzzz-none")).toEqual([]);
    const bundles = await hub.find("", { type: "bundle" });
    expect(bundles.map((b) => [b.type, b.name])).toEqual(
      catalog.listBundles().map((b) => ["bundle", b.name]),
    );
  });

  it("resolves channel, base and revision like the catalog", async () => {
    const jammy = { name: "ubuntu", channel: "22.04" };
    const want = catalog.resolve({ name: "mysql", channel: "8.0/edge", base: jammy });
    const got = await hub.resolve("mysql", { channel: "8.0/edge", base: jammy });
    expect(got).toMatchObject({
      id: want.id,
      name: "mysql",
      revision: want.revision,
      channel: "8.0/edge",
      base: { architecture: "amd64", ...jammy },
    });
    expect(got.download["hash-sha-256"]).toBe(want.hash);

    // No base: the NA round trip, then Charmhub's preferred base.
    const dflt = catalog.resolve({ name: "ubuntu" });
    const noBase = await hub.resolve("ubuntu");
    expect(noBase.revision).toBe(dflt.revision);
    expect(noBase.base).toEqual({ architecture: "amd64", ...dflt.base });
    expect(noBase.channel).toBe(dflt.channel);

    const arm = await hub.resolve("mysql", { architecture: "arm64", base: jammy });
    expect(arm.revision).toBe(
      catalog.resolve({ name: "mysql", architecture: "arm64", base: jammy }).revision,
    );

    const byRev = await hub.resolve("mysql", { revision: want.revision, base: jammy });
    expect(byRev.revision).toBe(want.revision);

    const withRes = await hub.resolve("etcd", { channel: "1.35/stable" });
    expect(withRes.resources.map((r) => r.name).sort()).toEqual(
      Object.keys(catalog.get("etcd")?.info.resources ?? {}).sort(),
    );
  });

  it("answers python-libjuju's two deploy-time questions", async () => {
    expect(await hub.isSubordinate("calico")).toBe(true);
    expect(await hub.isSubordinate("mysql")).toBe(false);
    const res = await hub.listResources("alertmanager-k8s");
    expect(res).toEqual([
      expect.objectContaining({ name: "alertmanager-image", type: "oci-image" }),
    ]);
  });

  it("throws typed errors with Charmhub's codes", async () => {
    const info = await caught(hub.info("no-such"));
    expect(info.charmhubCode).toBe("resource-not-found");
    expect(info.status).toBe(404);
    expect(info.notFound).toBe(true);
    expect(info.message).toBe("No charm or bundle with name 'no-such'.");
    expect(info.url).toContain("/v2/charms/info/no-such");

    const name = await caught(hub.resolve("no-such", { channel: "stable" }));
    expect(name.charmhubCode).toBe("name-not-found");
    expect(name.notFound).toBe(true);

    const rev = await caught(
      hub.resolve("mysql", { channel: "5.7/stable", base: { name: "ubuntu", channel: "22.04" } }),
    );
    expect(rev.charmhubCode).toBe("revision-not-found");
    expect(rev.errors[0]?.extra?.releases?.length).toBeGreaterThan(0);

    const arch = await caught(hub.resolve("alertmanager-k8s", { architecture: "s390x" }));
    expect(arch.charmhubCode).toBe("invalid-charm-base");
  });

  it("is built from model config", () => {
    expect(Charmhub.fromModelConfig({ "charmhub-url": "http://x:1/" }).url).toBe("http://x:1");
    expect(
      Charmhub.fromModelConfig({ "charmhub-url": { value: sim.charmhubUrl, source: "controller" } })
        .url,
    ).toBe(sim.charmhubUrl);
    expect(Charmhub.fromModelConfig({}).url).toBe(CHARMHUB_DEFAULT_URL);
  });
});

describe("Charmhub error mapping (fake fetch)", () => {
  const reply =
    (status: number, text: string): FetchLike =>
    async () => ({ status, text: async () => text });

  it("maps a 404 error list", async () => {
    const hub404 = new Charmhub({
      fetch: reply(
        404,
        '{"error-list":[{"code":"resource-not-found","message":"No charm or bundle with name \'x\'."}]}',
      ),
    });
    const e = await caught(hub404.info("x"));
    expect(e).toMatchObject({ charmhubCode: "resource-not-found", status: 404 });
    expect(e.url.startsWith(`${CHARMHUB_DEFAULT_URL}/v2/charms/info/x?fields=`)).toBe(true);
  });

  it("maps a 500 with an HTML body to an HTTP error", async () => {
    const e = await caught(new Charmhub({ fetch: reply(500, "<html>oops</html>") }).find("x"));
    expect(e).toMatchObject({ charmhubCode: "http 500", status: 500 });
    expect(e.message).toContain("HTTP 500");
  });

  it("maps a 500 with an error list to its code", async () => {
    const body = '{"error-list":[{"code":"api-error","message":"internal"}]}';
    const e = await caught(new Charmhub({ fetch: reply(500, body) }).info("x"));
    expect(e).toMatchObject({ charmhubCode: "api-error", status: 500, message: "internal" });
  });

  it("maps bad JSON and wrong shapes on success to bad response", async () => {
    const bad = await caught(new Charmhub({ fetch: reply(200, "{nope") }).info("x"));
    expect(bad).toMatchObject({ code: CharmhubErrorCodes.badResponse, status: 200 });
    const shape = await caught(new Charmhub({ fetch: reply(200, "[1,2]") }).info("x"));
    expect(shape.code).toBe(CharmhubErrorCodes.badResponse);
    const find = await caught(new Charmhub({ fetch: reply(200, '{"results":3}') }).find("x"));
    expect(find.code).toBe(CharmhubErrorCodes.badResponse);
    const refresh = await caught(
      new Charmhub({ fetch: reply(200, '{"results":[]}') }).resolve("x", { channel: "stable" }),
    );
    expect(refresh.code).toBe(CharmhubErrorCodes.badResponse);
  });

  it("maps network failures to an error naming the URL", async () => {
    const hubNet = new Charmhub({
      url: "http://charmhub.invalid",
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    });
    const e = await caught(hubNet.info("mysql"));
    expect(e.code).toBe(CharmhubErrorCodes.network);
    expect(e.status).toBeUndefined();
    expect(e.message).toContain("http://charmhub.invalid/v2/charms/info/mysql");
    expect(e.cause).toBeInstanceOf(TypeError);

    // A real refused connection, through the global fetch.
    const closed = await Simulator.start({ catalog });
    const url = closed.charmhubUrl;
    await closed.stop();
    const refused = await caught(new Charmhub({ url }).info("mysql"));
    expect(refused.code).toBe(CharmhubErrorCodes.network);
    expect(refused.url.startsWith(url)).toBe(true);
  });

  it("times out and honours abort signals", async () => {
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(new Error("aborted by signal")));
      });
    const slow = await caught(new Charmhub({ fetch: hang, timeout: 20 }).info("x"));
    expect(slow.code).toBe(CharmhubErrorCodes.timeout);

    const ac = new AbortController();
    const p = new Charmhub({ fetch: hang, timeout: 0 }).info("x", { signal: ac.signal });
    ac.abort();
    expect((await caught(p)).code).toBe(CharmhubErrorCodes.aborted);

    const pre = new AbortController();
    pre.abort();
    const early = await caught(new Charmhub({ fetch: hang }).find("x", { signal: pre.signal }));
    expect(early.code).toBe(CharmhubErrorCodes.aborted);
  });
});

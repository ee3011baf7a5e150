import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { RawClient } from "../../../test/support/raw-client.js";
import { INFO_FIELDS } from "../../charm/charmhub.js";
import { CharmCatalog } from "../catalog/index.js";
import { Simulator } from "../index.js";
import { parseFields, selectFields } from "./fields.js";

type Json = Record<string, unknown>;

let sim: Simulator;
const catalog = CharmCatalog.default();

beforeAll(async () => {
  sim = await Simulator.start({ password: "pw", catalog });
});
afterAll(async () => {
  await sim.stop();
});

async function get(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.charmhubUrl}${path}`);
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, body: (await res.json()) as Json };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.charmhubUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function install(key: string, extra: Json): Json {
  return { action: "install", "instance-key": key, ...extra };
}

const JAMMY = { architecture: "amd64", name: "ubuntu", channel: "22.04" };

/** Logs in on `path`, makes the calls one after the other and returns their replies. */
async function rpc(path: string, calls: Array<[string, number, string, unknown]>): Promise<Json[]> {
  const w = await RawClient.connect(sim, path);
  await w.login("pw");
  const out: Json[] = [];
  for (const [type, version, request, params] of calls) {
    out.push(await w.call(type, version, request, params));
  }
  w.close();
  return out;
}

describe("charmhub-url", () => {
  it("is served over plain HTTP on loopback", () => {
    expect(sim.charmhubUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("is in every model's config, with source controller, and survives ModelUnset", async () => {
    const [got, , after] = await rpc(`/model/${sim.defaultModelUuid}/api`, [
      ["ModelConfig", 3, "ModelGet", {}],
      ["ModelConfig", 3, "ModelUnset", { keys: ["charmhub-url"] }],
      ["ModelConfig", 3, "ModelGet", {}],
    ]);
    const cfg = (r: Json | undefined) =>
      (r?.response as { config: Record<string, unknown> } | undefined)?.config["charmhub-url"];
    expect(cfg(got)).toEqual({ value: sim.charmhubUrl, source: "controller" });
    expect(cfg(after)).toEqual({ value: sim.charmhubUrl, source: "controller" });

    const [ctl] = await rpc(`/model/${sim.controllerModelUuid}/api`, [
      ["ModelConfig", 3, "ModelGet", {}],
    ]);
    expect(cfg(ctl)).toEqual({ value: sim.charmhubUrl, source: "controller" });
  });

  it("is given to models created later", async () => {
    const [created] = await rpc("/api", [
      ["ModelManager", 10, "CreateModel", { name: "chub", "owner-tag": "user-admin" }],
    ]);
    const uuid = (created?.response as Json | undefined)?.uuid as string;
    const [got] = await rpc(`/model/${uuid}/api`, [["ModelConfig", 3, "ModelGet", {}]]);
    const config = (got?.response as { config: Record<string, unknown> } | undefined)?.config;
    expect(config?.["charmhub-url"]).toEqual({ value: sim.charmhubUrl, source: "controller" });
  });

  it("stops with the simulator", async () => {
    const other = await Simulator.start({ catalog });
    const url = other.charmhubUrl;
    expect((await fetch(`${url}/v2/charms/info/mysql`)).status).toBe(200);
    await other.stop();
    await expect(fetch(`${url}/v2/charms/info/mysql`)).rejects.toThrow();
  });
});

describe("GET /v2/charms/info", () => {
  it("returns only type, id and name without fields", async () => {
    const { status, body } = await get("/v2/charms/info/mysql");
    expect(status).toBe(200);
    const resolved = catalog.resolve({ name: "mysql", channel: "8.0/stable" });
    expect(body).toEqual({ type: "charm", id: resolved.id, name: "mysql" });
    expect(body.id).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("404s an unknown name with Charmhub's error list", async () => {
    const { status, body } = await get("/v2/charms/info/no-such-charm?fields=result.summary");
    expect(status).toBe(404);
    expect(body).toEqual({
      "error-list": [
        { code: "resource-not-found", message: "No charm or bundle with name 'no-such-charm'." },
      ],
    });
  });

  it("answers python-libjuju's is_subordinate query", async () => {
    const f = "fields=default-release.revision.subordinate";
    const sub = await get(`/v2/charms/info/calico?${f}`);
    expect(sub.body["default-release"]).toEqual({ revision: { subordinate: true } });
    const principal = await get(`/v2/charms/info/mysql?${f}`);
    expect(principal.body["default-release"]).toEqual({ revision: { subordinate: false } });
  });

  it("answers python-libjuju's list_resources query", async () => {
    const { body } = await get("/v2/charms/info/etcd?fields=default-release.resources");
    const resources = (body["default-release"] as Json).resources as Json[];
    const meta = catalog.get("etcd")?.info.resources ?? {};
    expect(resources.map((r) => r.name).sort()).toEqual(Object.keys(meta).sort());
    for (const r of resources) {
      const m = meta[r.name as string];
      expect(r).toMatchObject({
        type: m?.type,
        filename: m?.filename ?? "",
        description: m?.description ?? "",
        revision: 1,
      });
      expect((r.download as Json)["hash-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    }
    const none = await get("/v2/charms/info/mysql?fields=default-release.resources");
    expect(none.body["default-release"]).toEqual({ resources: [] });
  });

  it("lists the channel map python-libjuju's info turns into track/risk keys", async () => {
    const { body } = await get("/v2/charms/info/mysql?fields=channel-map");
    const map = body["channel-map"] as Array<{ channel: Json; revision: Json }>;
    const keys = new Set(map.map((e) => `${e.channel.track}/${e.channel.risk}`));
    expect([...keys].sort()).toEqual(["8.0/candidate", "8.0/edge", "8.0/stable"]);
    const stableAmd = map.find(
      (e) => e.channel.name === "8.0/stable" && (e.channel.base as Json).architecture === "amd64",
    );
    const resolved = catalog.resolve({ name: "mysql", channel: "8.0/stable" });
    expect(stableAmd?.revision.revision).toBe(resolved.revision);
    expect(stableAmd?.channel.base).toEqual({ architecture: "amd64", ...resolved.base });
    expect(Date.parse(stableAmd?.channel["released-at"] as string)).not.toBeNaN();
    // The charm files travel with the default release only.
    expect(stableAmd?.revision["metadata-yaml"]).toBeUndefined();
  });

  it("fills everything Juju 3.6's info filter asks for", async () => {
    const q = new URLSearchParams({ fields: INFO_FIELDS.join(",") });
    const { body } = await get(`/v2/charms/info/postgresql?${q}`);
    expect(body.result).toMatchObject({
      summary: catalog.get("postgresql")?.info.summary,
      "store-url": "https://charmhub.io/postgresql",
      publisher: { "display-name": "libjuju simulator" },
      "contains-charms": [],
      categories: [],
    });
    const rel = body["default-release"] as { channel: Json; revision: Json };
    const resolved = catalog.resolve({ name: "postgresql", channel: "14/stable" });
    expect(rel.channel).toMatchObject({ name: "14/stable", track: "14", risk: "stable" });
    expect(rel.revision.revision).toBe(resolved.revision);
    expect(rel.revision.bases).toContainEqual({ architecture: "amd64", ...resolved.base });
    const meta = parseYaml(rel.revision["metadata-yaml"] as string) as Json;
    expect(meta.name).toBe("postgresql");
    expect(Object.keys(meta.provides as Json)).toEqual(
      Object.keys(catalog.get("postgresql")?.info.provides ?? {}),
    );
    const config = parseYaml(rel.revision["config-yaml"] as string) as { options: Json };
    expect(Object.keys(config.options).sort()).toEqual(
      Object.keys(catalog.get("postgresql")?.info.config ?? {}).sort(),
    );
    // Not asked for by Juju: left out.
    expect(rel.revision["actions-yaml"]).toBeUndefined();
    expect((rel.revision.download as Json).size).toBeGreaterThan(0);
    const map = body["channel-map"] as Array<{ revision: Json }>;
    expect(map.every((e) => typeof e.revision["created-at"] === "string")).toBe(true);
  });

  it("serves actions-yaml that round-trips the catalog's actions", async () => {
    const { body } = await get(
      "/v2/charms/info/postgresql?fields=default-release.revision.actions-yaml",
    );
    const yaml = ((body["default-release"] as Json).revision as Json)["actions-yaml"] as string;
    const actions = parseYaml(yaml) as Record<string, Json>;
    const want = catalog.get("postgresql")?.info.actions ?? {};
    expect(Object.keys(actions).sort()).toEqual(Object.keys(want).sort());
    for (const [name, a] of Object.entries(want)) {
      expect(actions[name]?.description).toBe(a.description);
      expect(actions[name]?.params ?? {}).toEqual(a.params.properties);
    }
  });

  it("takes the default release from the channel parameter", async () => {
    const f = "fields=default-release.channel.name,default-release.revision.revision";
    const { body } = await get(`/v2/charms/info/mysql?channel=8.0/edge&${f}`);
    const edge = catalog.resolve({ name: "mysql", channel: "8.0/edge" });
    expect(body["default-release"]).toEqual({
      channel: { name: "8.0/edge" },
      revision: { revision: edge.revision },
    });
    const missing = await get(`/v2/charms/info/mysql?channel=5.7/stable&${f}`);
    expect(missing.status).toBe(404);
    expect((missing.body["error-list"] as Json[])[0]?.code).toBe("revision-not-found");
  });
});

describe("GET /v2/charms/find", () => {
  it("ranks name matches first and fills Juju's find fields", async () => {
    const q = new URLSearchParams({
      q: "mysql",
      fields: "result.summary,result.publisher.display-name,default-release.revision.version",
    });
    const { status, body } = await get(`/v2/charms/find?${q}`);
    expect(status).toBe(200);
    const results = body.results as Json[];
    expect(results.map((r) => r.name)).toEqual(["mysql", "mysql-innodb-cluster", "mysql-router"]);
    expect(results[0]).toEqual({
      type: "charm",
      id: catalog.resolve({ name: "mysql", channel: "8.0/stable" }).id,
      name: "mysql",
      result: {
        summary: catalog.get("mysql")?.info.summary,
        publisher: { "display-name": "libjuju simulator" },
      },
      "default-release": { revision: { version: expect.any(String) } },
    });
  });

  it("filters by type and relation interfaces", async () => {
    const bundles = (await get("/v2/charms/find?q=&type=bundle")).body.results as Json[];
    expect(bundles.map((r) => [r.type, r.name])).toEqual([
      ["bundle", "charmed-kubernetes"],
      ["bundle", "cos-lite"],
      ["bundle", "juju-qa-test-full-options"],
      ["bundle", "kubernetes-core"],
    ]);
    const { body } = await get("/v2/charms/find?q=&relation-provides=mysql_client");
    const names = (body.results as Json[]).map((r) => r.name);
    expect(names).toContain("mysql");
    expect(names).not.toContain("postgresql");
    const bad = await get("/v2/charms/find?q=x&type=snap");
    expect(bad.status).toBe(400);
    expect((bad.body["error-list"] as Json[])[0]?.code).toBe("bad-argument");
  });

  it("returns an empty list when nothing matches", async () => {
    expect((await get("/v2/charms/find?q=zzzz-nothing")).body).toEqual({ results: [] });
  });
});

describe("POST /v2/charms/refresh", () => {
  it("installs by channel and base as the catalog resolves them", async () => {
    const { status, body } = await post("/v2/charms/refresh", {
      context: [],
      actions: [install("k1", { name: "mysql", channel: "8.0/stable", base: JAMMY })],
      fields: ["bases", "download", "id", "name", "revision", "version", "resources", "type"],
    });
    expect(status).toBe(200);
    const want = catalog.resolve({
      name: "mysql",
      channel: "8.0/stable",
      base: { name: "ubuntu", channel: "22.04" },
    });
    const [r] = body.results as Json[];
    expect(body["error-list"]).toEqual([]);
    expect(r).toMatchObject({
      result: "install",
      "instance-key": "k1",
      id: want.id,
      name: "mysql",
      "effective-channel": "8.0/stable",
    });
    expect(Date.parse(r?.["released-at"] as string)).not.toBeNaN();
    const charm = r?.charm as Json;
    expect(charm).toMatchObject({
      id: want.id,
      name: "mysql",
      revision: want.revision,
      type: "charm",
    });
    expect((charm.download as Json)["hash-sha-256"]).toBe(want.hash);
    expect(charm.bases).toContainEqual(JAMMY);
    // Only what was asked for.
    expect(charm["metadata-yaml"]).toBeUndefined();
  });

  it("answers an unknown (NA) base with Charmhub's default bases, as Juju expects", async () => {
    const { body } = await post("/v2/charms/refresh", {
      context: [],
      actions: [
        install("k", {
          name: "mysql",
          channel: "8.0/stable",
          base: { architecture: "amd64", name: "NA", channel: "NA" },
        }),
      ],
    });
    const [r] = body.results as Json[];
    expect(r).toMatchObject({ result: "error", charm: null, "effective-channel": "" });
    const err = r?.error as { code: string; extra: { "default-bases": Json[] } };
    expect(err.code).toBe("invalid-charm-base");
    expect(err.extra["default-bases"][0]).toEqual(JAMMY);
  });

  it("gives per-action errors: unknown name, missing release, bad channel", async () => {
    const { body } = await post("/v2/charms/refresh", {
      context: [],
      actions: [
        install("a", { name: "nope", channel: "stable", base: JAMMY }),
        install("b", { name: "mysql", channel: "9.9/stable", base: JAMMY }),
        install("c", {
          name: "mysql",
          channel: "8.0/stable",
          base: { ...JAMMY, channel: "18.04" },
        }),
        install("d", { name: "mysql", channel: "8.0/bogus", base: JAMMY }),
      ],
    });
    const [a, b, c, d] = body.results as Array<{ error: Json & { extra?: Json } }>;
    expect(a?.error).toEqual({
      code: "name-not-found",
      message: "No charm or bundle with name 'nope'.",
    });
    expect(b?.error.code).toBe("revision-not-found");
    expect(b?.error.extra?.releases).toContainEqual({ base: JAMMY, channel: "8.0/stable" });
    expect(c?.error.code).toBe("revision-not-found");
    expect(d?.error.code).toBe("invalid-channel");
  });

  it("installs by revision without a channel or base, and refreshes by id", async () => {
    const stable = catalog.resolve({ name: "mysql", channel: "8.0/stable" });
    const edge = catalog.resolve({ name: "mysql", channel: "8.0/edge" });
    const { body } = await post("/v2/charms/refresh", {
      context: [
        {
          "instance-key": "ctx",
          id: stable.id,
          revision: stable.revision,
          base: JAMMY,
          "tracking-channel": "8.0/edge",
        },
      ],
      actions: [
        {
          action: "install",
          "instance-key": "rev",
          name: "mysql",
          revision: stable.revision,
          base: null,
        },
        { action: "refresh", "instance-key": "ctx", id: stable.id },
        {
          action: "download",
          "instance-key": "dl",
          id: stable.id,
          channel: "8.0/stable",
          base: JAMMY,
        },
      ],
    });
    const [rev, refreshed, dl] = body.results as Json[];
    expect(rev).toMatchObject({ result: "install", "effective-channel": "" });
    expect((rev?.charm as Json | undefined)?.revision).toBe(stable.revision);
    expect(refreshed).toMatchObject({ result: "refresh", "effective-channel": "8.0/edge" });
    expect((refreshed?.charm as Json | undefined)?.revision).toBe(edge.revision);
    expect(dl).toMatchObject({ result: "download", name: "mysql" });
  });

  it("rejects malformed requests with an error list", async () => {
    const bad = await post("/v2/charms/refresh", "{not json");
    expect(bad.status).toBe(400);
    expect((bad.body["error-list"] as Json[])[0]?.code).toBe("bad-argument");
    const noContext = await post("/v2/charms/refresh", {
      actions: [install("x", { name: "mysql" })],
    });
    expect((noContext.body["error-list"] as Json[])[0]?.code).toBe("missing-context");
    const dupKeys = await post("/v2/charms/refresh", {
      context: [],
      actions: [install("x", { name: "mysql" }), install("x", { name: "ubuntu" })],
    });
    expect((dupKeys.body["error-list"] as Json[])[0]?.code).toBe("instance-key-not-unique");
  });
});

describe("routing", () => {
  it("404s unknown paths and 405s wrong methods, as JSON error lists", async () => {
    const unknown = await get("/v1/whatever");
    expect(unknown.status).toBe(404);
    expect((unknown.body["error-list"] as Json[])[0]?.code).toBe("not-found");
    const wrong = await post("/v2/charms/info/mysql", {});
    expect(wrong.status).toBe(405);
  });
});

describe("fields projection", () => {
  it("selects subtrees, maps over arrays and keeps the always-fields", () => {
    const doc = {
      type: "charm",
      id: "x",
      name: "n",
      a: { b: [{ c: 1, d: 2 }, { c: 3 }], e: { f: true } },
      z: 9,
    };
    expect(selectFields(doc, parseFields("a.b.c,a.e"), ["type", "id", "name"])).toEqual({
      type: "charm",
      id: "x",
      name: "n",
      a: { b: [{ c: 1 }, { c: 3 }], e: { f: true } },
    });
    expect(selectFields(doc, parseFields("a,a.b.c"))).toEqual({ a: doc.a });
    expect(selectFields(doc, parseFields(" , missing.x"))).toEqual({});
  });
});

describe("Charmhub bundles", () => {
  it("info describes a bundle: type, charms it contains, bundle.yaml in the default release", async () => {
    const { status, body } = await get(
      "/v2/charms/info/kubernetes-core?fields=default-release.revision.bundle-yaml,result.contains-charms,channel-map",
    );
    expect(status).toBe(200);
    expect(body.type).toBe("bundle");
    expect(body.name).toBe("kubernetes-core");
    const bundle = catalog.getBundle("kubernetes-core");
    const rev = (body["default-release"] as Json).revision as Json;
    expect(rev["bundle-yaml"]).toBe(bundle?.yaml);
    const contains = ((body.result as Json)["contains-charms"] as Json[]).map((c) => c.name);
    expect(contains).toEqual(bundle?.charms);
    const map = body["channel-map"] as Json[];
    expect(map.map((m) => (m.channel as Json).name)).toEqual(["latest/stable"]);
    expect(((map[0] as Json).channel as Json).base).toEqual({
      architecture: "all",
      name: "all",
      channel: "all",
    });
  });

  it("refresh installs a bundle by name and its archive is a zip with bundle.yaml", async () => {
    const { body } = await post("/v2/charms/refresh", {
      context: [],
      actions: [install("b1", { name: "kubernetes-core", channel: "stable", base: JAMMY })],
      fields: ["download", "id", "name", "revision", "type"],
    });
    const result = (body.results as Json[])[0] as Json;
    expect(result.result).toBe("install");
    expect(result["effective-channel"]).toBe("latest/stable");
    const entity = result.charm as Json;
    expect(entity.type).toBe("bundle");
    const url = (entity.download as Json).url as string;
    expect(url).toBe(`${sim.charmhubUrl}/api/v1/charms/download/${entity.id}_1.charm`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const zip = Buffer.from(await res.arrayBuffer());
    // A local file header, then the first entry's name.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 30 + zip.readUInt16LE(26)).toString()).toBe("bundle.yaml");
    expect((await fetch(`${sim.charmhubUrl}/api/v1/charms/download/nope_1.charm`)).status).toBe(
      404,
    );
  });

  it("Charms.ResolveCharms and GetDownloadInfos answer for a bundle as Juju does", async () => {
    const [resolved] = await rpc(`/model/${sim.defaultModelUuid}/api`, [
      [
        "Charms",
        7,
        "ResolveCharms",
        {
          resolve: [
            {
              reference: "ch:charmed-kubernetes",
              "charm-origin": { source: "charm-hub", risk: "stable", architecture: "amd64" },
            },
          ],
        },
      ],
    ]);
    const r = (((resolved as Json).response as Json).Results as Json[])[0] as Json;
    expect(r.error).toBeUndefined();
    expect(r.url).toBe("ch:amd64/charmed-kubernetes-1");
    const origin = r["charm-origin"] as Json;
    expect(origin).toMatchObject({
      source: "charm-hub",
      type: "bundle",
      risk: "stable",
      revision: 1,
    });
    expect(r["supported-bases"]).toEqual([{ name: "ubuntu", channel: "24.04" }]);
    const [info] = await rpc(`/model/${sim.defaultModelUuid}/api`, [
      [
        "Charms",
        7,
        "GetDownloadInfos",
        { entities: [{ "charm-url": "charmed-kubernetes", "charm-origin": origin }] },
      ],
    ]);
    const d = (((info as Json).response as Json).results as Json[])[0] as Json;
    expect(d.url).toBe(`${sim.charmhubUrl}/api/v1/charms/download/${origin.id}_1.charm`);
    expect((d["charm-origin"] as Json).type).toBe("bundle");
    expect(typeof (d["charm-origin"] as Json).hash).toBe("string");
  });
});

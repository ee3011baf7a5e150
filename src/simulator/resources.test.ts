import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { simHttps } from "../../test/support/sim-https.js";
import { CharmCatalog } from "./catalog/index.js";
import { Simulator } from "./index.js";

interface HttpReply {
  status: number;
  type: string;
  body: Buffer;
}

let sim: Simulator;
let w: RawClient;
const catalog = CharmCatalog.default();

function http(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: Buffer,
): Promise<HttpReply> {
  return simHttps(sim, method, path, headers, body) as Promise<HttpReply>;
}

const basic = (password: string) =>
  `Basic ${Buffer.from(`user-admin:${password}`).toString("base64")}`;

/** Headers of a resource upload as python-libjuju and the Go client send them. */
function uploadHeaders(data: Buffer, filename: string): Record<string, string | number> {
  return {
    Authorization: basic(sim.password),
    "Content-Type": "application/octet-stream",
    "Content-Length": data.length,
    "Content-Sha384": createHash("sha384").update(data).digest("hex"),
    "Content-Disposition": `form-data; filename="${filename}"`,
  };
}

const resourcePath = (app: string, name: string, pendingId?: string) =>
  `/model/${sim.defaultModelUuid}/applications/${app}/resources/${name}${pendingId === undefined ? "" : `?pendingid=${pendingId}`}`;

/** ResolveCharms → AddCharm on Charms 7, as the 3.6 CLI does; returns url and origin. */
async function addCharm(name: string): Promise<{ url: string; origin: Frame }> {
  const res = await w.ok("Charms", 7, "ResolveCharms", {
    resolve: [
      {
        reference: `ch:${name}`,
        "charm-origin": { source: "charm-hub", type: "charm", architecture: "amd64" },
      },
    ],
  });
  const r = (res.Results as Frame[])[0] as Frame;
  const url = r.url as string;
  const added = await w.ok("Charms", 7, "AddCharm", {
    url,
    "charm-origin": r["charm-origin"],
    force: false,
  });
  return { url, origin: added["charm-origin"] as Frame };
}

/** The store resources python-libjuju sends from CharmInfo's metadata (revision -1: "current"). */
async function storeRequests(url: string): Promise<Frame[]> {
  const info = await w.ok("Charms", 7, "CharmInfo", { url });
  const meta = (info.meta as Frame).resources as Record<string, Frame>;
  return Object.values(meta).map((m) => ({
    name: m.name,
    type: m.type,
    path: m.path,
    description: m.description,
    origin: "store",
    revision: -1,
    fingerprint: "",
    size: 0,
  }));
}

async function deploy(app: string, url: string, origin: Frame, resources: Frame, units = 1) {
  return w.ok("Application", 20, "Deploy", {
    applications: [
      {
        application: app,
        "charm-url": url,
        "charm-origin": origin,
        "num-units": units,
        resources,
      },
    ],
  });
}

const sha384 = (s: string) => createHash("sha384").update(s).digest();

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant", seed: 11 });
  w = await RawClient.open(sim, `/model/${sim.defaultModelUuid}/api`);
});
afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.close();
  await sim.stop();
});

describe("Resources facade", () => {
  it("deploys a catalog charm with Charmhub resources and lists them", async () => {
    const { url, origin } = await addCharm("etcd");
    const requests = await storeRequests(url);
    expect(requests.map((r) => r.name).sort()).toEqual(["core", "etcd", "snapshot"]);
    expect(requests.find((r) => r.name === "snapshot")?.path).toBe("snapshot.tar.gz");
    const added = await w.ok("Resources", 3, "AddPendingResources", {
      tag: "application-etcd",
      url,
      "charm-origin": origin,
      resources: requests,
    });
    const ids = added["pending-ids"] as string[];
    expect(ids).toHaveLength(3);
    expect(added.error).toBeUndefined();
    const map = Object.fromEntries(requests.map((r, i) => [r.name as string, ids[i] as string]));
    const dep = await deploy("etcd", url, origin, map, 2);
    expect(dep.results).toEqual([{}]);

    const list = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-etcd" }],
    });
    const result = (list.results as Frame[])[0] as Frame;
    const resources = result.resources as Frame[];
    expect(resources.map((r) => r.name)).toEqual(["core", "etcd", "snapshot"]);
    const id = catalog.resolve({ name: "etcd" }).id;
    expect(resources[2]).toEqual({
      name: "snapshot",
      type: "file",
      path: "snapshot.tar.gz",
      description: "Tarball snapshot of an etcd clusters data.",
      origin: "store",
      revision: 1,
      fingerprint: sha384(`${id}/snapshot/1`).toString("base64"),
      size: 0,
      id: "etcd/snapshot",
      "pending-id": "",
      application: "etcd",
      username: "",
      timestamp: "0001-01-01T00:00:00Z",
    });
    expect((result["charm-store-resources"] as Frame[]).map((r) => [r.name, r.revision])).toEqual([
      ["core", 1],
      ["etcd", 1],
      ["snapshot", 1],
    ]);
    expect(result["unit-resources"]).toEqual([
      { tag: "unit-etcd-0", resources: null, "download-progress": null },
      { tag: "unit-etcd-1", resources: null, "download-progress": null },
    ]);
  });

  it("takes any published revision of a Charmhub resource (juju-qa-test publishes foo-file 1 and 2)", async () => {
    const { url, origin } = await addCharm("juju-qa-test");
    const id = catalog.resolve({ name: "juju-qa-test" }).id;
    const add = (revision: number) =>
      w.ok("Resources", 3, "AddPendingResources", {
        tag: "application-qa",
        url,
        "charm-origin": origin,
        resources: [
          {
            name: "foo-file",
            type: "file",
            path: "foo-file.txt",
            origin: "store",
            revision,
            fingerprint: "",
            size: 0,
          },
        ],
      });
    for (const revision of [1, 2, -1]) {
      const r = await add(revision);
      expect(r.error).toBeUndefined();
      expect(r["pending-ids"]).toHaveLength(1);
    }
    expect((await add(3)).error).toEqual({
      message: 'charm resource "foo-file" at revision 3 not found',
      code: "not found",
    });
    const hub = await fetch(
      `${sim.charmhubUrl}/v2/charms/info/juju-qa-test?fields=default-release.resources`,
    );
    const info = (await hub.json()) as { "default-release": { resources: Frame[] } };
    expect(info["default-release"].resources.map((r) => [r.name, r.revision])).toEqual([
      ["foo-file", 2],
    ]);
    expect(sha384(`${id}/foo-file/2`).toString("hex")).toBe(
      ((info["default-release"].resources[0] as Frame).download as Frame)["hash-sha384"],
    );
  });

  it("answers Juju's errors: bad tags, types, origins, revisions; unknown applications", async () => {
    const { url, origin } = await addCharm("keystone");
    const base = {
      name: "policyd-override",
      type: "file",
      path: "policyd-override.zip",
      origin: "store",
      revision: -1,
      fingerprint: "",
      size: 0,
    };
    const add = (tag: string, res: Frame) =>
      w.ok("Resources", 3, "AddPendingResources", {
        tag,
        url,
        "charm-origin": origin,
        resources: [res],
      });
    expect(await add("keystone", base)).toEqual({
      "pending-ids": null,
      error: { message: '"keystone" is not a valid tag', code: "bad request" },
    });
    expect((await add("application-keystone", { ...base, type: "dir" })).error).toEqual({
      message: 'bad resource info for "policyd-override": unsupported resource type "dir"',
      code: "",
    });
    expect((await add("application-keystone", { ...base, origin: "cs" })).error).toEqual({
      message: 'bad resource info for "policyd-override": unknown origin "cs"',
      code: "",
    });
    expect((await add("application-keystone", { ...base, path: "" })).error).toEqual({
      message:
        'bad resource info for "policyd-override": invalid resource (bad metadata): resource missing filename',
      code: "not valid",
    });
    expect((await add("application-keystone", { ...base, revision: 7 })).error).toEqual({
      message: 'charm resource "policyd-override" at revision 7 not found',
      code: "not found",
    });
    const list = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-nope" }, { tag: "unit-nope-0" }],
    });
    expect(list.results).toEqual([
      {
        resources: null,
        "charm-store-resources": null,
        "unit-resources": null,
        error: { message: 'application "nope" not found', code: "not found" },
      },
      {
        resources: null,
        "charm-store-resources": null,
        "unit-resources": null,
        error: { message: '"unit-nope-0" is not a valid application tag', code: "bad request" },
      },
    ]);
  });

  it("Deploy refuses pending ids it does not know, and ids of another application", async () => {
    const { url, origin } = await addCharm("keystone");
    const [id] = (
      await w.ok("Resources", 3, "AddPendingResources", {
        tag: "application-ks-other",
        url,
        "charm-origin": origin,
        resources: await storeRequests(url),
      })
    )["pending-ids"] as string[];
    const dep = await deploy("ks", url, origin, { "policyd-override": id as string });
    expect(dep.results).toEqual([
      {
        error: {
          message: `cannot add application "ks": pending resource "ks/policyd-override" (${id}) not found`,
          code: "not found",
        },
      },
    ]);
    const bogus = await deploy("ks", url, origin, { "policyd-override": "bogus" });
    expect((bogus.results as Frame[])[0]).toMatchObject({ error: { code: "not found" } });
    // Nothing was created by the failed deploys.
    const st = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    expect(Object.keys(st.applications as Frame)).not.toContain("ks");
  });
});

describe("resource upload and download over HTTPS", () => {
  it("uploads a pending resource, deploys with it, downloads it, and replaces it", async () => {
    const { url, origin } = await addCharm("keystone");
    const added = await w.ok("Resources", 3, "AddPendingResources", {
      tag: "application-ks-up",
      url,
      "charm-origin": origin,
      resources: [
        {
          name: "policyd-override",
          type: "file",
          path: "overrides.zip",
          origin: "upload",
          revision: 0,
          fingerprint: "",
          size: 0,
        },
      ],
    });
    const [pid] = added["pending-ids"] as string[];
    const data = Buffer.from("PK\u0003\u0004 not really a zip\n");
    const up = await http(
      "PUT",
      resourcePath("ks-up", "policyd-override", pid),
      uploadHeaders(data, "overrides.zip"),
      data,
    );
    expect(up.status).toBe(200);
    expect(up.type).toBe("application/json");
    const resource = (JSON.parse(up.body.toString()) as Frame).resource as Frame;
    expect(resource).toMatchObject({
      name: "policyd-override",
      type: "file",
      path: "overrides.zip",
      origin: "upload",
      revision: 0,
      fingerprint: createHash("sha384").update(data).digest("base64"),
      size: data.length,
      id: "ks-up/policyd-override",
      "pending-id": pid,
      application: "ks-up",
      username: "admin",
    });
    expect(resource.timestamp).not.toBe("0001-01-01T00:00:00Z");

    // Not active before Deploy: the application has no such resource yet.
    const early = await http("GET", resourcePath("ks-up", "policyd-override"), {
      Authorization: basic(sim.password),
    });
    expect(early.status).toBe(404);

    await deploy("ks-up", url, origin, { "policyd-override": pid as string }, 0);
    const got = await http("GET", resourcePath("ks-up", "policyd-override"), {
      Authorization: basic(sim.password),
    });
    expect(got.status).toBe(200);
    expect(got.type).toBe("application/octet-stream");
    expect(got.body.equals(data)).toBe(true);

    const listed = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-ks-up" }],
    });
    const r = ((listed.results as Frame[])[0] as Frame).resources as Frame[];
    expect(r[0]).toMatchObject({ origin: "upload", "pending-id": "", size: data.length });
    // The Charmhub view still shows Charmhub's revision of the resource.
    expect(((listed.results as Frame[])[0] as Frame)["charm-store-resources"]).toMatchObject([
      { name: "policyd-override", origin: "store", revision: 1 },
    ]);

    // `juju attach-resource`: a PUT without pendingid replaces the active resource.
    const v2 = Buffer.from("second version");
    const put2 = await http(
      "PUT",
      resourcePath("ks-up", "policyd-override"),
      uploadHeaders(v2, "=?utf-8?b?b3ZlcnJpZGVzLnppcA==?="),
      v2,
    );
    expect(put2.status).toBe(200);
    const again = await http("GET", resourcePath("ks-up", "policyd-override"), {
      Authorization: basic(sim.password),
    });
    expect(again.body.toString()).toBe("second version");
  });

  it("fails like Juju: authentication, method, headers, extension, hash, unknown resources", async () => {
    const path = resourcePath("etcd", "snapshot");
    const data = Buffer.from("snapshot");
    const noAuth = await http("GET", path);
    expect(noAuth.status).toBe(401);
    expect(noAuth.type).toBe("text/plain; charset=utf-8");
    expect(noAuth.body.toString()).toBe("authentication failed: no credentials provided\n");
    const badPw = await http("GET", path, { Authorization: basic("wrong") });
    expect(badPw.status).toBe(401);
    expect(badPw.body.toString()).toBe("authentication failed: invalid entity name or password\n");
    const badTag = await http("GET", path, {
      Authorization: `Basic ${Buffer.from("admin:x").toString("base64")}`,
    });
    expect(badTag.body.toString()).toBe('authentication failed: "admin" is not a valid tag\n');

    const json = (r: HttpReply) => JSON.parse(r.body.toString()) as Frame;
    // A Charmhub resource's blob is never on the controller until a unit fetches it.
    const store = await http("GET", path, { Authorization: basic(sim.password) });
    expect([store.status, store.type, json(store)]).toEqual([
      404,
      "application/json",
      { error: { message: 'resource "snapshot" not found', code: "not found" } },
    ]);
    const post = await http("POST", path, { Authorization: basic(sim.password) });
    expect([post.status, json(post)]).toEqual([
      405,
      { error: { message: 'unsupported method: "POST"', code: "method not allowed" } },
    ]);
    const ctype = await http(
      "PUT",
      path,
      { ...uploadHeaders(data, "s.tar.gz"), "Content-Type": "text/plain" },
      data,
    );
    expect([ctype.status, json(ctype)]).toEqual([
      500,
      { error: { message: 'unsupported content type "text/plain"', code: "" } },
    ]);
    const badSha = await http(
      "PUT",
      path,
      { ...uploadHeaders(data, "s.tar.gz"), "Content-Sha384": "abcd" },
      data,
    );
    expect(json(badSha).error).toEqual({
      message: "invalid fingerprint: invalid fingerprint (too small)",
      code: "not valid",
    });
    const noName = await http(
      "PUT",
      path,
      { ...uploadHeaders(data, "s.tar.gz"), "Content-Disposition": "form-data" },
      data,
    );
    expect(json(noName).error).toEqual({
      message: "missing filename in resource upload request",
      code: "",
    });
    const ext = await http("PUT", path, uploadHeaders(data, "snapshot.zip"), data);
    expect([ext.status, json(ext).error]).toEqual([
      500,
      {
        message: 'incorrect extension on resource upload "snapshot.zip", expected ".gz"',
        code: "",
      },
    ]);
    const mismatch = await http(
      "PUT",
      path,
      { ...uploadHeaders(Buffer.from("other"), "s.tar.gz"), "Content-Length": data.length },
      data,
    );
    expect(json(mismatch).error).toEqual({ message: "hash mismatch", code: "" });
    const unknown = await http("PUT", resourcePath("etcd", "nope"), uploadHeaders(data, "x"), data);
    expect([unknown.status, json(unknown).error]).toEqual([
      404,
      { message: 'resource "nope" not found', code: "not found" },
    ]);
    const model = await http(
      "GET",
      "/model/00000000-0000-4000-8000-000000000000/applications/etcd/resources/snapshot",
      { Authorization: basic(sim.password) },
    );
    expect([model.status, json(model).error]).toEqual([
      404,
      {
        message: 'unknown model: "00000000-0000-4000-8000-000000000000"',
        code: "model not found",
      },
    ]);

    // A good upload to the active Charmhub resource works and is then downloadable.
    const ok = await http("PUT", path, uploadHeaders(data, "snapshot.tar.gz"), data);
    expect(ok.status).toBe(200);
    const back = await http("GET", path, { Authorization: basic(sim.password) });
    expect(back.body.toString()).toBe("snapshot");
  });
});

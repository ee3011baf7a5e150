import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import yazl from "yazl";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { simHttps } from "../../test/support/sim-https.js";
import { CharmArchiveGenerator } from "../charm/archive.js";
import { Simulator } from "./index.js";

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => Frame;
}

type Delta = [string, string, Frame];

/** A RawClient that follows the AllWatcher. */
class Wire extends RawClient {
  readonly state = new Map<string, Frame>();
  private watcherId: string | undefined;

  async until(pred: (w: Wire) => boolean, max = 300): Promise<void> {
    this.watcherId ??= (await this.ok("Client", 8, "WatchAll"))["watcher-id"] as string;
    for (let i = 0; i < max; i++) {
      const r = await this.call("AllWatcher", 3, "Next", {}, this.watcherId);
      if (r.error !== undefined) throw new Error(String(r.error));
      for (const [kind, op, e] of (r.response as { deltas: Delta[] }).deltas) {
        const field = { charm: "charm-url", model: "model-uuid", machine: "id" }[kind] ?? "name";
        const key = `${kind}:${String(e[field] ?? e.key)}`;
        if (op === "remove") this.state.delete(key);
        else this.state.set(key, e);
      }
      if (pred(this)) return;
    }
    throw new Error("condition not reached");
  }

  get(kind: string, id: string): Frame | undefined {
    return this.state.get(`${kind}:${id}`);
  }
}

const TESTDATA = resolve(import.meta.dirname, "../../../shared/testdata/charm-dirs");
const LIMIT = 4 * 1024 ** 2;

let sim: Simulator;
let w: Wire;
let tmp: string;
const archives = new Map<string, Buffer>();

function http(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: Buffer,
): Promise<HttpReply> {
  return simHttps(sim, method, path, headers, body) as Promise<HttpReply>;
}

const basic = (password: string, user = "admin") =>
  `Basic ${Buffer.from(`user-${user}:${password}`).toString("base64")}`;

/** A charm directory of the test data, archived by the client's CharmArchiveGenerator. */
async function archive(name: string): Promise<Buffer> {
  const cached = archives.get(name);
  if (cached !== undefined) return cached;
  const dest = join(tmp, `${name}.charm`);
  await new CharmArchiveGenerator(join(TESTDATA, name)).makeArchive(dest);
  const buf = readFileSync(dest);
  archives.set(name, buf);
  return buf;
}

/** A zip of the given entries, written with yazl. */
function zipOf(
  entries: Array<{ name: string; data?: Buffer | string; mode?: number; compress?: boolean }>,
): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    if (e.name.endsWith("/")) z.addEmptyDirectory(e.name, { mode: e.mode ?? 0o40755 });
    else
      z.addBuffer(Buffer.from(e.data ?? ""), e.name, {
        mode: e.mode ?? 0o100644,
        compress: e.compress ?? true,
      });
  }
  z.end();
  return new Promise((res) => {
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => res(Buffer.concat(chunks)));
  });
}

const post = (body: Buffer, query = "series=jammy", headers: Record<string, string> = {}) =>
  http(
    "POST",
    `/model/${sim.defaultModelUuid}/charms?${query}`,
    {
      Authorization: basic(sim.password),
      "Content-Type": "application/zip",
      "Content-Length": body.length,
      ...headers,
    },
    body,
  );

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const put = (body: Buffer, name: string, curl: string, sha = sha256(body).slice(0, 7)) =>
  http(
    "PUT",
    `/model-${sim.defaultModelUuid}/charms/${name}-${sha}`,
    {
      Authorization: basic(sim.password),
      "Content-Type": "application/zip",
      "Content-Length": body.length,
      "Juju-Curl": curl,
    },
    body,
  );

/** Entry names, modes and symlink targets of a zip. */
async function zipListing(buf: Buffer): Promise<Map<string, { mode: number; data: string }>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))),
  );
  const out = new Map<string, { mode: number; data: string }>();
  await new Promise<void>((res, rej) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      const mode = entry.externalFileAttributes >>> 16;
      if (entry.fileName.endsWith("/")) {
        out.set(entry.fileName, { mode, data: "" });
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, s) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        s.on("data", (c: Buffer) => chunks.push(c));
        s.on("end", () => {
          out.set(entry.fileName, { mode, data: Buffer.concat(chunks).toString("utf8") });
          zip.readEntry();
        });
      });
    });
    zip.on("end", () => res());
    zip.on("error", rej);
    zip.readEntry();
  });
  return out;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "charms-http-test-"));
  sim = await Simulator.start({ timing: "instant", seed: 5, maxUploadBytes: LIMIT });
  w = await Wire.open(sim, `/model/${sim.defaultModelUuid}/api`);
});
afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.close();
  await sim.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("POST /model/<uuid>/charms (python-libjuju's add_local_charm)", () => {
  it("stores a charm directory's archive as local:<series>/<name>-<revision> and bumps the revision on every upload", async () => {
    const body = await archive("juju-dummy");
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(first.headers["content-type"]).toBe("application/json");
    // juju-dummy's `revision` file says 1: the sequence starts there.
    expect(first.json()).toEqual({ "charm-url": "local:jammy/dummy-1" });
    expect(first.headers["juju-curl"]).toBe("local:jammy/dummy-1");
    // An identical upload is a new revision: Juju never deduplicates uploads.
    const again = await post(body);
    expect(again.json()).toEqual({ "charm-url": "local:jammy/dummy-2" });
    // Another series is another charm URL, with its own sequence.
    const noble = await post(body, "series=noble");
    expect(noble.json()).toEqual({ "charm-url": "local:noble/dummy-1" });
    const list = await w.ok("Charms", 7, "List", { names: ["dummy"] });
    expect(list["charm-urls"]).toEqual([
      "local:jammy/dummy-1",
      "local:jammy/dummy-2",
      "local:noble/dummy-1",
    ]);
  });

  it("finds a charm nested in a directory of the archive, as processUploadedArchive does", async () => {
    const body = await zipOf([
      { name: "charm/metadata.yaml", data: "name: nested\nsummary: s\ndescription: d\n" },
      { name: "charm/hooks/install", data: "#!/bin/sh\n", mode: 0o100755 },
      { name: "charm/hooks/start", data: "install", mode: 0o120777 },
      { name: "other/readme.txt", data: "not part of the charm" },
    ]);
    const r = await post(body, "");
    expect(r.json()).toEqual({ "charm-url": "local:nested-0" });
    const files = await http("GET", `/model/${sim.defaultModelUuid}/charms?url=local:nested-0`, {
      Authorization: basic(sim.password),
    });
    expect(files.json()).toEqual({
      files: ["hooks", "hooks/install", "hooks/start", "metadata.yaml", "revision"],
    });
    const whole = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:nested-0&file=*`,
      { Authorization: basic(sim.password) },
    );
    const listing = await zipListing(whole.body);
    expect(listing.get("hooks/start")).toEqual({ mode: 0o120777, data: "install" });
    expect(listing.get("hooks/install")?.mode).toBe(0o100755);
  });

  it("records metadata, config and actions for CharmInfo", async () => {
    const info = await w.ok("Charms", 7, "CharmInfo", { url: "local:jammy/dummy-1" });
    expect(info.url).toBe("local:jammy/dummy-1");
    expect(info.revision).toBe(1);
    expect((info.meta as Frame).name).toBe("dummy");
    expect(Object.keys(info.config as Frame).sort()).toEqual([
      "outlook",
      "skill-level",
      "title",
      "username",
    ]);
    expect(Object.keys((info.actions as { specs: Frame }).specs)).toEqual(["snapshot"]);
    // Local charms come only by upload: AddCharm takes Charmhub charms, as in Juju.
    const add = await w.call("Charms", 7, "AddCharm", {
      url: "local:jammy/dummy-1",
      "charm-origin": {
        source: "local",
        type: "charm",
        base: { name: "ubuntu", channel: "22.04" },
      },
      force: false,
    });
    expect(add.error).toBe('unknown schema for charm URL "local:jammy/dummy-1"');
    // Charmhub's charms and a local one of the same name and revision stay apart.
    const missing = await w.call("Charms", 7, "CharmInfo", { url: "ch:amd64/dummy-1" });
    expect((missing.error as string) ?? "").toContain("not found");
  });

  it("answers Juju's errors for bad requests", async () => {
    const auth = { Authorization: basic(sim.password) };
    const body = await archive("juju-dummy");
    const wrongType = await post(body, "series=jammy", { "Content-Type": "text/plain" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json()).toEqual({
      error: "cannot upload charm: expected Content-Type: application/zip, got: text/plain",
      "error-code": "bad request",
    });
    const notZip = await post(Buffer.from("this is not a zip file"));
    expect(notZip.status).toBe(400);
    expect(notZip.json().error).toBe(
      "cannot upload charm: cannot open charm archive: zip: not a valid zip file",
    );
    const empty = await post(Buffer.alloc(0));
    expect(empty.json().error).toBe(
      "cannot upload charm: cannot open charm archive: zip: not a valid zip file",
    );
    const noMeta = await post(await zipOf([{ name: "hooks/install", data: "#!/bin/sh\n" }]));
    expect(noMeta.json()).toEqual({
      error:
        "cannot upload charm: cannot read charm archive: invalid charm archive: missing metadata.yaml",
      "error-code": "bad request",
    });
    const badYaml = await post(await zipOf([{ name: "metadata.yaml", data: "name: [unclosed\n" }]));
    expect(badYaml.status).toBe(400);
    expect(badYaml.json().error).toMatch(/^cannot upload charm: invalid charm archive: /);
    const badSeries = await post(body, "series=Not-A-Series");
    expect(badSeries.json().error).toBe(
      'cannot upload charm: series name "Not-A-Series" not valid',
    );
    const store = await post(body, "schema=ch");
    expect(store.json().error).toBe(
      "cannot upload charm: charms may only be uploaded during model migration import",
    );
    const method = await http("DELETE", `/model/${sim.defaultModelUuid}/charms`, auth);
    expect(method.status).toBe(405);
    expect(method.body.toString()).toBe("Method Not Allowed\n");
    expect(method.headers.allow).toBe("GET, HEAD, POST");
    const nobody = await post(body, "series=jammy", { Authorization: basic("wrong") });
    expect(nobody.status).toBe(401);
    expect(nobody.body.toString()).toBe("authentication failed: invalid entity name or password\n");
    const anon = await http("POST", `/model/${sim.defaultModelUuid}/charms`, {
      "Content-Type": "application/zip",
    });
    expect(anon.status).toBe(401);
    // Nothing of the failed uploads was recorded.
    const list = await w.ok("Charms", 7, "List", { names: [] });
    expect((list["charm-urls"] as string[]).filter((u) => u.startsWith("local:")).sort()).toEqual([
      "local:jammy/dummy-1",
      "local:jammy/dummy-2",
      "local:nested-0",
      "local:noble/dummy-1",
    ]);
  });

  it("refuses a user without write access to the model with 403", async () => {
    const c = await RawClient.open(sim, "/api");
    await c.ok("UserManager", 3, "AddUser", {
      users: [{ username: "bob", "display-name": "Bob", password: "bob-secret" }],
    });
    c.close();
    const body = await archive("juju-dummy");
    const r = await post(body, "series=jammy", { Authorization: basic("bob-secret", "bob") });
    expect(r.status).toBe(403);
    expect(r.body.toString()).toBe("authorization failed: permission denied\n");
  });

  it("caps the body size (413) and refuses zip bombs and escaping symlinks", async () => {
    const big = Buffer.alloc(LIMIT + 1);
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json().error).toBe(
      `cannot upload charm: request body too large: the limit is ${LIMIT} bytes`,
    );
    const bomb = await zipOf([
      { name: "metadata.yaml", data: "name: bomb\nsummary: s\ndescription: d\n" },
      { name: "zeros", data: Buffer.alloc(64 * 1024 ** 2) },
    ]);
    expect(bomb.length).toBeLessThan(LIMIT);
    const r = await post(bomb, "");
    expect(r.status).toBe(400);
    expect(r.json().error).toBe(
      "cannot upload charm: invalid charm archive: zeros compresses more than 200:1 (a zip bomb?)",
    );
    const escaping = await zipOf([
      { name: "metadata.yaml", data: "name: escape\nsummary: s\ndescription: d\n" },
      { name: "lib", data: "../../etc", mode: 0o120777 },
    ]);
    const e = await post(escaping, "");
    expect(e.json().error).toBe(
      'cannot upload charm: cannot extract uploaded charm: symlink "lib" leads out of scope ("../../etc")',
    );
    const list = await w.ok("Charms", 7, "List", { names: ["bomb", "escape"] });
    expect(list["charm-urls"]).toEqual([]);
  });
});

describe("PUT /model-<uuid>/charms/<name>-<sha> (the 3.x Go client)", () => {
  it("stores the charm under the Juju-Curl URL, checking the hash prefix", async () => {
    const body = await archive("juju-dummy-source");
    const r = await put(body, "dummy-source", "local:dummy-source");
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ "charm-url": "local:dummy-source-0" });
    expect(r.headers["juju-curl"]).toBe("local:dummy-source-0");
    const info = await w.ok("Charms", 7, "CharmInfo", { url: "local:dummy-source-0" });
    expect((info.config as Record<string, Frame>).token).toEqual({
      type: "string",
      description: "Token used to prove that the relation is working",
      default: "",
    });
    expect(w.violations).toEqual([]);
    const bad = await put(body, "dummy-source", "local:dummy-source", "0000000");
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe(
      `cannot upload charm: Uploaded charm sha256 (${sha256(body).slice(0, 7)}) does not match sha in url (0000000)`,
    );
    const curl = await put(body, "dummy-source", "not a url");
    expect(curl.json().error).toBe('cannot upload charm: "not a url" is not a valid charm url');
    const method = await http("POST", `/model-${sim.defaultModelUuid}/charms/x-1234567`, {
      Authorization: basic(sim.password),
    });
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe("GET, HEAD, PUT");
  });

  it("serves the stored archive back, repackaged with its revision, modes and symlinks kept", async () => {
    const auth = { Authorization: basic(sim.password) };
    const whole = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:dummy-source-0&file=*`,
      auth,
    );
    expect(whole.status).toBe(200);
    expect(whole.headers["content-type"]).toBe("application/zip");
    const listing = await zipListing(whole.body);
    expect(listing.get("revision")?.data).toBe("0");
    expect(listing.get("hooks/install")?.mode).toBe(0o100755);
    const byHash = await http(
      "GET",
      `/model-${sim.defaultModelUuid}/charms/dummy-source-${sha256(whole.body).slice(0, 7)}`,
      auth,
    );
    expect(byHash.status).toBe(200);
    expect(byHash.body.equals(whole.body)).toBe(true);
    const one = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:dummy-source-0&file=metadata.yaml`,
      auth,
    );
    expect(one.body.toString()).toContain("name: dummy-source");
    const icon = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:dummy-source-0&icon=1`,
      auth,
    );
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.body.toString()).toContain("<svg");
    const dir = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:dummy-source-0&file=hooks`,
      auth,
    );
    expect(dir.status).toBe(403);
    expect(dir.json()).toEqual({
      error: "cannot retrieve charm: directory listing not allowed",
      "error-code": "forbidden",
    });
    const missing = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/charms?url=local:dummy-source-0&file=nope`,
      auth,
    );
    expect(missing.status).toBe(404);
    expect(missing.json().error).toBe("cannot retrieve charm: charm file not found");
    const noUrl = await http("GET", `/model/${sim.defaultModelUuid}/charms`, auth);
    expect(noUrl.json()).toEqual({
      error: "cannot retrieve charm: expected url=CharmURL query argument",
      "error-code": "bad request",
    });
  });
});

describe("deploying local charms", () => {
  it("deploys, settles, configures, runs actions and refreshes to a new local revision", async () => {
    await w.ok("Application", 20, "Deploy", {
      applications: [
        {
          application: "dummy",
          "charm-url": "local:jammy/dummy-1",
          "charm-origin": {
            source: "local",
            type: "charm",
            architecture: "amd64",
            base: { name: "ubuntu", channel: "22.04" },
          },
          "num-units": 1,
          "config-yaml": "dummy:\n  title: Local\n",
        },
      ],
    });
    await w.until((x) => {
      const u = x.get("unit", "dummy/0");
      return (
        (u?.["agent-status"] as Frame | undefined)?.current === "idle" &&
        (u?.["workload-status"] as Frame | undefined)?.current === "unknown"
      );
    });
    const cfg = await w.ok("Application", 20, "CharmConfig", {
      args: [{ application: "dummy" }],
    });
    const config = ((cfg.Results as Frame[])[0] as Frame).config as Record<string, Frame>;
    expect(config.title).toMatchObject({ value: "Local", source: "user" });
    expect(config.username).toMatchObject({ value: "admin001", source: "default" });
    const enq = await w.ok("Action", 7, "EnqueueOperation", {
      actions: [{ receiver: "unit-dummy-0", name: "snapshot", parameters: {} }],
    });
    expect((enq.actions as Frame[])[0]?.error).toBeUndefined();
    await w.ok("Application", 20, "SetCharm", {
      application: "dummy",
      "charm-url": "local:jammy/dummy-2",
      "charm-origin": {
        source: "local",
        type: "charm",
        architecture: "amd64",
        revision: 2,
        base: { name: "ubuntu", channel: "22.04" },
      },
    });
    await w.until((x) => x.get("application", "dummy")?.["charm-url"] === "local:jammy/dummy-2");
    const status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    const app = (status.applications as Record<string, Frame>).dummy as Frame;
    expect(app["charm-channel"]).toBe("");
    // The first line of the archive's `version` entry (juju-dummy's `version` file).
    expect(app["charm-version"]).toMatch(/dummy-146-g725cfd3-dirty$/);
    const got = await w.ok("Application", 20, "GetCharmURLOrigin", { application: "dummy" });
    expect(got.url).toBe("local:jammy/dummy-2");
    expect((got["charm-origin"] as Frame).source).toBe("local");
  });

  it("deploys with an uploaded local file resource and reports it", async () => {
    const meta = [
      "name: withres",
      "summary: s",
      "description: d",
      "resources:",
      "  data:",
      "    type: file",
      "    filename: data.txt",
      "  image:",
      "    type: oci-image",
      "",
    ].join("\n");
    const r = await post(
      await zipOf([
        { name: "metadata.yaml", data: meta },
        { name: "hooks/install", data: "#!/bin/sh\n", mode: 0o100755 },
      ]),
      "series=jammy",
    );
    const url = r.json()["charm-url"] as string;
    const pending = await w.ok("Resources", 3, "AddPendingResources", {
      tag: "application-withres",
      url,
      resources: [
        {
          name: "data",
          type: "file",
          path: "data.txt",
          origin: "upload",
          revision: 0,
          fingerprint: "",
          size: 0,
        },
        {
          name: "image",
          type: "oci-image",
          path: "",
          origin: "upload",
          revision: 0,
          fingerprint: "",
          size: 0,
        },
      ],
    });
    const [dataId, imageId] = pending["pending-ids"] as string[];
    const upload = (name: string, id: string, data: Buffer, filename: string) =>
      http(
        "PUT",
        `/model/${sim.defaultModelUuid}/applications/withres/resources/${name}?pendingid=${id}`,
        {
          Authorization: basic(sim.password),
          "Content-Type": "application/octet-stream",
          "Content-Length": data.length,
          "Content-Sha384": createHash("sha384").update(data).digest("hex"),
          "Content-Disposition": `form-data; filename="${filename}"`,
        },
        data,
      );
    const file = Buffer.from("hello resource\n");
    expect((await upload("data", dataId ?? "", file, "/tmp/data.txt")).status).toBe(200);
    const image = Buffer.from(
      JSON.stringify({ registrypath: "ghcr.io/example/app:1.0", username: "u", password: "p" }),
    );
    expect((await upload("image", imageId ?? "", image, "image.json")).status).toBe(200);
    const notImage = await upload("image", imageId ?? "", Buffer.from("[1, 2"), "image.json");
    expect(notImage.status).toBe(500);
    expect(notImage.json().error).toMatchObject({
      message: expect.stringContaining("docker resource is neither valid json or yaml"),
    });
    await w.ok("Application", 20, "Deploy", {
      applications: [
        {
          application: "withres",
          "charm-url": url,
          "charm-origin": {
            source: "local",
            type: "charm",
            base: { name: "ubuntu", channel: "22.04" },
          },
          "num-units": 0,
          resources: { data: dataId, image: imageId },
        },
      ],
    });
    const listed = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-withres" }],
    });
    const res = ((listed.results as Frame[])[0] as Frame).resources as Frame[];
    expect(res.map((x) => [x.name, x.origin, x.size])).toEqual([
      ["data", "upload", file.length],
      ["image", "upload", image.length],
    ]);
    // A local charm has no Charmhub view: its resources stand for themselves (python-libjuju reads these).
    const store = ((listed.results as Frame[])[0] as Frame)["charm-store-resources"] as Frame[];
    expect(store.map((x) => [x.name, x.origin, x.size])).toEqual([
      ["data", "upload", file.length],
      ["image", "upload", image.length],
    ]);
    const fetched = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/applications/withres/resources/data`,
      { Authorization: basic(sim.password) },
    );
    expect(fetched.body.equals(file)).toBe(true);
    // A refresh with resource-ids replaces that resource and keeps the others.
    const again = await w.ok("Resources", 3, "AddPendingResources", {
      tag: "application-withres",
      url,
      resources: [
        {
          name: "data",
          type: "file",
          path: "data.txt",
          origin: "upload",
          revision: 0,
          fingerprint: "",
          size: 0,
        },
      ],
    });
    const newId = (again["pending-ids"] as string[])[0] ?? "";
    const file2 = Buffer.from("second version\n!");
    expect((await upload("data", newId, file2, "data.txt")).status).toBe(200);
    await w.ok("Application", 20, "SetCharm", {
      application: "withres",
      "charm-url": url,
      "charm-origin": {
        source: "local",
        type: "charm",
        base: { name: "ubuntu", channel: "22.04" },
      },
      "resource-ids": { data: newId },
    });
    const relisted = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-withres" }],
    });
    const after = ((relisted.results as Frame[])[0] as Frame).resources as Frame[];
    expect(after.map((x) => [x.name, x.size])).toEqual([
      ["data", file2.length],
      ["image", image.length],
    ]);
    const img = await http(
      "GET",
      `/model/${sim.defaultModelUuid}/applications/withres/resources/image`,
      { Authorization: basic(sim.password) },
    );
    expect(img.body.toString()).toBe(
      "registrypath: ghcr.io/example/app:1.0\nusername: u\npassword: p\n",
    );
  });
});

describe("DeployFromRepository with local resources", () => {
  it("returns the pending uploads and takes the file uploaded to the application", async () => {
    const r = await w.ok("Application", 20, "DeployFromRepository", {
      Args: [
        {
          ApplicationName: "etcd",
          CharmName: "etcd",
          ConfigYAML: "",
          Cons: {},
          DryRun: false,
          Placement: null,
          Trust: false,
          "num-units": 0,
          resources: { snapshot: "/tmp/snap.tar.gz", core: "1", unknown: "x" },
        },
      ],
    });
    const result = (r.Results as Frame[])[0] as Frame;
    expect(result.Errors).toBeNull();
    expect(result.PendingResourceUploads).toEqual([
      { Name: "snapshot", Type: "file", Filename: "/tmp/snap.tar.gz" },
    ]);
    const data = Buffer.from("snapshot bytes");
    const up = await http(
      "PUT",
      `/model/${sim.defaultModelUuid}/applications/etcd/resources/snapshot`,
      {
        Authorization: basic(sim.password),
        "Content-Type": "application/octet-stream",
        "Content-Length": data.length,
        "Content-Sha384": createHash("sha384").update(data).digest("hex"),
        "Content-Disposition": 'form-data; filename="/tmp/snap.tar.gz"',
      },
      data,
    );
    expect(up.status).toBe(200);
    const bad = await http(
      "PUT",
      `/model/${sim.defaultModelUuid}/applications/etcd/resources/snapshot`,
      {
        Authorization: basic(sim.password),
        "Content-Type": "application/octet-stream",
        "Content-Length": data.length,
        "Content-Sha384": createHash("sha384").update("other").digest("hex"),
        "Content-Disposition": 'form-data; filename="snap.tar.gz"',
      },
      data,
    );
    expect(bad.status).toBe(500);
    expect(bad.json()).toEqual({ error: { message: "hash mismatch", code: "" } });
    const listed = await w.ok("Resources", 3, "ListResources", {
      entities: [{ tag: "application-etcd" }],
    });
    const res = ((listed.results as Frame[])[0] as Frame).resources as Frame[];
    expect(res.map((x) => [x.name, x.origin, x.revision, x.size])).toEqual([
      ["core", "store", 1, 0],
      ["etcd", "store", 1, 0],
      ["snapshot", "upload", 0, data.length],
    ]);
  });
});

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CharmArchiveGenerator } from "../src/charm/archive.js";
import { CharmDirError, CharmMetadataError } from "../src/charm/errors.js";
import {
  AbortError,
  Controller,
  InvalidArgumentError,
  JujuError,
  JujuUnauthorizedError,
  type Model,
} from "../src/index.js";
import type { HttpCall, LocalEdge } from "../src/model/http/edge.js";
import { forgetLocalCharmUploads } from "../src/model/ops/local-charm.js";
import { LocalCharmError, LocalFileError } from "../src/model/ops/local-charm-errors.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

const CHARM_DIRS = resolve(import.meta.dirname, "../../shared/testdata/charm-dirs");
const DUMMY = join(CHARM_DIRS, "juju-dummy");
const DUMMY_SOURCE = join(CHARM_DIRS, "juju-dummy-source");
// Small enough for a test charm with a 300 KiB file to go over it.
const MAX_UPLOAD = 256 * 1024;

const tap = createConformanceTap();
let dir: string;
let work: string;
let sim: Simulator;
let controller: Controller;
let model: Model;

/** Counts the HTTP requests the model's uploads make, by method and path. */
function countRequests(m: Model): {
  calls: Pick<HttpCall, "method" | "path">[];
  restore: () => void;
} {
  const calls: Pick<HttpCall, "method" | "path">[] = [];
  const original = m.localEdge.bind(m);
  const spy = vi.spyOn(m, "localEdge").mockImplementation(async () => {
    const edge = await original();
    const wrapped: LocalEdge = {
      ...edge,
      http: (target, call) => {
        calls.push(call);
        return edge.http(target, call);
      },
      download: (target, path, signal) => {
        calls.push({ method: "GET", path });
        return edge.download(target, path, signal);
      },
    };
    return wrapped;
  });
  return { calls, restore: () => spy.mockRestore() };
}

/** A minimal machine charm with a file resource (and an OCI image one), in a fresh directory. */
async function resourceCharm(name: string): Promise<string> {
  const d = join(work, name);
  await mkdir(join(d, "hooks"), { recursive: true });
  await writeFile(
    join(d, "metadata.yaml"),
    [
      `name: ${name}`,
      "summary: a charm with resources",
      "description: test",
      "series: [jammy]",
      "resources:",
      "  config-file:",
      "    type: file",
      "    filename: config.txt",
      "    description: a config file",
      "  image:",
      "    type: oci-image",
      "    description: the workload image",
      "",
    ].join("\n"),
  );
  await writeFile(join(d, "hooks", "install"), "#!/bin/sh\n", { mode: 0o755 });
  await writeFile(join(d, "hooks", "start"), "#!/bin/sh\n", { mode: 0o755 });
  return d;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-local-charms-"));
  work = join(dir, "work");
  await mkdir(work);
  sim = await Simulator.start({
    jujuData: join(dir, "juju"),
    controllerName: "sim",
    timing: "instant",
    maxUploadBytes: MAX_UPLOAD,
  });
  controller = await Controller.connectCurrent({
    env: { JUJU_DATA: join(dir, "juju") },
    pingInterval: 0,
    onFrame: tap.onFrame,
  });
  model = await controller.addModel("local");
});

afterAll(async () => {
  await model?.disconnect();
  await controller?.disconnect();
  expect(tap.framesSeen).toBeGreaterThan(10);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("deploying local charms", () => {
  it("deploys a charm directory, with upload progress, and it reaches idle", async () => {
    const progress: number[] = [];
    const app = await model.deploy(DUMMY, {
      onUploadProgress: (p) => progress.push(p.sent / p.total),
    });
    expect(app.name).toBe("dummy");
    expect(app.charmUrl).toMatch(/^local:noble\/dummy-\d+$/);
    expect(progress.at(-1)).toBe(1);
    await model.waitForIdle({ apps: ["dummy"], idlePeriod: 0, timeout: 20_000 });
    expect(model.units.get("dummy/0")?.agentStatus).toBe("idle");
  });

  it("deploys a .charm archive under another name", async () => {
    const archive = join(work, "dummy-source.charm");
    await new CharmArchiveGenerator(DUMMY_SOURCE).makeArchive(archive);
    const app = await model.deploy(archive, { applicationName: "source", series: "jammy" });
    expect(app.charmUrl).toMatch(/^local:jammy\/dummy-source-\d+$/);
    await model.waitForIdle({ apps: ["source"], idlePeriod: 0, timeout: 20_000 });
  });

  it("deploys the local: URL of a charm the model has, uploading nothing", async () => {
    // (dummy, not dummy-source: the frame tap redacts a config option named
    // "token", which would read as a schema violation of CharmInfo's reply.)
    const url = model.applications.get("dummy")?.charmUrl ?? "";
    expect(url).toMatch(/^local:/);
    const seen = countRequests(model);
    try {
      const again = await model.deploy(url, { applicationName: "dummy2" });
      expect(again.charmUrl).toBe(url);
    } finally {
      seen.restore();
    }
    expect(seen.calls).toEqual([]);
  });

  it("gives an unchanged charm its URL again without uploading, and a changed one the next revision", async () => {
    const copy = join(work, "dummy-copy");
    await cp(DUMMY, copy, { recursive: true });
    const first = await model.addLocalCharmDir(copy);
    const seen = countRequests(model);
    try {
      expect(await model.addLocalCharmDir(copy)).toBe(first);
      expect(seen.calls).toEqual([]);
      await writeFile(join(copy, "src", "hello.c"), "int main() { return 1; }\n");
      const second = await model.addLocalCharmDir(copy);
      const rev = (u: string) => Number(/-(\d+)$/.exec(u)?.[1]);
      expect(second).not.toBe(first);
      expect(rev(second)).toBe(rev(first) + 1);
      expect(seen.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        expect.stringMatching(
          /^GET \/model\/[0-9a-f-]+\/charms\?url=local%3Anoble%2Fdummy-\d+&file=\*$/,
        ),
        expect.stringMatching(/^PUT \/model-[0-9a-f-]+\/charms\/dummy-[0-9a-f]{7}$/),
      ]);
      // A new process knows nothing of this upload: it compares with the model's newest revision.
      seen.calls.length = 0;
      forgetLocalCharmUploads();
      expect(await model.addLocalCharmDir(copy)).toBe(second);
      expect(seen.calls.map((c) => c.method)).toEqual(["GET"]);
    } finally {
      seen.restore();
    }
  });

  it("falls back to the legacy POST when the controller has no S3 charm endpoint", async () => {
    const copy = join(work, "dummy-legacy");
    await cp(DUMMY, copy, { recursive: true });
    await writeFile(join(copy, "README"), "uploaded through the legacy endpoint\n");
    const calls: string[] = [];
    const original = model.localEdge.bind(model);
    const spy = vi.spyOn(model, "localEdge").mockImplementation(async () => {
      const edge = await original();
      return {
        ...edge,
        http: async (target, call) => {
          calls.push(`${call.method} ${call.path}`);
          // An older controller: no /model-<uuid>/charms/<object> route.
          if (call.method === "PUT")
            return { status: 404, headers: {}, body: "404 page not found" };
          return edge.http(target, call);
        },
      };
    });
    try {
      const url = await model.addLocalCharmDir(copy, { series: "jammy" });
      expect(url).toMatch(/^local:jammy\/dummy-\d+$/);
      expect(calls).toEqual([
        expect.stringMatching(/^PUT \/model-[0-9a-f-]+\/charms\/dummy-[0-9a-f]{7}$/),
        expect.stringMatching(
          /^POST \/model\/[0-9a-f-]+\/charms\?series=jammy&schema=local&revision=\d+$/,
        ),
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it("stops an upload when its signal aborts", async () => {
    const copy = join(work, "dummy-abort");
    await cp(DUMMY, copy, { recursive: true });
    await writeFile(join(copy, "blob.bin"), randomBytes(128 * 1024));
    const ac = new AbortController();
    const err = await model
      .addLocalCharmDir(copy, { signal: ac.signal, onProgress: () => ac.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
  });

  it("refreshes an application to a changed local charm", async () => {
    const copy = join(work, "dummy-refresh");
    await cp(DUMMY, copy, { recursive: true });
    const app = await model.deploy(copy, { applicationName: "refreshed" });
    const before = app.charmUrl;
    // Unchanged: nothing to do.
    expect(await app.refresh({ path: copy })).toBe(before);
    await writeFile(join(copy, "README"), "changed\n");
    const after = await app.refresh({ path: copy });
    expect(after).not.toBe(before);
    expect(model.applications.get("refreshed")?.charmUrl).toBe(after);
  });
});

describe("local resources", () => {
  it("deploys with a local file resource, attaches a new one, and lists them", async () => {
    const charm = await resourceCharm("with-resource");
    const v1 = join(work, "config-v1.txt");
    await writeFile(v1, "version one\n");
    const app = await model.deploy(charm, { resources: { "config-file": v1 } });
    const first = await app.getResources();
    expect(first.resources["config-file"]).toMatchObject({
      name: "config-file",
      type: "file",
      origin: "upload",
      size: 12,
    });
    const v2 = join(work, "config-v2.txt");
    await writeFile(v2, "version two, longer\n");
    const attached = await app.attachResource("config-file", v2);
    expect(attached).toMatchObject({ origin: "upload", size: 20 });
    const second = await app.getResources();
    expect(second.resources["config-file"]?.size).toBe(20);
    expect(second.resources["config-file"]?.fingerprint).not.toBe(
      first.resources["config-file"]?.fingerprint,
    );
  });

  it("uploads OCI image details from a registry path and from a YAML details file", async () => {
    const charm = await resourceCharm("with-image");
    const app = await model.deploy(charm, {
      resources: { image: "registry.example.com/team/app:1.0" },
    });
    const first = (await app.getResources()).resources.image;
    expect(first).toMatchObject({ name: "image", type: "oci-image", origin: "upload" });
    const details = join(work, "image.yaml");
    await writeFile(
      details,
      "registrypath: registry.example.com/team/app:2.0\nusername: bob\npassword: secret\n",
    );
    const attached = await app.attachResource("image", details);
    expect(attached).toMatchObject({ name: "image", type: "oci-image", origin: "upload" });
    expect(attached?.fingerprint).not.toBe(first?.fingerprint);
    await expect(app.attachResource("image", "Not An Image!")).rejects.toThrow(
      /filepath or registry path: Not An Image! not valid/,
    );
    const noPath = join(work, "no-path.json");
    await writeFile(noPath, JSON.stringify({ username: "bob" }));
    await expect(app.attachResource("image", noPath)).rejects.toThrow(/has no "registrypath"/);
  });

  it("refuses an unknown resource, a missing file and a directory before uploading", async () => {
    const charm = await resourceCharm("with-resource-two");
    await expect(model.deploy(charm, { resources: { nope: "./x" } })).rejects.toThrow(
      /unrecognized resources: nope/,
    );
    const missing = await model
      .deploy(charm, { resources: { "config-file": join(work, "nope.txt") } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LocalFileError);
    expect((missing as LocalFileError).errno).toBe("ENOENT");
    await expect(
      model.deploy(charm, { resources: { "config-file": work } }),
    ).rejects.toBeInstanceOf(LocalFileError);
    expect(model.applications.has("with-resource-two")).toBe(false);
  });
});

describe("libjuju deploy of a local charm", () => {
  it("uploads a directory, names the application after the charm, uploads a resource", async () => {
    const charm = await resourceCharm("cli-made");
    const file = join(work, "cli-config.txt");
    await writeFile(file, "from the cli\n");
    const root = resolve(import.meta.dirname, "..");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(root, "node_modules", "tsx", "dist", "cli.mjs"),
        join(root, "src", "cli", "main.ts"),
        "deploy",
        charm,
        "-m",
        "sim:admin/local",
        "--resource",
        `config-file=${file}`,
        "--no-progress",
      ],
      { env: { ...process.env, JUJU_DATA: join(dir, "juju") }, cwd: root },
    );
    expect(stdout).toMatch(/^Deployed "cli-made" \(charm cli-made.*\) with 1 unit/m);
    await model.waitFor("cli-made to appear", () => model.applications.has("cli-made"));
    const res = await model.applications.get("cli-made")!.getResources();
    expect(res.resources["config-file"]).toMatchObject({ origin: "upload", size: 13 });
  }, 120_000);
});

describe("bad local charms fail with typed errors", () => {
  it("a directory without metadata.yaml", async () => {
    const d = join(work, "no-metadata");
    await mkdir(join(d, "hooks"), { recursive: true });
    await writeFile(join(d, "hooks", "install"), "#!/bin/sh\n");
    await expect(model.addLocalCharmDir(d)).rejects.toBeInstanceOf(CharmDirError);
  });

  it("invalid YAML in metadata.yaml", async () => {
    const d = join(work, "bad-yaml");
    await mkdir(d);
    await writeFile(join(d, "metadata.yaml"), "name: [unclosed\nsummary: x\n");
    const err = await model.addLocalCharmDir(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CharmMetadataError);
    expect((err as CharmMetadataError).file).toBe("metadata.yaml");
  });

  it("a missing file, a 0-byte file and a file that is not a zip", async () => {
    const missing = await model.addLocalCharm(join(work, "missing.charm")).catch((e) => e);
    expect(missing).toBeInstanceOf(LocalFileError);
    const empty = join(work, "empty.charm");
    await writeFile(empty, "");
    const e0 = await model.addLocalCharm(empty).catch((e: unknown) => e);
    expect(e0).toBeInstanceOf(LocalCharmError);
    expect((e0 as Error).message).toMatch(/empty/);
    const text = join(work, "text.charm");
    await writeFile(text, "this is not a zip file\n".repeat(10));
    const ez = await model.addLocalCharm(text).catch((e: unknown) => e);
    expect(ez).toBeInstanceOf(LocalCharmError);
    expect((ez as Error).message).toMatch(/not a valid charm archive/);
  });

  it("a symlink that leaves the charm", async () => {
    const d = join(work, "escaping");
    await cp(DUMMY, d, { recursive: true });
    await symlink("../../..", join(d, "outside"));
    const err = await model.addLocalCharmDir(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CharmDirError);
    expect((err as Error).message).toMatch(/outside/);
  });

  it("a charm without bases, unless a base is given", async () => {
    const d = join(work, "no-bases");
    await mkdir(join(d, "hooks"), { recursive: true });
    await writeFile(join(d, "metadata.yaml"), "name: no-bases\nsummary: s\ndescription: d\n");
    await writeFile(join(d, "hooks", "install"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(join(d, "hooks", "start"), "#!/bin/sh\n", { mode: 0o755 });
    const err = await model.deploy(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe("charm does not define any bases, not valid");
  });

  it("a wrong password: Juju's 401 as a typed error", async () => {
    const target = model.httpTarget.bind(model);
    const spy = vi.spyOn(model, "httpTarget").mockImplementation(async () => {
      const t = await target();
      return {
        ...t,
        headers: { Authorization: `Basic ${Buffer.from("user-admin:wrong").toString("base64")}` },
      };
    });
    try {
      const d = join(work, "dummy-401");
      await cp(DUMMY, d, { recursive: true });
      await writeFile(join(d, "README"), "unique content for the 401 test\n");
      const err = await model.addLocalCharmDir(d).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JujuUnauthorizedError);
      expect((err as JujuError).message).toMatch(/invalid entity name or password/);
      expect((err as JujuError).info).toMatchObject({ status: 401 });
    } finally {
      spy.mockRestore();
    }
  });

  it("an upload over the controller's size limit", async () => {
    const d = join(work, "too-big");
    await cp(DUMMY, d, { recursive: true });
    await writeFile(join(d, "blob.bin"), randomBytes(MAX_UPLOAD + 64 * 1024));
    const err = await model.addLocalCharmDir(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).info).toMatchObject({ status: 413 });
    expect((err as Error).message).toMatch(/too large/);
  });
});

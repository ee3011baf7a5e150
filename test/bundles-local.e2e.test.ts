import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CharmArchiveGenerator } from "../src/charm/archive.js";
import {
  BundleHandler,
  BundleLocalCharmError,
  BundleLocalCharmNotFoundError,
  type Model,
  NotSupportedError,
} from "../src/index.js";
import type { HttpCall, LocalEdge } from "../src/model/http/edge.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";
import { recordingModel as recordingModelOf, useSimController } from "./support/sim-controller.js";

// One simulator per profile; the suite runs on each.
const envs = {
  "3.6": useSimController("bundles-local"),
  "4.0": useSimController("bundles-local4", { juju: "4.0" }),
} as const;
const SHARED = resolve(import.meta.dirname, "..", "..", "shared", "testdata");
const DUMMY = join(SHARED, "charm-dirs", "juju-dummy");

/** Requests that change a model: a bundle refused up front must send none. */
const MUTATING = new Set([
  "Deploy",
  "AddCharm",
  "AddMachines",
  "AddUnits",
  "AddRelation",
  "Expose",
  "SetCharm",
  "AddPendingResources",
]);

/** Records the HTTP requests (uploads, downloads) the model's local edge makes. */
function recordHttp(m: Model): Pick<HttpCall, "method" | "path">[] {
  const calls: Pick<HttpCall, "method" | "path">[] = [];
  const original = m.localEdge.bind(m);
  vi.spyOn(m, "localEdge").mockImplementation(async () => {
    const edge = await original();
    const wrapped: LocalEdge = {
      ...edge,
      http: (target, call) => {
        calls.push({ method: call.method, path: call.path });
        return edge.http(target, call);
      },
    };
    return wrapped;
  });
  return calls;
}

const uploadsOf = (calls: Pick<HttpCall, "method" | "path">[]) =>
  calls.filter((c) => (c.method === "PUT" || c.method === "POST") && c.path.includes("charms"));

describe.each(JUJU_VERSIONS)("bundles with local charms on Juju %s", (juju) => {
  const env = envs[juju];
  /** A new model on its own connection (see the support helper), recording every request it sends. */
  const recordingModel = (name: string) => recordingModelOf(env.dir, name, env.onFrame);

  it("uploads a local charm directory next to the bundle, deploys it with a catalog charm, and does nothing the second time", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-bundle-local-"));
    await mkdir(join(dir, "charms"));
    await cp(DUMMY, join(dir, "charms", "dummy"), { recursive: true });
    await writeFile(
      join(dir, "bundle.yaml"),
      [
        "default-base: ubuntu@22.04",
        "applications:",
        "  box:",
        "    charm: ubuntu",
        "    num_units: 1",
        "  mine:",
        "    charm: ./charms/dummy",
        "    num_units: 1",
        "",
      ].join("\n"),
    );
    // On the shared controller: its frames are schema-checked by useSimController.
    await using model = await env.controller.addModel("mixed-local");
    const http = recordHttp(model);
    const charmsAdded = () => model.state.count("charm");
    {
      // A dry run plans Juju's upload line and uploads nothing.
      const plan = await model.deploy(dir, { dryRun: true });
      // The parser resolves the path against the bundle's directory, as Juju does.
      expect(plan.changes.map((c) => c.description)).toContain(
        `upload charm ${join(dir, "charms", "dummy")} for base ubuntu@22.04/stable`,
      );
      expect(uploadsOf(http)).toEqual([]);
      expect(model.getApplicationNames()).toEqual([]);

      await model.deploy(join(dir, "bundle.yaml"));
      await model.waitForIdle({ apps: ["box", "mine"], timeout: 60_000, idlePeriod: 0 });
      expect(uploadsOf(http)).toHaveLength(1);
      const mine = model.state.entityData("application", "mine");
      expect(String(mine?.["charm-url"])).toMatch(/^local:jammy\/dummy-\d+$/);
      expect(model.state.entityData("application", "box")?.["charm-url"]).toMatch(/^ch:/);

      // The same bundle again: nothing to plan, nothing uploaded, nothing changed.
      const handler = new BundleHandler(model);
      const again = await handler.fetchPlan(join(dir, "bundle.yaml"));
      expect(again.changes).toEqual([]);
      const before = charmsAdded();
      await model.deploy(join(dir, "bundle.yaml"));
      expect(uploadsOf(http)).toHaveLength(1);
      expect(charmsAdded()).toBe(before);
      expect(String(model.state.entityData("application", "mine")?.["charm-url"])).toBe(
        String(mine?.["charm-url"]),
      );
    }
  }, 120_000);

  it("uploads a .charm archive named by absolute path and a local:name charm read from the bundle's directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-bundle-archive-"));
    const archive = join(dir, "elsewhere", "dummy.charm");
    await mkdir(join(dir, "elsewhere"));
    await new CharmArchiveGenerator(DUMMY).makeArchive(archive);
    await cp(DUMMY, join(dir, "dummy"), { recursive: true });
    await writeFile(
      join(dir, "bundle.yaml"),
      [
        "default-base: ubuntu@22.04",
        "applications:",
        "  packed:",
        `    charm: ${archive}`,
        "    num_units: 1",
        "  named:",
        "    charm: local:dummy",
        "    base: ubuntu@20.04",
        "    num_units: 1",
        "",
      ].join("\n"),
    );
    await using model = await env.controller.addModel("archive-local");
    await model.deploy(join(dir, "bundle.yaml"));
    await model.waitForIdle({ apps: ["packed", "named"], timeout: 60_000, idlePeriod: 0 });
    const charmOf = (app: string) =>
      String(model.state.entityData("application", app)?.["charm-url"]);
    expect(charmOf("packed")).toMatch(/^local:jammy\/dummy-\d+$/);
    expect(charmOf("named")).toMatch(/^local:focal\/dummy-\d+$/);
  }, 120_000);

  it("uploads a bundle's local resources, file paths relative to the bundle's directory, OCI image references as written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-bundle-res-"));
    const charm = join(dir, "charms", "res");
    await mkdir(join(charm, "hooks"), { recursive: true });
    await writeFile(
      join(charm, "metadata.yaml"),
      [
        "name: res",
        "summary: a charm with resources",
        "description: test",
        "series: [jammy]",
        "resources:",
        "  config-file:",
        "    type: file",
        "    filename: config.txt",
        "  image:",
        "    type: oci-image",
        "",
      ].join("\n"),
    );
    await writeFile(join(charm, "hooks", "install"), "#!/bin/sh\n", { mode: 0o755 });
    await mkdir(join(dir, "files"));
    await writeFile(join(dir, "files", "config.txt"), "hello world\n");
    await writeFile(
      join(dir, "bundle.yaml"),
      [
        "applications:",
        "  res:",
        "    charm: ./charms/res",
        "    num_units: 1",
        "    resources:",
        "      config-file: ./files/config.txt",
        "      image: registry.example.com/team/app:1.0",
        "",
      ].join("\n"),
    );
    await using model = await env.controller.addModel("local-resources");
    const plan = await model.deploy(join(dir, "bundle.yaml"), { dryRun: true });
    expect(plan.changes.find((c) => c.method === "deploy")?.args["local-resources"]).toEqual({
      "config-file": "./files/config.txt",
      image: "registry.example.com/team/app:1.0",
    });
    expect(model.getApplicationNames()).toEqual([]);
    await model.deploy(join(dir, "bundle.yaml"));
    await model.waitForIdle({ apps: ["res"], timeout: 60_000, idlePeriod: 0 });
    const resources = (await model.applications.get("res")!.getResources()).resources;
    expect(resources["config-file"]).toMatchObject({ type: "file", origin: "upload", size: 12 });
    expect(resources.image).toMatchObject({ type: "oci-image", origin: "upload" });
  }, 120_000);

  it("refuses local charms and local resources in a bundle that is not a local file, before any change", async () => {
    const { model, sent } = await recordingModel("from-url");
    try {
      const handler = new BundleHandler(model);
      const fromUrl = (text: string) => ({
        kind: "url" as const,
        text,
        location: "https://example.com/bundle.yaml",
        baseDir: undefined,
        bundleURL: undefined,
      });
      const charm = await handler
        .planText(fromUrl("applications:\n  mine:\n    charm: ./charms/mine\n"))
        .catch((e: unknown) => e);
      expect(charm).toBeInstanceOf(BundleLocalCharmError);
      expect(charm).not.toBeInstanceOf(BundleLocalCharmNotFoundError);
      expect((charm as BundleLocalCharmError).applications).toEqual(["mine"]);
      expect((charm as Error).message).toContain("not from a URL");
      const res = await handler
        .planText(
          fromUrl(
            "applications:\n  db:\n    charm: mysql\n    resources:\n      data: ./data.tgz\n",
          ),
        )
        .catch((e: unknown) => e);
      expect(res).toBeInstanceOf(NotSupportedError);
      expect((res as Error).message).toContain("db.resources.data: ./data.tgz");
      expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
    } finally {
      await model.disconnect();
    }
  }, 60_000);

  it("refuses a bundle whose local charm path does not exist, naming the application and path, before any change", async () => {
    const { model, sent } = await recordingModel("missing-local");
    const http = recordHttp(model);
    try {
      const bundle = join(SHARED, "bundles", "pylibjuju-mixed-local");
      const err = await model.deploy(bundle).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BundleLocalCharmNotFoundError);
      const missing = err as BundleLocalCharmNotFoundError;
      expect(missing).toBeInstanceOf(BundleLocalCharmError);
      expect(missing.code).toBe("ERR_BUNDLE_LOCAL_CHARM_NOT_FOUND");
      expect(missing.applications).toEqual(["test"]);
      expect(missing.missing).toEqual([
        {
          application: "test",
          charm: join(bundle, "tests", "integration", "charm"),
          path: join(bundle, "tests", "integration", "charm"),
        },
      ]);
      expect(missing.message).toContain('"test"');
      expect(missing.message).toContain(join(bundle, "tests", "integration", "charm"));
      expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
      expect(uploadsOf(http)).toEqual([]);
      // A dry run refuses it the same way.
      await expect(model.deploy(bundle, { dryRun: true })).rejects.toBeInstanceOf(
        BundleLocalCharmNotFoundError,
      );
    } finally {
      await model.disconnect();
    }
  }, 60_000);
});

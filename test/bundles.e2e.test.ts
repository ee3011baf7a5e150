import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BundleValidationError } from "../src/bundle/index.js";
import {
  BundleAbortError,
  BundleChangeError,
  BundleHandler,
  BundleLocalCharmError,
  type BundleProgressEvent,
  Controller,
  type Model,
} from "../src/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("bundles");
const TESTDATA = resolve(import.meta.dirname, "..", "..", "shared", "testdata", "bundles");
const testdata = (...p: string[]) => join(TESTDATA, ...p);

/** Requests that change a model: a bundle refused up front must send none. */
const MUTATING = new Set([
  "Deploy",
  "AddCharm",
  "AddMachines",
  "AddUnits",
  "AddRelation",
  "Expose",
  "Set",
  "ScaleApplications",
  "SetCharm",
  "SetConfigs",
  "SetConstraints",
  "Offer",
  "Consume",
  "ModifyOfferAccess",
  "AddPendingResources",
]);

/** A new model on its own connection, recording (and schema-checking) every request it sends. */
async function recordingModel(name: string): Promise<{ model: Model; sent: string[] }> {
  const tap = createConformanceTap();
  const sent: string[] = [];
  const c = await Controller.connectCurrent({
    env: { JUJU_DATA: env.dir },
    pingInterval: 0,
    onFrame: (direction, frame) => {
      tap.onFrame(direction, frame);
      const req = (frame as { request?: string }).request;
      if (direction === "out" && req) sent.push(req);
    },
  });
  try {
    const model = await c.addModel(name);
    return { model, sent };
  } finally {
    await c.disconnect();
  }
}

// Catalog charms only: mysql (8.0/stable), its subordinate router, ubuntu.
const SMALL = `
default-base: ubuntu@22.04
applications:
  db:
    charm: mysql
    channel: 8.0/stable
    num_units: 2
    to: ["0", "new"]
    options:
      profile: testing
    annotations:
      gui-x: "10"
  router:
    charm: mysql-router
    channel: dpe/edge
  box:
    charm: ubuntu
    num_units: 2
    to: ["lxd:db/0", "lxd:0"]
    expose: true
machines:
  "0":
    constraints: mem=2G
relations:
  - ["router:backend-database", "db:database"]
`;

let dir: string;
beforeAll(async () => {
  dir = join(env.dir, "bundles");
  await mkdir(join(dir, "small"), { recursive: true });
  await writeFile(join(dir, "small", "bundle.yaml"), SMALL);
  await writeFile(
    join(dir, "remove-box.yaml"),
    "applications:\n  box: ~\n  db:\n    options:\n      profile: production\n",
  );
  await writeFile(
    join(dir, "bad.yaml"),
    `applications:
  db:
    charm: mysql
    num_units: -1
    to: ["lxd:nowhere/0"]
  app:
    charm: ubuntu
    expose: true
    exposed-endpoints:
      "": {expose-to-cidrs: ["10.0.0.0/8"]}
relations:
  - ["db:database", "missing:db"]
`,
  );
  await writeFile(
    join(dir, "local.yaml"),
    "applications:\n  mine:\n    charm: ./charms/mine\n    num_units: 1\n",
  );
  await writeFile(
    join(dir, "failing.yaml"),
    `applications:
  db:
    charm: mysql
    channel: 8.0/stable
    num_units: 1
  zbad:
    charm: mysql
    channel: 9.9/stable
    num_units: 1
  box:
    charm: ubuntu
    num_units: 3
`,
  );
});

describe("bundles end to end", () => {
  it("deploys a directory bundle concurrently: placeholders, containers, unit placement, progress", async () => {
    await using model = await env.controller.addModel("small");
    const events: BundleProgressEvent[] = [];
    const apps = await model.deploy(join(dir, "small"), {
      bundle: true,
      onProgress: (e) => events.push(e),
    });
    expect(apps.map((a) => a.name).sort()).toEqual(["box", "db", "router"]);
    // The subordinate router has no units until something uses its container-scoped endpoint.
    await model.waitForIdle({ apps: ["db", "box"], timeout: 60_000, idlePeriod: 0 });
    const started = events.filter((e) => e.type === "started").map((e) => e.change.id);
    const done = events.filter((e) => e.type === "done");
    expect(done.map((e) => e.change.id).sort()).toEqual([...started].sort());
    for (const e of done) expect(e.elapsedMs).toBeGreaterThanOrEqual(0);
    // The containers of box are on db/0's machine and on machine 0 (the same one).
    const db0 = model.units.get("db/0")!;
    const boxes = [...model.units.values()].filter((u) => u.applicationName === "box");
    expect(boxes.map((u) => u.machineId.split("/")[0])).toEqual([db0.machineId, db0.machineId]);
    expect(boxes.every((u) => u.machineId.includes("/lxd/"))).toBe(true);
    expect(model.applications.get("box")!.exposed).toBe(true);
    expect(await model.applications.get("db")!.getAnnotations()).toMatchObject({ "gui-x": "10" });
    // Deploying the same bundle again plans nothing.
    const again = await model.deploy(join(dir, "small"), { dryRun: true });
    expect(again.changes).toEqual([]);
  }, 120_000);

  it("applies an overlay's removal and option change; the dry run changes nothing", async () => {
    const { model, sent } = await recordingModel("overlay");
    await using _m = model;
    const source = join(dir, "small", "bundle.yaml");
    const overlays = [join(dir, "remove-box.yaml")];
    const before = sent.length;
    const plan = await model.deploy(source, { overlays, dryRun: true });
    expect(sent.slice(before).filter((r) => MUTATING.has(r))).toEqual([]);
    expect(plan.changes.some((c) => c.description.includes("box"))).toBe(false);
    expect(plan.changes[0]?.description).toMatch(/^upload charm mysql from charm-hub/);
    const apps = await model.deploy(source, { overlays, concurrency: 1, bundle: true });
    expect(apps.map((a) => a.name).sort()).toEqual(["db", "router"]);
    const cfg = await model.applications.get("db")!.getConfig();
    expect(cfg.profile?.value).toBe("production");
  }, 120_000);

  it("lists every error of a bad bundle and sends nothing that changes the model", async () => {
    const { model, sent } = await recordingModel("bad");
    await using _m = model;
    const err = await model.deploy(join(dir, "bad.yaml")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleValidationError);
    const problems = (err as BundleValidationError).problems;
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
    expect(model.applications.size).toBe(0);

    const invalid = await model
      .deploy(testdata("exposed-endpoints-invalid", "bundle.yaml"))
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BundleValidationError);

    const local = await model.deploy(join(dir, "local.yaml")).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(BundleLocalCharmError);
    expect((local as BundleLocalCharmError).applications).toEqual(["mine"]);
    expect((local as Error).message).toContain('"mine"');
    expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
  }, 60_000);

  it("a failing change raises BundleChangeError naming it, with what was done and skipped", async () => {
    await using model = await env.controller.addModel("failing");
    const handler = new BundleHandler(model);
    const plan = await handler.fetchPlan(join(dir, "failing.yaml"));
    const err = await handler.executePlan({ concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleChangeError);
    const e = err as BundleChangeError;
    expect(e.change.method).toBe("addCharm");
    expect(e.change.args.channel).toBe("9.9/stable");
    expect(e.message).toContain(e.change.id);
    const all = plan.changes.map((c) => c.id);
    expect([...e.done, e.change.id, ...e.skipped].sort()).toEqual([...all].sort());
    expect(e.skipped.length).toBeGreaterThan(0);
    expect(e.done.length).toBeGreaterThan(0);
  }, 60_000);

  it("stops on abort: nothing more starts, and the error says what was done", async () => {
    await using model = await env.controller.addModel("abort");
    const handler = new BundleHandler(model);
    const plan = await handler.fetchPlan(join(dir, "small"));
    const ac = new AbortController();
    const err = await handler
      .executePlan({
        concurrency: 2,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.type === "done" && e.change.method === "deploy") ac.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleAbortError);
    const a = err as BundleAbortError;
    expect(a.done.length).toBeGreaterThan(0);
    expect(a.skipped.length).toBeGreaterThan(0);
    expect(a.done.length + a.skipped.length + a.interrupted.length).toBeLessThanOrEqual(
      plan.changes.length,
    );
  }, 60_000);

  it("exports the model as a bundle that plans nothing against it", async () => {
    await using model = await env.controller.addModel("export");
    await model.deploy(join(dir, "small"), { bundle: true });
    const yaml = await model.exportBundle();
    expect(yaml).toContain("applications:");
    expect(yaml).toContain("charm: mysql");
    const handler = new BundleHandler(model);
    const plan = await handler.planText({
      kind: "url",
      text: yaml,
      location: "export",
      baseDir: undefined,
      bundleURL: undefined,
    });
    expect(plan.changes.map((c) => c.description)).toEqual([]);
  }, 120_000);
});

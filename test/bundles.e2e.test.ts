import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BundleValidationError, parseBundle } from "../src/bundle/index.js";
import {
  BundleAbortError,
  BundleChangeError,
  BundleHandler,
  BundleLocalCharmError,
  type BundleProgressEvent,
  BundleTrustError,
  Controller,
  InvalidArgumentError,
  JujuError,
} from "../src/index.js";
import { CharmCatalog } from "../src/simulator/catalog/index.js";
import { JUJU_VERSIONS, type JujuVersionUnderTest } from "./support/juju-versions.js";
import { recordingModel as recordingModelOf, useSimController } from "./support/sim-controller.js";

// One simulator per profile, shared by the suites of this file.
const envs = {
  "3.6": useSimController("bundles"),
  "4.0": useSimController("bundles4", { juju: "4.0" }),
} as const;
const env = envs["3.6"];
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

/**
 * The catalog charms the suite deploys on each profile. On 3.6: mysql
 * (8.0/stable) and its subordinate router. Juju 4 refuses both (they assume
 * `juju < 4`, see the refusal test), so the 4.0 run uses kubernetes-worker and
 * its subordinate containerd, which allow 4.x, in the same roles.
 */
const CHARMS = {
  "3.6": {
    db: { charm: "mysql", channel: "8.0/stable", option: "profile", offers: "database" },
    router: { charm: "mysql-router", channel: "dpe/edge", endpoint: "backend-database" },
    dbEndpoint: "database",
  },
  "4.0": {
    db: {
      charm: "kubernetes-worker",
      channel: "1.35/stable",
      option: "labels",
      offers: "ingress-proxy",
    },
    router: { charm: "containerd", channel: "1.35/stable", endpoint: "containerd" },
    dbEndpoint: "container-runtime",
  },
} as const;

/** Catalog charms only: the profile's db and its subordinate router, ubuntu. */
const smallBundle = (juju: JujuVersionUnderTest) => {
  const c = CHARMS[juju];
  return `
default-base: ubuntu@22.04
applications:
  db:
    charm: ${c.db.charm}
    channel: ${c.db.channel}
    num_units: 2
    to: ["0", "new"]
    options:
      ${c.db.option}: testing
    annotations:
      gui-x: "10"
  router:
    charm: ${c.router.charm}
    channel: ${c.router.channel}
  box:
    charm: ubuntu
    num_units: 2
    to: ["lxd:db/0", "lxd:0"]
    expose: true
machines:
  "0":
    constraints: mem=2G
relations:
  - ["router:${c.router.endpoint}", "db:${c.dbEndpoint}"]
`;
};
const SMALL = smallBundle("3.6");

/** Writes the suite's bundles for `juju` under `dir`. */
async function writeBundles(dir: string, juju: JujuVersionUnderTest): Promise<void> {
  const c = CHARMS[juju];
  await mkdir(join(dir, "small"), { recursive: true });
  await writeFile(join(dir, "small", "bundle.yaml"), smallBundle(juju));
  await writeFile(
    join(dir, "remove-box.yaml"),
    `applications:\n  box: ~\n  db:\n    options:\n      ${c.db.option}: production\n`,
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
    join(dir, "offers.yaml"),
    `applications:
  db:
    charm: ${c.db.charm}
    channel: ${c.db.channel}
    num_units: 1
saas:
  remote-db:
    url: admin/elsewhere.db
--- # offers may only be given in an overlay document
applications:
  db:
    offers:
      db-offer:
        endpoints: [${c.db.offers}]
        acl:
          bob: consume
`,
  );
  await writeFile(
    join(dir, "trust.yaml"),
    "applications:\n  cloudy:\n    charm: ubuntu\n    num_units: 1\n    trust: true\n",
  );
  await writeFile(
    join(dir, "local.yaml"),
    "applications:\n  mine:\n    charm: ./charms/mine\n    num_units: 1\n",
  );
  await writeFile(
    join(dir, "failing.yaml"),
    `applications:
  db:
    charm: ${c.db.charm}
    channel: ${c.db.channel}
    num_units: 1
  zbad:
    charm: ${c.db.charm}
    channel: 9.9/stable
    num_units: 1
  box:
    charm: ubuntu
    num_units: 3
`,
  );
}

describe.each(JUJU_VERSIONS)("bundles end to end on Juju %s", (juju) => {
  const env = envs[juju];
  const c = CHARMS[juju];
  /** A new model on its own connection (see the support helper), recording every request it sends. */
  const recordingModel = (name: string) => recordingModelOf(env.dir, name, env.onFrame);
  let dir: string;
  beforeAll(async () => {
    dir = join(env.dir, "bundles");
    await writeBundles(dir, juju);
  });

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
    expect(plan.changes[0]?.description).toMatch(
      new RegExp(`^upload charm ${c.db.charm} from charm-hub`),
    );
    const apps = await model.deploy(source, { overlays, concurrency: 1, bundle: true });
    expect(apps.map((a) => a.name).sort()).toEqual(["db", "router"]);
    const cfg = await model.applications.get("db")!.getConfig();
    expect(cfg[c.db.option]?.value).toBe("production");
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

    // Wrong JS types are refused with a typed error, not a crash.
    const notString = await model.deploy(42 as unknown as string).catch((e: unknown) => e);
    expect(notString).toBeInstanceOf(InvalidArgumentError);
    const badOverlays = await model
      .deploy(join(dir, "bad.yaml"), { overlays: "x.yaml" as unknown as string[] })
      .catch((e: unknown) => e);
    expect(badOverlays).toBeInstanceOf(InvalidArgumentError);
    const planned = new BundleHandler(model);
    await planned.fetchPlan(join(dir, "small"));
    const badConcurrency = await planned.executePlan({ concurrency: 0 }).catch((e: unknown) => e);
    expect(badConcurrency).toBeInstanceOf(InvalidArgumentError);
    expect((badConcurrency as InvalidArgumentError).argument).toBe("concurrency");

    const local = await model.deploy(join(dir, "local.yaml")).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(BundleLocalCharmError);
    expect((local as BundleLocalCharmError).applications).toEqual(["mine"]);
    expect((local as Error).message).toContain('"mine"');
    expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
  }, 60_000);

  it("refuses applications asking for trust unless trusted, as juju deploy --trust", async () => {
    const { model, sent } = await recordingModel("trust");
    await using _m = model;
    const err = await model
      .deploy(join(dir, "trust.yaml"), { dryRun: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleTrustError);
    expect((err as Error).message).toBe(
      "Bundle cannot be deployed without trusting applications with your cloud credentials.\n" +
        "Please repeat the deploy command with the --trust argument if you consent to trust the following application(s):\n" +
        "  - cloudy",
    );
    expect(sent.filter((r) => MUTATING.has(r))).toEqual([]);
    // With trust the plan is made, and deploying it sends `trust` with the
    // application's config: the controller keeps it as application config.
    const plan = await model.deploy(join(dir, "trust.yaml"), { trust: true, dryRun: true });
    expect(plan.changes.map((c) => c.method)).toEqual(["addCharm", "deploy", "addUnit"]);
    const apps = await model.deploy(join(dir, "trust.yaml"), { trust: true, bundle: true });
    expect(apps.map((a) => a.name)).toEqual(["cloudy"]);
    const cfg = await model.applications.get("cloudy")!.getConfig();
    expect(cfg.trust).toMatchObject({ source: "user", value: true, default: false, type: "bool" });
  }, 60_000);

  it("deploys a new application of a charm the model already runs (the plan adds no charm)", async () => {
    const { model } = await recordingModel("same-charm");
    await using _m = model;
    await model.deploy("ubuntu", { applicationName: "box" });
    await writeFile(
      join(dir, "same-charm.yaml"),
      "applications:\n  box:\n    charm: ubuntu\n  box2:\n    charm: ubuntu\n    num_units: 1\n",
    );
    const plan = await model.deploy(join(dir, "same-charm.yaml"), { dryRun: true });
    expect(plan.changes.map((c) => c.method)).toEqual(["deploy", "addUnit"]);
    const apps = await model.deploy(join(dir, "same-charm.yaml"), { bundle: true });
    expect(apps.map((a) => a.name)).toEqual(["box", "box2"]);
    const box = model.applications.get("box")!;
    const box2 = model.applications.get("box2")!;
    expect(box2.charmUrl).toBe(box.charmUrl);
    await model.waitForIdle({ apps: ["box2"], idlePeriod: 0, timeout: 30_000 });
    expect(model.units.has("box2/0")).toBe(true);
  }, 60_000);

  it("sends offers and consumed offers to the controller, and its answer surfaces typed", async () => {
    await using model = await env.controller.addModel("offers");
    const handler = new BundleHandler(model);
    const plan = await handler.fetchPlan(join(dir, "offers.yaml"));
    const methods = plan.changes.map((c) => c.method);
    expect(methods).toEqual(
      expect.arrayContaining(["createOffer", "consumeOffer", "grantOfferAccess"]),
    );
    const err = await handler.executePlan().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleChangeError);
    const e = err as BundleChangeError;
    expect(e.failed.map((f) => f.change.method)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(createOffer|consumeOffer)$/)]),
    );
    // The request went out: the controller's own answer is the error (not a local refusal).
    for (const f of e.failed) expect(f.error).toBeInstanceOf(JujuError);
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

  it("sends bundle devices as devices.Constraints {Type, Count, Attributes}, schema-checked", async () => {
    const deploys: Array<Record<string, unknown>> = [];
    const controller = await Controller.connectCurrent({
      env: { JUJU_DATA: env.dir },
      pingInterval: 0,
      onFrame: (direction, frame) => {
        env.onFrame(direction, frame);
        const f = frame as { request?: string; params?: { applications?: unknown[] } };
        if (direction === "out" && f.request === "Deploy") {
          deploys.push(...((f.params?.applications ?? []) as Array<Record<string, unknown>>));
        }
      },
    });
    try {
      await using model = await controller.addModel("devices");
      await writeFile(
        join(dir, "devices.yaml"),
        "applications:\n  gpu:\n    charm: ubuntu\n    devices:\n      one: gpu\n      two: 2,nvidia.com/gpu,gpu=fast\n",
      );
      await model.deploy(join(dir, "devices.yaml"), { bundle: true });
      expect(deploys.find((d) => d.application === "gpu")?.devices).toEqual({
        one: { Type: "gpu", Count: 1, Attributes: {} },
        two: { Type: "nvidia.com/gpu", Count: 2, Attributes: { gpu: "fast" } },
      });
      // Planned locally (Juju 4's Bundle 8 has no GetChanges).
      expect(model.connection.facade("Bundle").major).toBe(juju === "4.0" ? 4 : 3);
    } finally {
      await controller.disconnect();
    }
  }, 60_000);

  it("exports the model as a bundle that plans nothing against it", async () => {
    await using model = await env.controller.addModel("export");
    await model.deploy(join(dir, "small"), { bundle: true });
    const yaml = await model.exportBundle();
    expect(yaml).toContain("applications:");
    expect(yaml).toContain(`charm: ${c.db.charm}`);
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

describe("bundles on a Juju 4.0 controller", () => {
  const env = envs["4.0"];

  it("refuses a charm that assumes juju < 4 with Juju's error, and plans without GetChanges", async () => {
    const { model, sent } = await recordingModelOf(env.dir, "assumes", env.onFrame);
    await using _m = model;
    const file = join(env.dir, "mysql.yaml");
    await writeFile(
      file,
      "default-base: ubuntu@22.04\napplications:\n  db:\n    charm: mysql\n    channel: 8.0/stable\n    num_units: 1\n",
    );
    const err = await model.deploy(file, { bundle: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleChangeError);
    const failed = (err as BundleChangeError).failed;
    expect(failed.map((f) => f.error)).toEqual([expect.any(JujuError)]);
    const message = String((failed[0]?.error as Error | undefined)?.message);
    expect(message).toContain("Charm feature requirements cannot be met:");
    expect(message).toContain('charm requires feature "juju" (version < 4.0.0)');
    expect(model.applications.has("db")).toBe(false);
    // Juju 4's Bundle 8 dropped GetChanges: the plan is made here.
    expect(sent).not.toContain("GetChanges");
  }, 60_000);

  it("deploys a shared test bundle whose charms allow 4.x and reaches idle", async () => {
    await using model = await env.controller.addModel("kubernetes-core");
    const apps = await model.deploy(testdata("kubernetes-core", "bundle.yaml"), { bundle: true });
    await model.waitForIdle({
      apps: apps.filter((a) => !a.subordinate).map((a) => a.name),
      timeout: 60_000,
      idlePeriod: 0,
    });
    const again = await model.deploy(testdata("kubernetes-core", "bundle.yaml"), { dryRun: true });
    expect(again.changes).toEqual([]);
  }, 120_000);
});

/** The shared test bundles whose charms (with those of each overlay) are all in the catalog. */
async function catalogTestBundles(): Promise<{ name: string; overlays: string[][] }[]> {
  const catalog = CharmCatalog.default();
  const inCatalog = async (file: string) => {
    const text = await readFile(file, "utf8");
    // Overlays are parsed on their own only to list their charms.
    const charms = [...text.matchAll(/^\s+charm:\s*"?([^"\s]+)"?\s*$/gm)].map((m) =>
      m[1]!.replace(/^ch:/, "").replace(/-\d+$/, ""),
    );
    return charms.every((c) => catalog.get(c) !== undefined);
  };
  const out: { name: string; overlays: string[][] }[] = [];
  for (const name of (await readdir(TESTDATA)).sort()) {
    const main = testdata(name, "bundle.yaml");
    let data: Awaited<ReturnType<typeof parseBundle>>;
    try {
      data = await parseBundle(await readFile(main, "utf8"), { strict: false });
    } catch {
      continue;
    }
    if (data.bundle === "kubernetes" || !(await inCatalog(main))) continue;
    const overlays: string[][] = [[]];
    for (const f of (await readdir(testdata(name))).sort()) {
      if (f === "bundle.yaml" || !f.endsWith(".yaml") || f === "charmcraft.yaml") continue;
      if (await inCatalog(testdata(name, f))) overlays.push([testdata(name, f)]);
    }
    out.push({ name, overlays });
  }
  return out;
}

/**
 * Combinations that cannot deploy anywhere, with the failure Juju gives (the
 * rest must deploy): Charmed Kubernetes 1.35 is a noble bundle, and its PKI
 * overlay pins vault to 1.7/stable, which Charmhub releases for 20.04 and
 * 22.04 only.
 */
const EXPECTED: Record<string, string> = {
  "charmed-kubernetes + vault-pki-overlay.yaml":
    'failed: bundle change addCharm-22 (upload charm vault from charm-hub for base ubuntu@24.04/stable from channel 1.7/stable) failed: cannot resolve charm "vault": selecting releases: charm or bundle not found for channel "1.7/stable", base "amd64/ubuntu/24.04"',
};

describe("shared test bundles on the simulator", () => {
  it("every catalog-only test bundle deploys and reaches idle, with and without its overlays", async () => {
    const bundles = await catalogTestBundles();
    expect(bundles.map((b) => b.name)).toContain("kubernetes-core");
    const outcomes: Record<string, string> = {};
    let n = 0;
    for (const b of bundles) {
      for (const overlays of b.overlays) {
        const key = [b.name, ...overlays.map((o) => o.split("/").at(-1))].join(" + ");
        await using model = await env.controller.addModel(`testdata-${n++}`);
        try {
          const apps = await model.deploy(testdata(b.name, "bundle.yaml"), {
            overlays,
            bundle: true,
          });
          await model.waitForIdle({
            apps: apps.filter((a) => !a.subordinate).map((a) => a.name),
            timeout: 120_000,
            idlePeriod: 0,
          });
          const again = await model.deploy(testdata(b.name, "bundle.yaml"), {
            overlays,
            dryRun: true,
          });
          outcomes[key] =
            again.changes.length === 0
              ? "deployed, idle, plans nothing again"
              : `plans again: ${again.changes.map((c) => c.description).join("; ")}`;
        } catch (err) {
          outcomes[key] =
            `failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
        }
      }
    }
    expect(outcomes).toEqual(
      Object.fromEntries(
        Object.keys(outcomes).map((k) => [k, EXPECTED[k] ?? "deployed, idle, plans nothing again"]),
      ),
    );
  }, 600_000);

  it("deploys a Charmhub bundle by name (overlays apply) and a bundle from an http URL", async () => {
    await using model = await env.controller.addModel("by-name");
    const plan = await model.deploy("charmed-kubernetes", { dryRun: true });
    expect(plan.source).toBe("ch:charmed-kubernetes");
    expect(plan.changes.length).toBeGreaterThan(10);
    expect(plan.changes.some((c) => c.description.includes("easyrsa"))).toBe(true);
    // The PKI overlay removes easyrsa (`easyrsa: null`).
    const overlaid = await model.deploy("charmed-kubernetes", {
      dryRun: true,
      overlays: [testdata("charmed-kubernetes", "vault-pki-overlay.yaml")],
    });
    expect(overlaid.changes.some((c) => c.description.includes("easyrsa"))).toBe(false);
    expect(overlaid.changes.some((c) => c.description.includes("vault"))).toBe(true);

    // By name, without dry run: deployed as a bundle.
    const apps = await model.deploy("charmed-kubernetes", { bundle: true });
    expect(apps.map((a) => a.name)).toContain("kubernetes-control-plane");

    // From an http(s) URL: served here by a throwaway HTTP server.
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-yaml" });
      res.end(SMALL);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      await using other = await env.controller.addModel("by-url");
      const fromUrl = await other.deploy(`http://127.0.0.1:${port}/bundle.yaml`);
      expect(fromUrl.map((a) => a.name).sort()).toEqual(["box", "db", "router"]);
    } finally {
      server.close();
    }
  }, 120_000);
});

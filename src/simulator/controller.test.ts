import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

describe("Controller facade", () => {
  let sim: Simulator;
  let w: RawClient;
  beforeAll(async () => {
    sim = await Simulator.start({ timing: "instant", controllerName: "ctl" });
    w = await RawClient.open(sim, "/api");
  });
  afterAll(async () => {
    expect(w.violations).toEqual([]);
    w.close();
    await sim.stop();
  });

  it("ControllerAPIInfoForModels: the API addresses and CA for hosted models (python-libjuju's connect)", async () => {
    const r = await w.ok("Controller", 11, "ControllerAPIInfoForModels", {
      entities: [
        { tag: `model-${sim.controllerModelUuid}` },
        { tag: "model-00000000-0000-4000-8000-000000000000" },
        { tag: "machine-0" },
      ],
    });
    expect(r.results).toEqual([
      { addresses: [sim.endpoint], cacert: sim.caCert },
      {
        addresses: null,
        cacert: "",
        error: { message: "migration not found", code: "not found" },
      },
      {
        addresses: null,
        cacert: "",
        error: { message: '"machine-0" is not a valid model tag', code: "" },
      },
    ]);
  });

  it("ControllerConfig, ControllerVersion, MongoVersion, IdentityProviderURL", async () => {
    const cfg = (await w.ok("Controller", 12, "ControllerConfig")).config as Frame;
    expect(cfg).toMatchObject({
      "controller-uuid": sim.controllerUuid,
      "controller-name": "ctl",
      "ca-cert": sim.caCert,
      "api-port": 17070,
      "state-port": 37017,
      "audit-log-exclude-methods": ["ReadOnlyMethods"],
    });
    expect(await w.ok("Controller", 12, "ControllerVersion")).toEqual({
      version: "3.6.28",
      "git-commit": "1c91c54fafcd8546dacb4254242ab0ae08ac9128",
    });
    expect((await w.ok("Controller", 12, "MongoVersion")).result).toMatch(/^4\.4\.\d+$/);
    expect(await w.ok("Controller", 12, "IdentityProviderURL")).toEqual({ result: "" });
    expect(await w.ok("Controller", 12, "ListBlockedModels")).toEqual({});
  });

  it("ModelConfig (v11 only) is the controller model's config with sources", async () => {
    const cfg = (await w.ok("Controller", 11, "ModelConfig")).config as Record<string, Frame>;
    expect(cfg.name).toEqual({ value: "controller", source: "model" });
    expect(cfg.uuid).toEqual({ value: sim.controllerModelUuid, source: "model" });
    expect(cfg["automatically-retry-hooks"]).toEqual({ value: true, source: "default" });
    const v12 = await w.call("Controller", 12, "ModelConfig");
    expect(v12.error).toBe(
      "no such request - method Controller(12).ModelConfig is not implemented",
    );
  });

  it("AllModels, ModelStatus and GetControllerAccess", async () => {
    const all = (await w.ok("Controller", 12, "AllModels"))["user-models"] as Frame[];
    expect(all.map((m) => (m.model as Frame).name)).toEqual(["controller", "default"]);
    expect(all[1]?.model).toEqual({
      name: "default",
      uuid: sim.defaultModelUuid,
      type: "iaas",
      "owner-tag": "user-admin",
    });
    const st = await w.ok("Controller", 12, "ModelStatus", {
      entities: [{ tag: `model-${sim.defaultModelUuid}` }],
    });
    expect((st.models as Frame[])[0]).toMatchObject({
      "model-tag": `model-${sim.defaultModelUuid}`,
      life: "alive",
      "owner-tag": "user-admin",
      "application-count": 0,
    });
    const access = await w.ok("Controller", 12, "GetControllerAccess", {
      entities: [{ tag: "user-admin" }, { tag: "user-bob" }, { tag: "bob" }],
    });
    expect(access.results).toEqual([
      { result: { "user-tag": "user-admin", access: "superuser" } },
      { error: { message: 'user "bob" not found', code: "user not found" } },
      { error: { message: '"bob" is not a valid tag', code: "" } },
    ]);
  });

  it("is refused on model connections", async () => {
    const m = await RawClient.open(sim, `/model/${sim.defaultModelUuid}/api`);
    const r = await m.call("Controller", 12, "ControllerVersion");
    expect([r.error, r["error-code"]]).toEqual([
      'facade "Controller" not supported for model API connection',
      "not supported",
    ]);
    m.close();
  });
});

/** FullStatus with the times (which follow the wall clock) blanked. */
function withoutTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = k === "since" || k === "controller-timestamp" ? "<time>" : withoutTimes(x);
  }
  return out;
}

/** Starts a simulator, deploys two applications on a new model and returns what a client sees. */
async function run(seed: number | undefined) {
  await using sim = await Simulator.start({
    timing: "instant",
    ...(seed === undefined ? {} : { seed }),
  });
  const ctl = await RawClient.open(sim, "/api");
  const created = await ctl.ok("ModelManager", 10, "CreateModel", {
    name: "det",
    "owner-tag": "user-admin",
  });
  ctl.close();
  const w = await RawClient.open(sim, `/model/${created.uuid as string}/api`);
  for (const [charm, app, n] of [
    ["ubuntu", "ubu", 2],
    ["etcd", "etcd", 1],
  ] as const) {
    const res = await w.ok("Charms", 7, "ResolveCharms", {
      resolve: [
        { reference: `ch:${charm}`, "charm-origin": { source: "charm-hub", type: "charm" } },
      ],
    });
    const r = (res.Results as Frame[])[0] as Frame;
    const added = await w.ok("Charms", 7, "AddCharm", {
      url: r.url,
      "charm-origin": r["charm-origin"],
    });
    await w.ok("Application", 20, "Deploy", {
      applications: [
        {
          application: app,
          "charm-url": r.url,
          "charm-origin": added["charm-origin"],
          "num-units": n,
        },
      ],
    });
  }
  let status: Frame = {};
  for (let i = 0; i < 200; i++) {
    status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    const units = Object.values(status.applications as Record<string, Frame>).flatMap((a) =>
      Object.values((a.units ?? {}) as Record<string, Frame>),
    );
    const settled = units.every(
      (u) => (u["agent-status"] as Frame).status === "idle" && u["public-address"] !== "",
    );
    if (units.length === 3 && settled) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const violations = [...w.violations, ...ctl.violations];
  w.close();
  return {
    controllerUuid: sim.controllerUuid,
    models: [sim.controllerModelUuid, sim.defaultModelUuid, created.uuid],
    status: withoutTimes(status),
    violations,
  };
}

describe("determinism under a seed", () => {
  it("the same seed and calls give the same UUIDs, instance ids, addresses and FullStatus", async () => {
    const a = await run(42);
    const b = await run(42);
    expect(a.violations).toEqual([]);
    expect(b.controllerUuid).toBe(a.controllerUuid);
    expect(b.models).toEqual(a.models);
    expect(b.status).toEqual(a.status);
    const machines = (a.status as Frame).machines as Record<string, Frame>;
    expect(Object.keys(machines)).toEqual(["0", "1", "2"]);
    expect(machines["0"]?.["instance-id"]).toMatch(/^juju-[0-9a-f]{6}-0$/);
    for (const u of a.models) {
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // Another seed, and no seed at all, give other identities.
    const c = await run(43);
    expect(c.controllerUuid).not.toBe(a.controllerUuid);
    const d = await run(undefined);
    expect(d.models).not.toEqual(a.models);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOld, type Frame, RawClient } from "../../test/support/raw-client.js";
import { parseBundleSync, planBundle } from "../bundle/index.js";
import type { BundleModelView, ModelApplicationView } from "../bundle/model-view.js";
import { Simulator, VirtualClock } from "./index.js";

let sim: Simulator;
let w: RawClient;
const clock = new VirtualClock();

beforeAll(async () => {
  sim = await Simulator.start({ clock, timing: "instant" });
  w = await RawClient.open(sim);
});
afterAll(async () => {
  w.close();
  await sim.stop();
});

describe("Bundle(6).ExportBundle", () => {
  it("refuses an empty model as Juju does", async () => {
    const r = await w.call("Bundle", 6, "ExportBundle", {});
    expect(r.error).toBe("nothing to export as there are no applications");
    expect(r["error-code"]).toBeUndefined();
    expect(w.violations).toEqual([]);
  });

  it("writes the model in Juju's export format", async () => {
    const db = await deployOld(w, "mysql", "db", 2, {
      config: { "cluster-name": "c1", binlog_retention_days: "3" },
      constraints: { mem: 4096, cores: 2 },
    });
    expect(db.deploy).toEqual({ results: [{}] });
    const rsa = await deployOld(w, "easyrsa", "easyrsa", 1);
    expect(rsa.deploy).toEqual({ results: [{}] });
    await w.ok("Application", 19, "AddRelation", {
      endpoints: ["db:certificates", "easyrsa:client"],
    });
    await w.ok("Application", 19, "Expose", { application: "easyrsa" });
    await w.ok("Annotations", 2, "Set", {
      annotations: [{ entity: "application-db", annotations: { "gui-x": "10", "gui-y": "20" } }],
    });
    // The unit assigner places the units.
    await clock.advance(60_000);
    const r = await w.ok("Bundle", 6, "ExportBundle", {});
    expect(r.result).toBe(`default-base: ubuntu@24.04/stable
applications:
  db:
    charm: mysql
    channel: 8.0/stable
    revision: 313
    base: ubuntu@22.04/stable
    num_units: 2
    to:
    - "0"
    - "1"
    options:
      binlog_retention_days: 3
      cluster-name: c1
    annotations:
      gui-x: "10"
      gui-y: "20"
    constraints: cpu-cores=2 mem=4096
  easyrsa:
    charm: easyrsa
    channel: stable
    revision: 70
    num_units: 1
    to:
    - "2"
    expose: true
machines:
  "0":
    constraints: cpu-cores=2 mem=4096
    base: ubuntu@22.04/stable
  "1":
    constraints: cpu-cores=2 mem=4096
    base: ubuntu@22.04/stable
  "2": {}
relations:
- - db:certificates
  - easyrsa:client
`);
    expect(w.violations).toEqual([]);
  });

  it("adds series beside the bases when asked (include-series)", async () => {
    const r = await w.ok("Bundle", 6, "ExportBundle", { "include-series": true });
    const text = r.result as string;
    expect(
      text.startsWith("default-base: ubuntu@24.04/stable\nseries: noble\napplications:\n"),
    ).toBe(true);
    expect(text).toContain("    series: jammy\n    base: ubuntu@22.04/stable\n");
  });

  it("exports a bundle that plans to nothing against the same model", async () => {
    await w.ok("Application", 19, "Expose", {
      application: "db",
      "exposed-endpoints": { database: { "expose-to-cidrs": ["10.0.0.0/8"] } },
    });
    await w.ok("Application", 19, "AddUnits", {
      application: "easyrsa",
      "num-units": 1,
      placement: [{ scope: "lxd", directive: "0" }],
    });
    await clock.advance(60_000);
    const text = (await w.ok("Bundle", 6, "ExportBundle", {})).result as string;
    expect(text).toContain("--- # overlay.yaml\napplications:\n  db:\n    exposed-endpoints:\n");
    expect(text).toContain('    to:\n    - "2"\n    - lxd:0\n');
    const plan = planBundle(parseBundleSync(text, { strict: false }), {
      model: await modelView(w),
    });
    expect(plan.changes.map((c) => c.description)).toEqual([]);
    expect(w.violations).toEqual([]);
  });
});

/** The model as the planner sees it, read with the client facades (FullStatus, Get, GetConstraints, Annotations). */
async function modelView(c: RawClient): Promise<BundleModelView> {
  const status = await c.ok("Client", 8, "FullStatus", { patterns: [] });
  const apps = status.applications as Record<string, Frame>;
  const applications: Record<string, ModelApplicationView> = {};
  for (const [name, a] of Object.entries(apps)) {
    const get = await c.ok("Application", 19, "Get", { application: name });
    const options: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(get.config as Record<string, Frame>)) {
      if (o.source === "user") options[k] = o.value;
    }
    const cons = await c.ok("Application", 19, "GetConstraints", {
      entities: [{ tag: `application-${name}` }],
    });
    const constraints = ((cons.results as Frame[])[0] as Frame).constraints as Record<
      string,
      unknown
    >;
    const ann = await c.ok("Annotations", 2, "Get", { entities: [{ tag: `application-${name}` }] });
    const url = a.charm as string;
    const base = a.base as { name: string; channel: string };
    let eps = (a["exposed-endpoints"] ?? {}) as Record<string, Frame>;
    // A plain `expose` shows as every endpoint open to the world; a bundle
    // writes that as `expose: true` (ExportBundle's mapExposedEndpoints), so
    // the view states it the same way.
    const world = eps[""]?.["expose-to-cidrs"] as string[] | undefined;
    if (
      Object.keys(eps).length === 1 &&
      eps[""]?.["expose-to-spaces"] === undefined &&
      world?.length === 2 &&
      world.includes("0.0.0.0/0") &&
      world.includes("::/0")
    ) {
      eps = {};
    }
    applications[name] = {
      charm: url,
      revision: Number(/-(\d+)$/.exec(url)?.[1] ?? -1),
      channel: a["charm-channel"] as string,
      base: `${base.name}@${base.channel}`,
      options,
      annotations: ((ann.results as Frame[])[0] as Frame).annotations as Record<string, string>,
      constraints: Object.entries(constraints)
        .map(([k, v]) => `${k === "cores" ? "cpu-cores" : k}=${Array.isArray(v) ? v.join(",") : v}`)
        .join(" "),
      exposed: a.exposed as boolean,
      exposedEndpoints: Object.fromEntries(
        Object.entries(eps).map(([ep, e]) => [
          ep,
          {
            exposeToSpaces: (e["expose-to-spaces"] ?? []) as string[],
            exposeToCidrs: (e["expose-to-cidrs"] ?? []) as string[],
          },
        ]),
      ),
      subordinateTo: (a["subordinate-to"] ?? []) as string[],
      units: Object.entries((a.units ?? {}) as Record<string, Frame>).map(([u, st]) => ({
        name: u,
        machine: st.machine as string,
      })),
    };
  }
  const machines: BundleModelView["machines"] = {};
  for (const [id, m] of Object.entries(status.machines as Record<string, Frame>)) {
    const b = m.base as { name: string; channel: string };
    machines[id] = { base: `${b.name}@${b.channel}` };
    for (const [cid, ct] of Object.entries((m.containers ?? {}) as Record<string, Frame>)) {
      const cb = ct.base as { name: string; channel: string };
      machines[cid] = { base: `${cb.name}@${cb.channel}` };
    }
  }
  const relations = (status.relations as Frame[]).flatMap((r) => {
    const eps = r.endpoints as Frame[];
    if (eps.length !== 2) return [];
    const [e1, e2] = eps as [Frame, Frame];
    return [
      {
        app1: e1.application as string,
        endpoint1: e1.name as string,
        app2: e2.application as string,
        endpoint2: e2.name as string,
      },
    ];
  });
  return { applications, machines, relations };
}

const BUNDLE = `default-base: ubuntu@22.04
applications:
  ubuntu:
    charm: ubuntu
    num_units: 2
  rsa:
    charm: easyrsa
    channel: latest/edge
    num_units: 1
    to: ["lxd:ubuntu/0"]
    expose: true
relations:
- [ubuntu:juju-info, rsa:client]
---
applications:
  ubuntu:
    num_units: 1
`;

describe("Bundle(6).GetChangesMapArgs", () => {
  it("plans with the named arguments and one empty error per change", async () => {
    const r = await w.ok("Bundle", 6, "GetChangesMapArgs", { yaml: BUNDLE, bundleURL: "ch:test" });
    const changes = r.changes as Array<Record<string, unknown>>;
    expect(changes.map((c) => c.id)).toEqual([
      "addCharm-0",
      "deploy-1",
      "expose-2",
      "setAnnotations-3",
      "addCharm-4",
      "deploy-5",
      "setAnnotations-6",
      "addRelation-7",
      "addUnit-9",
      "addMachines-10",
      "addUnit-8",
    ]);
    expect(r.errors).toEqual(changes.map(() => ""));
    expect(changes[0]).toEqual({
      id: "addCharm-0",
      method: "addCharm",
      args: {
        charm: "easyrsa",
        base: "ubuntu@22.04/stable",
        series: "jammy",
        channel: "latest/edge",
      },
      requires: [],
    });
    expect(changes[10]).toEqual({
      id: "addUnit-8",
      method: "addUnit",
      args: { application: "$deploy-1", to: "$addMachines-10" },
      requires: ["addMachines-10", "deploy-1"],
    });
    expect(changes[6]?.args).toEqual({
      id: "$deploy-5",
      "entity-type": "application",
      annotations: { bundleURL: "ch:test" },
    });
    expect(Object.keys(changes[1] ?? {})).toEqual(["id", "method", "args", "requires"]);
    expect(w.violations).toEqual([]);
  });

  it("applies overlay removals written the way python-libjuju sends them (`app: ` with no value)", async () => {
    const yaml = `${BUNDLE}---\napplications:\n  rsa: \n`;
    const r = await w.ok("Bundle", 6, "GetChangesMapArgs", { yaml, bundleURL: "" });
    const changes = r.changes as Array<{ method: string; args: Record<string, unknown> }>;
    expect(changes.map((c) => c.method)).toEqual(["addCharm", "deploy", "addUnit"]);
    expect(changes[1]?.args.application).toBe("ubuntu");
    expect(w.violations).toEqual([]);
  });

  it("lists verification errors instead of changes", async () => {
    const r = await w.ok("Bundle", 6, "GetChangesMapArgs", {
      yaml: "applications:\n  a:\n    charm: ubuntu\n    constraints: bad=1\n    to: ['7']\n",
      bundleURL: "",
    });
    expect(r.changes).toBeUndefined();
    expect(r.errors).toEqual([
      'invalid constraints "bad=1" in application "a": unknown constraint "bad"',
      'too many units specified in unit placement for application "a"',
      'placement "7" refers to a machine not defined in this bundle',
    ]);
    expect(w.violations).toEqual([]);
  });

  it("fails the call on YAML it cannot read", async () => {
    const r = await w.call("Bundle", 6, "GetChangesMapArgs", {
      yaml: "applications:\n  a:\n    charm: ubuntu\n    num_units: many\n",
      bundleURL: "",
    });
    expect(r.error).toBe(
      "cannot read bundle YAML: yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `many` into int",
    );
    expect(w.violations).toEqual([]);
  });
});

describe("Bundle(6).GetChanges", () => {
  it("plans with the positional arguments (deploy with devices)", async () => {
    const r = await w.ok("Bundle", 6, "GetChanges", { yaml: BUNDLE, bundleURL: "" });
    const changes = r.changes as Array<Record<string, unknown>>;
    expect(r.errors).toBeUndefined();
    // Without a bundle URL there is no bundleURL annotation to set.
    expect(changes.map((c) => c.method)).not.toContain("setAnnotations");
    expect(changes).toHaveLength(9);
    expect(changes[1]).toEqual({
      id: "deploy-1",
      method: "deploy",
      // charm, series, application, options, constraints, storage, devices, bindings, resources, units, channel
      args: ["$addCharm-0", "jammy", "rsa", {}, "", {}, {}, {}, {}, 0, "latest/edge"],
      requires: ["addCharm-0"],
    });
    expect(w.violations).toEqual([]);
  });

  it("lists verification errors like GetChangesMapArgs", async () => {
    const r = await w.ok("Bundle", 6, "GetChanges", {
      yaml: "applications:\n  a:\n    charm: ubuntu\n    num_units: 1\n    storage: {data: 'bad,,x'}\n    to: [lxd:b/0]\n",
      bundleURL: "",
    });
    expect(r.changes).toBeUndefined();
    expect(r.errors).toEqual([
      'invalid storage "data" in application "a": pool name is already set to "bad", new value "x" not valid',
      'placement "lxd:b/0" refers to an application not defined in this bundle',
    ]);
    expect(w.violations).toEqual([]);
  });

  it("fails the call when the base bundle holds overlay-only fields, as reading and merging does", async () => {
    const r = await w.call("Bundle", 6, "GetChanges", {
      yaml: "applications:\n  a:\n    charm: ubuntu\n    expose: true\n    exposed-endpoints: {'': {expose-to-cidrs: [0.0.0.0/0]}}\n",
      bundleURL: "",
    });
    expect(r.error).toBe(
      "cannot read bundle YAML: applications.a.exposed-endpoints can only appear in an overlay section",
    );
    expect(w.violations).toEqual([]);
  });
});

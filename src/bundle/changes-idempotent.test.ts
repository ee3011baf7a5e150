import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { planBundle } from "./changes.js";
import { BundlePlanError } from "./changes-errors.js";
import { formatDryRun } from "./describe.js";
import type { BundleModelView, ModelApplicationView } from "./model-view.js";
import type { BundleApplication, BundleChange, BundleData, BundlePlan } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, "../../../shared/testdata/bundles");

/**
 * Reads a bundle file the simple way (documents merged in order, `services`
 * read as applications) so these tests do not depend on the parser.
 */
function readBundle(path: string): BundleData {
  const docs = parseAllDocuments(readFileSync(path, "utf8"))
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null && typeof d === "object");
  const out: Record<string, unknown> = { applications: {} };
  for (const doc of docs) {
    for (const [key, value] of Object.entries(doc)) {
      if (key === "applications" || key === "services") {
        const apps = out.applications as Record<string, unknown>;
        for (const [name, app] of Object.entries((value ?? {}) as Record<string, unknown>)) {
          if (app === null) delete apps[name];
          else apps[name] = { ...((apps[name] as object) ?? {}), ...(app as object) };
        }
      } else if (key === "relations" && Array.isArray(value)) {
        const pairs: string[][] = [];
        for (const rel of value as unknown[][]) {
          const [a, b] = rel;
          for (const other of Array.isArray(b) ? b : [b]) pairs.push([String(a), String(other)]);
        }
        out.relations = pairs;
      } else {
        out[key] = value;
      }
    }
  }
  const data = out as unknown as BundleData;
  for (const app of Object.values(data.applications) as BundleApplication[]) {
    if (app.to) app.to = app.to.map(String);
    if (app.num_units === undefined && app.scale !== undefined) app.num_units = app.scale;
  }
  if (data.machines) {
    data.machines = Object.fromEntries(
      Object.entries(data.machines).map(([k, v]) => [String(k), v]),
    );
  }
  return data;
}

/** The named args of every change method, as far as applying them needs. */
interface WireArgs {
  charm: string;
  application: string;
  base?: string;
  options?: Record<string, unknown>;
  constraints?: string;
  "num-units"?: number;
  "container-type"?: string;
  "parent-id"?: string;
  to?: string;
  endpoint1: string;
  endpoint2: string;
  endpoints: string[];
  offer: string;
  user: string;
  access: string;
  "exposed-endpoints"?: Record<string, Record<string, string[]>>;
  id: string;
  "entity-type": string;
  annotations: Record<string, string>;
  "offer-name": string;
  "application-name": string;
  url: string;
  scale: number;
  revision?: number;
}

/**
 * Applies a plan to a model view the way a controller would, so the same
 * bundle can be planned again against the result.
 */
function applyPlan(
  plan: BundlePlan,
  bundle: BundleData,
  view: BundleModelView = {},
): BundleModelView {
  const model: Required<Pick<BundleModelView, "applications" | "machines" | "relations">> &
    BundleModelView = {
    applications: structuredClone(view.applications ?? {}),
    machines: structuredClone(view.machines ?? {}),
    relations: structuredClone(view.relations ?? []),
    remoteApplications: structuredClone(view.remoteApplications ?? {}),
  };
  const results = new Map<string, string>();
  const charms = new Map<string, WireArgs>();
  const unitMachine = new Map<string, string>();
  const seq = new Map<string, number>();
  const next = (key: string, start = 0) => {
    let n = seq.get(key);
    if (n === undefined) {
      n = start;
      if (key === "machine")
        for (const id of Object.keys(model.machines))
          if (!id.includes("/")) n = Math.max(n, Number(id) + 1);
    }
    seq.set(key, n + 1);
    return n;
  };
  const resolve = (v: string) => (v.startsWith("$") ? (results.get(v.slice(1)) ?? v) : v);
  const app = (ref: string) => model.applications[resolve(ref)] as ModelApplicationView;
  const machineOf = (target: string): string => {
    const ref = target.startsWith("$") ? target.slice(1) : "";
    if (ref.startsWith("addUnit-")) return unitMachine.get(resolve(target)) ?? "";
    return resolve(target);
  };
  for (const c of plan.changes) {
    const a = c.args as unknown as WireArgs;
    switch (c.method) {
      case "addCharm":
        results.set(c.id, a.charm);
        charms.set(c.id, a);
        break;
      case "deploy": {
        const name = a.application;
        const charmArgs = charms.get(a.charm.slice(1));
        const spec = bundle.applications[name] as BundleApplication;
        model.applications[name] = {
          charm: spec.charm,
          base: a.base,
          channel: spec.channel || "stable",
          revision: charmArgs?.revision ?? -1,
          options: a.options ?? {},
          constraints: a.constraints ?? "",
          scale: a["num-units"] ?? 0,
          units: [],
        };
        results.set(c.id, name);
        break;
      }
      case "addMachines": {
        let id: string;
        if (a["container-type"]) {
          const parent = a["parent-id"]
            ? machineOf(a["parent-id"]).split("/")[0]
            : String(next("machine"));
          id = `${parent}/${a["container-type"]}/${next(`${parent}/${a["container-type"]}`)}`;
        } else {
          id = String(next("machine"));
        }
        model.machines[id] = {};
        results.set(c.id, id);
        break;
      }
      case "addUnit": {
        const name = resolve(a.application);
        const target = a.to;
        let machine: string;
        if (!target) machine = String(next("machine"));
        else if (/^[a-z]+:\d+$/.test(target)) {
          const [type, parent] = target.split(":") as [string, string];
          machine = `${parent}/${type}/${next(`${parent}/${type}`)}`;
        } else machine = machineOf(target);
        model.machines[machine] ??= {};
        const u = `${name}/${next(`unit-${name}`, app(name).units?.length ?? 0)}`;
        app(name).units?.push({ name: u, machine });
        unitMachine.set(u, machine);
        results.set(c.id, u);
        break;
      }
      case "addRelation": {
        const [a1 = "", e1 = ""] = a.endpoint1.split(":");
        const [a2 = "", e2 = ""] = a.endpoint2.split(":");
        model.relations.push({
          app1: resolve(a1),
          endpoint1: e1,
          app2: resolve(a2),
          endpoint2: e2,
        });
        break;
      }
      case "expose": {
        const target = app(a.application);
        target.exposed = true;
        const eps = a["exposed-endpoints"];
        if (eps) {
          target.exposedEndpoints = Object.fromEntries(
            Object.entries(eps).map(([ep, s]) => [
              ep,
              { exposeToSpaces: s["expose-to-spaces"], exposeToCidrs: s["expose-to-cidrs"] },
            ]),
          );
        }
        break;
      }
      case "setAnnotations": {
        const entity = a["entity-type"] === "machine" ? model.machines[resolve(a.id)] : app(a.id);
        if (entity) entity.annotations = { ...(entity.annotations ?? {}), ...a.annotations };
        break;
      }
      case "createOffer": {
        const target = app(a.application);
        target.offers = [...(target.offers ?? []), a["offer-name"]];
        target.offerDetails = {
          ...target.offerDetails,
          [a["offer-name"]]: { endpoints: a.endpoints, acl: {} },
        };
        break;
      }
      case "consumeOffer":
        model.remoteApplications = {
          ...model.remoteApplications,
          [a["application-name"]]: { url: a.url },
        };
        results.set(c.id, a["application-name"]);
        break;
      case "setOptions":
        app(a.application).options = { ...app(a.application).options, ...a.options };
        break;
      case "setConstraints":
        app(a.application).constraints = a.constraints ?? "";
        break;
      case "scale":
        app(a.application).scale = a.scale;
        break;
      case "grantOfferAccess":
        for (const target of Object.values(model.applications)) {
          const offer = target.offerDetails?.[a.offer];
          if (offer) offer.acl = { ...offer.acl, [a.user]: a.access };
        }
        break;
      case "upgradeCharm":
        break;
    }
  }
  return model;
}

/** Structural checks every plan must pass. */
function checkPlanShape(changes: BundleChange[]): void {
  const seen = new Set<string>();
  const ids = new Set(changes.map((c) => c.id));
  expect(ids.size).toBe(changes.length);
  for (const c of changes) {
    expect(c.id).toMatch(new RegExp(`^${c.method}-\\d+$`));
    expect([...c.requires].sort()).toEqual(c.requires);
    for (const r of c.requires) expect(seen.has(r), `${c.id} requires ${r} before it`).toBe(true);
    for (const v of JSON.stringify(c.args).match(/"\$[a-zA-Z]+-\d+/g) ?? []) {
      expect(seen.has(v.slice(2)), `${c.id} refers to ${v} before it`).toBe(true);
    }
    expect(c.description).not.toBe("");
    seen.add(c.id);
  }
}

const bundleDirs = readdirSync(shared).filter((d) => !d.startsWith("."));

describe("planning the shared test bundles", () => {
  for (const dir of bundleDirs) {
    const files = readdirSync(join(shared, dir)).filter(
      (f) => f.endsWith(".yaml") && f !== "charmcraft.yaml",
    );
    const bundleFile = join(shared, dir, "bundle.yaml");
    it(`${dir}: plans, and plans nothing once deployed`, () => {
      const bundle = readBundle(bundleFile);
      const plan = planBundle(bundle, { bundleURL: `./${dir}/bundle.yaml` });
      expect(plan.changes.length).toBeGreaterThan(0);
      checkPlanShape(plan.changes);
      const deploys = plan.changes
        .filter((c) => c.method === "deploy")
        .map((c) => c.args.application);
      expect(deploys.sort()).toEqual(Object.keys(bundle.applications).sort());
      expect(formatDryRun(plan)[0]).toBe("Changes to deploy bundle:");

      const model = applyPlan(plan, bundle);
      const again = planBundle(bundle, { bundleURL: `./${dir}/bundle.yaml`, model });
      expect(again.changes.map((c) => c.description)).toEqual([]);
      expect(formatDryRun(again)).toEqual(["No changes to apply."]);
    });
    for (const overlay of files.filter((f) => f !== "bundle.yaml")) {
      it(`${dir} with ${overlay}: plans on top of the deployed base`, () => {
        const base = readBundle(bundleFile);
        const merged = readBundle(bundleFile);
        const extra = readBundle(join(shared, dir, overlay));
        for (const [name, app] of Object.entries(extra.applications)) {
          merged.applications[name] = {
            ...(merged.applications[name] ?? {}),
            ...app,
          } as BundleApplication;
        }
        for (const key of ["relations", "saas", "machines"] as const) {
          if (extra[key])
            (merged as unknown as Record<string, unknown>)[key] = {
              ...(merged[key] ?? {}),
              ...extra[key],
            };
        }
        if (extra.relations) merged.relations = [...(base.relations ?? []), ...extra.relations];
        for (const app of Object.values(merged.applications)) if (!app.charm) return; // overlay-only names: the parser rejects those
        const model = applyPlan(planBundle(base), base);
        const plan = planBundle(merged, { model });
        checkPlanShape(plan.changes);
        expect(
          plan.changes.filter(
            (c) => c.method === "deploy" && base.applications[c.args.application as string],
          ),
        ).toEqual([]);
      });
    }
  }
});

describe("diff against an existing model", () => {
  const bundle: BundleData = {
    applications: {
      wordpress: { charm: "wordpress", num_units: 2, options: { blog: "x" }, expose: true },
      mysql: { charm: "mysql", channel: "8.0/stable", num_units: 1, to: ["lxd:0"] },
    },
    machines: { "0": {} },
    saas: { cos: { url: "admin/cos.prometheus" } },
    relations: [
      ["wordpress:db", "mysql:db"],
      ["wordpress", "cos"],
    ],
  };

  it("plans nothing the second time", () => {
    const first = planBundle(bundle);
    const model = applyPlan(first, bundle);
    expect(planBundle(bundle, { model }).changes).toEqual([]);
  });

  it("plans only what changed", () => {
    const model = applyPlan(planBundle(bundle), bundle);
    const changed: BundleData = structuredClone(bundle);
    (changed.applications.wordpress as BundleApplication).num_units = 3;
    (changed.applications.wordpress as BundleApplication).options = { blog: "y" };
    (changed.applications.mysql as BundleApplication).constraints = "mem=4G";
    changed.applications.haproxy = { charm: "haproxy", num_units: 1, to: ["wordpress/0"] };
    changed.relations?.push(["haproxy:reverseproxy", "wordpress:website"]);
    const plan = planBundle(changed, { model });
    expect(plan.changes.map((c) => c.description)).toEqual([
      "upload charm haproxy from charm-hub",
      "deploy application haproxy from charm-hub",
      'set constraints for mysql to "mem=4G"',
      "set application options for wordpress",
      "add relation haproxy:reverseproxy - wordpress:website",
      "add unit haproxy/0 to existing machine 1 to satisfy [wordpress/0]",
      "add unit wordpress/2 to new machine 3",
    ]);
    const opts = plan.changes.find((c) => c.method === "setOptions");
    expect(opts?.args).toEqual({ application: "wordpress", options: { blog: "y" } });
    const unit = plan.changes.find((c) => c.description.startsWith("add unit haproxy/0"));
    expect(unit?.args).toEqual({ application: "$deploy-1", to: "1" });
  });

  it("upgrades a charm to a newer revision from the same channel", () => {
    const model: BundleModelView = {
      applications: {
        mysql: {
          charm: "ch:amd64/jammy/mysql-10",
          channel: "8.0/stable",
          revision: 10,
          base: "ubuntu@22.04",
        },
      },
    };
    const plan = planBundle(
      {
        applications: {
          mysql: { charm: "mysql", channel: "8.0/stable", revision: 12, base: "ubuntu@22.04" },
        },
      },
      { model },
    );
    expect(plan.changes.map((c) => [c.id, c.description])).toEqual([
      [
        "addCharm-0",
        "upload charm mysql from charm-hub for base ubuntu@22.04/stable with revision 12",
      ],
      [
        "upgradeCharm-1",
        "upgrade mysql from charm-hub using charm mysql for base ubuntu@22.04/stable from channel 8.0/stable",
      ],
    ]);
    expect(plan.changes[1]?.args).toEqual({
      charm: "$addCharm-0",
      application: "mysql",
      base: "ubuntu@22.04/stable",
      series: "jammy",
      channel: "8.0/stable",
    });
  });

  it("compares constraints as the caller says they compare (Juju's ConstraintsEqual)", () => {
    const model: BundleModelView = {
      applications: { db: { charm: "db", channel: "stable", constraints: "mem=4096M cores=2" } },
    };
    const bundle: BundleData = {
      applications: { db: { charm: "db", constraints: "cores=2 mem=4G" } },
    };
    expect(planBundle(bundle, { model }).changes.map((c) => c.description)).toEqual([
      'set constraints for db to "cores=2 mem=4G"',
    ]);
    const sameMemory = (a: string, b: string) =>
      a.replace("4096M", "4G").split(" ").sort().join(" ") === b.split(" ").sort().join(" ");
    expect(planBundle(bundle, { model, constraintsEqual: sameMemory }).changes).toEqual([]);
  });

  it("refuses a downgrade with Juju's message", () => {
    const model: BundleModelView = {
      applications: { mysql: { charm: "mysql", channel: "stable", revision: 10 } },
    };
    expect(() =>
      planBundle({ applications: { mysql: { charm: "mysql", revision: 3 } } }, { model }),
    ).toThrow(
      'application "mysql": downgrades are not currently supported: deployed revision 10 is newer than requested revision 3',
    );
  });

  it("raises a typed error for a placement cycle", () => {
    try {
      planBundle({
        applications: {
          a: { charm: "a", num_units: 1, to: ["b/0"] },
          b: { charm: "b", num_units: 1, to: ["a/0"] },
        },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BundlePlanError);
      expect((e as BundlePlanError).code).toBe("bundle placement cycle");
      expect((e as Error).message).toBe("cycle in placement directives for: a, b");
    }
  });
});

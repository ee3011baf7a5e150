/**
 * Bundle planning speed: planBundle on a generated 1,000-application bundle
 * (units, bundle machines, containers, colocation, relations, offers), and
 * the same bundle planned again against the model it produces (the diff
 * path). The baseline is a JSON round trip of the same bundle, the least
 * any pass over its data costs; a 10-application plan is shown for scale.
 * @module
 */
import { planBundle } from "../src/bundle/changes.js";
import type { BundleModelView } from "../src/bundle/model-view.js";
import type { BundleApplication, BundleData } from "../src/bundle/types.js";
import type { BenchRow } from "./run.js";

/** A bundle of `apps` applications in groups of ten with every placement form. */
export function generateBundle(apps: number): BundleData {
  const applications: Record<string, BundleApplication> = {};
  const machines: Record<string, null> = {};
  const relations: string[][] = [];
  for (let i = 0; i < apps; i++) {
    const name = `app${i}`;
    const group = Math.floor(i / 10) * 10;
    const app: BundleApplication = {
      charm: `charm${i % 50}`,
      channel: "stable",
      base: i % 2 === 0 ? "ubuntu@22.04" : "ubuntu@24.04",
      num_units: 1 + (i % 3),
      options: { index: i, name },
      annotations: { "gui-x": String(i * 10), "gui-y": "0" },
    };
    switch (i % 10) {
      case 0:
        machines[String(i)] = null;
        app.to = [String(i)];
        app.num_units = 1;
        break;
      case 1:
        app.to = [`lxd:${group}`];
        app.num_units = 1;
        break;
      case 2:
        app.to = [`app${group}/0`];
        app.num_units = 1;
        break;
      case 3:
        app.to = ["lxd:new"];
        break;
      case 4:
        app.to = [`lxd:app${i - 1}`];
        break;
      case 5:
        app.expose = true;
        app.offers = { [`offer${i}`]: { endpoints: ["db"], acl: { admin: "admin" } } };
        break;
      default:
        break;
    }
    applications[name] = app;
    if (i > 0) relations.push([`${name}:db`, `app${i - 1}:server`]);
  }
  return { applications, machines, relations, "default-base": "ubuntu@22.04" };
}

/** A model where the bundle is deployed (every unit on a machine of its own, every relation made). */
function modelFor(bundle: BundleData): BundleModelView {
  const view: BundleModelView = { applications: {}, machines: {}, relations: [] };
  let machine = 0;
  for (const [name, app] of Object.entries(bundle.applications)) {
    const units = [];
    for (let u = 0; u < (app.num_units ?? 0); u++) {
      const m = String(machine++);
      (view.machines as Record<string, object>)[m] = {};
      units.push({ name: `${name}/${u}`, machine: m });
    }
    (view.applications as Record<string, object>)[name] = {
      charm: app.charm,
      channel: app.channel,
      base: app.base,
      revision: -1,
      options: app.options,
      annotations: app.annotations,
      exposed: app.expose,
      offers: Object.keys(app.offers ?? {}),
      offerDetails: app.offers,
      units,
    };
  }
  for (const [a, b] of bundle.relations ?? []) {
    const [app1 = "", endpoint1 = ""] = (a as string).split(":");
    const [app2 = "", endpoint2 = ""] = (b as string).split(":");
    view.relations?.push({ app1, endpoint1, app2, endpoint2 });
  }
  return view;
}

function timeMs(fn: () => unknown, runs: number): number {
  fn(); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Runs the bundle planning benchmark. */
export async function benchBundlePlan(): Promise<BenchRow[]> {
  const big = generateBundle(1000);
  const small = generateBundle(10);
  const model = modelFor(big);
  let changes = 0;
  const baselineMs = timeMs(() => JSON.parse(JSON.stringify(big)), 20);
  const smallMs = timeMs(() => planBundle(small), 50);
  const bigMs = timeMs(() => {
    changes = planBundle(big).changes.length;
  }, 10);
  let diffChanges = -1;
  const diffMs = timeMs(() => {
    diffChanges = planBundle(big, { model }).changes.length;
  }, 10);
  return [
    {
      benchmark: "bundle plan",
      case: "baseline: JSON round trip of the 1,000-app bundle",
      result: `${baselineMs.toFixed(2)} ms`,
    },
    {
      benchmark: "bundle plan",
      case: "10 applications",
      result: `${smallMs.toFixed(2)} ms`,
      vsBaseline: `${(smallMs / baselineMs).toFixed(2)}×`,
    },
    {
      benchmark: "bundle plan",
      case: `1,000 applications (${changes} changes)`,
      result: `${bigMs.toFixed(1)} ms`,
      vsBaseline: `${(bigMs / baselineMs).toFixed(1)}×`,
      target: "< 1 s",
    },
    {
      benchmark: "bundle plan",
      case: `1,000 applications onto their own model (${diffChanges} changes)`,
      result: `${diffMs.toFixed(1)} ms`,
      vsBaseline: `${(diffMs / baselineMs).toFixed(1)}×`,
      target: "< 1 s",
    },
  ];
}

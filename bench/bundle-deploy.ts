/**
 * Deploying a bundle over a slow link: the largest shared test bundle whose
 * charms are all in the simulator's catalog, on a simulator that delays
 * every RPC reply by 50 ms (instant agents, so the network is what costs).
 * The baseline is the same plan run one change at a time (`concurrency: 1`,
 * what a sequential client such as the Juju CLI does) in the same run; the
 * ratio is the speed-up of dependency-aware concurrent execution.
 * @module
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseBundle, planBundle } from "../src/bundle/index.js";
import { BundleHandler, Controller, type Model } from "../src/index.js";
import { CharmCatalog } from "../src/simulator/catalog/index.js";
import { Simulator } from "../src/simulator/index.js";
import type { BenchRow } from "./run.js";

const LATENCY_MS = 50;
// `npm run bench` runs from the repository root; ../shared is beside it.
const TESTDATA = resolve(process.cwd(), "..", "shared", "testdata", "bundles");

/** The testdata bundles whose charms are all in the catalog, most changes first. */
async function catalogBundles(): Promise<{ path: string; changes: number }[]> {
  const catalog = CharmCatalog.default();
  const found: { path: string; changes: number }[] = [];
  for (const dir of await readdir(TESTDATA)) {
    const path = join(TESTDATA, dir, "bundle.yaml");
    let data: Awaited<ReturnType<typeof parseBundle>>;
    try {
      data = await parseBundle(await readFile(path, "utf8"), { strict: false });
    } catch {
      continue; // the intentionally invalid one, and charm-store-only ones
    }
    if (data.bundle === "kubernetes") continue;
    const names = Object.values(data.applications).map((a) =>
      a.charm.replace(/^ch:/, "").replace(/-\d+$/, ""),
    );
    if (!names.every((n) => catalog.get(n) !== undefined)) continue;
    found.push({ path, changes: planBundle(data).changes.length });
  }
  if (found.length === 0) throw new Error(`no catalog-only bundle in ${TESTDATA}`);
  return found.sort((a, b) => b.changes - a.changes);
}

async function deployOnce(
  controller: Controller,
  name: string,
  source: string,
  concurrency: number,
): Promise<{ seconds: number; changes: number }> {
  const model: Model = await controller.addModel(name);
  try {
    const handler = new BundleHandler(model);
    const plan = await handler.fetchPlan(source);
    const t0 = performance.now();
    await handler.executePlan({ concurrency });
    return { seconds: (performance.now() - t0) / 1000, changes: plan.changes.length };
  } finally {
    await model.disconnect();
  }
}

/**
 * Runs the bundle deployment benchmark on the largest catalog-only bundle
 * the simulator deploys; a larger one it cannot deploy is reported, not hidden.
 */
export async function benchBundleDeploy(): Promise<BenchRow[]> {
  const jujuData = await mkdtemp(join(tmpdir(), "libjuju-bench-bundle-"));
  const sim = await Simulator.start({ jujuData, timing: "instant", latency: LATENCY_MS });
  const controller = await Controller.connectCurrent({
    env: { JUJU_DATA: jujuData },
    pingInterval: 0,
  });
  const rows: BenchRow[] = [];
  try {
    let n = 0;
    for (const { path } of await catalogBundles()) {
      const name = path.split("/").at(-2) ?? path;
      let sequential: { seconds: number; changes: number };
      try {
        sequential = await deployOnce(controller, `seq${n}`, path, 1);
      } catch (err) {
        rows.push({
          benchmark: "bundle deploy",
          case: `${name}: not deployable on the simulator`,
          result: (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 100),
        });
        n++;
        continue;
      }
      const concurrent = await deployOnce(controller, `conc${n}`, path, 8);
      const ratio = sequential.seconds / concurrent.seconds;
      const what = `${name} (${concurrent.changes} changes), ${LATENCY_MS} ms RPC latency`;
      rows.push(
        {
          benchmark: "bundle deploy",
          case: `${what}, concurrency 1`,
          result: `${sequential.seconds.toFixed(2)} s`,
        },
        {
          benchmark: "bundle deploy",
          case: `${what}, concurrency 8`,
          result: `${concurrent.seconds.toFixed(2)} s`,
          vsBaseline: `${ratio.toFixed(1)}× faster than concurrency 1`,
          target: "≥ 5× faster",
        },
      );
      break;
    }
    return rows;
  } finally {
    await controller.disconnect();
    await sim.stop();
    await rm(jujuData, { recursive: true, force: true });
  }
}

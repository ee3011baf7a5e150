/**
 * The body of `libjuju deploy` (charms, local charms, bundles), loaded only
 * when the command runs so that `libjuju --help` stays fast.
 * @module
 */
import { InvalidArgumentError } from "commander";
import { formatDryRun } from "../../bundle/describe.js";
import {
  type Application,
  BundleHandler,
  type BundleProgressEvent,
  type DeployOptions,
  isBundleSource,
  isLocalCharmReference,
  type Model,
  parseConstraints,
} from "../../index.js";
import { parseConfigArgs } from "../config-args.js";
import { connect } from "../connect.js";
import { describeData } from "../describe.js";
import { type ProgressEntry, type ProgressOutput, ProgressView } from "../progress.js";
import { abortOnSignals, InterruptedError, type SignalAbort } from "../signals.js";
import type { DeployCommandOptions } from "./deploy.js";

/** Runs `libjuju deploy`: a bundle (or `--dry-run` / `--overlay`), else a charm. */
export async function runDeployCommand(
  charm: string,
  name: string | undefined,
  opts: DeployCommandOptions,
): Promise<void> {
  if (opts.dryRun || opts.overlay.length > 0 || (await isBundleSource(charm))) {
    await runBundleDeploy(charm, opts, process.stdout, process.stderr);
    return;
  }
  await runDeploy(charm, name, opts, process.stdout);
}

/** The application name `juju deploy` picks: the argument, else the charm's name. */
function defaultApplicationName(charm: string): string {
  return charm.replace(/^ch:/, "").split("/").at(-1) ?? charm;
}

/** `--resource name=value` arguments: a number is a revision, anything else a local file. */
function parseResources(args: readonly string[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0 || eq === arg.length - 1) {
      throw new InvalidArgumentError(
        `invalid --resource ${JSON.stringify(arg)}: expected name=value`,
      );
    }
    const value = arg.slice(eq + 1);
    out[arg.slice(0, eq)] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

async function runDeploy(
  charm: string,
  name: string | undefined,
  opts: DeployCommandOptions,
  out: ProgressOutput,
): Promise<void> {
  const local = isLocalCharmReference(charm);
  // A local charm's name is in its metadata: known once it is uploaded.
  let appName = name ?? (local ? "" : defaultApplicationName(charm));
  // Bad input fails before connecting.
  let config = parseConfigArgs(opts.config, appName);
  const resources = parseResources(opts.resource ?? []);
  const deployOptions: DeployOptions = {
    numUnits: opts.numUnits,
    ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
    ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
    ...(Object.keys(config).length ? { config } : {}),
    ...(opts.constraints !== undefined ? { constraints: parseConstraints(opts.constraints) } : {}),
    ...(opts.base !== undefined ? { base: opts.base } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.trust ? { trust: true } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
  };

  const model = await connect(opts.model);
  const signals = abortOnSignals();
  const view = opts.progress ? new ProgressView(out) : undefined;
  const unobserve = view
    ? model.addObserver(() => view.update(progressEntries(model, appName)), {
        predicate: (e) => e.entityType === "unit" || e.entityType === "machine",
      })
    : () => {};
  try {
    let target = charm;
    if (local) {
      view?.title(`Uploading charm ${JSON.stringify(charm)}`);
      // An unchanged charm is not sent again; the deploy below uses its URL.
      target = await model.addLocalCharmDir(charm, {
        ...(opts.base !== undefined ? { base: opts.base } : {}),
        signal: signals.signal,
      });
      if (appName === "") {
        appName = target.replace(/^local:(?:[^/]+\/)?/, "").replace(/-\d+$/, "");
        config = parseConfigArgs(opts.config, appName);
        if (Object.keys(config).length) deployOptions.config = config;
      }
    }
    deployOptions.applicationName = appName;
    view?.title(
      `Deploying ${JSON.stringify(appName)}${appName === charm ? "" : ` from charm ${JSON.stringify(charm)}`}`,
    );
    const deployed = await model.deploy(target, { ...deployOptions, signal: signals.signal });
    if (Array.isArray(deployed)) {
      // A Charmhub bundle: the model deployed it as a bundle.
      view?.stop();
      out.write(`${bundleSummary(deployed as Application[])}\n`);
      return;
    }
    const app = deployed;
    // A subordinate has no units of its own until it is related, and an
    // application deployed with -n 0 has none either: there is no workload to be active.
    const hasUnits = !app.subordinate && opts.numUnits > 0;
    if (opts.wait) {
      view?.title(
        `Waiting for ${JSON.stringify(appName)} to be ${hasUnits ? "active and idle" : "idle"}`,
      );
      await model
        .waitForIdle({
          apps: [appName],
          timeout: opts.timeout,
          idlePeriod: opts.idlePeriod,
          signal: signals.signal,
          ...(hasUnits
            ? { status: "active", waitForExactUnits: opts.numUnits }
            : { waitForUnits: 0 }),
        })
        .catch(interruptedWait(signals, `the deployment of ${JSON.stringify(appName)}`));
    }
    unobserve();
    view?.update(progressEntries(model, appName));
    view?.stop();
    out.write(`${await summary(model, appName, opts.wait === true)}\n`);
  } finally {
    unobserve();
    view?.stop();
    signals.release();
    await model.disconnect();
  }
}

/** One entry per unit of the application and per machine hosting one. */
function progressEntries(model: Model, appName: string): ProgressEntry[] {
  const entries: ProgressEntry[] = [];
  const machines = new Set<string>();
  const units = [...model.units.values()]
    .filter((u) => u.applicationName === appName)
    .sort((a, b) => unitNumber(a.name) - unitNumber(b.name));
  for (const u of units) {
    entries.push({ key: `unit ${u.name}`, text: describeData("unit", u.safeData) });
    if (u.machineId) machines.add(u.machineId);
  }
  for (const id of [...machines].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))) {
    const m = model.machines.get(id);
    if (m) entries.push({ key: `machine ${id}`, text: describeData("machine", m.safeData) });
  }
  return entries;
}

const unitNumber = (name: string) => Number(name.split("/")[1] ?? 0);

/** `Deployed "mysql" (charm mysql, channel 8.0/stable, revision 313) with 1 unit`. */
async function summary(model: Model, appName: string, waited: boolean): Promise<string> {
  const app = model.applications.get(appName);
  const status = await model.getStatus({ filters: [appName] });
  const s = status.applications?.[appName];
  const details = [
    `charm ${app?.charmName ?? appName}`,
    ...(s?.["charm-channel"] ? [`channel ${s["charm-channel"]}`] : []),
    ...(s?.["charm-rev"] !== undefined ? [`revision ${s["charm-rev"]}`] : []),
  ].join(", ");
  const count = app?.units.length ?? 0;
  const units = app?.subordinate
    ? "as a subordinate"
    : `with ${count} unit${count === 1 ? "" : "s"}`;
  const state = waited ? (count > 0 ? ", active and idle" : ", idle") : "";
  return `Deployed ${JSON.stringify(appName)} (${details}) ${units}${state}`;
}

/** Text of a bundle change's progress entry. */
function changeText(e: BundleProgressEvent): string {
  if (e.type === "started") return "running";
  const secs = `${(e.elapsedMs / 1000).toFixed(1)}s`;
  if (e.type === "done") return `done in ${secs}`;
  return `failed after ${secs}: ${e.error instanceof Error ? e.error.message : String(e.error)}`;
}

/**
 * Deploys a bundle: plans it against the model, then either prints the
 * plan as `juju deploy --dry-run` does (stdout), or runs it with one
 * progress entry per change (live on a terminal, one line per change of
 * state otherwise).
 */
async function runBundleDeploy(
  source: string,
  opts: DeployCommandOptions,
  out: ProgressOutput,
  err: { write(chunk: string): unknown },
): Promise<void> {
  const model = await connect(opts.model);
  const signals = abortOnSignals();
  try {
    const handler = new BundleHandler(model, opts.trust ? { trust: true } : {});
    const plan = await handler.fetchPlan(source, {
      overlays: opts.overlay,
      ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
      signal: signals.signal,
    });
    if (plan.changes.length === 0) {
      // Juju logs this one (stderr) rather than printing it.
      err.write("No changes to apply.\n");
      return;
    }
    if (opts.dryRun) {
      out.write(`${formatDryRun(plan).join("\n")}\n`);
      return;
    }
    const view = opts.progress ? new ProgressView(out) : undefined;
    const entries = new Map<string, { key: string; text: string }>();
    view?.title(`Deploying bundle ${plan.source} (${plan.changes.length} changes)`);
    try {
      await handler.executePlan({
        concurrency: opts.concurrency,
        signal: signals.signal,
        onProgress: (e) => {
          entries.set(e.change.id, { key: `- ${e.change.description}`, text: changeText(e) });
          view?.update(plan.changes.flatMap((c) => entries.get(c.id) ?? []));
        },
      });
    } finally {
      view?.stop();
    }
    const apps = await handler.applications({ signal: signals.signal });
    if (opts.wait) {
      view?.title("Waiting for the bundle's applications to be idle");
      await model
        .waitForIdle({
          apps: apps.map((a) => a.name),
          timeout: opts.timeout,
          idlePeriod: opts.idlePeriod,
          signal: signals.signal,
        })
        .catch(interruptedWait(signals, "the deployment of the bundle"));
    }
    err.write("Deploy of bundle completed.\n");
    out.write(`${bundleSummary(apps)}\n`);
  } finally {
    signals.release();
    await model.disconnect();
  }
}

/**
 * For a wait stopped by Ctrl-C: only the waiting stops, so the error says
 * that what was deployed carries on in the model. Other failures pass through.
 */
function interruptedWait(signals: SignalAbort, what: string): (err: unknown) => never {
  return (err) => {
    if (signals.interruptedBy === undefined) throw err;
    throw new InterruptedError(
      signals.interruptedBy,
      `Interrupted: stopped waiting; ${what} carries on in the model (see libjuju status).`,
    );
  };
}

/** `Deployed 3 applications: etcd, easyrsa, kubernetes-worker`. */
function bundleSummary(apps: readonly Application[]): string {
  return `Deployed ${apps.length} application${apps.length === 1 ? "" : "s"}: ${apps
    .map((a) => a.name)
    .join(", ")}`;
}

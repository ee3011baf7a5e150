/**
 * `libjuju deploy`: deploys a Charmhub charm or a local charm (a directory
 * or `.charm` file, uploaded first) like `juju deploy`, and with `--wait`
 * follows the new units until they are active and idle.
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type DeployOptions,
  isLocalCharmReference,
  type Model,
  parseConstraints,
} from "../../index.js";
import { collect, parseConfigArgs, parseCount, parseDuration } from "../args.js";
import { abortOnSignals, connect } from "../connect.js";
import { describeData } from "../describe.js";
import { type ProgressEntry, type ProgressOutput, ProgressView } from "../progress.js";

/** Options of `libjuju deploy`, as parsed by commander. */
export interface DeployCommandOptions {
  model?: string;
  channel?: string;
  revision?: number;
  numUnits: number;
  config: string[];
  constraints?: string;
  base?: string;
  to?: string;
  trust?: boolean;
  resource: string[];
  wait?: boolean;
  timeout: number;
  idlePeriod: number;
  progress: boolean;
}

/** Registers the `deploy` command. */
export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description("deploy a charm from Charmhub, or a local charm directory or .charm file")
    .argument("<charm>", "charm name (mysql, ch:mysql) or local path (./my-charm, /x/y.charm)")
    .argument("[application-name]", "name of the application (default: the charm's name)")
    .option("-m, --model <model>", "model to deploy to, as [controller:][user/]model")
    .option("--channel <channel>", "channel to deploy from, e.g. 8.0/stable or edge")
    .option("--revision <n>", "charm revision (needs --channel)", parseCount)
    .option("-n, --num-units <n>", "number of units to add", parseCount, 1)
    .option(
      "--config <key=value|file>",
      "charm option as key=value, or a YAML file of {application: {key: value}} (repeatable)",
      collect,
      [],
    )
    .option("--constraints <constraints>", 'machine constraints, e.g. "mem=4G cores=2"')
    .option("--base <base>", "base to deploy on, e.g. ubuntu@22.04")
    .option(
      "--to <placement>",
      "where to put the units: machine ids, lxd:2, zone=az1 (comma-separated)",
    )
    .option("--trust", "grant the charm access to the cloud credentials")
    .option(
      "--resource <name=value>",
      "resource revision, or local file (uploaded) (repeatable)",
      collect,
      [],
    )
    .option("--wait", "wait until the application is active and idle")
    .addOption(
      new Option("--timeout <duration>", "with --wait, give up after this long (600s, 10m, 1h)")
        .argParser(parseDuration)
        .default(600_000, "10m"),
    )
    .addOption(
      new Option("--idle-period <duration>", "with --wait, how long each unit must stay idle")
        .argParser(parseDuration)
        .default(5_000, "5s"),
    )
    .option("--no-progress", "do not show progress")
    .action(async (charm: string, name: string | undefined, opts: DeployCommandOptions) => {
      await runDeploy(charm, name, opts, process.stdout);
    });
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
    const app = await model.deploy(target, { ...deployOptions, signal: signals.signal });
    // A subordinate has no units of its own until it is related, and an
    // application deployed with -n 0 has none either: there is no workload to be active.
    const hasUnits = !app.subordinate && opts.numUnits > 0;
    if (opts.wait) {
      view?.title(
        `Waiting for ${JSON.stringify(appName)} to be ${hasUnits ? "active and idle" : "idle"}`,
      );
      await model.waitForIdle({
        apps: [appName],
        timeout: opts.timeout,
        idlePeriod: opts.idlePeriod,
        signal: signals.signal,
        ...(hasUnits
          ? { status: "active", waitForExactUnits: opts.numUnits }
          : { waitForUnits: 0 }),
      });
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
  const status = await model.getStatus({ patterns: [appName] });
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

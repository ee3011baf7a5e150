/**
 * `libjuju deploy`: deploys a Charmhub charm or a local charm (a directory
 * or `.charm` file, uploaded first) like `juju deploy`, and with `--wait`
 * follows the new units until they are active and idle. A bundle (YAML
 * file, directory with `bundle.yaml`, URL, Charmhub bundle) is deployed
 * change by change with a live progress view, or with `--dry-run` only
 * printed as `juju deploy --dry-run` prints it.
 * @module
 */
import { type Command, Option } from "commander";
import { collect, parseCount, parseDuration } from "../args.js";

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
  overlay: string[];
  dryRun?: boolean;
  concurrency: number;
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
    .option(
      "--overlay <file>",
      "bundles: an overlay applied on top of the bundle (repeatable, in order)",
      collect,
      [],
    )
    .option("--dry-run", "bundles: print the changes that would be made, and make none")
    .option(
      "--concurrency <n>",
      "bundles: changes sent at the same time at most (1 runs them one by one)",
      parseCount,
      8,
    )
    .action(async (charm: string, name: string | undefined, opts: DeployCommandOptions) => {
      const { runDeployCommand } = await import("./deploy-run.js");
      await runDeployCommand(charm, name, opts);
    });
}

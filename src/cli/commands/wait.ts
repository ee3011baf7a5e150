/**
 * `libjuju wait`: waits until applications are idle (every unit's agent
 * idle for `--idle` on the controller's clock, with workload `--status`
 * when given), showing what is still pending and why: one live line per
 * entity on a terminal, a plain line per status change elsewhere. Exits 0
 * when ready; 1 with the reason on a timeout or as soon as something goes
 * into error (a unit in error, a failed machine, a lost agent; a blocked
 * workload with `--raise-on-blocked`).
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../args.js";

/** Options of `libjuju wait`, as parsed by commander. */
export interface WaitCommandOptions {
  model?: string;
  apps?: string[];
  status?: string;
  idle: number;
  timeout: number;
  raiseOnBlocked?: boolean;
}

/** Application names from a comma-separated `--apps` value. */
function parseApps(text: string): string[] {
  const apps = text
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (apps.length === 0)
    throw new InvalidArgumentError(`no application names in ${JSON.stringify(text)}`);
  return apps;
}

/** Registers the `wait` command. */
export function registerWait(program: Command): void {
  program
    .command("wait")
    .description("wait until applications are idle (and in a status), showing what is pending")
    .option("-m, --model <model>", "model, as [controller:][user/]model (default: current)")
    .option("--apps <apps>", "applications to wait for, comma-separated (default: all)", parseApps)
    .option("--status <status>", "workload status every unit must have, e.g. active")
    .option(
      "--idle <duration>",
      "how long each agent must have been idle (5s, 1m)",
      parseDuration,
      15_000,
    )
    .option(
      "--timeout <duration>",
      "give up after this long (600s, 10m, 1h)",
      parseDuration,
      600_000,
    )
    .option("--raise-on-blocked", "fail as soon as a workload is blocked")
    .action(async (opts: WaitCommandOptions) => {
      const { runWait } = await import("./wait-run.js");
      await runWait(opts, process.stdout);
    });
}

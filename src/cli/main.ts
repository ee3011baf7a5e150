#!/usr/bin/env node
/**
 * The `libjuju` command line: status, deploy (charms and bundles),
 * export-bundle, integrate, remove-application, watch, wait, models,
 * add-machine, config, run (actions), debug-log, and running the simulated
 * controller. Built only on the public API; each command loads the client
 * (or the simulator) when it runs, so help and usage errors stay instant.
 * @module
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { LibjujuError } from "../protocol/libjuju-error.js";
import { JujuError } from "../rpc/errors.js";
import { registerAddMachine } from "./commands/add-machine.js";
import { registerConfig } from "./commands/config.js";
import { registerDebugLog } from "./commands/debug-log.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerExportBundle } from "./commands/export-bundle.js";
import { registerIntegrate } from "./commands/integrate.js";
import { registerModels } from "./commands/models.js";
import { registerRunAction } from "./commands/run-action.js";
import { registerSim } from "./commands/sim.js";
import { registerStatus } from "./commands/status.js";
import { registerWait } from "./commands/wait.js";
import { registerWatch } from "./commands/watch.js";
import { InterruptedError } from "./signals.js";

const program = new Command()
  .name("libjuju")
  .description("Drive Juju models, or run a simulated Juju controller")
  .version(packageVersion(), "--version", "print the libjuju version")
  // Commander's own error line and exit are replaced by the Juju CLI's style
  // below; subcommands inherit both settings when they are registered.
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  .addHelpText(
    "after",
    `
Examples:
  libjuju sim                        run a simulated controller (prints its JUJU_DATA)
  libjuju status --format yaml       the current model, as juju status prints it
  libjuju deploy mysql -n 3 --wait   deploy and wait until active and idle
  libjuju watch --type unit          stream changes as they happen

Environment:
  JUJU_DATA        where the client files are (default ~/.local/share/juju)
  JUJU_CONTROLLER  the controller to use instead of the current one
  JUJU_MODEL       the model to use instead of the current one ([controller:][user/]model)
  NO_COLOR         never colour the output`,
  );
registerStatus(program);
registerDeploy(program);
registerExportBundle(program);
registerIntegrate(program);
registerWatch(program);
registerWait(program);
registerModels(program);
registerAddMachine(program);
registerConfig(program);
registerRunAction(program);
registerDebugLog(program);
registerSim(program);

/** Commander's codes for help and version output, which are not failures. */
const HELP_CODES: ReadonlySet<string> = new Set([
  "commander.helpDisplayed",
  "commander.help",
  "commander.version",
]);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

/**
 * Prints a failure the way the Juju CLI does and gives the exit code: usage
 * errors (bad options or arguments, from commander's parsing or an
 * `InvalidArgumentError` thrown by a command) are `ERROR <message>` and exit
 * 2; a wait stopped by Ctrl-C prints its note and exits 130; other
 * failures are `ERROR <message> (<code>)` and exit 1. Help and
 * `--version`, which commander reports as errors too, keep their own code.
 */
function reportError(err: unknown): number {
  if (err instanceof InterruptedError) {
    process.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    if (HELP_CODES.has(err.code)) return err.exitCode;
    process.stderr.write(`ERROR ${err.message.replace(/^error: /, "")}\n`);
    return 2;
  }
  // Some server errors carry no code; print none rather than "()".
  // Juju's own code for a server error (as `juju` prints it), else libjuju's.
  const shown =
    err instanceof JujuError ? err.jujuCode : err instanceof LibjujuError ? err.code : "";
  const code = shown ? ` (${shown})` : "";
  process.stderr.write(`ERROR ${err instanceof Error ? err.message : String(err)}${code}\n`);
  return 1;
}

/**
 * The version in the package's own package.json, read at run time: the file
 * sits two folders up from both src/cli/main.ts and dist/cli/main.js, so
 * the same URL works from the sources and from the built CLI.
 */
function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

#!/usr/bin/env node
/**
 * The `libjuju` command line: status, deploy (charms and bundles),
 * export-bundle, integrate, remove-application, watch, and running the
 * simulated controller.
 * Built only on the public API.
 * @module
 */
import { Command } from "commander";
import { LibjujuError } from "../index.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerExportBundle } from "./commands/export-bundle.js";
import { registerIntegrate } from "./commands/integrate.js";
import { registerSim } from "./commands/sim.js";
import { registerStatus } from "./commands/status.js";
import { registerWatch } from "./commands/watch.js";

const program = new Command()
  .name("libjuju")
  .description("Drive Juju models, or run a simulated Juju controller")
  .showHelpAfterError();
registerStatus(program);
registerDeploy(program);
registerExportBundle(program);
registerIntegrate(program);
registerWatch(program);
registerSim(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Some server errors carry no code; print none rather than "()".
  const code = err instanceof LibjujuError && err.code ? ` (${err.code})` : "";
  process.stderr.write(`ERROR ${err instanceof Error ? err.message : String(err)}${code}\n`);
  process.exitCode = 1;
}

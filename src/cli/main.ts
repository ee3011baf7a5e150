#!/usr/bin/env node
/**
 * The `libjuju` command line: status, and running the simulated controller.
 * Built only on the public API.
 * @module
 */
import { Command } from "commander";
import { LibjujuError } from "../rpc/errors.js";
import { registerSim } from "./commands/sim.js";
import { registerStatus } from "./commands/status.js";

const program = new Command()
  .name("libjuju")
  .description("Drive Juju models, or run a simulated Juju controller")
  .showHelpAfterError();
registerStatus(program);
registerSim(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = err instanceof LibjujuError ? ` (${err.code})` : "";
  process.stderr.write(`ERROR ${err instanceof Error ? err.message : String(err)}${code}\n`);
  process.exitCode = 1;
}

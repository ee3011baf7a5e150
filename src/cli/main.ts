#!/usr/bin/env node
/**
 * The `libjuju` command line: status, deploy (charms and bundles),
 * export-bundle, integrate, remove-application, watch, and running the
 * simulated controller.
 * Built only on the public API.
 * @module
 */
import { readFileSync } from "node:fs";
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
  .version(packageVersion(), "--version", "print the libjuju version")
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

/**
 * `libjuju export-bundle`: prints the model as a bundle (`Bundle.ExportBundle`),
 * or writes it to a file, as `juju export-bundle` does.
 * @module
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { abortOnSignals } from "../signals.js";

/** Options of `libjuju export-bundle`, as parsed by commander. */
export interface ExportBundleCommandOptions {
  model?: string;
  filename?: string;
  includeCharmDefaults?: boolean;
  includeSeries?: boolean;
}

/** Registers the `export-bundle` command. */
export function registerExportBundle(program: Command): void {
  program
    .command("export-bundle")
    .description("export the model's configuration as a reusable bundle")
    .option("-m, --model <model>", "model to export, as [controller:][user/]model")
    .option("--filename <file>", "write the bundle to this file instead of standard output")
    .option("--include-charm-defaults", "include the charms' default option values")
    .option("--include-series", "write series beside bases (for older clients)")
    .action(async (opts: ExportBundleCommandOptions) => {
      await runExportBundle(opts, process.stdout, process.stderr);
    });
}

async function runExportBundle(
  opts: ExportBundleCommandOptions,
  out: { write(chunk: string): unknown },
  err: { write(chunk: string): unknown },
): Promise<void> {
  const { connect } = await import("../connect.js");
  const model = await connect(opts.model);
  const signals = abortOnSignals();
  try {
    const yaml = await model.exportBundle({
      ...(opts.includeCharmDefaults ? { includeCharmDefaults: true } : {}),
      ...(opts.includeSeries ? { includeSeries: true } : {}),
      signal: signals.signal,
    });
    if (opts.filename === undefined) {
      out.write(yaml.endsWith("\n") ? yaml : `${yaml}\n`);
      return;
    }
    await writeFile(opts.filename, yaml);
    // Juju reports this on stderr (ctx.Infof).
    err.write(`Bundle successfully exported to ${opts.filename}\n`);
  } finally {
    signals.release();
    await model.disconnect();
  }
}

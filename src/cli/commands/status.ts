/**
 * `libjuju status`: prints a model's status like `juju status`.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import { connect } from "../connect.js";
import { renderStatus, type StatusView } from "../status-table.js";

/** Options of `libjuju status`. */
export interface StatusOptions {
  model?: string;
  format: string;
}

/** Registers the `status` command. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show the status of a model")
    .option("-m, --model <model>", "model to show, as [controller:][user/]model (default: current)")
    .option("--format <format>", "tabular or json", "tabular")
    .argument("[patterns...]", "only show entities matching these patterns")
    .action(async (patterns: string[], opts: StatusOptions) => {
      if (opts.format !== "tabular" && opts.format !== "json") {
        throw new InvalidArgumentError(
          `invalid --format ${JSON.stringify(opts.format)}: expected tabular or json`,
        );
      }
      const model = await connect(opts.model);
      try {
        const status = await model.getStatus({ patterns });
        process.stdout.write(
          opts.format === "json"
            ? `${JSON.stringify(status, null, 2)}\n`
            : renderStatus(status as unknown as StatusView, model.controllerName ?? ""),
        );
        // Like `juju status`: after the (header-only) output, say on stderr
        // why nothing is listed, so scripts reading stdout are unaffected.
        if (isEmptyStatus(status)) {
          const why =
            patterns.length === 0
              ? `Model ${JSON.stringify(model.name ?? status.model.name)} is empty.`
              : `Nothing matched specified filter${patterns.length === 1 ? "" : "s"}.`;
          process.stderr.write(`\n${why}\n`);
        }
      } finally {
        await model.disconnect();
      }
    });
}

/**
 * Whether a FullStatus result lists nothing, by Juju's rule: no
 * applications, machines, offers, remote applications or relations.
 */
export function isEmptyStatus(status: object): boolean {
  const sections = ["applications", "machines", "offers", "remote-applications", "relations"];
  const record = status as Record<string, unknown>;
  return sections.every((key) => {
    const value = record[key];
    return value === null || value === undefined || Object.keys(value).length === 0;
  });
}

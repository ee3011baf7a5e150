/**
 * `libjuju status`: prints a model's status like `juju status`.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import { useColour } from "../colour.js";
import type { FullStatusView } from "../status-format.js";
import type { StatusView } from "../status-table.js";

/** Options of `libjuju status`. */
export interface StatusOptions {
  model?: string;
  format: string;
  utc?: boolean;
  /** `--color` / `--no-color`; undefined: colour on a terminal unless `NO_COLOR` is set. */
  color?: boolean;
}

const FORMATS = ["tabular", "json", "yaml"];

/** Registers the `status` command. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show the status of a model")
    .option("-m, --model <model>", "model to show, as [controller:][user/]model (default: current)")
    .option("--format <format>", "tabular, json or yaml (juju status's shapes)", "tabular")
    .option("--utc", "show times in UTC, RFC 3339 (json and yaml)")
    .option("--color", "colour status values even when not on a terminal")
    .option("--no-color", "never colour (also: the NO_COLOR environment variable)")
    .argument("[patterns...]", "only show entities matching these patterns")
    .addHelpText(
      "after",
      `
Examples:
  libjuju status
  libjuju status -m prod mysql
  libjuju status --format yaml --utc`,
    )
    .action(async (patterns: string[], opts: StatusOptions) => {
      if (!FORMATS.includes(opts.format)) {
        throw new InvalidArgumentError(
          `invalid value ${JSON.stringify(opts.format)} for option --format: expected one of ${FORMATS.join(", ")}`,
        );
      }
      const [{ connect }, { renderStatus }, { formatStatus, statusToJson, statusToYaml }] =
        await Promise.all([
          import("../connect.js"),
          import("../status-table.js"),
          import("../status-format.js"),
        ]);
      const model = await connect(opts.model);
      try {
        const status = await model.getStatus({ filters: patterns });
        const controller = model.controllerName ?? "";
        if (opts.format === "tabular") {
          process.stdout.write(
            renderStatus(status as unknown as StatusView, controller, {
              color: useColour(opts.color, process.stdout),
            }),
          );
        } else {
          const formatted = formatStatus(status as unknown as FullStatusView, {
            controller,
            ...(opts.utc ? { utc: true } : {}),
          });
          process.stdout.write(
            opts.format === "json" ? statusToJson(formatted) : statusToYaml(formatted),
          );
        }
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

/**
 * `libjuju run`: runs a charm action on a unit and prints its results, as
 * Juju 3's `juju run` does (`juju run-action` of Juju 2 is an alias).
 * @module
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { LibjujuError } from "../../protocol/libjuju-error.js";
import { parseDuration } from "../args.js";

/** Options of `libjuju run`. */
export interface RunActionCommandOptions {
  model?: string;
  wait: number;
  background?: boolean;
  format: string;
}

/** The action ran and did not complete (failed, cancelled, aborted). */
export class ActionFailedError extends LibjujuError {
  constructor(task: string, status: string, message: string) {
    super(`task ${task} ${status}${message ? `: ${message}` : ""}`, "ERR_ACTION_FAILED");
  }
}

/** Registers the `run` command. */
export function registerRunAction(program: Command): void {
  program
    .command("run")
    .alias("run-action")
    .description("run a charm action on a unit and show its results")
    .argument("<unit>", "the unit, e.g. mysql/0 or mysql/leader")
    .argument("<action>", "the action name")
    .argument("[key=value...]", "action parameters (values are read as YAML: 3 is a number)")
    .option("-m, --model <model>", "model of the unit, as [controller:][user/]model")
    .option("--wait <duration>", "how long to wait for the results", parseDuration, 600_000)
    .option("--background", "do not wait: print the task id and return")
    .option("--format <format>", "yaml or json (results)", "yaml")
    .addHelpText(
      "after",
      "\nExamples:\n  libjuju run mysql/0 get-password\n  libjuju run mysql/leader backup compress=true\n  libjuju run ubuntu/0 slow --background",
    )
    .action(async (unit: string, name: string, args: string[], opts: RunActionCommandOptions) => {
      if (opts.format !== "yaml" && opts.format !== "json") {
        throw new InvalidArgumentError(
          `invalid value ${JSON.stringify(opts.format)} for option --format: expected one of yaml, json`,
        );
      }
      const { parse } = await import("yaml");
      const params: Record<string, unknown> = {};
      for (const arg of args) {
        const eq = arg.indexOf("=");
        if (eq <= 0) {
          throw new InvalidArgumentError(
            `argument ${JSON.stringify(arg)} must be of the form key=value`,
          );
        }
        // As juju: the value is YAML, so numbers and booleans keep their type.
        params[arg.slice(0, eq)] = parse(arg.slice(eq + 1)) ?? "";
      }
      const [{ connect }, { goYamlDocument }] = await Promise.all([
        import("../connect.js"),
        import("../../protocol/go-yaml.js"),
      ]);
      const model = await connect(opts.model);
      try {
        const app = unit.split("/")[0] ?? unit;
        let target = model.units.get(unit);
        if (unit.endsWith("/leader")) {
          for (const u of model.applications.get(app)?.units ?? []) {
            if (await u.isLeaderFromStatus()) target = u;
          }
        }
        if (!target) throw new InvalidArgumentError(`unit ${JSON.stringify(unit)} not found`);
        const task = await target.runAction(name, params);
        process.stderr.write(
          `Running operation with 1 task\n  - task ${task.id} on unit-${target.name.replace("/", "-")}\n\n`,
        );
        if (opts.background) {
          process.stderr.write(`Check the task status with: libjuju show-task ${task.id}\n`);
          return;
        }
        process.stderr.write(`Waiting for task ${task.id}...\n`);
        const result = await task.wait({ timeout: opts.wait });
        const { stdout, stderr, "return-code": _code, ...results } = result.output;
        if (Object.keys(results).length > 0) {
          process.stdout.write(
            opts.format === "json"
              ? `${JSON.stringify(results)}\n`
              : goYamlDocument(new Map(Object.entries(results)) as never),
          );
        }
        if (typeof stdout === "string" && stdout)
          process.stdout.write(stdout.endsWith("\n") ? stdout : `${stdout}\n`);
        if (typeof stderr === "string" && stderr)
          process.stderr.write(stderr.endsWith("\n") ? stderr : `${stderr}\n`);
        if (result.status !== "completed") {
          throw new ActionFailedError(result.id, result.status, result.message);
        }
      } finally {
        await model.disconnect();
      }
    });
}

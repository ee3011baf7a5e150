/**
 * `libjuju config`: shows or changes an application's charm settings, as
 * `juju config` does: no key prints every setting (YAML), one key prints
 * its value, `key=value` pairs set, `--reset` restores defaults.
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";

/** Options of `libjuju config`. */
export interface ConfigCommandOptions {
  model?: string;
  reset?: string;
  format: string;
}

/** Registers the `config` command. */
export function registerConfig(program: Command): void {
  program
    .command("config")
    .description("get, set or reset an application's configuration")
    .argument("<application>")
    .argument("[key | key=value...]", "a setting to print, or settings to change")
    .option("-m, --model <model>", "model of the application, as [controller:][user/]model")
    .option("--reset <keys>", "reset these settings to their defaults (comma-separated)")
    .option("--format <format>", "yaml or json, when printing every setting", "yaml")
    .addHelpText(
      "after",
      "\nExamples:\n  libjuju config mysql\n  libjuju config mysql profile\n  libjuju config mysql profile=testing\n  libjuju config mysql --reset profile",
    )
    .action(async (name: string, args: string[], opts: ConfigCommandOptions) => {
      if (opts.format !== "yaml" && opts.format !== "json") {
        throw new InvalidArgumentError(
          `invalid value ${JSON.stringify(opts.format)} for option --format: expected one of yaml, json`,
        );
      }
      const sets = args.filter((a) => a.includes("="));
      const gets = args.filter((a) => !a.includes("="));
      if (gets.length > 1 || (gets.length === 1 && (sets.length > 0 || opts.reset))) {
        throw new InvalidArgumentError("can only retrieve a single value, or all values");
      }
      const settings: Record<string, string> = {};
      for (const arg of sets) {
        const eq = arg.indexOf("=");
        if (eq === 0)
          throw new InvalidArgumentError(
            `invalid setting ${JSON.stringify(arg)}: expected key=value`,
          );
        settings[arg.slice(0, eq)] = arg.slice(eq + 1);
      }
      const reset = opts.reset
        ?.split(",")
        .map((k) => k.trim())
        .filter(Boolean);

      const { connect } = await import("../connect.js");
      const model = await connect(opts.model);
      try {
        const app = model.applications.get(name);
        if (!app) throw new InvalidArgumentError(`application ${JSON.stringify(name)} not found`);
        if (reset?.length) await app.resetConfig(reset);
        if (sets.length > 0) await app.setConfig(settings);
        if (reset?.length || sets.length > 0) return;
        const config = await app.getConfig();
        const key = gets[0];
        if (key !== undefined) {
          if (!Object.hasOwn(config, key)) {
            throw new InvalidArgumentError(
              `key ${JSON.stringify(key)} not found in ${JSON.stringify(name)} application config or charm settings.`,
            );
          }
          const value = config[key]?.value ?? config[key]?.default;
          process.stdout.write(`${value === undefined || value === null ? "" : String(value)}\n`);
          return;
        }
        const doc = {
          application: name,
          charm: app.charmName,
          // Juju prints each setting as a Go map: keys sorted (default, description, source, type, value).
          settings: new Map(
            Object.entries(config).map(([k, v]) => [k, new Map(Object.entries(v as object))]),
          ),
        };
        if (opts.format === "json") {
          const settings = Object.fromEntries(
            [...doc.settings].map(([k, v]) => [
              k,
              Object.fromEntries([...v].sort(([a], [b]) => (a < b ? -1 : 1))),
            ]),
          );
          process.stdout.write(`${JSON.stringify({ ...doc, settings })}\n`);
        } else {
          const { goYamlDocument } = await import("../../protocol/go-yaml.js");
          process.stdout.write(goYamlDocument(doc as never));
        }
      } finally {
        await model.disconnect();
      }
    });
}

/**
 * `libjuju models`: the models of a controller the user can see, as
 * `juju models` lists them (the current one starred).
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";

/** Options of `libjuju models`. */
export interface ModelsCommandOptions {
  controller?: string;
  format: string;
}

const FORMATS = ["tabular", "json", "yaml"];

/** Registers the `models` command. */
export function registerModels(program: Command): void {
  program
    .command("models")
    .alias("list-models")
    .description("list the models of a controller that you can access")
    .option("-c, --controller <name>", "controller to list (default: current)")
    .option("--format <format>", "tabular, json or yaml", "tabular")
    .addHelpText("after", "\nExamples:\n  libjuju models\n  libjuju models -c prod --format json")
    .action(async (opts: ModelsCommandOptions) => {
      if (!FORMATS.includes(opts.format)) {
        throw new InvalidArgumentError(
          `invalid value ${JSON.stringify(opts.format)} for option --format: expected one of ${FORMATS.join(", ")}`,
        );
      }
      const [{ Controller, JujuData }, { renderTable }, { goYamlDocument }] = await Promise.all([
        import("../../index.js"),
        import("../table.js"),
        import("../../protocol/go-yaml.js"),
      ]);
      const data = new JujuData();
      const controllerName = opts.controller ?? (await data.currentController());
      const controller = await Controller.connectController(controllerName);
      try {
        const [models, local] = await Promise.all([
          controller.listModels(),
          data.models(controllerName).catch(() => ({ models: new Map(), current: undefined })),
        ]);
        models.sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName));
        const user = controller.username;
        // As juju: models of the logged-in user by short name, others qualified.
        const shown = (m: (typeof models)[number]) => (m.owner === user ? m.name : m.qualifiedName);
        const current = local.current;
        if (opts.format === "tabular") {
          process.stdout.write(`Controller: ${controllerName}\n\n`);
          process.stdout.write(
            `${renderTable(
              ["Model", "Type", "Owner", "Last connection"],
              models.map((m) => [
                `${shown(m)}${m.qualifiedName === current ? "*" : ""}`,
                m.type,
                m.owner,
                m.lastConnection ? lastConnection(new Date(m.lastConnection)) : "never connected",
              ]),
            )}\n`,
          );
          return;
        }
        const doc = {
          models: models.map((m) => ({
            name: m.qualifiedName,
            "short-name": m.name,
            "model-uuid": m.uuid,
            "model-type": m.type,
            "controller-name": controllerName,
            owner: m.owner,
            ...(m.lastConnection ? { "last-connection": m.lastConnection } : {}),
          })),
          ...(current ? { "current-model": current } : {}),
        };
        process.stdout.write(
          opts.format === "json" ? `${JSON.stringify(doc)}\n` : goYamlDocument(doc),
        );
      } finally {
        await controller.disconnect();
      }
    });
}

/** `just now`, `5 minutes ago`, or the date, as juju's `UserFriendlyDuration`. */
export function lastConnection(at: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  return at.toISOString().slice(0, 10);
}

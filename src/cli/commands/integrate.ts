/**
 * `libjuju integrate` and `libjuju remove-application`: small model
 * operations in the style of their `juju` namesakes.
 * @module
 */
import type { Command } from "commander";

/** Options of `libjuju integrate`. */
export interface IntegrateCommandOptions {
  model?: string;
  via?: string;
}

/** Options of `libjuju remove-application`. */
export interface RemoveApplicationOptions {
  model?: string;
  force?: boolean;
  destroyStorage?: boolean;
  wait?: boolean;
}

/** Registers the `integrate` and `remove-application` commands. */
export function registerIntegrate(program: Command): void {
  program
    .command("integrate")
    .alias("relate")
    .description("integrate two applications (add a relation)")
    .argument("<application1[:endpoint]>")
    .argument("<application2[:endpoint]>")
    .option("-m, --model <model>", "model to act on, as [controller:][user/]model")
    .option(
      "--via <cidrs>",
      "CIDRs the remote side may use (cross-model relations), comma-separated",
    )
    .action(async (a: string, b: string, opts: IntegrateCommandOptions) => {
      const { connect } = await import("../connect.js");
      const { JujuError } = await import("../../rpc/errors.js");
      const model = await connect(opts.model);
      try {
        const via = opts.via
          ?.split(",")
          .map((c) => c.trim())
          .filter(Boolean);
        try {
          const relation = await model.integrate(a, b, {
            existing: "error",
            ...(via?.length ? { viaCidrs: via } : {}),
          });
          process.stdout.write(`Integrated ${relation.key || `${a} ${b}`}\n`);
        } catch (err) {
          // As `juju integrate`: an existing relation is an error, with a hint.
          if (err instanceof JujuError && err.jujuCode === "already exists") {
            throw new JujuError(
              `${err.message.split(": ").join("\n")}\n\nUse 'libjuju status' to view the current relations.`,
              err.jujuCode,
              err.info,
            );
          }
          throw err;
        }
      } finally {
        await model.disconnect();
      }
    });

  program
    .command("remove-application")
    .description("remove applications, their units and (unless they host others) their machines")
    .argument("<application...>")
    .option("-m, --model <model>", "model to act on, as [controller:][user/]model")
    .option("--force", "remove even when hooks fail or the agent is gone")
    .option("--destroy-storage", "destroy the storage instead of detaching it")
    .option("--wait", "wait until the applications are gone from the model")
    .action(async (names: string[], opts: RemoveApplicationOptions) => {
      const { connect } = await import("../connect.js");
      const model = await connect(opts.model);
      try {
        for (const name of names) {
          const info = await model.removeApplication(name, {
            ...(opts.force ? { force: true } : {}),
            ...(opts.destroyStorage ? { destroyStorage: true } : {}),
            ...(opts.wait ? { blockUntilDone: true } : {}),
          });
          const lines = [`will remove application ${name}`];
          for (const u of info.destroyedUnits) lines.push(`- will remove ${fromTag(u)}`);
          for (const s of info.destroyedStorage) lines.push(`- will remove ${fromTag(s)}`);
          for (const s of info.detachedStorage) lines.push(`- will detach ${fromTag(s)}`);
          if (opts.wait) lines.push(`removed application ${name}`);
          process.stdout.write(`${lines.join("\n")}\n`);
        }
      } finally {
        await model.disconnect();
      }
    });
}

/** `unit-mysql-router-0` → `unit mysql-router/0` (the last hyphen was the slash), as juju prints. */
function fromTag(tag: string): string {
  const m = /^(unit|storage)-(.+)-(\d+)$/.exec(tag);
  return m ? `${m[1]} ${m[2]}/${m[3]}` : tag;
}

/**
 * `libjuju add-machine`: provisions machines or containers, as `juju
 * add-machine` does (`lxd`, `lxd:3`, `zone=a`, `ssh:user@host`).
 * @module
 */
import type { Command } from "commander";
import { parseCount } from "../args.js";

/** Options of `libjuju add-machine`. */
export interface AddMachineCommandOptions {
  model?: string;
  numMachines: number;
  constraints?: string;
  base?: string;
}

/** Registers the `add-machine` command. */
export function registerAddMachine(program: Command): void {
  program
    .command("add-machine")
    .description("provision a new machine or container, or add an existing one over ssh")
    .argument(
      "[placement]",
      "lxd, lxd:<machine>, zone=<zone>, ssh:[user@]host (default: a new machine)",
    )
    .option("-m, --model <model>", "model to add to, as [controller:][user/]model")
    .option("-n, --num-machines <n>", "number of machines to add", parseCount, 1)
    .option("--constraints <constraints>", 'machine constraints, e.g. "mem=4G cores=2"')
    .option("--base <base>", "the machine's base, e.g. ubuntu@22.04")
    .addHelpText(
      "after",
      "\nExamples:\n  libjuju add-machine\n  libjuju add-machine lxd:0 -n 2\n  libjuju add-machine --constraints mem=8G",
    )
    .action(async (placement: string | undefined, opts: AddMachineCommandOptions) => {
      const [{ connect }, { parseConstraints }] = await Promise.all([
        import("../connect.js"),
        import("../../index.js"),
      ]);
      // Checked before connecting: a typo should not cost a login.
      const constraints =
        opts.constraints === undefined ? undefined : parseConstraints(opts.constraints);
      const model = await connect(opts.model);
      try {
        for (let i = 0; i < opts.numMachines; i++) {
          const machine = await model.addMachine(placement, {
            ...(constraints ? { constraints } : {}),
            ...(opts.base ? { base: opts.base } : {}),
          });
          const kind = machine.id.includes("/") ? "container" : "machine";
          // juju reports this on stderr (ctx.Infof).
          process.stderr.write(`created ${kind} ${machine.id}\n`);
        }
      } finally {
        await model.disconnect();
      }
    });
}

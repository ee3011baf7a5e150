/**
 * `libjuju sim`: runs a standalone simulated controller that real Juju
 * clients can use through the client files it writes.
 * @module
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { Simulator } from "../../simulator/index.js";

/** Options of `libjuju sim`, as parsed by commander. */
export interface SimOptions {
  host: string;
  port: string;
  jujuData?: string;
  controllerName: string;
  password?: string;
}

/** Registers the `sim` command. */
export function registerSim(program: Command): void {
  program
    .command("sim")
    .description("run a simulated Juju controller until interrupted")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("-p, --port <port>", "port to listen on (0: any free port)", "17070")
    .option(
      "--juju-data <dir>",
      "write controllers.yaml, accounts.yaml and models.yaml here (default: a fresh temporary directory)",
    )
    .option("--controller-name <name>", "name of the controller in the client files", "libjuju-sim")
    .option("--password <password>", "password of the admin user (default: random)")
    .action(async (opts: SimOptions) => {
      await runSim(opts);
    });
}

async function runSim(opts: SimOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid --port ${JSON.stringify(opts.port)}: expected 0-65535`);
  }
  // Never default to the user's real ~/.local/share/juju: a simulator must not
  // overwrite the current-controller of a real deployment.
  const jujuData = opts.jujuData ?? (await mkdtemp(join(tmpdir(), "libjuju-sim-")));
  const sim = await Simulator.start({
    host: opts.host,
    port,
    jujuData,
    controllerName: opts.controllerName,
    ...(opts.password ? { password: opts.password } : {}),
  });
  const out = process.stdout;
  out.write(`export JUJU_DATA=${jujuData}\n`);
  out.write(`controller ${sim.controllerName} (${sim.controllerUuid}), user ${sim.username}\n`);
  out.write(`ready: listening on wss://${sim.endpoint}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      out.write(`${signal}: shutting down\n`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.stop();
}

/**
 * `libjuju sim`: runs a standalone simulated controller that real Juju
 * clients can use through the client files it writes.
 * @module
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { JujuProfileName, LatencySpec, TimingProfileName } from "../../simulator/index.js";
import { parseDuration } from "../args.js";
import { charmDirsIn } from "../charm-dirs.js";

/** Options of `libjuju sim`, as parsed by commander. */
export interface SimOptions {
  host: string;
  port: string;
  jujuData?: string;
  controllerName: string;
  password?: string;
  passwordFile?: string;
  timing: TimingProfileName;
  seed?: number;
  charms: string[];
  latency?: LatencySpec;
  juju: JujuProfileName;
  macaroonAuth?: boolean;
}

/**
 * `--latency` values: a Go-style duration (`50ms`, `0.2s`) for a fixed
 * latency, or `MIN-MAX` (`20ms-80ms`) for seeded jitter in that range.
 */
export function parseLatency(text: string): LatencySpec {
  const parts = text.split("-");
  if (parts.length === 1) return parseDuration(text);
  if (parts.length === 2) {
    const [min, max] = parts.map((p) => parseDuration(p ?? "")) as [number, number];
    if (min > max)
      throw new InvalidArgumentError(
        `invalid latency range ${JSON.stringify(text)}: min above max`,
      );
    return { min, max };
  }
  throw new InvalidArgumentError(
    `invalid latency ${JSON.stringify(text)}: expected a duration (50ms) or a range (20ms-80ms)`,
  );
}

const collect = (value: string, previous: string[]) => [...previous, value];
const integer = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a non-negative integer");
  return Number(value);
};

/** Environment variable `libjuju sim` takes the admin password from, so it stays out of argv. */
export const PASSWORD_ENV = "LIBJUJU_SIM_PASSWORD";

/**
 * The admin password chosen by `--password`, `--password-file` or
 * {@link PASSWORD_ENV} (in that order; both flags at once is an error), or
 * undefined for a random one.
 */
export async function simPassword(
  opts: Pick<SimOptions, "password" | "passwordFile">,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (opts.password !== undefined && opts.passwordFile !== undefined) {
    throw new InvalidArgumentError("give either --password or --password-file, not both");
  }
  let password: string | undefined;
  let from: string;
  if (opts.password !== undefined) {
    password = opts.password;
    from = "--password";
  } else if (opts.passwordFile !== undefined) {
    from = `--password-file ${opts.passwordFile}`;
    try {
      password = (await readFile(opts.passwordFile, "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new InvalidArgumentError(`${from}: ${(e as Error).message}`);
    }
  } else {
    password = env[PASSWORD_ENV];
    from = PASSWORD_ENV;
    if (password === undefined) return undefined;
  }
  if (password === "") throw new InvalidArgumentError(`${from}: the password is empty`);
  return password;
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
    .option(
      "--password <password>",
      `password of the admin user (default: ${PASSWORD_ENV}, else random); visible to every local user in the process list, prefer --password-file or ${PASSWORD_ENV}`,
    )
    .option(
      "--password-file <file>",
      "read the admin user's password from FILE (one trailing newline is dropped)",
    )
    .addOption(
      new Option("--timing <profile>", "how fast simulated agents work")
        .choices(["instant", "fast", "realistic"])
        .default("fast"),
    )
    .addOption(
      new Option("--juju <version>", "the Juju version the controller plays")
        .choices(["3.6", "4.0"])
        .default("3.6"),
    )
    .option("--seed <n>", "seed for simulated addresses, ids and jitter", integer)
    .option(
      "--latency <duration>",
      "delay every API reply by DURATION (50ms), or by a seeded random time in MIN-MAX (20ms-80ms)",
      parseLatency,
    )
    .option(
      "--charms <dir>",
      "add the charm in DIR, or every charm folder under DIR, to the catalog (repeatable)",
      collect,
      [],
    )
    .option(
      "--macaroon-auth",
      "require macaroon login for external users (bob@external), discharged by a local identity provider",
    )
    .action(async (opts: SimOptions) => {
      await runSim(opts);
    });
}

async function runSim(opts: SimOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`invalid --port ${JSON.stringify(opts.port)}: expected 0-65535`);
  }
  // Never default to the user's real ~/.local/share/juju: a simulator must not
  // overwrite the current-controller of a real deployment.
  const password = await simPassword(opts);
  const jujuData = opts.jujuData ?? (await mkdtemp(join(tmpdir(), "libjuju-sim-")));
  // Loaded here, not at the top: the simulator and its catalog are heavy.
  const [{ CharmCatalog }, { Simulator }] = await Promise.all([
    import("../../simulator/catalog/index.js"),
    import("../../simulator/index.js"),
  ]);
  const catalog = CharmCatalog.default();
  const added = opts.charms.flatMap(charmDirsIn).map((dir) => catalog.addCharmDir(dir).name);
  const sim = await Simulator.start({
    host: opts.host,
    port,
    jujuData,
    controllerName: opts.controllerName,
    timing: opts.timing,
    juju: opts.juju,
    catalog,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.latency !== undefined ? { latency: opts.latency } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(opts.macaroonAuth ? { macaroonAuth: true } : {}),
  });
  const out = process.stdout;
  out.write(`export JUJU_DATA=${jujuData}\n`);
  out.write(
    `controller ${sim.controllerName} (${sim.controllerUuid}), user ${sim.username}, Juju ${sim.jujuVersion}\n`,
  );
  if (added.length) out.write(`charms added to the catalog: ${added.join(", ")}\n`);
  if (sim.discharger) out.write(`identity provider (macaroon auth): ${sim.discharger.url}\n`);
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

/**
 * `libjuju sim`: runs a standalone simulated controller that real Juju
 * clients can use through the client files it writes.
 * @module
 */
import { chmod, mkdir, mkdtemp, open, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type {
  ControllerCerts,
  JujuProfileName,
  LatencySpec,
  Simulator,
  SimulatorSnapshot,
  TimingProfileName,
} from "../../simulator/index.js";
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
  sshPort?: number;
  state?: string;
  controlPort?: number;
  macaroonAuth?: boolean;
}

/** The file in the `--state` directory. */
export const STATE_FILE = "state.json";

/**
 * What `libjuju sim --state DIR` keeps in `DIR/state.json` (mode 0600: it
 * holds the admin password, the TLS key and user passwords): the identity
 * that client files depend on, and the controller state.
 */
export interface SimStateFile {
  format: "libjuju-sim-state";
  version: 1;
  /** The admin password, so that `accounts.yaml` written earlier stays valid. */
  password: string;
  /** The CA and server certificate and key, so that `controllers.yaml`'s `ca-cert` stays valid. */
  tls: ControllerCerts;
  snapshot: SimulatorSnapshot;
}

/** A `--state` directory that cannot be used. */
export class SimStateError extends Error {
  /** Stable code for callers that branch. */
  readonly code = "ERR_SIM_STATE";
  constructor(message: string) {
    super(message);
    this.name = "SimStateError";
  }
}

/** Reads `DIR/state.json`; undefined when there is none yet. @throws SimStateError when it is unreadable or not a state file. */
export async function readSimState(dir: string): Promise<SimStateFile | undefined> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SimStateError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SimStateError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const d = data as Partial<SimStateFile> | null;
  const tls = d?.tls as Partial<ControllerCerts> | undefined;
  if (d === null || typeof d !== "object" || d.format !== "libjuju-sim-state") {
    throw new SimStateError(`${file} is not a libjuju sim state file`);
  }
  if (d.version !== 1)
    throw new SimStateError(`${file}: unsupported version ${JSON.stringify(d.version)}`);
  if (typeof d.password !== "string" || d.password === "") {
    throw new SimStateError(`${file}: password must be a non-empty string`);
  }
  if (
    typeof tls?.caCert !== "string" ||
    typeof tls.serverCert !== "string" ||
    typeof tls.serverKey !== "string"
  ) {
    throw new SimStateError(`${file}: tls must hold caCert, serverCert and serverKey`);
  }
  if (typeof d.snapshot !== "object" || d.snapshot === null) {
    throw new SimStateError(`${file}: snapshot is missing`);
  }
  return d as SimStateFile;
}

/** Writes `DIR/state.json` atomically (a temporary file renamed over it), readable by its owner only. */
export async function writeSimState(dir: string, state: SimStateFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** How often `--state` checks for changes to save. */
const STATE_SAVE_INTERVAL_MS = 2000;

/**
 * A snapshot once the agents are idle, waiting up to `timeoutMs` (undefined
 * if they never settle), with the simulator's change counter it reflects.
 */
async function settledSnapshot(
  sim: Simulator,
  timeoutMs: number,
): Promise<{ snapshot: SimulatorSnapshot; changes: number } | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // Read together with the snapshot, which is taken synchronously by the call.
      const changes = sim.stateChanges;
      return { snapshot: await sim.snapshot(), changes };
    } catch (e) {
      if ((e as { code?: unknown }).code !== "ERR_SNAPSHOT_BUSY" || Date.now() >= deadline) {
        if ((e as { code?: unknown }).code === "ERR_SNAPSHOT_BUSY") return undefined;
        throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Saves the simulator's state into `dir` whenever it changed (checked
 * every {@link STATE_SAVE_INTERVAL_MS}, while the agents are idle) and on
 * {@link StateSaver.final}. Whether it changed is the simulator's change
 * counter ({@link Simulator.stateChanges}): an idle controller costs no
 * snapshot at all.
 */
class StateSaver {
  /** The change counter the last save reflected (undefined: nothing saved yet). */
  private saved: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly sim: Simulator,
    private readonly dir: string,
    private readonly report: (msg: string) => void,
  ) {}

  /** Saves if the state changed since the last save; busy agents postpone it to the next check. */
  save(waitMs = 0): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.sim.stateChanges === this.saved) return;
      const taken = await settledSnapshot(this.sim, waitMs);
      if (taken === undefined) return;
      await writeSimState(this.dir, {
        format: "libjuju-sim-state",
        version: 1,
        password: this.sim.password,
        tls: this.sim.tlsIdentity(),
        snapshot: taken.snapshot,
      });
      this.saved = taken.changes;
    });
    this.running = this.running.catch((e: unknown) => {
      this.report(`state: cannot save to ${this.dir}: ${(e as Error).message}`);
    });
    return this.running;
  }

  start(): void {
    this.timer = setInterval(() => void this.save(), STATE_SAVE_INTERVAL_MS);
    this.timer.unref();
  }

  /** The save on shutdown: waits up to 10 s for busy agents, then keeps the last saved state. */
  async final(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.save(10_000);
  }
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
      "--ssh-port <port>",
      "machines answer ssh on loopback addresses at PORT (0: any free port; 22 lets plain `ssh ubuntu@<address>` in; needs ssh2)",
      integer,
    )
    .option(
      "--state <dir>",
      "keep the controller state in DIR: restored at start when present, saved on changes and at shutdown",
    )
    .option(
      "--control-port <port>",
      "serve the test control API over HTTP+JSON on 127.0.0.1:PORT (0: any free port); every call needs the token printed with the ready line",
      integer,
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
  if (opts.controlPort !== undefined && opts.controlPort > 65535) {
    throw new InvalidArgumentError(`invalid --control-port ${opts.controlPort}: expected 0-65535`);
  }
  const saved = opts.state === undefined ? undefined : await readSimState(opts.state);
  const catalog = CharmCatalog.default();
  const added = opts.charms.flatMap(charmDirsIn).map((dir) => catalog.addCharmDir(dir).name);
  const chosenPassword = password ?? saved?.password;
  const sim = await Simulator.start({
    host: opts.host,
    port,
    // With saved state the client files are written once it is restored.
    ...(saved === undefined ? { jujuData } : { tls: saved.tls }),
    controllerName: opts.controllerName,
    timing: opts.timing,
    juju: opts.juju,
    catalog,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.latency !== undefined ? { latency: opts.latency } : {}),
    ...(opts.sshPort !== undefined ? { ssh: { port: opts.sshPort } } : {}),
    ...(chosenPassword !== undefined ? { password: chosenPassword } : {}),
    ...(opts.macaroonAuth ? { macaroonAuth: true } : {}),
  });
  const out = process.stdout;
  let saver: StateSaver | undefined;
  let control: { close(): Promise<void>; url: string; token: string } | undefined;
  try {
    if (saved !== undefined) {
      await sim.restore(saved.snapshot);
      await sim.writeClientFiles(jujuData);
    }
    if (opts.state !== undefined) {
      saver = new StateSaver(sim, opts.state, (msg) => process.stderr.write(`${msg}\n`));
      // Saved at once, so that the directory holds a state even if the process is killed.
      await saver.save(10_000);
      saver.start();
    }
    if (opts.controlPort !== undefined) {
      const { ControlHttpServer, simulatorControlApi } = await import(
        "../../simulator/control-http.js"
      );
      control = await ControlHttpServer.listen({
        ...simulatorControlApi(sim),
        port: opts.controlPort,
      });
    }
  } catch (e) {
    await control?.close();
    await sim.stop();
    throw e;
  }
  out.write(`export JUJU_DATA=${jujuData}\n`);
  out.write(
    `controller ${sim.controllerName} (${sim.controllerUuid}), user ${sim.username}, Juju ${sim.jujuVersion}\n`,
  );
  if (sim.sshPort !== undefined) {
    out.write(`ssh: machines answer on port ${sim.sshPort}, host key ${sim.sshHostKey}\n`);
  }
  if (added.length) out.write(`charms added to the catalog: ${added.join(", ")}\n`);
  if (sim.discharger) out.write(`identity provider (macaroon auth): ${sim.discharger.url}\n`);
  if (opts.state !== undefined) {
    out.write(
      saved === undefined
        ? `state: ${opts.state} (new)\n`
        : `state: restored from ${opts.state} (${saved.snapshot.models.length} models)\n`,
    );
  }
  out.write(
    control === undefined
      ? `ready: listening on wss://${sim.endpoint}\n`
      : `ready: listening on wss://${sim.endpoint}, control API ${control.url}/v1/ token ${control.token}\n`,
  );

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
  await control?.close();
  await saver?.final();
  await sim.stop();
}

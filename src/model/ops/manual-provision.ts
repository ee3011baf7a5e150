/**
 * Manual provisioning over SSH (`juju add-machine ssh:[user@]host`), as
 * Juju 3.6's `environs/manual/sshprovisioner` does it: make sure the
 * `ubuntu` user exists with passwordless sudo, check that no `jujud-machine`
 * service runs there yet, detect the base and hardware with Juju's detection
 * script, record the machine (`MachineManager.AddMachines` with the
 * `manual:<host>` instance id and a fresh nonce), fetch its provisioning
 * script (`MachineManager.ProvisioningScript`) and run it under sudo. A
 * failure after the machine was recorded removes it again, as Juju does.
 *
 * This module is pure: SSH comes through the small {@link SshConnector}
 * interface. The Node implementation (on the `ssh2` package) lives in
 * `manual-provision-ssh2.ts` and is loaded only when a provisioning starts
 * without a connector of its own, so the rest of the client stays free of
 * Node-only imports.
 * @module
 */
import type { MachineManager } from "../../facades/generated/index.js";
import { ParseError } from "../../parse/errors.js";
import { AbortError, LibjujuError, type LibjujuErrorCode } from "../../rpc/errors.js";

// ---- the SSH edge ------------------------------------------------------------

/** Credentials for SSH logins; every method given is tried, keys first. */
export interface SshAuth {
  /** A private key (OpenSSH or PEM text), tried before the defaults. */
  privateKey?: string | Uint8Array;
  /** A file holding a private key (python-libjuju's `ssh:user@host:/path/to/key`); Node only. */
  privateKeyPath?: string;
  /** Passphrase of an encrypted `privateKey` / `privateKeyPath`. */
  passphrase?: string;
  /**
   * A login password (e.g. for a freshly installed host without keys). When
   * a PTY-attached `sudo` asks for a password, the same one is typed, as a
   * user at the terminal would.
   */
  password?: string;
  /**
   * ssh-agent socket; default `$SSH_AUTH_SOCK` (Node). `false` to not use an
   * agent.
   */
  agent?: string | false;
  /**
   * Also try the default keys `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` and
   * Juju's client key (Node). Default true, as `ssh` does.
   */
  defaultKeys?: boolean;
}

/** Where to connect. */
export interface SshTarget {
  /** Host name or address. */
  host: string;
  /** SSH port, usually 22. */
  port: number;
  /** Remote user name. */
  user: string;
}

/** How one command ended. */
export interface SshExecResult {
  /** Exit status; `null` when the command was killed by a signal. */
  code: number | null;
  /** The signal that ended the command, if any. */
  signal?: string;
  /** What the command printed on standard output. */
  stdout: string;
  /** What the command printed on standard error. */
  stderr: string;
}

/** Options of {@link SshSession.exec}. */
export interface SshExecOptions {
  /** Written to the command's standard input, then end of file. */
  stdin?: string;
  /** Allocate a pseudo-terminal (Juju does for the sudo steps that may prompt). */
  pty?: boolean;
  /** Answer a password prompt on the terminal with this password (needs `pty`). */
  sudoPassword?: string;
  /** Milliseconds before the command is abandoned (the channel closed). */
  timeout: number;
  /** Aborts the command. */
  signal?: AbortSignal;
  /** Called with standard error as it arrives (provisioning progress). */
  onStderr?: (chunk: string) => void;
}

/** One logged-in SSH connection. */
export interface SshSession {
  /**
   * Runs a command (a shell command line, as `ssh host <command>` sends it).
   * Resolves with the exit status whatever it is; rejects only when the
   * command could not run to its end ({@link SshError}, `AbortError`).
   */
  exec(command: string, options: SshExecOptions): Promise<SshExecResult>;
  /** Closes the connection. */
  close(): void;
}

/** Options of {@link SshConnector.connect}. */
export interface SshConnectOptions {
  /** Milliseconds for the TCP connection, handshake and authentication. */
  timeout: number;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /**
   * Checks the host key (raw SSH wire form); return false to refuse it.
   * Default: every key is accepted, as python-libjuju's `AutoAddPolicy`.
   */
  hostVerifier?: (key: Uint8Array) => boolean;
}

/**
 * Opens SSH connections. The default one (Node) is built on the `ssh2`
 * package; pass another (e.g. a proxy for browsers) as
 * `addMachine(spec, {ssh: {connector}})`.
 */
export interface SshConnector {
  /** Opens an SSH session to `target`, authenticated with `auth`. */
  connect(target: SshTarget, auth: SshAuth, options: SshConnectOptions): Promise<SshSession>;
  /**
   * The public keys to authorise for the `ubuntu` user when it is created,
   * one per line (Juju: `~/.ssh/*.pub` and Juju's client key). Empty when
   * there are none.
   */
  authorizedKeys(auth: SshAuth): Promise<string>;
  /** The login name when the spec has none (the local user, as `ssh` uses). */
  defaultUser(): string;
}

/** What went wrong in an SSH connection, for {@link SshError.kind}. */
export type SshErrorKind = "auth" | "unreachable" | "timeout" | "host key" | "protocol";

const SSH_CODES: Record<SshErrorKind, LibjujuErrorCode> = {
  auth: "ERR_SSH_AUTH",
  unreachable: "ERR_SSH_UNREACHABLE",
  timeout: "ERR_SSH_TIMEOUT",
  "host key": "ERR_SSH_HOST_KEY",
  protocol: "ERR_SSH",
};

/** A failure of the SSH connection itself (thrown by {@link SshConnector}s). */
export class SshError extends LibjujuError {
  /** What failed: authentication, reaching the host, a timeout… */
  readonly kind: SshErrorKind;
  constructor(kind: SshErrorKind, message: string, options?: ErrorOptions) {
    super(message, SSH_CODES[kind], options);
    this.kind = kind;
  }
}

// ---- errors ------------------------------------------------------------------

/** The steps of manual provisioning, in order, as {@link ProvisioningError.step}. */
export type ProvisioningStep =
  | "connect"
  | "init-ubuntu-user"
  | "check-provisioned"
  | "detect"
  | "add-machine"
  | "provisioning-script"
  | "run-script";

/**
 * Manual provisioning failed. `step` and `host` say where; `code` is the
 * cause's (`ERR_SSH_AUTH`, `ERR_SSH_UNREACHABLE`, `ERR_SSH_TIMEOUT`,
 * `ERR_ABORTED`, `ERR_JUJU_NOT_FOUND`…; a Juju error's own code is the
 * cause's `jujuCode`) or `ERR_ALREADY_PROVISIONED` / `ERR_COMMAND_FAILED` /
 * `ERR_DETECTION_FAILED`. `machineId` is set when the machine had been recorded
 * (it was then removed again; `cleanupError` says if that failed too).
 */
export class ProvisioningError extends LibjujuError {
  /** The provisioning step that failed. */
  readonly step: ProvisioningStep;
  /** The host being provisioned. */
  readonly host: string;
  /** The machine id, once the controller allotted one. */
  readonly machineId: string | undefined;
  /** The message without the `cannot provision <host> (<step>):` prefix. */
  readonly reason: string;
  /** Set when removing the half-provisioned machine failed as well. */
  cleanupError: unknown;
  constructor(
    step: ProvisioningStep,
    host: string,
    message: string,
    code: LibjujuErrorCode,
    options?: ErrorOptions & { machineId?: string },
  ) {
    super(`cannot provision ${host} (${step}): ${message}`, code, options);
    this.step = step;
    this.host = host;
    this.reason = message;
    this.machineId = options?.machineId;
  }
}

/** Juju's message when a `jujud-machine` service already runs on the host (`manual.ErrProvisioned`). */
export const ERR_PROVISIONED = "machine is already provisioned";

// ---- the spec ----------------------------------------------------------------

/** A parsed `ssh:` placement. */
export interface SshSpec {
  /** The login user; `undefined` when the spec had none. */
  user: string | undefined;
  /** Host name or address, without brackets. */
  host: string;
  /** Port when the spec gave one. */
  port: number | undefined;
  /** python-libjuju's third field, `ssh:user@host:/path/to/key`. */
  privateKeyPath: string | undefined;
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

/** `ipv4`, `ipv6` or `hostname`, as Juju's `network.DeriveAddressType`. */
export function addressType(host: string): "ipv4" | "ipv6" | "hostname" {
  if (IPV4.test(host)) return "ipv4";
  // An IPv6 address has at least two colons; `10.0.0.1:2222` is not one.
  if (host.split(":").length > 2 && IPV6.test(host)) return "ipv6";
  return "hostname";
}

/**
 * Parses the directive of an `ssh:` placement: `[user@]host` as Juju takes
 * it, plus `:port` (`ssh:ubuntu@10.0.0.4:2222`, `ssh:ubuntu@[fd00::4]:2222`)
 * and python-libjuju's `:/path/to/private/key`. Throws {@link ParseError}.
 */
export function parseSshSpec(spec: string, directive: string): SshSpec {
  const fail = (reason: string): never => {
    throw new ParseError("placement", spec, directive, reason);
  };
  // Juju's splitUserHost: the user is what comes before the first "@".
  const at = directive.indexOf("@");
  const user = at === -1 ? undefined : directive.slice(0, at);
  if (user === "") fail('missing user before "@"');
  let rest = at === -1 ? directive : directive.slice(at + 1);
  let host: string;
  let tail = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close === -1) fail('missing "]" after IPv6 address');
    host = rest.slice(1, close);
    rest = rest.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) fail(`unexpected ${JSON.stringify(rest)} after host`);
    tail = rest.slice(1);
  } else if (addressType(rest) === "ipv6" && !/:\//.test(rest)) {
    host = rest;
  } else {
    const colon = rest.indexOf(":");
    host = colon === -1 ? rest : rest.slice(0, colon);
    tail = colon === -1 ? "" : rest.slice(colon + 1);
  }
  if (host === "") fail("missing host");
  let port: number | undefined;
  let privateKeyPath: string | undefined;
  if (/^\d+$/.test(tail)) {
    port = Number(tail);
    if (port < 1 || port > 65535) fail(`port ${tail} out of range`);
  } else if (tail !== "") {
    if (!/^[/~.]/.test(tail))
      fail(`expected a port or a private key path after the host, got ${JSON.stringify(tail)}`);
    privateKeyPath = tail;
  }
  return { user, host, port, privateKeyPath };
}

// ---- what runs on the host ---------------------------------------------------

/** POSIX single quoting (`utils.ShQuote`). */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Creates the `ubuntu` user with passwordless sudo and the given authorized
 * keys (sshprovisioner's `initUbuntuScript`).
 */
export function initUbuntuScript(authorizedKeys: string): string {
  return [
    "",
    "set -e",
    "(grep ubuntu /etc/group) || groupadd ubuntu",
    "(id ubuntu &> /dev/null) || useradd -m ubuntu -s /bin/bash -g ubuntu",
    "umask 0077",
    "temp=$(mktemp)",
    "echo 'ubuntu ALL=(ALL) NOPASSWD:ALL' > $temp",
    "install -m 0440 $temp /etc/sudoers.d/90-juju-ubuntu",
    "rm $temp",
    "su ubuntu -c 'install -D -m 0600 /dev/null ~/.ssh/authorized_keys'",
    `export authorized_keys=${shQuote(authorizedKeys)}`,
    'if [ ! -z "$authorized_keys" ]; then',
    `    su ubuntu -c 'printf "%s\\n" "$authorized_keys" >> ~/.ssh/authorized_keys'`,
    "fi",
  ].join("\n");
}

/** Lists the systemd services of the host (`service.ListServicesScript` for systemd). */
export const LIST_SERVICES_SCRIPT =
  "/bin/systemctl list-unit-files --no-legend --no-page -t service | grep -o -P '^\\w[\\S]*(?=\\.service)'";

/** sshprovisioner's `detectionScript`: OS id, version, `uname -m`, MemTotal, /proc/cpuinfo. */
export const DETECTION_SCRIPT = [
  "#!/bin/bash",
  "set -e",
  `echo "$(grep '^ID=' /etc/os-release | tr -d '"' | cut -d= -f2)"`,
  `echo "$(grep '^VERSION_ID=' /etc/os-release | tr -d '"' | cut -d= -f2)"`,
  "uname -m",
  "grep MemTotal /proc/meminfo",
  "cat /proc/cpuinfo",
].join("\n");

/**
 * The command `sshinit.RunConfigureScript` sends: sudo bash writes standard
 * input (the provisioning script) to a temporary file and runs it, so the
 * large script is not read byte by byte by an interactive bash. The
 * arguments are joined with spaces, as OpenSSH sends a command line.
 */
export function runScriptCommand(): string {
  const wrapper =
    '\nset -e\ntmpfile=$(mktemp)\ntrap "rm -f $tmpfile" EXIT\ncat > $tmpfile\n/bin/bash $tmpfile\n';
  const encoded = base64(wrapper);
  return ["sudo", "/bin/bash", "-c", `/bin/bash -c "$(echo ${shQuote(encoded)} | base64 -d)"`].join(
    " ",
  );
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

// ---- detection ---------------------------------------------------------------

/** What the detection script found. */
export interface DetectedHost {
  /** `{name: "ubuntu", channel: "22.04/stable"}` (`corebase.ParseBase`, risk normalised). */
  base: { name: string; channel: string };
  /** Juju architecture (`arch.NormaliseArch`), e.g. `amd64`. */
  arch: string;
  /** MiB. */
  mem: number;
  cores: number;
}

const ARCHES: ReadonlyArray<[RegExp, string]> = [
  [/amd64|x86_64/, "amd64"],
  [/aarch64/, "arm64"],
  [/ppc64|ppc64el|ppc64le/, "ppc64el"],
  [/s390x/, "s390x"],
  [/riscv64|risc$|risc-[vV]64/, "riscv64"],
];

/** `arch.NormaliseArch`: the Juju name of a `uname -m` answer (unknown ones unchanged). */
export function normaliseArch(raw: string): string {
  const a = raw.trim();
  for (const [re, name] of ARCHES) if (re.test(a)) return name;
  return a;
}

/**
 * Parses the detection script's output as sshprovisioner's
 * `detectBaseAndHardwareCharacteristics`: cores are summed once per
 * `physical id` (physical cores, not hyperthreads), falling back to the
 * number of `processor` entries (arm, ppc). Throws an `Error` naming the
 * line it could not read.
 */
export function parseDetection(output: string): DetectedHost {
  const lines = output.split("\n");
  const os = (lines[0] ?? "").trim();
  const version = (lines[1] ?? "").trim();
  if (os === "" || version === "") throw new Error("missing base os or channel");
  // ParseChannelNormalize: a track without risk gets "stable".
  const channel = version.includes("/") ? version : `${version}/stable`;
  const arch = normaliseArch(lines[2] ?? "");
  const memLine = lines[3] ?? "";
  const memKb = memLine.trim().split(/\s+/)[1] ?? "";
  if (!/^\d+$/.test(memKb)) throw new Error(`parsing ${JSON.stringify(memLine)}`);
  const mem = Math.floor(Number(memKb) / 1024);
  const recorded = new Set<string>();
  let physicalId = "";
  let cores = 0;
  let processors = 0;
  for (const line of lines.slice(4)) {
    if (line.startsWith("physical id")) {
      physicalId = line.slice(line.indexOf(":") + 1).trim();
    } else if (line.startsWith("cpu cores")) {
      const value = line.slice(line.indexOf(":") + 1).trim();
      if (!/^\d+$/.test(value)) throw new Error(`parsing ${JSON.stringify(line)}`);
      if (!recorded.has(physicalId)) {
        cores += Number(value);
        recorded.add(physicalId);
      }
    } else if (line.startsWith("processor")) {
      processors++;
    }
  }
  if (cores === 0) cores = processors;
  return { base: { name: os.toLowerCase(), channel }, arch, mem, cores };
}

// ---- the flow ----------------------------------------------------------------

/** Options of manual provisioning (`addMachine("ssh:…", {ssh: …})`). */
export interface ManualProvisionOptions extends SshAuth {
  /** SSH port when the spec has none. Default 22. */
  port?: number;
  /**
   * Public keys (one per line) to authorise for the `ubuntu` user if it has
   * to be created (Juju's `--public-key`). Default: the connector's
   * ({@link SshConnector.authorizedKeys}).
   */
  authorizedKeys?: string;
  /** Milliseconds to connect and log in. Default 30 000. */
  connectTimeout?: number;
  /** Milliseconds for each check and detection command. Default 60 000. */
  commandTimeout?: number;
  /** Milliseconds for the provisioning script (it downloads and starts the agent). Default 600 000. */
  scriptTimeout?: number;
  /**
   * Ask the controller to leave out `apt-get update`/`upgrade` from the
   * script. Default false: the model's `enable-os-refresh-update` and
   * `enable-os-upgrade` decide, as with `juju add-machine`.
   */
  disablePackageCommands?: boolean;
  /** Refuses host keys it returns false for; default accepts any (python-libjuju). */
  hostVerifier?: (key: Uint8Array) => boolean;
  /** Receives the provisioning script's progress (its standard error). */
  onProgress?: (text: string) => void;
  /** The SSH implementation; default the Node one on `ssh2`. */
  connector?: SshConnector;
}

/** What the provisioner needs from the model's API connection. */
export interface ProvisioningApi {
  addMachine(params: MachineManager.AddMachineParams): Promise<string>;
  provisioningScript(params: MachineManager.ProvisioningScriptParams): Promise<string>;
  destroyMachine(id: string): Promise<void>;
}

const DEFAULT_PORT = 22;
const AUTH_KEYS = [
  "privateKey",
  "privateKeyPath",
  "passphrase",
  "password",
  "agent",
  "defaultKeys",
] as const satisfies ReadonlyArray<keyof SshAuth>;

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Provisions the host of an `ssh:` spec and returns the new machine's id.
 * Every failure is a {@link ProvisioningError}; nothing waits without a
 * timeout, and `signal` cancels at any step.
 */
export async function provisionMachine(
  spec: SshSpec,
  options: ManualProvisionOptions,
  api: ProvisioningApi,
  connector: SshConnector,
  signal?: AbortSignal,
): Promise<string> {
  const host = spec.host;
  const port = spec.port ?? options.port ?? DEFAULT_PORT;
  const login = spec.user ?? connector.defaultUser();
  const where = port === DEFAULT_PORT ? host : `${host}:${port}`;
  const auth: SshAuth = {};
  for (const k of AUTH_KEYS) if (options[k] !== undefined) Object.assign(auth, { [k]: options[k] });
  if (spec.privateKeyPath !== undefined) auth.privateKeyPath = spec.privateKeyPath;
  const connectTimeout = options.connectTimeout ?? 30_000;
  const commandTimeout = options.commandTimeout ?? 60_000;
  const scriptTimeout = options.scriptTimeout ?? 600_000;
  const connectOptions: SshConnectOptions = { timeout: connectTimeout };
  if (signal) connectOptions.signal = signal;
  if (options.hostVerifier) connectOptions.hostVerifier = options.hostVerifier;

  const fail = (step: ProvisioningStep, err: unknown, machineId?: string): ProvisioningError => {
    if (err instanceof ProvisioningError) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    const code = err instanceof LibjujuError ? err.code : "ERR_PROVISIONING_FAILED";
    const extra = machineId === undefined ? {} : { machineId };
    return new ProvisioningError(step, where, e.message, code, { cause: err, ...extra });
  };
  const abortIfNeeded = (step: ProvisioningStep) => {
    if (signal?.aborted) throw fail(step, new AbortError("manual provisioning was aborted"));
  };
  const connect = (user: string) =>
    connector.connect({ host, port, user }, auth, connectOptions).catch((e: unknown) => {
      throw fail("connect", e);
    });
  const run = async (
    session: SshSession,
    step: ProvisioningStep,
    command: string,
    o: Omit<SshExecOptions, "timeout" | "signal"> & { timeout?: number } = {},
  ): Promise<string> => {
    abortIfNeeded(step);
    const execOptions: SshExecOptions = { ...o, timeout: o.timeout ?? commandTimeout };
    if (signal) execOptions.signal = signal;
    const r = await session.exec(command, execOptions).catch((e: unknown) => {
      throw fail(step, e);
    });
    if (r.code !== 0) {
      const how = r.code === null ? `killed by ${r.signal ?? "a signal"}` : `exit status ${r.code}`;
      // A PTY merges standard error into the output.
      const detail = (r.stderr.trim() === "" && o.pty ? r.stdout : r.stderr).trim();
      throw new ProvisioningError(
        step,
        where,
        `${how}${detail === "" ? "" : ` (${detail})`}`,
        "ERR_COMMAND_FAILED",
      );
    }
    return r.stdout;
  };

  abortIfNeeded("connect");
  const session = await initUbuntuUser(login, connect, run, auth, options, connector, fail);
  let machineId: string | undefined;
  try {
    // gatherMachineParams: the address, the provisioned check, then detection.
    const services = await run(session, "check-provisioned", "/bin/bash", {
      stdin: LIST_SERVICES_SCRIPT,
    });
    if (services.includes("jujud-machine")) {
      throw new ProvisioningError(
        "check-provisioned",
        where,
        ERR_PROVISIONED,
        "ERR_ALREADY_PROVISIONED",
      );
    }
    const detection = await run(session, "detect", "/bin/bash", { stdin: DETECTION_SCRIPT });
    let hw: DetectedHost;
    try {
      hw = parseDetection(detection);
    } catch (e) {
      throw new ProvisioningError(
        "detect",
        where,
        `error detecting linux hardware characteristics: ${(e as Error).message}`,
        "ERR_DETECTION_FAILED",
        { cause: e },
      );
    }
    const instanceId = `manual:${host}`;
    const params: MachineManager.AddMachineParams = {
      addresses: [{ value: host, type: addressType(host), scope: "public" }],
      base: hw.base,
      constraints: {},
      "container-type": "",
      "hardware-characteristics": { arch: hw.arch, mem: hw.mem, "cpu-cores": hw.cores },
      "instance-id": instanceId,
      jobs: ["JobHostUnits"],
      nonce: `${instanceId}:${randomUuid()}`,
      "parent-id": "",
    };
    abortIfNeeded("add-machine");
    machineId = await api.addMachine(params).catch((e: unknown) => {
      throw fail("add-machine", e);
    });
    abortIfNeeded("provisioning-script");
    const script = await api
      .provisioningScript({
        "machine-id": machineId,
        nonce: params.nonce,
        "data-dir": "",
        "disable-package-commands": options.disablePackageCommands ?? false,
      })
      .catch((e: unknown) => {
        throw fail("provisioning-script", e);
      });
    const runOptions: Omit<SshExecOptions, "timeout" | "signal"> & { timeout?: number } = {
      stdin: script,
      timeout: scriptTimeout,
    };
    if (options.onProgress) runOptions.onStderr = options.onProgress;
    await run(session, "run-script", runScriptCommand(), runOptions);
    return machineId;
  } catch (err) {
    const step = err instanceof ProvisioningError ? err.step : "run-script";
    const e =
      err instanceof ProvisioningError && machineId !== undefined && err.machineId === undefined
        ? new ProvisioningError(err.step, err.host, err.reason, err.code, {
            cause: err.cause,
            machineId,
          })
        : fail(step, err, machineId);
    if (machineId !== undefined) {
      // ProvisionMachine's deferred cleanup: the machine must not stay behind.
      await api.destroyMachine(machineId).catch((c: unknown) => {
        e.cleanupError = c;
      });
    }
    throw e;
  } finally {
    session.close();
  }
}

/**
 * sshprovisioner's `InitUbuntuUser`: first log in as `ubuntu` and check for
 * passwordless sudo (`sudo -n true`, no PTY so sudo cannot prompt); if that
 * fails, log in as the given user and create/fix `ubuntu` with the init
 * script under sudo (with a PTY, as Juju, so sudo may ask for the password).
 * Resolves with a session logged in as `ubuntu`, which every later step uses.
 * Unlike Juju's first probe, the `ubuntu` login may use the given password:
 * Juju disables password logins there only to avoid an interactive prompt.
 */
async function initUbuntuUser(
  login: string,
  connect: (user: string) => Promise<SshSession>,
  run: (
    s: SshSession,
    step: ProvisioningStep,
    command: string,
    o?: Omit<SshExecOptions, "timeout" | "signal"> & { timeout?: number },
  ) => Promise<string>,
  auth: SshAuth,
  options: ManualProvisionOptions,
  connector: SshConnector,
  fail: (step: ProvisioningStep, err: unknown) => ProvisioningError,
): Promise<SshSession> {
  let ubuntu: SshSession | undefined;
  let firstError: ProvisioningError | undefined;
  try {
    ubuntu = await connect("ubuntu");
  } catch (e) {
    const pe = e as ProvisioningError;
    // A host that cannot be reached will not be reached as another user either.
    if (pe.code !== SSH_CODES.auth) throw pe;
    firstError = pe;
  }
  if (ubuntu !== undefined) {
    try {
      await run(ubuntu, "init-ubuntu-user", "sudo -n true");
      return ubuntu;
    } catch (e) {
      if (!(e instanceof ProvisioningError) || e.code !== "ERR_COMMAND_FAILED") {
        ubuntu.close();
        throw e;
      }
    }
  }
  if (login === "ubuntu" && firstError !== undefined) throw firstError;
  let session = ubuntu;
  if (login !== "ubuntu") {
    ubuntu?.close();
    session = await connect(login);
  }
  if (session === undefined) throw fail("connect", new Error("no session"));
  try {
    const keys =
      options.authorizedKeys ??
      (await connector.authorizedKeys(auth).catch((e: unknown) => {
        throw fail("init-ubuntu-user", e);
      }));
    const o: Omit<SshExecOptions, "timeout" | "signal"> = { pty: true };
    if (auth.password !== undefined) o.sudoPassword = auth.password;
    await run(
      session,
      "init-ubuntu-user",
      `sudo /bin/bash -c ${shQuote(initUbuntuScript(keys))}`,
      o,
    );
  } catch (e) {
    session.close();
    throw e;
  }
  if (login === "ubuntu") return session;
  session.close();
  // The init script authorised our keys for ubuntu; every later step logs in as ubuntu.
  return connect("ubuntu");
}

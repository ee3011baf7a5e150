/**
 * `unit.ssh` / `machine.ssh`, `scpTo` and `scpFrom`, as python-libjuju 3.5
 * has them: connect to the machine's `dnsName` (public, else cloud-local,
 * else fan address) as `ubuntu` with the Juju client key
 * (`$JUJU_DATA/ssh/juju_id_rsa`) and without checking the host key
 * (python-libjuju passes `StrictHostKeyChecking=no`), run the command and
 * return its standard output; a non-zero exit is an error carrying the
 * exit status and standard error. python-libjuju shells out to `ssh` and
 * `scp`; this module talks SSH itself through the {@link SshConnector} seam
 * of manual provisioning (default: the Node one on the optional `ssh2`
 * package, loaded on first use), so it stays free of Node-only imports.
 * Files go over SFTP, as OpenSSH's `scp` does since 9.0. With `proxy` the
 * connection jumps through the controller, as `juju ssh --proxy` does
 * (python-libjuju 3.5 raises `NotImplementedError` there).
 * @module
 */
import { LibjujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { DeadEntityError } from "../entity.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import { addressByScope, DNS_SCOPES, PRIVATE_SCOPES } from "../machine-addresses.js";
import { liveData, type OpsContext } from "../ops-context.js";
import {
  type SshAuth,
  type SshConnectOptions,
  type SshConnector,
  SshError,
  type SshSession,
  type SshTarget,
} from "./manual-provision.js";

/** Options of `ssh`, `scpTo` and `scpFrom` (python-libjuju's keywords, plus the SSH edge's). */
export interface SshOptions extends SshAuth {
  /** Remote login. Default `ubuntu`. */
  user?: string;
  /**
   * Go through the controller as `juju ssh --proxy` does: log in to the
   * controller's API host (same user, key and port) and open the machine's
   * SSH port at its private address (cloud-local, else fan, else public) from there (a `direct-tcpip` channel, what OpenSSH's `-J`
   * does; Juju runs `nc` on the controller through a ProxyCommand).
   * python-libjuju 3.5 raises `NotImplementedError` for it. Needs a
   * connector with {@link SshProxyConnector.connectThrough} (the default
   * one has it).
   */
  proxy?: boolean;
  /**
   * The jump host of `proxy`; default the host of the API address the
   * model is connected to, as `juju ssh --proxy` uses.
   */
  proxyHost?: string;
  /**
   * OpenSSH options as python-libjuju's `ssh_opts` / `scp_opts` (a string
   * split on spaces, or a list). This client speaks SSH itself, so it reads
   * the ones that mean something here: `-p`/`-P PORT`, `-i FILE`, `-l USER`,
   * `-o Port=…`, `-o User=…`, `-o IdentityFile=…`, `-o ConnectTimeout=…`;
   * `-q`, `-B`, `-C`, `-4`, `-T` and `-o StrictHostKeyChecking` /
   * `UserKnownHostsFile` / `BatchMode` / `LogLevel` change nothing and are
   * accepted; anything else is an {@link InvalidArgumentError}.
   */
  sshOpts?: string | readonly string[];
  /** Alias of `sshOpts` for `scpTo` / `scpFrom` (python-libjuju's `scp_opts`). */
  scpOpts?: string | readonly string[];
  /** SSH port. Default 22 (a simulator started with `ssh` reports its own, `sim.sshPort`). */
  port?: number;
  /**
   * The Juju client data directory whose `ssh/juju_id_rsa` to log in with.
   * Default: the connector's (`$JUJU_DATA`, else `~/.local/share/juju`),
   * tried after `~/.ssh`'s keys and the agent, as `ssh -i` would.
   */
  jujuData?: string;
  /** Wait until the machine has an address first (python-libjuju's `wait_for_active`). */
  waitForActive?: boolean;
  /** Milliseconds for the whole operation (connect, run or transfer). Default 120 000. */
  timeout?: number;
  /** Aborts the session. */
  signal?: AbortSignal;
  /** Checks the host key (raw SSH wire form); default: every key is accepted, as python-libjuju. */
  hostVerifier?: (key: Uint8Array) => boolean;
  /** The SSH implementation; default the Node one on `ssh2`. */
  connector?: SshConnector;
}

/**
 * A connector that can also reach a machine through a jump host (`proxy`).
 * The jump host is logged in to with the same credentials; when it refuses
 * to open the way to the target, `connectThrough` rejects with an
 * {@link SshError} of kind `unreachable`.
 */
export interface SshProxyConnector extends SshConnector {
  /** Opens a session to `target` through `jump` (the controller), as `juju ssh --proxy` does. */
  connectThrough(
    jump: SshTarget,
    target: SshTarget,
    auth: SshAuth,
    options: SshConnectOptions,
  ): Promise<SshSession>;
}

/** Options of a file transfer ({@link SshFileSession}). */
export interface SshTransferOptions {
  /** Milliseconds the copy may take. */
  timeout: number;
  /** Aborts the copy. */
  signal?: AbortSignal;
}

/**
 * A session that can also copy files (SFTP). The default connector's
 * sessions can; a connector whose sessions cannot makes `scpTo` /
 * `scpFrom` fail with {@link NotSupportedError}.
 */
export interface SshFileSession extends SshSession {
  /** Copies a local file to `remotePath` (into it when it is a directory). */
  upload(localPath: string, remotePath: string, options: SshTransferOptions): Promise<void>;
  /** Copies a remote file to `localPath` (into it when it is a directory). */
  download(remotePath: string, localPath: string, options: SshTransferOptions): Promise<void>;
}

/**
 * A command run over SSH (or a copy) failed on the machine: python-libjuju's
 * `JujuError("command failed …")`. `exitCode` is the remote status (`null`
 * when killed by a signal), `stderr` what it printed.
 */
export class SshCommandError extends LibjujuError {
  /** The command that failed. */
  readonly command: string;
  /** `user@host`. */
  readonly target: string;
  /** The remote exit status; `null` when killed by a signal. */
  readonly exitCode: number | null;
  /** What the command printed on standard output. */
  readonly stdout: string;
  /** What the command printed on standard error. */
  readonly stderr: string;
  constructor(
    command: string,
    target: string,
    result: { code: number | null; stdout: string; stderr: string },
  ) {
    const detail = result.stderr.trim().split("\n")[0] ?? "";
    super(
      `command failed on ${target} (exit ${result.code ?? "signal"}): ${JSON.stringify(command)}` +
        (detail ? `: ${detail}` : ""),
      "ERR_COMMAND_FAILED",
    );
    this.command = command;
    this.target = target;
    this.exitCode = result.code;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

const DEFAULT_TIMEOUT = 120_000;

const OPTION_CHECKS: ac.OptionSpec = {
  user: ac.name,
  proxy: ac.bool,
  proxyHost: ac.name,
  sshOpts: ac.stringOrStrings,
  scpOpts: ac.stringOrStrings,
  port: ac.int(1, 65535),
  jujuData: ac.name,
  waitForActive: ac.bool,
  timeout: ac.num(0),
  signal: ac.signal,
  hostVerifier: ac.func,
  connector: ac.any,
  privateKey: ac.any,
  privateKeyPath: ac.name,
  passphrase: ac.str,
  password: ac.str,
  agent: ac.any,
  defaultKeys: ac.bool,
};

/** What OpenSSH options amount to here. */
export interface ParsedSshOpts {
  port?: number;
  user?: string;
  identityFile?: string;
  connectTimeoutMs?: number;
}

const NO_EFFECT_FLAGS = new Set(["-q", "-B", "-C", "-4", "-T", "-v"]);
const NO_EFFECT_O = new Set([
  "stricthostkeychecking",
  "userknownhostsfile",
  "batchmode",
  "loglevel",
]);

/**
 * Reads OpenSSH command-line options (python-libjuju's `ssh_opts` /
 * `scp_opts`). `-p` is ssh's port flag and `-P` scp's; both are taken.
 * Throws {@link InvalidArgumentError} naming an option it cannot honour.
 */
export function parseSshOpts(
  opts: string | readonly string[] | undefined,
  argName: string,
): ParsedSshOpts {
  const list = opts === undefined ? [] : typeof opts === "string" ? opts.split(/\s+/) : [...opts];
  const words = list.filter((w) => w !== "");
  const out: ParsedSshOpts = {};
  const port = (v: string | undefined, flag: string) => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
      throw new InvalidArgumentError(
        argName,
        `${argName}: ${flag} needs a port from 1 to 65535, got ${JSON.stringify(v)}`,
      );
    }
    out.port = Number(v);
  };
  const need = (v: string | undefined, flag: string): string => {
    if (v === undefined || v === "")
      throw new InvalidArgumentError(argName, `${argName}: ${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    // `-p2222` and `-p 2222` are both OpenSSH's.
    const flag = w.slice(0, 2);
    const attached = w.length > 2 ? w.slice(2) : undefined;
    const value = () => attached ?? words[++i];
    if (NO_EFFECT_FLAGS.has(w)) continue;
    if (flag === "-p" || flag === "-P") port(value(), flag);
    else if (flag === "-i") out.identityFile = need(value(), "-i");
    else if (flag === "-l") out.user = need(value(), "-l");
    else if (flag === "-o") {
      const o = need(value(), "-o");
      const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(o);
      if (m === null)
        throw new InvalidArgumentError(argName, `${argName}: cannot read -o ${JSON.stringify(o)}`);
      const key = (m[1] as string).toLowerCase();
      const v = m[2] as string;
      if (key === "port") port(v, "-o Port");
      else if (key === "user") out.user = need(v, "-o User");
      else if (key === "identityfile") out.identityFile = need(v, "-o IdentityFile");
      else if (key === "connecttimeout") {
        if (!/^\d+$/.test(v))
          throw new InvalidArgumentError(
            argName,
            `${argName}: -o ConnectTimeout needs seconds, got ${JSON.stringify(v)}`,
          );
        out.connectTimeoutMs = Number(v) * 1000;
      } else if (!NO_EFFECT_O.has(key)) {
        throw new InvalidArgumentError(
          argName,
          `${argName}: the ssh option ${JSON.stringify(m[1])} is not supported by libjuju's SSH client`,
        );
      }
    } else {
      throw new InvalidArgumentError(
        argName,
        `${argName}: the ssh option ${JSON.stringify(w)} is not supported by libjuju's SSH client`,
      );
    }
  }
  return out;
}

/**
 * The `ssh2`-based connector, imported only when needed (`ssh2` is an
 * optional dependency, and costs startup time nobody else should pay).
 */
async function defaultConnector(operation: string): Promise<SshConnector> {
  try {
    return (await import("./manual-provision-ssh2.js")).ssh2Connector;
  } catch (err) {
    if (
      (err as { code?: string })?.code === "ERR_MODULE_NOT_FOUND" &&
      String(err).includes("ssh2")
    ) {
      throw new NotSupportedError(
        operation,
        "the optional dependency ssh2 is not installed (npm install ssh2), or pass a connector",
      );
    }
    throw err;
  }
}

/** Where and how to connect, resolved from the machine and the options. */
interface Resolved {
  host: string;
  /** The jump host (`proxy`). */
  jump?: string;
  port: number;
  user: string;
  auth: SshAuth;
  timeout: number;
  connectTimeout: number;
}

async function resolveTarget(
  ctx: OpsContext,
  machineId: string,
  operation: string,
  options: SshOptions,
  optsArg: "sshOpts" | "scpOpts",
): Promise<Resolved> {
  const parsed = parseSshOpts(
    options[optsArg] ?? (optsArg === "scpOpts" ? options.sshOpts : undefined),
    optsArg,
  );
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  // Through the controller Juju uses the private address (its PrivateAddress: cloud-local, then fan, then public).
  const address = () =>
    addressByScope(
      liveData(ctx, "machine", machineId)?.addresses,
      options.proxy === true ? PRIVATE_SCOPES : DNS_SCOPES,
    );
  if (liveData(ctx, "machine", machineId) === undefined)
    throw new DeadEntityError("machine", machineId);
  if (options.waitForActive === true && address() === undefined) {
    const wait: { timeout: number; signal?: AbortSignal } = { timeout };
    if (options.signal) wait.signal = options.signal;
    await ctx.waitFor(
      `machine ${machineId} to have an address`,
      () => address() !== undefined,
      wait,
    );
  }
  const host = address();
  if (host === undefined) {
    throw new SshError(
      "unreachable",
      `ssh: machine ${machineId} has no address yet (try waitForActive)`,
    );
  }
  const auth: SshAuth = {};
  for (const k of [
    "privateKey",
    "privateKeyPath",
    "passphrase",
    "password",
    "agent",
    "defaultKeys",
  ] as const) {
    if (options[k] !== undefined) Object.assign(auth, { [k]: options[k] });
  }
  const identity =
    parsed.identityFile ??
    (options.jujuData === undefined
      ? undefined
      : `${options.jujuData.replace(/\/+$/, "")}/ssh/juju_id_rsa`);
  if (
    identity !== undefined &&
    auth.privateKeyPath === undefined &&
    auth.privateKey === undefined
  ) {
    auth.privateKeyPath = identity;
  }
  const r: Resolved = {
    host,
    port: options.port ?? parsed.port ?? 22,
    user: options.user ?? parsed.user ?? "ubuntu",
    auth,
    timeout,
    connectTimeout: Math.min(parsed.connectTimeoutMs ?? 30_000, timeout),
  };
  if (options.proxy === true) {
    const jump = options.proxyHost ?? endpointHost(ctx.connection.endpoint);
    if (jump === undefined) {
      throw new SshError(
        "unreachable",
        `${operation}: cannot tell the controller's address from the connection (${JSON.stringify(ctx.connection.endpoint)}); pass proxyHost`,
      );
    }
    r.jump = jump;
  }
  return r;
}

/**
 * The host of an API address (`wss://host:port/model/…/api`, `host:port`,
 * `[v6]:port`), or undefined when there is none to read.
 */
export function endpointHost(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  const rest = endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const m = /^\[([^\]]+)\]/.exec(rest) ?? /^([^:/?#]+)/.exec(rest);
  return m?.[1] || undefined;
}

async function open(operation: string, r: Resolved, options: SshOptions): Promise<SshSession> {
  const connector = options.connector ?? (await defaultConnector(operation));
  const co: SshConnectOptions = { timeout: r.connectTimeout };
  if (options.signal) co.signal = options.signal;
  if (options.hostVerifier) co.hostVerifier = options.hostVerifier;
  const target: SshTarget = { host: r.host, port: r.port, user: r.user };
  if (r.jump === undefined) return connector.connect(target, r.auth, co);
  const through = (connector as Partial<SshProxyConnector>).connectThrough;
  if (typeof through !== "function") {
    throw new NotSupportedError(
      `${operation} with proxy`,
      "the SSH connector cannot go through a jump host (no connectThrough)",
    );
  }
  return through.call(connector, { host: r.jump, port: r.port, user: r.user }, target, r.auth, co);
}

function checkCall(operation: string, args: Record<string, unknown>, options: unknown): void {
  for (const [k, v] of Object.entries(args)) ac.checkArg(k, v, ac.str);
  ac.checkOptions(operation, options, OPTION_CHECKS);
}

/**
 * Runs `command` on the machine over SSH and returns its standard output
 * (python-libjuju's `Machine.ssh`). A non-zero exit is a
 * {@link SshCommandError}; a failed login an `SshError` (`ERR_SSH_AUTH`…).
 */
export async function machineSsh(
  ctx: OpsContext,
  machineId: string,
  command: string,
  options: SshOptions = {},
): Promise<string> {
  checkCall("ssh", { command }, options);
  const r = await resolveTarget(ctx, machineId, "ssh", options, "sshOpts");
  const session = await open("ssh", r, options);
  try {
    const exec: Parameters<SshSession["exec"]>[1] = { timeout: r.timeout };
    if (options.signal) exec.signal = options.signal;
    const result = await session.exec(command, exec);
    if (result.code !== 0) throw new SshCommandError(command, `${r.user}@${r.host}`, result);
    return result.stdout;
  } finally {
    session.close();
  }
}

/**
 * Copies a file between here and the machine (python-libjuju's
 * `scp_to` / `scp_from`): `to` uploads local `source` to remote
 * `destination`, `from` the other way. Relative remote paths are under the
 * login's home, as with `scp`.
 */
export async function machineScp(
  ctx: OpsContext,
  machineId: string,
  direction: "to" | "from",
  source: string,
  destination: string,
  options: SshOptions = {},
): Promise<void> {
  const operation = direction === "to" ? "scpTo" : "scpFrom";
  checkCall(operation, { source, destination }, options);
  if (source === "" || destination === "") {
    throw new InvalidArgumentError(
      source === "" ? "source" : "destination",
      `${operation}: an empty path`,
    );
  }
  const r = await resolveTarget(ctx, machineId, operation, options, "scpOpts");
  const session = await open(operation, r, options);
  try {
    const files = session as Partial<SshFileSession>;
    if (typeof files.upload !== "function" || typeof files.download !== "function") {
      throw new NotSupportedError(
        operation,
        "the SSH connector's sessions cannot copy files (no upload/download)",
      );
    }
    const t: SshTransferOptions = { timeout: r.timeout };
    if (options.signal) t.signal = options.signal;
    if (direction === "to") await files.upload(source, destination, t);
    else await files.download(source, destination, t);
  } finally {
    session.close();
  }
}

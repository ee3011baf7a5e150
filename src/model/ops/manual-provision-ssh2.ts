/**
 * The Node {@link SshConnector} of manual provisioning, on the `ssh2`
 * package (a maintained pure-JavaScript SSH2 client). Credentials are
 * looked for as `ssh` does: the given key or password, ssh-agent
 * (`$SSH_AUTH_SOCK`), then `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` and
 * Juju's client key (`$JUJU_DATA/ssh/juju_id_rsa`). Loaded lazily by
 * `addMachine("ssh:…")`, so nothing else in the client depends on it.
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { basename, join, posix } from "node:path";
import type { Duplex } from "node:stream";
import ssh2, {
  type AnyAuthMethod,
  type ClientChannel,
  type Client as ClientType,
  type ParsedKey,
  type SFTPWrapper,
  type Stats,
} from "ssh2";
import { AbortError } from "../../rpc/errors.js";
import {
  type SshAuth,
  type SshConnectOptions,
  SshError,
  type SshExecOptions,
  type SshExecResult,
  type SshSession,
  type SshTarget,
} from "./manual-provision.js";
import {
  SshCommandError,
  type SshFileSession,
  type SshProxyConnector,
  type SshTransferOptions,
} from "./ssh.js";

// ssh2 is CommonJS and Node's ESM loader cannot see its named exports
// (vitest can, so only the built package broke): take them off the default.
const { Client, utils } = ssh2;

const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "EHOSTDOWN",
]);

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

function jujuDataDir(): string {
  const env = process.env.JUJU_DATA;
  if (env) return env;
  const xdg = process.env.XDG_DATA_HOME;
  return join(xdg ? xdg : join(homedir(), ".local", "share"), "juju");
}

/** Reads a file, or `undefined` when it does not exist (or cannot be read). */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

function parse(data: string | Buffer, passphrase: string | undefined): ParsedKey | Error {
  const k = utils.parseKey(data, passphrase);
  return Array.isArray(k) ? (k[0] ?? new Error("no key found")) : k;
}

/** The explicit key (required to parse) and the default ones that parse without a passphrase. */
async function privateKeys(auth: SshAuth): Promise<ParsedKey[]> {
  const keys: ParsedKey[] = [];
  const explicit: Array<[string, string | Buffer]> = [];
  if (auth.privateKey !== undefined) {
    const k = auth.privateKey;
    explicit.push(["the given private key", typeof k === "string" ? k : Buffer.from(k)]);
  }
  if (auth.privateKeyPath !== undefined) {
    const path = expandHome(auth.privateKeyPath);
    const text = await readFile(path, "utf8").catch((e: unknown) => {
      throw new SshError("auth", `cannot read private key ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    });
    explicit.push([path, text]);
  }
  for (const [what, data] of explicit) {
    const k = parse(data, auth.passphrase);
    if (k instanceof Error)
      throw new SshError("auth", `cannot parse ${what}: ${k.message}`, { cause: k });
    keys.push(k);
  }
  if (auth.defaultKeys !== false) {
    const paths = [
      ...DEFAULT_KEYS.map((n) => join(homedir(), ".ssh", n)),
      join(jujuDataDir(), "ssh", "juju_id_rsa"),
    ];
    for (const p of paths) {
      const text = await readOptional(p);
      if (text === undefined) continue;
      // Encrypted default keys are skipped, as an agent would hold them.
      const k = parse(text, undefined);
      if (!(k instanceof Error)) keys.push(k);
    }
  }
  return keys;
}

function classify(err: Error & { level?: string; code?: string }, target: SshTarget): SshError {
  const where = `${target.user}@${target.host}:${target.port}`;
  if (err.level === "client-authentication") {
    return new SshError("auth", `ssh: unable to authenticate as ${where}: ${err.message}`, {
      cause: err,
    });
  }
  if (err.level === "client-timeout") {
    return new SshError("timeout", `ssh: timed out connecting to ${where}: ${err.message}`, {
      cause: err,
    });
  }
  if (err.level === "client-dns" || (err.code !== undefined && UNREACHABLE.has(err.code))) {
    return new SshError("unreachable", `ssh: cannot reach ${where}: ${err.message}`, {
      cause: err,
    });
  }
  return new SshError("protocol", `ssh: ${where}: ${err.message}`, { cause: err });
}

/** What bounds one operation on a connection (see {@link settleOnce}). */
interface OperationGuard {
  signal: AbortSignal | undefined;
  /** The message of the {@link AbortError} when `signal` aborts. */
  aborted: string;
  /** Milliseconds before the operation fails with {@link OperationGuard.timedOut}. */
  timeout: number;
  timedOut: () => Error;
  /** A connection whose `error` event fails the operation (classified against `target`). */
  client?: { client: ClientType; target: SshTarget };
  /** Runs once, after the listeners are gone and before the promise settles (`err` on failure). */
  cleanup?: (err: Error | undefined) => void;
}

/**
 * The promise of one operation on an ssh connection, settled once: by the
 * operation through `finish`, by the timeout, by the abort signal or by an
 * error of the connection, whichever comes first; the timer and listeners
 * go with it.
 */
function settleOnce<T>(
  guard: OperationGuard,
  start: (finish: (err: Error | undefined, value?: T) => void) => void,
): Promise<T> {
  const { signal, client: conn } = guard;
  if (signal?.aborted) return Promise.reject(new AbortError(guard.aborted));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      conn?.client.removeListener("error", onClientError);
      guard.cleanup?.(err);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onAbort = () => finish(new AbortError(guard.aborted));
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => finish(guard.timedOut()), guard.timeout);
    const onClientError = (e: Error) => {
      if (conn) finish(classify(e, conn.target));
    };
    conn?.client.once("error", onClientError);
    start(finish);
  });
}

class Ssh2Session implements SshFileSession {
  constructor(
    private readonly client: ClientType,
    private readonly target: SshTarget,
    /** The jump host's connection, closed with this one. */
    private readonly hop?: ClientType,
  ) {}

  exec(command: string, options: SshExecOptions): Promise<SshExecResult> {
    let channel: ClientChannel | undefined;
    const guard: OperationGuard = {
      signal: options.signal,
      aborted: "manual provisioning was aborted",
      timeout: options.timeout,
      timedOut: () =>
        new SshError(
          "timeout",
          `ssh: command on ${this.target.host} did not finish within ${options.timeout} ms`,
        ),
      client: { client: this.client, target: this.target },
      cleanup: (err) => {
        if (err) channel?.close();
      },
    };
    return settleOnce<SshExecResult>(guard, (finish) => {
      this.client.exec(command, { pty: options.pty === true }, (err, stream) => {
        if (err) {
          finish(classify(err, this.target));
          return;
        }
        channel = stream;
        let stdout = "";
        let stderr = "";
        let code: number | null = null;
        let sig: string | undefined;
        let answered = false;
        stream.on("exit", (c: number | null, s?: string) => {
          code = c;
          if (s) sig = s;
        });
        stream.on("data", (d: Buffer) => {
          const text = d.toString("utf8");
          stdout += text;
          // A PTY-attached sudo asks on the terminal; answer once, as a user would.
          if (
            options.sudoPassword !== undefined &&
            !answered &&
            /password[^\n]*:\s*$/i.test(stdout)
          ) {
            answered = true;
            stream.write(`${options.sudoPassword}\n`);
          }
        });
        stream.stderr.on("data", (d: Buffer) => {
          const text = d.toString("utf8");
          stderr += text;
          options.onStderr?.(text);
        });
        stream.on("close", () => {
          const r: SshExecResult = { code, stdout, stderr };
          if (sig !== undefined) r.signal = sig;
          finish(undefined, r);
        });
        if (options.stdin !== undefined) stream.end(options.stdin);
        else if (options.sudoPassword === undefined || options.pty !== true) stream.end();
      });
    });
  }

  close(): void {
    this.client.end();
    this.hop?.end();
  }

  upload(localPath: string, remotePath: string, options: SshTransferOptions): Promise<void> {
    return this.transfer(`scp ${localPath} ${remotePath}`, options, async (sftp) => {
      const local = await stat(localPath).catch(() => undefined);
      if (local === undefined)
        throw scpFailure(`stat local "${localPath}": No such file or directory`);
      if (local.isDirectory())
        throw scpFailure(
          `local "${localPath}" is a directory (copying directories is not supported)`,
        );
      // scp into an existing directory keeps the file's name.
      const remote = await sftpStat(sftp, remotePath);
      const target = remote?.isDirectory()
        ? posix.join(remotePath, basename(localPath))
        : remotePath;
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(localPath, target, (e) => (e ? reject(sftpFailure(e, target)) : resolve())),
      );
    });
  }

  download(remotePath: string, localPath: string, options: SshTransferOptions): Promise<void> {
    return this.transfer(`scp ${remotePath} ${localPath}`, options, async (sftp) => {
      const remote = await sftpStat(sftp, remotePath);
      if (remote === undefined) throw scpFailure(`${remotePath}: No such file or directory`);
      if (remote.isDirectory()) throw scpFailure(`${remotePath}: not a regular file`);
      const local = await stat(localPath).catch(() => undefined);
      const target = local?.isDirectory() ? join(localPath, posix.basename(remotePath)) : localPath;
      await new Promise<void>((resolve, reject) =>
        sftp.fastGet(remotePath, target, (e) =>
          e ? reject(sftpFailure(e, remotePath)) : resolve(),
        ),
      );
    });
  }

  /** Opens SFTP, runs `body`, and turns failures into `SshCommandError` (as `scp` exits 1). */
  private transfer(
    what: string,
    options: SshTransferOptions,
    body: (sftp: SFTPWrapper) => Promise<void>,
  ): Promise<void> {
    const target = `${this.target.user}@${this.target.host}`;
    let sftpChannel: SFTPWrapper | undefined;
    const guard: OperationGuard = {
      signal: options.signal,
      aborted: "the copy was aborted",
      timeout: options.timeout,
      timedOut: () =>
        new SshError(
          "timeout",
          `ssh: copy to/from ${this.target.host} did not finish within ${options.timeout} ms`,
        ),
      client: { client: this.client, target: this.target },
      cleanup: () => sftpChannel?.end(),
    };
    return settleOnce<void>(guard, (finish) => {
      this.client.sftp((err, sftp) => {
        if (err) {
          finish(
            new SshError("protocol", `ssh: ${target}: cannot start SFTP: ${err.message}`, {
              cause: err,
            }),
          );
          return;
        }
        sftpChannel = sftp;
        body(sftp).then(
          () => finish(undefined),
          (e: unknown) =>
            finish(
              e instanceof ScpFailure
                ? new SshCommandError(what, target, {
                    code: 1,
                    stdout: "",
                    stderr: `scp: ${e.message}\n`,
                  })
                : (e as Error),
            ),
        );
      });
    });
  }
}

/** A copy failure reported the way `scp` prints it. */
class ScpFailure extends Error {}

function scpFailure(message: string): ScpFailure {
  return new ScpFailure(message);
}

function sftpFailure(e: Error & { code?: number }, path: string): ScpFailure {
  // SFTP status codes: 2 no such file, 3 permission denied (OpenSSH's texts).
  if (e.code === 2) return scpFailure(`${path}: No such file or directory`);
  if (e.code === 3) return scpFailure(`${path}: Permission denied`);
  return scpFailure(`${path}: ${e.message}`);
}

function sftpStat(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
  return new Promise((resolve) => sftp.stat(path, (err, st) => resolve(err ? undefined : st)));
}

/**
 * Logs in to `target`, over `sock` when given (a channel through a jump
 * host) instead of a TCP connection of its own.
 */
async function login(
  target: SshTarget,
  auth: SshAuth,
  options: SshConnectOptions,
  sock?: Duplex,
): Promise<ClientType> {
  const keys = await privateKeys(auth);
  const methods: AnyAuthMethod[] = keys.map((key) => ({
    type: "publickey",
    username: target.user,
    key,
  }));
  const agent = auth.agent === undefined ? process.env.SSH_AUTH_SOCK : auth.agent;
  if (agent) methods.push({ type: "agent", username: target.user, agent });
  if (auth.password !== undefined) {
    methods.push({ type: "password", username: target.user, password: auth.password });
  }
  const { signal } = options;
  if (signal?.aborted) throw new AbortError("manual provisioning was aborted");
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const done = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (err) {
        client.destroy();
        reject(err);
      } else resolve(client);
    };
    const onAbort = () => done(new AbortError("manual provisioning was aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    let hostKeyRejected = false;
    client.on("ready", () => done(undefined));
    client.on("error", (e: Error & { level?: string }) => {
      // An agent without keys (or socket) only means the next method is tried.
      if (e.level === "agent") return;
      if (hostKeyRejected) {
        done(
          new SshError("host key", `ssh: host key of ${target.host} was rejected`, { cause: e }),
        );
      } else done(classify(e, target));
    });
    client.on("close", () =>
      done(new SshError("unreachable", `ssh: connection to ${target.host} closed before login`)),
    );
    const config: Parameters<ClientType["connect"]>[0] = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: options.timeout,
      authHandler: methods,
    };
    if (sock !== undefined) config.sock = sock;
    const verify = options.hostVerifier;
    if (verify) {
      config.hostVerifier = (key: Buffer) => {
        const ok = verify(new Uint8Array(key));
        hostKeyRejected = !ok;
        return ok;
      };
    }
    try {
      client.connect(config);
    } catch (e) {
      done(classify(e as Error, target));
    }
  });
}

/** The `ssh2`-based {@link SshConnector}, which can also go through a jump host. */
export const ssh2Connector: SshProxyConnector = {
  async connect(target: SshTarget, auth: SshAuth, options: SshConnectOptions): Promise<SshSession> {
    return new Ssh2Session(await login(target, auth, options), target);
  },

  async connectThrough(
    jump: SshTarget,
    target: SshTarget,
    auth: SshAuth,
    options: SshConnectOptions,
  ): Promise<SshSession> {
    const hop = await login(jump, auth, options);
    try {
      // A direct-tcpip channel from the jump host to the target (OpenSSH's -J).
      // The channel open shares the connect budget: a jump host that never answers is a timeout.
      const guard: OperationGuard = {
        signal: options.signal,
        aborted: "manual provisioning was aborted",
        timeout: options.timeout,
        timedOut: () =>
          new SshError(
            "timeout",
            `ssh: jump host ${jump.host} did not open ${target.host}:${target.port} within ${options.timeout} ms`,
          ),
      };
      const channel = await settleOnce<ClientChannel>(guard, (finish) => {
        hop.forwardOut("127.0.0.1", 0, target.host, target.port, (err, stream) =>
          err
            ? finish(
                new SshError(
                  "unreachable",
                  `ssh: jump host ${jump.host} refused to open ${target.host}:${target.port}: ${err.message}`,
                  { cause: err },
                ),
              )
            : finish(undefined, stream),
        );
      });
      const client = await login(target, auth, options, channel);
      return new Ssh2Session(client, target, hop);
    } catch (e) {
      hop.end();
      throw e;
    }
  },

  async authorizedKeys(auth: SshAuth): Promise<string> {
    const lines: string[] = [];
    // The key given for this provisioning must open the ubuntu login afterwards.
    for (const k of await privateKeys({ ...auth, defaultKeys: false })) {
      lines.push(`${k.type} ${k.getPublicSSH().toString("base64")}`);
    }
    // common.ReadAuthorizedKeys: the user's public keys and Juju's client key.
    const files = [
      ...["id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"].map((n) => join(homedir(), ".ssh", n)),
      join(jujuDataDir(), "ssh", "juju_id_rsa.pub"),
    ];
    for (const f of files) {
      const text = (await readOptional(f))?.trim();
      if (text) lines.push(text);
    }
    return [...new Set(lines)].join("\n");
  },

  defaultUser(): string {
    try {
      return userInfo().username;
    } catch {
      return process.env.USER ?? "ubuntu";
    }
  },
};

/**
 * The simulated machines' sshd: an embedded SSH server (on the `ssh2`
 * package) so that `unit.ssh()`, `scpTo` / `scpFrom`, python-libjuju's
 * `ssh` / `scp` and plain OpenSSH reach a simulated machine the way they
 * reach a real one — at the machine's address, as `ubuntu`, with a key
 * the model authorises.
 *
 * How it differs from Juju, honestly:
 * - With ssh enabled the simulator hands out loopback machine addresses
 *   (`127.X.Y.Z`, one random `127.X.Y.0/24` block per simulator; scope
 *   `local-cloud`, so `dnsName` / `public-address` pick them) and listens on
 *   each one as soon as it is assigned. Real machines answer on port 22;
 *   here every machine of a simulator answers on one port, 22 when the
 *   simulator may bind it (`ssh: {port: 22}` as root), otherwise a free one
 *   that {@link SimSshServer.port} reports and clients must be told
 *   (`{port}` / `ssh -p`).
 * - Logins: user `ubuntu` only, public keys only; the keys are the model's
 *   `authorized-keys` (what KeyManager manages) plus the Juju client's own
 *   key (`$JUJU_DATA/ssh/juju_id_rsa.pub`, which `juju bootstrap` puts on
 *   every machine).
 * - Commands run in the simulated shell of `exec-sim.ts` (nothing runs on
 *   the host); `cat` there reads the machine's in-memory files.
 * - Files: the SFTP subsystem over a per-machine in-memory filesystem
 *   (`ssh-server-fs.ts`). OpenSSH's `scp` speaks SFTP since 9.0, and the
 *   `ssh2` client has no other file transfer; the legacy `scp -t` / `-f`
 *   protocol (OpenSSH < 9.0, `scp -O`) is served too (`ssh-server-scp.ts`).
 *   Writable: `/home/ubuntu` and `/tmp`.
 * - No interactive shell, port forwarding or agent forwarding on machines.
 * - The controller's jump host ({@link SimSshServer.listenJumpHost}, for
 *   `juju ssh --proxy`) listens on the controller's API host at the same
 *   port, logs in the same way (the controller model's keys and the client
 *   key) and only opens `direct-tcpip` channels to a live machine's address
 *   at the machine port; it runs no commands (Juju's controller machine
 *   would, and its ProxyCommand runs `nc` there).
 * @module
 */
import { readFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import ssh2, {
  type AuthContext,
  type Connection,
  type ParsedKey,
  type Server as ServerType,
  type SFTPWrapper,
} from "ssh2";
import { simulateExec } from "./exec-sim.js";
import { type FsAttrs, FsError, type FsNode, MachineFs, normalisePath } from "./ssh-server-fs.js";
import { parseScpCommand, serveScp } from "./ssh-server-scp.js";
import type { ControllerStore } from "./store.js";

// ssh2 is CommonJS: Node's ESM loader cannot see its named exports.
const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** The only login on simulated machines (Juju's machines are reached as `ubuntu`). */
export const SSH_USER = "ubuntu";
const HOME = "/home/ubuntu";
const UBUNTU_UID = 1000;

/** What the server needs to know about the machine at an address. */
export interface SshMachine {
  /** The machine's hostname (`hostname` prints it). */
  hostname: string;
  /** OpenSSH public key lines allowed to log in (the model's `authorized-keys`). */
  authorizedKeys(): string[];
  /** Identifies the machine: its files live as long as the server under this key. */
  key: string;
}

/** Options of {@link SimSshServer.start}. */
export interface SimSshServerOptions {
  /** Port every machine address listens on; 0 (the default) picks a free one. */
  port?: number;
  /** The machine at an address, or undefined when none has it (any more). */
  resolve(address: string): SshMachine | undefined;
  /** Largest total file content per machine. Default 64 MiB. */
  maxBytesPerMachine?: number;
}

/** One random `127.X.Y.0/24` block, away from `127.0.0.0/16` (where `127.0.0.1` and `127.0.1.1` live). */
function randomBlock(): [number, number] {
  const r = new Uint8Array(2);
  crypto.getRandomValues(r);
  return [1 + ((r[0] as number) % 254), r[1] as number];
}

/** The embedded sshd of a simulator's machines. */
export class SimSshServer {
  /** The host key's public half, as an OpenSSH `known_hosts` key (`ssh-ed25519 AAAA…`). */
  readonly hostPublicKey: string;
  private readonly hostKey: string;
  private readonly servers = new Map<string, ServerType>();
  private readonly connections = new Set<Connection>();
  private readonly files = new Map<string, MachineFs>();
  private jumpServer: ServerType | undefined;
  private readonly clientKeys = new Set<string>();
  /** Addresses whose listener failed, with why (the machine is unreachable, as a host without sshd). */
  readonly listenErrors = new Map<string, Error>();
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly opts: SimSshServerOptions,
    private readonly block: [number, number],
    /** The port every machine listens on. */
    readonly port: number,
    hostKey: { private: string; public: string },
    private readonly probe: ServerType,
  ) {
    this.hostKey = hostKey.private;
    this.hostPublicKey = hostKey.public.trim();
  }

  /**
   * Starts the server: picks the address block and binds the port on its
   * `.1` address (kept open, so the port stays the simulator's).
   */
  static async start(opts: SimSshServerOptions): Promise<SimSshServer> {
    const hostKey = utils.generateKeyPairSync("ed25519");
    for (let attempt = 0; ; attempt++) {
      const block = randomBlock();
      const probe = new Server({ hostKeys: [hostKey.private] }, (c) => c.end());
      try {
        const port = await listen(probe, `127.${block[0]}.${block[1]}.1`, opts.port ?? 0);
        return new SimSshServer(opts, block, port, hostKey, probe);
      } catch (e) {
        // Another simulator holds this block's port (only with a fixed port): try another block.
        if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 8) throw e;
      }
    }
  }

  /**
   * The next machine address, listening already (the bind completes
   * before any client can learn the address from a delta).
   */
  allocate(): string {
    const n = this.seq++;
    const [x, y] = this.block;
    // .1 is the probe; 253 machines per /24, then the next /24.
    const address = `127.${x}.${(y + Math.floor(n / 253)) % 256}.${2 + (n % 253)}`;
    if (!this.closed) this.listenOn(address);
    return address;
  }

  private listenOn(address: string): void {
    const server = new Server({ hostKeys: [this.hostKey] }, (client) =>
      this.serve(client, address),
    );
    this.servers.set(address, server);
    listen(server, address, this.port).catch((e: Error) => {
      this.servers.delete(address);
      this.listenErrors.set(address, e);
    });
  }

  /**
   * Trusts the Juju client key of a `JUJU_DATA` directory
   * (`ssh/juju_id_rsa.pub`) on every machine, as bootstrap installs it.
   */
  async trustClientKeyFrom(jujuData: string): Promise<void> {
    const text = await readFile(join(jujuData, "ssh", "juju_id_rsa.pub"), "utf8");
    for (const line of text.split("\n")) if (line.trim() !== "") this.clientKeys.add(line.trim());
  }

  /** The in-memory filesystem of a machine (created on first use). */
  filesOf(machineKey: string): MachineFs {
    let fs = this.files.get(machineKey);
    if (fs === undefined) {
      fs = new MachineFs(
        this.opts.maxBytesPerMachine === undefined
          ? {}
          : { maxBytes: this.opts.maxBytesPerMachine },
      );
      this.files.set(machineKey, fs);
    }
    return fs;
  }

  /** Stops listening and ends every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.end();
    const all = [this.probe, ...this.servers.values()];
    if (this.jumpServer !== undefined) all.push(this.jumpServer);
    this.servers.clear();
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /**
   * Starts the controller's jump host on `address` (the API host) at the
   * machines' port. Logins: `ubuntu` with the client key or one of
   * `authorizedKeys()` (the controller model's). It only forwards: a
   * `direct-tcpip` channel to a live machine's address at the machine port
   * is opened, anything else refused, as a jump host policy would. When
   * the address cannot be bound the error is kept in {@link listenErrors}.
   */
  async listenJumpHost(address: string, authorizedKeys: () => string[]): Promise<void> {
    if (this.closed || this.jumpServer !== undefined) return;
    const controller: SshMachine = { hostname: "controller", key: "controller", authorizedKeys };
    const server = new Server({ hostKeys: [this.hostKey] }, (client) => {
      this.connections.add(client);
      client.on("close", () => this.connections.delete(client));
      client.on("error", () => this.connections.delete(client));
      client.on("authentication", (ctx) => this.authenticate(controller, ctx));
      client.on("ready", () => {
        client.on("session", (_accept, reject) => reject());
        client.on("tcpip", (accept, reject, info) => {
          if (info.destPort !== this.port || this.opts.resolve(info.destIP) === undefined) {
            reject();
            return;
          }
          const channel = accept();
          const socket = tcpConnect(this.port, info.destIP);
          socket.on("error", () => channel.close());
          channel.on("error", () => socket.destroy());
          channel.pipe(socket).pipe(channel);
        });
      });
    });
    // A port already taken there (a host sshd on :22) leaves the controller unreachable, as listenErrors says.
    try {
      await listen(server, address, this.port);
      this.jumpServer = server;
    } catch (e) {
      this.listenErrors.set(address, e as Error);
    }
  }

  // ---- one connection ----

  private serve(client: Connection, address: string): void {
    const machine = this.opts.resolve(address);
    // An address no machine has any more: the host is gone.
    if (machine === undefined) {
      client.end();
      return;
    }
    this.connections.add(client);
    client.on("close", () => this.connections.delete(client));
    client.on("error", () => this.connections.delete(client));
    client.on("authentication", (ctx) => this.authenticate(machine, ctx));
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("pty", (accept) => accept?.());
        session.on("env", (accept) => accept?.());
        session.on("exec", (accept, _reject, info) => {
          const stream = accept();
          const fs = this.filesOf(machine.key);
          // `scp -t` / `scp -f`: the legacy scp protocol (OpenSSH < 9.0, `scp -O`).
          const scp = parseScpCommand(info.command);
          if (scp !== undefined) {
            void serveScp(scp, stream, fs, HOME, UBUNTU_UID, writable);
            return;
          }
          const r = simulateExec(info.command, {
            hostname: machine.hostname,
            user: SSH_USER,
            readFile: (p) => {
              try {
                return fs.readFile(normalisePath(p, HOME)).toString("utf8");
              } catch {
                return undefined;
              }
            },
          });
          // The command's input is not read: drain it so the client can finish writing.
          stream.on("data", () => {});
          if (r.stdout) stream.write(r.stdout);
          if (r.stderr) stream.stderr.write(r.stderr);
          stream.exit(r.code);
          stream.end();
        });
        session.on("sftp", (accept) => serveSftp(accept(), this.filesOf(machine.key)));
        session.on("shell", (_accept, reject) => reject());
        session.on("subsystem", (_accept, reject) => reject());
      });
    });
  }

  /** `ubuntu` with a public key the machine authorises. */
  private authenticate(machine: SshMachine, ctx: AuthContext): void {
    if (ctx.method !== "publickey" || ctx.username !== SSH_USER) {
      ctx.reject(["publickey"]);
      return;
    }
    const key = this.allowedKey(machine, ctx.key.data);
    if (key === undefined) {
      ctx.reject(["publickey"]);
      return;
    }
    // Without a signature the client only asks whether the key would do.
    if (ctx.signature === undefined || ctx.blob === undefined) {
      ctx.accept();
      return;
    }
    if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) ctx.accept();
    else ctx.reject(["publickey"]);
  }

  private allowedKey(machine: SshMachine, blob: Buffer): ParsedKey | undefined {
    for (const line of [...machine.authorizedKeys(), ...this.clientKeys]) {
      const parsed = utils.parseKey(line);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (key === undefined || key instanceof Error) continue;
      if (key.getPublicSSH().equals(blob)) return key;
    }
    return undefined;
  }
}

function listen(server: ServerType, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.removeListener("error", onError);
      const a = server.address();
      resolve(typeof a === "object" && a !== null ? a.port : port);
    });
  });
}

// ---- SFTP over the in-memory filesystem ----

interface OpenFile {
  path: string;
  node: FsNode;
  append: boolean;
}
interface OpenDir {
  path: string;
  done: boolean;
}

/** `ls -l`-style long name of an entry (OpenSSH's sftp client prints it). */
function longName(name: string, a: FsAttrs): string {
  const perm = a.mode & 0o777;
  const bits = "rwxrwxrwx"
    .split("")
    .map((c, i) => (perm & (0o400 >> i) ? c : "-"))
    .join("");
  const type = (a.mode & 0o170000) === 0o040000 ? "d" : "-";
  const who = a.uid === UBUNTU_UID ? "ubuntu" : "root";
  const date = new Date(a.mtime * 1000).toISOString().slice(0, 16).replace("T", " ");
  return `${type}${bits}    1 ${who.padEnd(8)} ${who.padEnd(8)} ${String(a.size).padStart(8)} ${date} ${name}`;
}

/** Whether `ubuntu` may create or change things at `path` (its home and `/tmp`). */
function writable(path: string): boolean {
  return (
    path === HOME || path.startsWith(`${HOME}/`) || path === "/tmp" || path.startsWith("/tmp/")
  );
}

function statusOf(e: unknown): [number, string] {
  if (e instanceof FsError) {
    if (e.kind === "ENOENT") return [STATUS_CODE.NO_SUCH_FILE, "No such file"];
    return [STATUS_CODE.FAILURE, e.message];
  }
  return [STATUS_CODE.FAILURE, "Failure"];
}

function serveSftp(sftp: SFTPWrapper, fs: MachineFs): void {
  const handles = new Map<number, OpenFile | OpenDir>();
  let nextHandle = 0;
  const newHandle = (h: OpenFile | OpenDir): Buffer => {
    const id = nextHandle++;
    handles.set(id, h);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return b;
  };
  const lookup = (handle: Buffer): OpenFile | OpenDir | undefined =>
    handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined;
  const fail = (reqId: number, e: unknown) => {
    const [code, msg] = statusOf(e);
    sftp.status(reqId, code, msg);
  };
  const denied = (reqId: number) =>
    sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, "Permission denied");
  const abs = (p: string) => normalisePath(p, HOME);
  // The client's EOF ends the subsystem: sshd reports sftp-server's exit
  // status 0, then closes the channel. OpenSSH's scp exits with that status
  // (-1 without it, a failure), and ssh2's SFTP object has no public exit():
  // its channel fields are those of ssh2's Channel.
  sftp.on("end", () => {
    const ch = sftp as unknown as {
      _protocol?: { exitStatus(id: number, status: number): void };
      outgoing?: { id: number; state: string };
    };
    if (ch.outgoing?.state === "open") ch._protocol?.exitStatus(ch.outgoing.id, 0);
    sftp.end();
  });

  sftp.on("REALPATH", (reqId, path) => {
    const p = abs(path);
    sftp.name(reqId, [{ filename: p, longname: p, attrs: {} as FsAttrs }]);
  });
  const onStat = (reqId: number, path: string) => {
    try {
      sftp.attrs(reqId, fs.stat(abs(path)));
    } catch (e) {
      fail(reqId, e);
    }
  };
  sftp.on("STAT", onStat);
  sftp.on("LSTAT", onStat);
  sftp.on("OPEN", (reqId, filename, flags, attrs) => {
    const path = abs(filename);
    const write = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND)) !== 0;
    try {
      let node: FsNode;
      if (write) {
        if (!writable(path)) {
          denied(reqId);
          return;
        }
        node = fs.openFile(
          path,
          {
            create: (flags & OPEN_MODE.CREAT) !== 0,
            exclusive: (flags & OPEN_MODE.EXCL) !== 0,
            truncate: (flags & OPEN_MODE.TRUNC) !== 0,
          },
          UBUNTU_UID,
        );
        if ((flags & OPEN_MODE.CREAT) !== 0 && typeof attrs?.mode === "number") {
          fs.setAttrs(path, { mode: attrs.mode });
        }
      } else {
        if (path === "/root" || path.startsWith("/root/")) {
          denied(reqId);
          return;
        }
        fs.readFile(path);
        node = fs.get(path) as FsNode;
      }
      sftp.handle(reqId, newHandle({ path, node, append: (flags & OPEN_MODE.APPEND) !== 0 }));
    } catch (e) {
      fail(reqId, e);
    }
  });
  sftp.on("READ", (reqId, handle, offset, len) => {
    const h = lookup(handle);
    if (h === undefined || !("node" in h)) {
      sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
      return;
    }
    if (offset >= h.node.data.length) {
      sftp.status(reqId, STATUS_CODE.EOF);
      return;
    }
    sftp.data(reqId, h.node.data.subarray(offset, offset + len));
  });
  sftp.on("WRITE", (reqId, handle, offset, data) => {
    const h = lookup(handle);
    if (h === undefined || !("node" in h)) {
      sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
      return;
    }
    try {
      fs.write(h.node, h.append ? h.node.data.length : offset, data, h.path);
      sftp.status(reqId, STATUS_CODE.OK);
    } catch (e) {
      fail(reqId, e);
    }
  });
  sftp.on("FSTAT", (reqId, handle) => {
    const h = lookup(handle);
    if (h === undefined) sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
    else onStat(reqId, h.path);
  });
  const setStat = (reqId: number, path: string, attrs: Partial<FsAttrs>) => {
    if (!writable(path)) {
      denied(reqId);
      return;
    }
    try {
      const change: Parameters<MachineFs["setAttrs"]>[1] = {};
      if (typeof attrs.mode === "number") change.mode = attrs.mode;
      if (typeof attrs.size === "number") change.size = attrs.size;
      if (typeof attrs.atime === "number") change.atime = attrs.atime;
      if (typeof attrs.mtime === "number") change.mtime = attrs.mtime;
      fs.setAttrs(path, change);
      sftp.status(reqId, STATUS_CODE.OK);
    } catch (e) {
      fail(reqId, e);
    }
  };
  sftp.on("SETSTAT", (reqId, path, attrs) => setStat(reqId, abs(path), attrs));
  sftp.on("FSETSTAT", (reqId, handle, attrs) => {
    const h = lookup(handle);
    if (h === undefined) sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
    else setStat(reqId, h.path, attrs);
  });
  sftp.on("CLOSE", (reqId, handle) => {
    if (lookup(handle) === undefined) {
      sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
      return;
    }
    handles.delete(handle.readUInt32BE(0));
    sftp.status(reqId, STATUS_CODE.OK);
  });
  sftp.on("OPENDIR", (reqId, path) => {
    const p = abs(path);
    try {
      fs.list(p);
      sftp.handle(reqId, newHandle({ path: p, done: false }));
    } catch (e) {
      fail(reqId, e);
    }
  });
  sftp.on("READDIR", (reqId, handle) => {
    const h = lookup(handle);
    if (h === undefined || !("done" in h)) {
      sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
      return;
    }
    if (h.done) {
      sftp.status(reqId, STATUS_CODE.EOF);
      return;
    }
    h.done = true;
    try {
      const names = [".", "..", ...fs.list(h.path)].map((name) => {
        const full =
          name === "." ? h.path : name === ".." ? normalisePath("..", h.path) : `${h.path}/${name}`;
        const attrs = fs.stat(full.replace(/^\/\//, "/"));
        return { filename: name, longname: longName(name, attrs), attrs };
      });
      sftp.name(reqId, names);
    } catch (e) {
      fail(reqId, e);
    }
  });
  const mutate = (reqId: number, path: string, op: () => void) => {
    if (!writable(path)) {
      denied(reqId);
      return;
    }
    try {
      op();
      sftp.status(reqId, STATUS_CODE.OK);
    } catch (e) {
      fail(reqId, e);
    }
  };
  sftp.on("MKDIR", (reqId, path, attrs) => {
    const p = abs(path);
    mutate(reqId, p, () =>
      fs.mkdir(p, UBUNTU_UID, typeof attrs?.mode === "number" ? attrs.mode : 0o755),
    );
  });
  sftp.on("RMDIR", (reqId, path) => {
    const p = abs(path);
    mutate(reqId, p, () => fs.rmdir(p));
  });
  sftp.on("REMOVE", (reqId, path) => {
    const p = abs(path);
    mutate(reqId, p, () => fs.unlink(p));
  });
  sftp.on("RENAME", (reqId, from, to) => {
    const [a, b] = [abs(from), abs(to)];
    if (!writable(a)) {
      denied(reqId);
      return;
    }
    mutate(reqId, b, () => fs.rename(a, b));
  });
  for (const unsupported of ["READLINK", "SYMLINK"] as const) {
    sftp.on(unsupported, (reqId: number) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED));
  }
}

/** The controller model's `authorized-keys` (who may log in to the controller's jump host). */
export function storeControllerKeys(store: ControllerStore): () => string[] {
  return () => {
    for (const model of store.models.values()) {
      if (!model.isController) continue;
      return String(model.config.get("authorized-keys")?.value ?? "")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
    }
    return [];
  };
}

/** The machine of any model of `store` that has `address` (the machine's model keys authorise logins). */
export function storeMachineResolver(store: ControllerStore): SimSshServerOptions["resolve"] {
  return (address) => {
    for (const model of store.models.values()) {
      for (const m of model.state.machines.values()) {
        if (!m.addresses.includes(address) || m.life === "dead") continue;
        return {
          hostname: m.hostname || m.instanceId,
          key: `${model.uuid}/${m.id}`,
          authorizedKeys: () =>
            String(model.config.get("authorized-keys")?.value ?? "")
              .split("\n")
              .map((l) => l.trim())
              .filter((l) => l !== "" && !l.startsWith("#")),
        };
      }
    }
    return undefined;
  };
}

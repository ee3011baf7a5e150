/**
 * The legacy scp protocol (`scp -t` sink and `scp -f` source, run by the
 * client as a remote command) over a simulated machine's in-memory files:
 * what OpenSSH before 9.0 (Ubuntu 22.04 ships 8.9) and `scp -O` speak, so
 * python-libjuju's `scp_to` / `scp_from` work from those hosts too. Messages
 * follow OpenSSH's `scp.c`: `C<mode> <size> <name>`, `D…`/`E` (with `-r`),
 * `T<mtime> 0 <atime> 0` (with `-p`), each acknowledged by a zero byte; an
 * error is `\x01scp: <message>\n` and a final exit status 1.
 * @module
 */
import type { ServerChannel } from "ssh2";
import { words } from "./exec-sim.js";
import { FsError, type MachineFs, normalisePath } from "./ssh-server-fs.js";

/** A parsed `scp -t` / `scp -f` remote command. */
interface ScpCommand {
  mode: "sink" | "source";
  recursive: boolean;
  preserve: boolean;
  targetIsDir: boolean;
  path: string;
}

/** The remote scp command in `command`, or undefined when it is not one. */
export function parseScpCommand(command: string): ScpCommand | undefined {
  const w = words(command);
  if (w[0] !== "scp") return undefined;
  let mode: ScpCommand["mode"] | undefined;
  let recursive = false;
  let preserve = false;
  let targetIsDir = false;
  const paths: string[] = [];
  let opts = true;
  for (const a of w.slice(1)) {
    if (opts && a === "--") opts = false;
    else if (opts && a.startsWith("-") && a.length > 1) {
      for (const f of a.slice(1)) {
        if (f === "t") mode = "sink";
        else if (f === "f") mode = "source";
        else if (f === "r") recursive = true;
        else if (f === "p") preserve = true;
        else if (f === "d") targetIsDir = true;
        // -v, -q and the like change nothing here.
      }
    } else paths.push(a);
  }
  if (mode === undefined || paths.length !== 1) return undefined;
  return { mode, recursive, preserve, targetIsDir, path: paths[0] as string };
}

/** Buffered reads from the client's side of the channel. */
class Input {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(stream: ServerChannel) {
    stream.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      if (this.ended) return false;
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
    return true;
  }

  /** `n` bytes, or undefined at end of input. */
  async bytes(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One line without its newline, or undefined at end of input. */
  async line(): Promise<string | undefined> {
    for (;;) {
      const i = this.buf.indexOf(10);
      if (i >= 0) {
        const text = this.buf.subarray(0, i).toString("utf8");
        this.buf = this.buf.subarray(i + 1);
        return text;
      }
      if (!(await this.fill(this.buf.length + 1))) return undefined;
    }
  }
}

const ACK = Buffer.from([0]);

function describe(e: unknown, path: string): string {
  if (e instanceof FsError) {
    return e.message;
  }
  return `${path}: ${(e as Error).message}`;
}

/**
 * Runs a legacy scp command on `fs` over `stream`, then exits the channel
 * (0, or 1 after an error). `writable` says where the login may write.
 */
export async function serveScp(
  cmd: ScpCommand,
  stream: ServerChannel,
  fs: MachineFs,
  home: string,
  uid: number,
  writable: (path: string) => boolean,
): Promise<void> {
  const input = new Input(stream);
  let failed = false;
  const warn = (message: string) => {
    failed = true;
    stream.write(Buffer.from(`\x01scp: ${message}\n`));
  };
  const target = normalisePath(cmd.path, home);
  try {
    if (cmd.mode === "sink") await sink(cmd, target, input, stream, fs, uid, writable, warn);
    else await source(cmd, target, input, stream, fs, warn);
  } catch (e) {
    warn(describe(e, cmd.path));
  }
  stream.exit(failed ? 1 : 0);
  stream.end();
}

async function sink(
  cmd: ScpCommand,
  target: string,
  input: Input,
  stream: ServerChannel,
  fs: MachineFs,
  uid: number,
  writable: (path: string) => boolean,
  warn: (m: string) => void,
): Promise<void> {
  const targetNode = fs.get(target);
  const intoDir = targetNode?.kind === "dir";
  if (cmd.targetIsDir && !intoDir) {
    warn(`${cmd.path}: Not a directory`);
    return;
  }
  const dirs: string[] = [];
  stream.write(ACK);
  let times: { mtime: number; atime: number } | undefined;
  for (;;) {
    const line = await input.line();
    if (line === undefined) return;
    const kind = line[0];
    if (kind === "\x01" || kind === "\x02") continue; // the client's own error report
    if (kind === "T") {
      const m = /^T(\d+) \d+ (\d+) \d+$/.exec(line);
      times = m ? { mtime: Number(m[1]), atime: Number(m[2]) } : undefined;
      stream.write(ACK);
      continue;
    }
    if (kind === "E") {
      dirs.pop();
      stream.write(ACK);
      continue;
    }
    const m = /^([CD])([0-7]{4}) (\d+) (.+)$/.exec(line);
    if (m === null || (m[4] as string).includes("/") || m[4] === ".." || m[4] === ".") {
      warn(`protocol error: unexpected <${JSON.stringify(line)}>`);
      return;
    }
    const [, type, modeText, sizeText, name] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const parent = dirs.at(-1) ?? (intoDir ? target : undefined);
    const path = parent === undefined ? target : parent === "/" ? `/${name}` : `${parent}/${name}`;
    const mode = Number.parseInt(modeText, 8);
    if (type === "D") {
      if (!cmd.recursive) {
        warn("received directory without -r");
        return;
      }
      try {
        if (!writable(path)) throw new Error("Permission denied");
        if (fs.get(path)?.kind !== "dir") fs.mkdir(path, uid, mode);
        dirs.push(path);
        stream.write(ACK);
      } catch (e) {
        warn(e instanceof FsError ? e.message : `${path}: ${(e as Error).message}`);
        return;
      }
      continue;
    }
    const size = Number(sizeText);
    let problem: string | undefined;
    if (!writable(path)) problem = `${path}: Permission denied`;
    if (problem !== undefined) {
      // OpenSSH's source skips a file the sink refuses at its `C` line.
      warn(problem);
      continue;
    }
    stream.write(ACK);
    const data = await input.bytes(size + 1);
    if (data === undefined) return;
    try {
      const node = fs.openFile(path, { create: true, exclusive: false, truncate: true }, uid);
      fs.write(node, 0, data.subarray(0, size), path);
      fs.setAttrs(path, { mode, ...(cmd.preserve && times ? times : {}) });
      stream.write(ACK);
    } catch (e) {
      warn(describe(e, path));
    }
    times = undefined;
  }
}

async function source(
  cmd: ScpCommand,
  target: string,
  input: Input,
  stream: ServerChannel,
  fs: MachineFs,
  warn: (m: string) => void,
): Promise<void> {
  // The client says it is ready with a zero byte.
  if ((await input.bytes(1)) === undefined) return;
  const node = fs.get(target);
  if (node === undefined || target === "/root" || target.startsWith("/root/")) {
    warn(
      node === undefined
        ? `${cmd.path}: No such file or directory`
        : `${cmd.path}: Permission denied`,
    );
    return;
  }
  if (node.kind === "dir") {
    warn(`${cmd.path}: not a regular file`);
    return;
  }
  const expectAck = async (): Promise<boolean> => {
    const b = await input.bytes(1);
    if (b === undefined || b[0] !== 0) {
      if (b !== undefined) await input.line(); // the client's message
      return false;
    }
    return true;
  };
  if (cmd.preserve) {
    stream.write(`T${node.mtime} 0 ${node.atime} 0\n`);
    if (!(await expectAck())) return;
  }
  const name = target.slice(target.lastIndexOf("/") + 1);
  const mode = (node.perm & 0o7777).toString(8).padStart(4, "0");
  stream.write(`C${mode} ${node.data.length} ${name}\n`);
  if (!(await expectAck())) return;
  stream.write(Buffer.from(node.data));
  stream.write(ACK);
  await expectAck();
}

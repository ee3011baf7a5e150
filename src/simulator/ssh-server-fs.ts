/**
 * The in-memory filesystem of one simulated machine: what `scp` (SFTP)
 * writes there and reads back, and what the simulated shell's `cat` and
 * `ls` see. Nothing touches the host's disk. Paths are POSIX; relative
 * paths resolve against the login user's home, as sshd's SFTP server does.
 * @module
 */

/** File type bits of `st_mode`, as SFTP attributes carry them. */
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** Why a filesystem operation failed (the errno an OpenSSH sftp-server would map). */
export type FsErrorKind = "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "ENOSPC";

/** A failed filesystem operation; `kind` is the errno name. */
export class FsError extends Error {
  constructor(
    readonly kind: FsErrorKind,
    readonly path: string,
  ) {
    const text: Record<FsErrorKind, string> = {
      ENOENT: "No such file or directory",
      EEXIST: "File exists",
      ENOTDIR: "Not a directory",
      EISDIR: "Is a directory",
      ENOTEMPTY: "Directory not empty",
      ENOSPC: "No space left on device",
    };
    super(`${path}: ${text[kind]}`);
    this.name = "FsError";
  }
}

/** One file or directory. */
export interface FsNode {
  kind: "file" | "dir";
  /** Permission bits (without the type). */
  perm: number;
  /** File content (empty for directories). */
  data: Buffer;
  /** Seconds since the epoch. */
  mtime: number;
  atime: number;
  uid: number;
  gid: number;
}

/** `stat` as SFTP attributes: mode with the type bits, sizes, times. */
export interface FsAttrs {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atime: number;
  mtime: number;
}

/** Normalises `path` (absolute, or relative to `cwd`): no `.`/`..`, no trailing slash. */
export function normalisePath(path: string, cwd: string): string {
  const parts: string[] = [];
  const full = path.startsWith("/") ? path : `${cwd}/${path}`;
  for (const p of full.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Options of {@link MachineFs}. */
export interface MachineFsOptions {
  /** Largest total file content in bytes; writes beyond it fail with ENOSPC. Default 64 MiB. */
  maxBytes?: number;
  /** Seconds since the epoch, for new nodes. Default: `Date.now()`. */
  now?: () => number;
}

/** The filesystem of one machine: `/`, `/home/ubuntu` (uid 1000), `/tmp`, `/root`. */
export class MachineFs {
  private readonly nodes = new Map<string, FsNode>();
  private used = 0;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(options: MachineFsOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.put("/", "dir", 0o755, 0);
    this.put("/home", "dir", 0o755, 0);
    this.put("/home/ubuntu", "dir", 0o750, 1000);
    this.put("/root", "dir", 0o700, 0);
    this.put("/tmp", "dir", 0o1777, 0);
  }

  private put(path: string, kind: FsNode["kind"], perm: number, uid: number): FsNode {
    const t = this.now();
    const node: FsNode = { kind, perm, data: Buffer.alloc(0), mtime: t, atime: t, uid, gid: uid };
    this.nodes.set(path, node);
    return node;
  }

  /** The node at an absolute normalised path, or undefined. */
  get(path: string): FsNode | undefined {
    return this.nodes.get(path);
  }

  /** `stat`; throws ENOENT. */
  stat(path: string): FsAttrs {
    const n = this.nodes.get(path);
    if (n === undefined) throw new FsError("ENOENT", path);
    return {
      mode: (n.kind === "dir" ? S_IFDIR : S_IFREG) | n.perm,
      uid: n.uid,
      gid: n.gid,
      size: n.data.length,
      atime: n.atime,
      mtime: n.mtime,
    };
  }

  private requireDir(path: string): FsNode {
    const d = this.nodes.get(path);
    if (d === undefined) throw new FsError("ENOENT", path);
    if (d.kind !== "dir") throw new FsError("ENOTDIR", path);
    return d;
  }

  /**
   * Opens a file for writing as `open(2)` with `O_CREAT` / `O_EXCL` /
   * `O_TRUNC`; returns the node. Throws ENOENT (no parent or no file
   * without create), EEXIST, EISDIR.
   */
  openFile(
    path: string,
    flags: { create: boolean; exclusive: boolean; truncate: boolean },
    uid: number,
  ): FsNode {
    const existing = this.nodes.get(path);
    if (existing !== undefined) {
      if (flags.create && flags.exclusive) throw new FsError("EEXIST", path);
      if (existing.kind === "dir") throw new FsError("EISDIR", path);
      if (flags.truncate) this.resize(existing, 0);
      return existing;
    }
    if (!flags.create) throw new FsError("ENOENT", path);
    this.requireDir(parentOf(path));
    return this.put(path, "file", 0o644, uid);
  }

  /** Writes `data` at `offset` (zero-filling a gap), within the byte budget. */
  write(node: FsNode, offset: number, data: Uint8Array, path: string): void {
    const end = offset + data.length;
    if (end > node.data.length) this.resize(node, end, path);
    node.data.set(data, offset);
    node.mtime = this.now();
  }

  private resize(node: FsNode, size: number, path = ""): void {
    const delta = size - node.data.length;
    if (delta > 0 && this.used + delta > this.maxBytes) throw new FsError("ENOSPC", path);
    const next = Buffer.alloc(size);
    node.data.copy(next, 0, 0, Math.min(size, node.data.length));
    node.data = next;
    this.used += delta;
  }

  /** A whole file's content; throws ENOENT / EISDIR. */
  readFile(path: string): Buffer {
    const n = this.nodes.get(path);
    if (n === undefined) throw new FsError("ENOENT", path);
    if (n.kind === "dir") throw new FsError("EISDIR", path);
    n.atime = this.now();
    return n.data;
  }

  /** `mkdir(2)`. */
  mkdir(path: string, uid: number, perm = 0o755): void {
    if (this.nodes.has(path)) throw new FsError("EEXIST", path);
    this.requireDir(parentOf(path));
    this.put(path, "dir", perm & 0o7777, uid);
  }

  /** The names in a directory (without `.` and `..`), sorted. */
  list(path: string): string[] {
    this.requireDir(path);
    const prefix = path === "/" ? "/" : `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes("/")) {
        out.push(p.slice(prefix.length));
      }
    }
    return out.sort();
  }

  /** `unlink(2)` of a file. */
  unlink(path: string): void {
    const n = this.nodes.get(path);
    if (n === undefined) throw new FsError("ENOENT", path);
    if (n.kind === "dir") throw new FsError("EISDIR", path);
    this.used -= n.data.length;
    this.nodes.delete(path);
  }

  /** `rmdir(2)` of an empty directory. */
  rmdir(path: string): void {
    this.requireDir(path);
    if (path === "/" || this.list(path).length > 0) throw new FsError("ENOTEMPTY", path);
    this.nodes.delete(path);
  }

  /** `rename(2)` (SFTP's rename refuses an existing target, as OpenSSH's `link`-based one does). */
  rename(from: string, to: string): void {
    const n = this.nodes.get(from);
    if (n === undefined) throw new FsError("ENOENT", from);
    if (this.nodes.has(to)) throw new FsError("EEXIST", to);
    this.requireDir(parentOf(to));
    const moves: Array<[string, FsNode]> = [];
    for (const [p, node] of this.nodes) {
      if (p === from || p.startsWith(`${from}/`)) moves.push([p, node]);
    }
    for (const [p] of moves) this.nodes.delete(p);
    for (const [p, node] of moves) this.nodes.set(to + p.slice(from.length), node);
  }

  /** Sets permission bits and times (`setstat`); size truncates or extends. */
  setAttrs(path: string, attrs: Partial<Pick<FsAttrs, "mode" | "atime" | "mtime" | "size">>): void {
    const n = this.nodes.get(path);
    if (n === undefined) throw new FsError("ENOENT", path);
    if (attrs.mode !== undefined) n.perm = attrs.mode & 0o7777;
    if (attrs.size !== undefined && n.kind === "file") this.resize(n, attrs.size, path);
    if (attrs.atime !== undefined) n.atime = attrs.atime;
    if (attrs.mtime !== undefined) n.mtime = attrs.mtime;
  }
}

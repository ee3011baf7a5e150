/**
 * Packing a charm directory into a `.charm` zip for upload (the Node edge of
 * the charm module), the way `juju deploy ./dir` does it.
 * @module
 */
import { execFile } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join, posix, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { type CharmTreeEntry, readCharmDirMeta, walkCharmTree } from "./charm-dir.js";
import { CharmArchiveError, CharmDirError } from "./errors.js";
import type { CharmInfo } from "./metadata.js";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/**
 * The timestamp of every entry: 1980-01-01 00:00:00, the first DOS date.
 * Built from local-time fields because the DOS format stores local time,
 * and stored in DOS format only (no UTC extra field), so the bytes do not
 * depend on the machine's time zone. Juju's archiver writes no time at all
 * (Go's zero DOS date); yazl cannot write that, this is the nearest.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** The smallest block written to the destination (except the last). */
const OUTPUT_BLOCK = 64 * 1024;

/** zlib level 6, yazl's and Go's default: fixed so that the output bytes are too. */
const COMPRESSION_LEVEL = 6;

// The hooks Juju 3.6 knows (charm v12 hooks package): a file of that name in
// hooks/ is made executable in the archive, as charmdir.go does.
const UNIT_HOOKS = [
  "install",
  "start",
  "config-changed",
  "upgrade-charm",
  "stop",
  "remove",
  "leader-elected",
  "leader-deposed",
  "leader-settings-changed",
  "update-status",
  "pre-series-upgrade",
  "post-series-upgrade",
  "secret-changed",
  "secret-expired",
  "secret-remove",
  "secret-rotate",
];
const RELATION_HOOKS = [
  "relation-created",
  "relation-joined",
  "relation-changed",
  "relation-departed",
  "relation-broken",
];
const STORAGE_HOOKS = ["storage-attached", "storage-detaching"];
const WORKLOAD_HOOKS = [
  "pebble-ready",
  "pebble-custom-notice",
  "pebble-check-failed",
  "pebble-check-recovered",
];

/** Every hook name the charm may have (Juju's `Meta.Hooks()`). */
function charmHooks(info: CharmInfo): Set<string> {
  const hooks = new Set(UNIT_HOOKS);
  for (const rel of [
    ...Object.keys(info.provides),
    ...Object.keys(info.requires),
    ...Object.keys(info.peers),
  ]) {
    for (const h of RELATION_HOOKS) hooks.add(`${rel}-${h}`);
  }
  for (const s of Object.keys(info.storage)) for (const h of STORAGE_HOOKS) hooks.add(`${s}-${h}`);
  for (const c of Object.keys(info.containers)) {
    for (const h of WORKLOAD_HOOKS) hooks.add(`${c}-${h}`);
  }
  return hooks;
}

/** One entry of a written charm archive. */
export interface CharmArchiveEntry {
  /** The zip entry name: `/`-separated, directories end in `/`, the root is `./`. */
  name: string;
  /** What the entry holds: a directory, a file's bytes, or a symlink's target. */
  type: "dir" | "file" | "symlink";
  /** The Unix mode stored in the entry's external attributes, with its type bits (`0o100755`). */
  mode: number;
  /** Uncompressed bytes (a symlink's target length; 0 for directories). */
  size: number;
  /** Whether the entry is deflated (files) or stored (directories, symlinks, `revision`, `version`). */
  deflated: boolean;
}

/** Progress of {@link CharmArchiveGenerator.makeArchive}, in bytes read from the charm's files. */
export interface CharmArchiveProgress {
  /** The entry being written. */
  entry: string;
  /** File bytes read so far. */
  bytesRead: number;
  /** File bytes to read in all (the sum of the files' sizes). */
  totalBytes: number;
}

/** Options of {@link CharmArchiveGenerator.makeArchive}. */
export interface MakeArchiveOptions {
  /** Aborts writing; the promise rejects with a `write-failed` {@link CharmArchiveError}. */
  signal?: AbortSignal;
  /** Also compute the archive's SHA-384 (what Juju's resource endpoints use). */
  sha384?: boolean;
  /**
   * Where the archive's `version` entry comes from. `"file"` (default): the
   * charm's `version` file, so the same tree always gives the same bytes.
   * `"vcs"`: like the Juju CLI, `git describe --dirty --always` (or `hg id
   * -n`, `bzr version-info`) when the charm is under version control, falling
   * back to the `version` file; a failing VCS command leaves the version out
   * and adds a warning, as Juju does.
   */
  version?: "file" | "vcs";
  /** Called as file bytes are read, at most once per read chunk. */
  onProgress?: (progress: CharmArchiveProgress) => void;
}

/** What {@link CharmArchiveGenerator.makeArchive} wrote. */
export interface CharmArchiveResult {
  /** The archive's path, when `dest` was a path. */
  path?: string;
  /** Bytes written. */
  size: number;
  /** SHA-256 of the written bytes, lowercase hex (what `local:` charm uploads are checked against). */
  sha256: string;
  /** SHA-384 of the written bytes, lowercase hex, when asked for. */
  sha384?: string;
  /** The archive's entries, in archive order. */
  entries: CharmArchiveEntry[];
  /** The charm's metadata, as read from the directory. */
  info: CharmInfo;
  /** The revision written to the `revision` entry (the `revision` file's, else 0, as Juju does). */
  revision: number;
  /** The version written to the `version` entry, when there is one. */
  version?: string;
  /** Things worth telling a user that did not stop the archive (a failing VCS command). */
  warnings: string[];
}

function runQuiet(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { cwd, timeout: 5000, windowsHide: true }, (err, stdout) => {
      if (err) fail(err);
      else ok(stdout);
    });
  });
}

/**
 * The charm's version as the Juju CLI finds it (`MaybeGenerateVersionString`):
 * git, then hg, then bzr, then the `version` file.
 */
async function vcsVersion(
  dir: string,
  fileVersion: string | undefined,
  warnings: string[],
): Promise<string | undefined> {
  let usesGit = existsSync(join(dir, ".git"));
  if (!usesGit) {
    usesGit = await runQuiet("git", ["rev-parse", "--is-inside-work-tree"], dir).then(
      () => true,
      () => false,
    );
  }
  const strategies: [string, boolean, string[]][] = [
    ["git", usesGit, ["describe", "--dirty", "--always"]],
    ["hg", existsSync(join(dir, ".hg")), ["id", "-n"]],
    ["bzr", existsSync(join(dir, ".bzr")), ["version-info"]],
  ];
  for (const [cmd, used, args] of strategies) {
    if (!used) continue;
    try {
      return (await runQuiet(cmd, args, dir)).replace(/\n$/, "");
    } catch (e) {
      warnings.push(
        `"${cmd}" version string generation failed: ${(e as Error).message.split("\n")[0]}; the charm version won't show in juju status`,
      );
      return undefined;
    }
  }
  return fileVersion;
}

/** Juju's archive mode for a tree entry (charmdir.go `visit`). */
function archiveMode(e: CharmTreeEntry, hooks: ReadonlySet<string>): number {
  if (e.type === "symlink") return S_IFLNK | 0o777;
  let perm = e.mode & 0o100 ? 0o755 : 0o644;
  if (
    e.type === "file" &&
    posix.dirname(e.path) === "hooks" &&
    hooks.has(posix.basename(e.path)) &&
    (e.mode & 0o100) === 0
  ) {
    perm |= 0o100;
  }
  return (e.type === "dir" ? S_IFDIR : S_IFREG) | (e.mode & 0o7000) | perm;
}

function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

/**
 * Creates the zip archive of a local charm directory that is uploaded to a
 * controller (python-libjuju's `CharmArchiveGenerator`;
 * `Model.addLocalCharmDir` uses it).
 *
 * The archive is what `juju deploy ./dir` (Juju 3.6, `CharmDir.ArchiveTo`)
 * builds from the same tree:
 * - first a stored `revision` entry (the `revision` file's number, else 0)
 *   and, when there is a version, a stored `version` entry; then the tree:
 *   the root as `./`, each directory before its contents, names sorted
 *   bytewise; directories end in `/` and are stored;
 * - left out: what Juju's default rules exclude (`.git`, `.svn`, `.hg`,
 *   `.bzr`, `.tox` anywhere, `build/`, `revision` and `version` at the top,
 *   `.jujuignore`) and what the charm's `.jujuignore` excludes (Juju's
 *   reading of the gitignore syntax: see `./jujuignore.ts`);
 * - modes normalised as Juju does: files and directories `0644`, or `0755`
 *   when the owner may execute them; a hook file of a known hook name is
 *   made executable; Unix external attributes;
 * - a symlink is stored as a symlink entry (`S_IFLNK | 0777`, its target as
 *   content) and never followed, also when it points at a directory (a
 *   `lib/` that links elsewhere in the charm stays a link); a symlink that is
 *   absolute or leaves the charm, and pipes, sockets and devices, are refused
 *   with a {@link CharmArchiveError} naming the file, before anything is
 *   written.
 *
 * **Hidden files.** python-libjuju 3.5 leaves out every path starting with
 * `.` and ignores `.jujuignore`; the Juju CLI keeps hidden files and honours
 * `.jujuignore`. This follows the Juju CLI: a charm that needs a dotfile
 * (`.env`, a hidden config) deploys the same as with `juju deploy`; list
 * dotfiles you do not want in `.jujuignore`.
 *
 * **Same tree, same bytes.** Entries have fixed timestamps, fixed
 * compression (deflate level 6) and normalised modes, and the order depends
 * only on names, so two runs, or a copy of the tree with other mtimes or
 * owners, give identical bytes (and SHA-256). The `version` entry comes from
 * the `version` file unless `{version: "vcs"}` asks for Juju's VCS lookup.
 *
 * **Streaming.** File contents are read from disk one file at a time and
 * piped through the compressor to the destination, with backpressure:
 * memory does not grow with the charm's size (only with its number of
 * entries, for the zip's central directory).
 */
export class CharmArchiveGenerator {
  /** The charm directory, absolute (a leading `~/` is expanded). */
  readonly path: string;

  /** @param path A charm directory (with a metadata.yaml). */
  constructor(path: string) {
    if (typeof path !== "string" || path === "") {
      throw new CharmDirError(`charm directory path must be a non-empty string`, String(path));
    }
    this.path = resolve(expandHome(path));
  }

  /**
   * Writes the archive to `dest`, a file path (created or truncated; removed
   * again when writing fails) or a writable stream (ended when the archive
   * is complete, destroyed when writing fails).
   * @throws CharmDirError when the directory is missing or has no metadata.yaml.
   * @throws CharmMetadataError when a charm file is malformed (with file and line).
   * @throws CharmArchiveError for what Juju refuses to archive, unreadable or
   *   changing files, a failing destination, or an abort.
   */
  async makeArchive(
    dest: string | NodeJS.WritableStream,
    options: MakeArchiveOptions = {},
  ): Promise<CharmArchiveResult> {
    const root = this.path;
    if (options.signal?.aborted) {
      throw new CharmArchiveError(
        `archiving charm directory "${root}" was aborted`,
        root,
        "write-failed",
        undefined,
        { cause: options.signal.reason },
      );
    }
    const meta = readCharmDirMeta(root);
    if (!existsSync(join(root, "metadata.yaml"))) {
      // Juju's ReadCharmDir, and so the controller, require metadata.yaml.
      throw new CharmDirError(
        `charm directory "${root}" has no metadata.yaml (a charmcraft.yaml source must be packed with charmcraft first)`,
        root,
      );
    }
    const destPath = typeof dest === "string" ? resolve(expandHome(dest)) : undefined;
    // An archive written into the charm directory must not archive itself
    // (an earlier run's output would be read while being overwritten).
    const tree = walkCharmTree(root).filter(
      (e) => destPath === undefined || e.type !== "file" || join(root, e.path) !== destPath,
    );
    const hooks = charmHooks(meta.info);
    const warnings: string[] = [];
    const version =
      options.version === "vcs" ? await vcsVersion(root, meta.version, warnings) : meta.version;
    const revision = meta.revision ?? 0;

    const zip = new yazl.ZipFile();
    const entries: CharmArchiveEntry[] = [];
    const fixed = { mtime: FIXED_MTIME, forceDosTimestamp: true };
    const addSmall = (name: string, text: string): void => {
      const data = Buffer.from(text, "utf8");
      zip.addBuffer(data, name, { ...fixed, mode: S_IFREG | 0o644, compress: false });
      entries.push({
        name,
        type: "file",
        mode: S_IFREG | 0o644,
        size: data.length,
        deflated: false,
      });
    };
    addSmall("revision", String(revision));
    if (version !== undefined && version !== "") addSmall("version", version);

    let failure: CharmArchiveError | undefined;
    // The file being read, closed when archiving stops early.
    let current: { destroy(): void } | undefined;
    let currentEntry = "";
    const output = zip.outputStream as unknown as { destroy(e?: Error): void };
    const fail = (err: CharmArchiveError): void => {
      if (failure) return;
      failure = err;
      current?.destroy();
      output.destroy(err);
    };
    zip.on("error", (e: Error) => {
      const changed = /unexpected number of bytes/.test(e.message);
      fail(
        new CharmArchiveError(
          changed
            ? `file "${currentEntry}" changed size while it was archived`
            : `archiving "${currentEntry}": ${e.message}`,
          root,
          changed ? "changed" : "unreadable",
          currentEntry,
          { cause: e },
        ),
      );
    });

    const totalBytes = tree.reduce((n, e) => n + (e.type === "file" ? e.size : 0), 0);
    let bytesRead = 0;
    for (const e of tree) {
      const mode = archiveMode(e, hooks);
      if (e.type === "dir") {
        const name = e.path === "" ? "./" : `${e.path}/`;
        zip.addEmptyDirectory(name, { ...fixed, mode });
        entries.push({ name, type: "dir", mode, size: 0, deflated: false });
      } else if (e.type === "symlink") {
        zip.addBuffer(Buffer.from(e.target ?? "", "utf8"), e.path, {
          ...fixed,
          mode,
          compress: false,
        });
        entries.push({ name: e.path, type: "symlink", mode, size: e.size, deflated: false });
      } else {
        const rel = e.path;
        const abs = join(root, rel);
        zip.addReadStreamLazy(
          rel,
          { ...fixed, mode, size: e.size, compressionLevel: COMPRESSION_LEVEL },
          (cb) => {
            currentEntry = rel;
            const rs = createReadStream(abs);
            current = rs;
            rs.on("error", (err: Error) =>
              fail(
                new CharmArchiveError(
                  `cannot read "${rel}" in charm directory "${root}": ${err.message}`,
                  root,
                  "unreadable",
                  rel,
                  { cause: err },
                ),
              ),
            );
            if (options.onProgress) {
              const onProgress = options.onProgress;
              rs.on("data", (chunk: Buffer | string) => {
                bytesRead += chunk.length;
                onProgress({ entry: rel, bytesRead, totalBytes });
              });
            }
            cb(null, rs);
          },
        );
        entries.push({ name: rel, type: "file", mode, size: e.size, deflated: true });
      }
    }
    zip.end();

    const sha256 = createHash("sha256");
    const sha384: Hash | undefined = options.sha384 ? createHash("sha384") : undefined;
    let size = 0;
    // Hashes the output and coalesces yazl's many small writes (headers, data
    // descriptors, one chunk per small file) into blocks of at least
    // OUTPUT_BLOCK bytes: far fewer syscalls or TLS records downstream, and
    // memory stays bounded by one block.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sha256.update(chunk);
        sha384?.update(chunk);
        size += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= OUTPUT_BLOCK) {
          const block = pending.length === 1 ? chunk : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          cb(null, block);
        } else {
          cb();
        }
      },
      flush(cb) {
        cb(null, pendingBytes > 0 ? Buffer.concat(pending, pendingBytes) : undefined);
      },
    });
    const out =
      destPath === undefined ? (dest as NodeJS.WritableStream) : createWriteStream(destPath);
    try {
      await pipeline(
        zip.outputStream,
        hasher,
        out,
        options.signal ? { signal: options.signal } : {},
      );
    } catch (e) {
      current?.destroy();
      if (destPath !== undefined) rmSync(destPath, { force: true });
      if (failure) throw failure;
      if (e instanceof CharmArchiveError) throw e;
      const aborted = options.signal?.aborted === true;
      throw new CharmArchiveError(
        aborted
          ? `archiving charm directory "${root}" was aborted`
          : `writing the archive of charm directory "${root}"${destPath ? ` to "${destPath}"` : ""}: ${(e as Error).message}`,
        root,
        "write-failed",
        undefined,
        { cause: aborted ? options.signal?.reason : e },
      );
    }
    if (failure) {
      if (destPath !== undefined) rmSync(destPath, { force: true });
      throw failure;
    }
    const result: CharmArchiveResult = {
      size,
      sha256: sha256.digest("hex"),
      entries,
      info: meta.info,
      revision,
      warnings,
    };
    if (destPath !== undefined) result.path = destPath;
    if (sha384) result.sha384 = sha384.digest("hex");
    if (version !== undefined && version !== "") result.version = version;
    return result;
  }
}

/**
 * Reading an expanded charm directory from disk (the Node edge of the charm
 * module), like Juju's `charm.ReadCharmDir`.
 * @module
 */
import {
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { isAbsolute, join, posix } from "node:path";
import { CharmArchiveError, CharmDirError, CharmMetadataError } from "./errors.js";
import {
  DEFAULT_JUJU_IGNORE,
  type JujuIgnoreRule,
  JujuIgnoreSyntaxError,
  jujuIgnoreMatches,
  parseJujuIgnore,
} from "./jujuignore.js";
import { type CharmFiles, type CharmInfo, parseCharmFiles } from "./metadata.js";

/** A charm read from a directory. */
export interface CharmDir {
  /** The directory that was read. */
  path: string;
  info: CharmInfo;
  /** From the `revision` file (its first integer), when there is one. */
  revision?: number;
  /** From the `version` file (its first line, `revision-id: ` stripped, at most 100 chars). */
  version?: string;
  /**
   * The files an archive of this directory would hold, relative and
   * `/`-separated, sorted: everything except what Juju's default ignore rules
   * (`.git`, `.svn`, `.hg`, `.bzr`, `.tox`, `/build/`, `/revision`,
   * `/version`, `.jujuignore`) and the charm's `.jujuignore` exclude (see
   * {@link walkCharmTree}). Directories are not listed; symlinks are.
   */
  files: string[];
}

/** A charm directory's metadata without its file list: see {@link readCharmDirMeta}. */
export type CharmDirMeta = Omit<CharmDir, "files">;

const CHARM_FILES: readonly [keyof CharmFiles, string][] = [
  ["metadata", "metadata.yaml"],
  ["charmcraft", "charmcraft.yaml"],
  ["config", "config.yaml"],
  ["actions", "actions.yaml"],
  ["lxdProfile", "lxd-profile.yaml"],
  ["manifest", "manifest.yaml"],
];

function readOptional(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  try {
    if (!statSync(p).isFile()) return undefined;
    return readFileSync(p, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CharmDirError(
      `reading "${name}" file in charm directory "${dir}": ${(e as Error).message}`,
      dir,
      {
        cause: e,
      },
    );
  }
}

/**
 * Reads the charm in directory `path`: its metadata files, `revision` and
 * `version`, and the list of files an archive would hold.
 * @throws CharmDirError when the directory is missing or names no charm.
 * @throws CharmMetadataError when a charm file is malformed.
 * @throws CharmArchiveError when the tree holds something Juju refuses to
 *   archive (a symlink leaving the charm, a special file, a bad `.jujuignore`).
 */
export function readCharmDir(path: string): CharmDir {
  const meta = readCharmDirMeta(path);
  const files = walkCharmTree(path)
    .filter((e) => e.type !== "dir")
    .map((e) => e.path)
    .sort();
  return { ...meta, files };
}

/**
 * Reads the charm in directory `path` like {@link readCharmDir}, without
 * walking its tree.
 * @throws CharmDirError when the directory is missing or names no charm.
 * @throws CharmMetadataError when a charm file is malformed.
 */
export function readCharmDirMeta(path: string): CharmDirMeta {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new CharmDirError(`charm directory "${path}" not found`, path, { cause: e });
  }
  if (!isDir) throw new CharmDirError(`"${path}" is not a charm directory`, path);

  const files: CharmFiles = {};
  for (const [key, name] of CHARM_FILES) {
    const text = readOptional(path, name);
    if (text !== undefined) files[key] = text;
  }
  if (files.metadata === undefined && files.charmcraft === undefined) {
    throw new CharmDirError(
      `charm directory "${path}" has no metadata.yaml and no charmcraft.yaml`,
      path,
    );
  }
  let info: CharmInfo;
  try {
    info = parseCharmFiles(files);
  } catch (e) {
    if (e instanceof CharmMetadataError && files.metadata === undefined && e.key === "name") {
      throw new CharmDirError(
        `charm directory "${path}" has no metadata.yaml and its charmcraft.yaml does not name the charm`,
        path,
        { cause: e },
      );
    }
    throw e;
  }

  const result: CharmDirMeta = { path, info };
  const revText = readOptional(path, "revision");
  if (revText !== undefined) {
    // fmt.Fscan(&int): the first whitespace-separated token must be an integer.
    const token = revText.trim().split(/\s+/)[0] ?? "";
    if (!/^[+-]?\d+$/.test(token)) {
      throw new CharmDirError(`invalid revision file in charm directory "${path}"`, path);
    }
    result.revision = Number(token);
  }
  const versionText = readOptional(path, "version");
  if (versionText !== undefined) {
    const first = versionText.split(/\r?\n/)[0] ?? "";
    result.version = first.replace(/^revision-id: /, "").slice(0, 100);
  }
  return result;
}

/** One entry of a charm tree, as Juju's archiver visits it. */
export interface CharmTreeEntry {
  /** Relative to the charm root, `/`-separated, no trailing slash; `""` is the root itself. */
  path: string;
  /** A directory, a regular file, or a symlink (never followed). */
  type: "dir" | "file" | "symlink";
  /** Permission bits from `lstat`, with setuid/setgid/sticky (`mode & 0o7777`). */
  mode: number;
  /** Bytes of a file; 0 for directories; the target's length for symlinks. */
  size: number;
  /** A symlink's target, as written (relative, inside the charm). */
  target?: string;
}

/**
 * The ignore rules for the charm in `root`: Juju's defaults followed by the
 * charm's `.jujuignore`, when it has one.
 * @throws CharmArchiveError (reason `bad-ignore-rule`) naming the line of a
 *   pattern that does not compile.
 */
export function charmIgnoreRules(root: string): JujuIgnoreRule[] {
  const custom = readOptional(root, ".jujuignore");
  const rules = parseJujuIgnore(DEFAULT_JUJU_IGNORE);
  if (custom === undefined) return rules;
  try {
    return [...rules, ...parseJujuIgnore(custom)];
  } catch (e) {
    if (!(e instanceof JujuIgnoreSyntaxError)) throw e;
    throw new CharmArchiveError(
      `parsing ".jujuignore" file in charm directory "${root}": ${e.message}`,
      root,
      "bad-ignore-rule",
      ".jujuignore",
      { cause: e },
    );
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Walks the charm in `root` the way Juju's archiver (`charmdir.go`
 * `writeArchive`) does and returns what an archive holds, in archive order:
 * the root first, then each directory's entries sorted by name (bytewise),
 * a directory before its contents. Entries matched by `rules` (default:
 * {@link charmIgnoreRules}) are left out, and an excluded directory is not
 * entered. Symlinks are not followed: a link to a directory is an entry of
 * its own. A root that is itself a symlink is resolved first.
 *
 * Synchronous: charm trees are small enough, and a walk that cannot
 * interleave with other work sees one consistent state of the tree.
 * @throws CharmArchiveError for a symlink that is absolute or leaves the
 *   charm, a special file (pipe, socket, device), or an unreadable directory.
 */
export function walkCharmTree(root: string, rules?: readonly JujuIgnoreRule[]): CharmTreeEntry[] {
  let base = root;
  try {
    if (lstatSync(root).isSymbolicLink()) base = realpathSync(root);
  } catch (e) {
    throw new CharmArchiveError(
      `cannot read charm directory "${root}": ${(e as Error).message}`,
      root,
      "unreadable",
      undefined,
      { cause: e },
    );
  }
  const ruleset = rules ?? charmIgnoreRules(base);
  const out: CharmTreeEntry[] = [];
  const statOf = (rel: string): Stats => {
    try {
      return lstatSync(rel === "" ? base : join(base, rel));
    } catch (e) {
      throw new CharmArchiveError(
        `cannot read "${rel}" in charm directory "${root}": ${(e as Error).message}`,
        root,
        "unreadable",
        rel,
        { cause: e },
      );
    }
  };
  const visit = (rel: string, st: Stats): void => {
    const isDir = st.isDirectory();
    if (rel !== "" && jujuIgnoreMatches(ruleset, rel, isDir)) return;
    const mode = st.mode & 0o7777;
    if (isDir) {
      out.push({ path: rel, type: "dir", mode, size: 0 });
      let names: string[];
      try {
        names = readdirSync(rel === "" ? base : join(base, rel));
      } catch (e) {
        throw new CharmArchiveError(
          `cannot read directory "${rel || "."}" in charm directory "${root}": ${(e as Error).message}`,
          root,
          "unreadable",
          rel || ".",
          { cause: e },
        );
      }
      for (const name of names.sort(byteOrder)) {
        const child = rel === "" ? name : `${rel}/${name}`;
        visit(child, statOf(child));
      }
    } else if (st.isSymbolicLink()) {
      // charmdir.go checkSymlinkTarget: archives may not link outside the charm.
      let target: string;
      try {
        target = readlinkSync(join(base, rel));
      } catch (e) {
        throw new CharmArchiveError(
          `cannot read symlink "${rel}" in charm directory "${root}": ${(e as Error).message}`,
          root,
          "unreadable",
          rel,
          { cause: e },
        );
      }
      if (isAbsolute(target)) {
        throw new CharmArchiveError(
          `symlink "${rel}" is absolute: "${target}"`,
          root,
          "symlink-absolute",
          rel,
        );
      }
      const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
      if (resolved === ".." || resolved.startsWith("../")) {
        throw new CharmArchiveError(
          `symlink "${rel}" links out of charm: "${target}"`,
          root,
          "symlink-escapes",
          rel,
        );
      }
      out.push({ path: rel, type: "symlink", mode, size: Buffer.byteLength(target), target });
    } else if (st.isFile()) {
      out.push({ path: rel, type: "file", mode, size: st.size });
    } else {
      // charmdir.go checkFileType.
      const kind = st.isFIFO()
        ? "file is a named pipe"
        : st.isSocket()
          ? "file is a socket"
          : st.isBlockDevice() || st.isCharacterDevice()
            ? "file is a device"
            : "file has an unknown type";
      throw new CharmArchiveError(`${kind}: "${rel}"`, root, "special-file", rel);
    }
  };
  visit("", statOf(""));
  return out;
}

/**
 * Parses `.jujuignore` text into rules with Juju's semantics.
 * @deprecated Use {@link parseJujuIgnore} from `./jujuignore.js`; kept for
 *   existing callers.
 */
export const parseIgnoreRules = parseJujuIgnore;

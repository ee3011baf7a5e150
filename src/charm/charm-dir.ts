/**
 * Reading an expanded charm directory from disk (the Node edge of the charm
 * module), like Juju's `charm.ReadCharmDir`.
 * @module
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { isAbsolute, join, posix } from "node:path";
import { CharmDirError, CharmMetadataError } from "./errors.js";
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
   * `/version`, `.jujuignore`) and the charm's `.jujuignore` exclude.
   * Directories are not listed; symlinks are.
   */
  files: string[];
}

const CHARM_FILES: readonly [keyof CharmFiles, string][] = [
  ["metadata", "metadata.yaml"],
  ["charmcraft", "charmcraft.yaml"],
  ["config", "config.yaml"],
  ["actions", "actions.yaml"],
  ["lxdProfile", "lxd-profile.yaml"],
  ["manifest", "manifest.yaml"],
];

// charmdir.go defaultJujuIgnore: prepended to the charm's own .jujuignore.
const DEFAULT_JUJU_IGNORE = [
  ".git",
  ".svn",
  ".hg",
  ".bzr",
  ".tox",
  "/build/",
  "/revision",
  "/version",
  ".jujuignore",
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
 */
export function readCharmDir(path: string): CharmDir {
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

  const result: CharmDir = { path, info, files: listCharmFiles(path) };
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

interface IgnoreRule {
  re: RegExp;
  dirOnly: boolean;
  negate: boolean;
}

/** Translates one gitignore-style glob into a regular expression body. */
function globToRegExp(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/";
        out += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, "^")}]`;
        i = end;
      }
    } else {
      out += c.replace(/[.+^${}()|\\]/g, "\\$&");
    }
  }
  return out;
}

/** Parses .jujuignore text (gitignore syntax) into rules, in order. */
export function parseIgnoreRules(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    }
    line = line.replace(/\\([#! ])/g, "$1");
    let dirOnly = false;
    if (line.endsWith("/")) {
      dirOnly = true;
      line = line.slice(0, -1);
    }
    const anchored = line.includes("/");
    line = line.replace(/^\//, "");
    const body = globToRegExp(line);
    rules.push({ re: new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`), dirOnly, negate });
  }
  return rules;
}

/** Whether `rel` (a `/`-separated relative path) is ignored; the last matching rule wins. */
function ignored(rules: readonly IgnoreRule[], rel: string, isDir: boolean): boolean {
  let skip = false;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    if (r.re.test(rel)) skip = !r.negate;
  }
  return skip;
}

function listCharmFiles(root: string): string[] {
  const custom = readOptional(root, ".jujuignore") ?? "";
  const rules = [...parseIgnoreRules(DEFAULT_JUJU_IGNORE.join("\n")), ...parseIgnoreRules(custom)];
  const out: string[] = [];
  const walk = (relDir: string): void => {
    const entries = readdirSync(join(root, relDir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const rel = relDir === "" ? e.name : posix.join(relDir, e.name);
      const st = lstatSync(join(root, rel));
      const isDir = st.isDirectory();
      if (ignored(rules, rel, isDir)) continue;
      if (isDir) {
        walk(rel);
      } else if (st.isSymbolicLink()) {
        // charmdir.go checkSymlinkTarget: archives may not link outside the charm.
        const target = readlinkSync(join(root, rel));
        if (isAbsolute(target)) {
          throw new CharmDirError(`symlink "${rel}" is absolute: "${target}"`, root);
        }
        const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
        if (resolved === ".." || resolved.startsWith("../")) {
          throw new CharmDirError(`symlink "${rel}" links out of charm: "${target}"`, root);
        }
        out.push(rel);
      } else if (st.isFile()) {
        out.push(rel);
      } else {
        throw new CharmDirError(`file has an unknown type: "${rel}"`, root);
      }
    }
  };
  walk("");
  return out.sort();
}

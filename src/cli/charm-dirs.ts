/**
 * Finds the charm directories named by `libjuju sim --charms DIR`.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { LibjujuError } from "../rpc/errors.js";

/** `--charms` named something that is neither a charm nor a folder of charms. */
export class CharmDirsError extends LibjujuError {
  /** The directory given. */
  readonly dir: string;
  constructor(dir: string, reason: string) {
    super(`--charms ${dir}: ${reason}`, "ERR_CHARM_DIRS");
    this.dir = dir;
  }
}

const isCharmDir = (dir: string) =>
  existsSync(join(dir, "metadata.yaml")) || existsSync(join(dir, "charmcraft.yaml"));

/**
 * The charm directories in `dir`: `dir` itself when it is a charm (it holds
 * metadata.yaml or charmcraft.yaml), otherwise every sub-folder that is one.
 */
export function charmDirsIn(dir: string): string[] {
  const root = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new CharmDirsError(dir, "no such directory");
  }
  if (!isDir) throw new CharmDirsError(dir, "not a directory");
  if (isCharmDir(root)) return [root];
  const found = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => join(root, e.name))
    .filter(isCharmDir)
    .sort();
  if (found.length === 0) {
    throw new CharmDirsError(
      dir,
      "holds no charm (no metadata.yaml or charmcraft.yaml in it or its sub-folders)",
    );
  }
  return found;
}

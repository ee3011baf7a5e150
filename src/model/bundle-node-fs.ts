/**
 * The Node file system behind local bundle loading (the one Node-only
 * piece of it, imported only when a local bundle is deployed).
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import type { BundleFileSystem } from "./bundle-source.js";

const expand = (p: string) => (p === "~" || p.startsWith("~/") ? homedir() + p.slice(1) : p);

/** `stat` and `readFile` of `node:fs`, with `~` expanded as a shell would. */
export const nodeBundleFs: BundleFileSystem = {
  async stat(path) {
    try {
      const s = await stat(expand(path));
      return s.isFile() ? "file" : s.isDirectory() ? "dir" : "other";
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
  readFile: (path) => readFile(expand(path), "utf8"),
};

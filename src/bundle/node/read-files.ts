/**
 * Node's file reader for the bundle parser (`parseBundle(text, {readFile:
 * readBundleFile})`): overlays and `include-file://` targets. Kept out of
 * `libjuju/bundle`'s import graph so that entry stays browser-safe.
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { LibjujuError } from "../../protocol/libjuju-error.js";

/** A bundle, overlay or include file could not be read. `code` is `bundle-file`. */
export class BundleFileError extends LibjujuError {
  /** The absolute path that was read. */
  readonly path: string;
  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, "ERR_BUNDLE_FILE", options);
    this.path = path;
  }
}

/**
 * Reads a file for `parseBundle`: relative paths are resolved against
 * the current directory, as `juju deploy --overlay` does. Throws
 * {@link BundleFileError} with Juju-like wording (`… not found`, `… resolves
 * to a folder`).
 */
export async function readBundleFile(path: string): Promise<Uint8Array> {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new BundleFileError(`file ${JSON.stringify(abs)} not found`, abs, { cause: e });
    }
    throw new BundleFileError(
      `stat failed for ${JSON.stringify(abs)}: ${(e as Error).message}`,
      abs,
      { cause: e },
    );
  }
  if (isDir) throw new BundleFileError(`path ${JSON.stringify(abs)} resolves to a folder`, abs);
  try {
    return new Uint8Array(await readFile(abs));
  } catch (e) {
    throw new BundleFileError(`reading ${JSON.stringify(abs)}: ${(e as Error).message}`, abs, {
      cause: e,
    });
  }
}

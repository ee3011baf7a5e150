/**
 * The Juju client's own SSH key pair under the client data directory
 * (`ssh/juju_id_rsa` and `.pub`, made by the juju CLI on first use).
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { JujuDataError } from "../rpc/errors.js";

/** Path of the client's private key in `dir` (what python-libjuju passes to `ssh -i`). */
export function clientPrivateKeyPath(dir: string): string {
  return join(dir, "ssh", "juju_id_rsa");
}

/**
 * The first line of `ssh/juju_id_rsa.pub` in `dir`, trimmed (python-libjuju's
 * `read_ssh_key`), or undefined when there is no such file. Other read
 * failures are a {@link JujuDataError}.
 */
export async function readClientPublicKey(dir: string): Promise<string | undefined> {
  const path = `${clientPrivateKeyPath(dir)}.pub`;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new JujuDataError(`cannot read ${path}: ${(e as Error).message}`, path);
  }
  const line = text.split("\n")[0]?.trim() ?? "";
  return line === "" ? undefined : line;
}

/**
 * The Node file reader of secret content (`key#file=path` arguments and the
 * `file` option of `addSecret`/`updateSecret`), loaded only when a file is
 * named so the core stays free of `node:fs`. Paths starting with `~/` are
 * taken from the home directory, as Juju's `utils.NormalizePath` does.
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "../errors.js";
import { MAX_SECRET_CONTENT_BYTES, type SecretFileReader } from "./secrets.js";

const normalize = (p: string): string => (p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);

/** Reads secret files from the local file system. */
export const nodeSecretFileReader: SecretFileReader = {
  async size(path) {
    return (await stat(normalize(path))).size;
  },
  async readText(path) {
    return readFile(normalize(path), "utf8");
  },
  async readKeyValues(path) {
    const p = normalize(path);
    let size: number;
    try {
      size = (await stat(p)).size;
    } catch (e) {
      const why = (e as { code?: unknown }).code ?? "unreadable";
      throw new InvalidArgumentError(
        "file",
        `secret data file ${JSON.stringify(path)}: ${String(why)}`,
      );
    }
    if (size > MAX_SECRET_CONTENT_BYTES) {
      throw new InvalidArgumentError(
        "file",
        `secret content in file ${JSON.stringify(path)} too large: ${size} bytes`,
      );
    }
    const text = await readFile(p, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      try {
        parsed = parseYaml(text);
      } catch {
        // The parser's message may quote the file's content: name the file only.
        throw new InvalidArgumentError(
          "file",
          `secret data file ${JSON.stringify(path)} is neither JSON nor YAML`,
        );
      }
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new InvalidArgumentError(
        "file",
        `secret data file ${JSON.stringify(path)} is not a map of keys to values`,
      );
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v !== null && typeof v === "object") {
        throw new InvalidArgumentError(
          "file",
          `value of secret key ${JSON.stringify(k)} in ${JSON.stringify(path)} is not a scalar`,
        );
      }
      out[k] = v === null || v === undefined ? "" : String(v);
    }
    return out;
  },
};

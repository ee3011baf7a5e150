/**
 * `--config` arguments of `libjuju deploy` (pairs and YAML files). Apart
 * from the other argument parsers because it needs the YAML reader, which
 * `--help` should not load.
 * @module
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";

/**
 * Charm config from `--config` values, in the Juju CLI's way: `key=value`
 * pairs (values stay strings: the controller converts them to the option's
 * type), or YAML files holding `{<application>: {key: value}}`. Files are
 * applied first and `key=value` pairs override them, whatever the order.
 */
export function parseConfigArgs(
  args: readonly string[],
  application: string,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Record<string, unknown> {
  const fromFiles: Record<string, unknown> = {};
  const pairs: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq === -1) {
      Object.assign(fromFiles, configFile(arg, application, readFile));
      continue;
    }
    const key = arg.slice(0, eq).trim();
    if (key === "") {
      throw new InvalidArgumentError(`invalid --config ${JSON.stringify(arg)}: expected key=value`);
    }
    pairs[key] = arg.slice(eq + 1);
  }
  return { ...fromFiles, ...pairs };
}

function configFile(
  path: string,
  application: string,
  readFile: (path: string) => string,
): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(err);
    throw new InvalidArgumentError(
      `invalid --config ${JSON.stringify(path)}: expected key=value or a YAML file (${why})`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new InvalidArgumentError(`--config ${path}: ${(err as Error).message}`);
  }
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) throw new InvalidArgumentError(`--config ${path}: expected a YAML mapping`);
  const section = doc[application];
  if (section === undefined) return {};
  if (!isMap(section)) {
    throw new InvalidArgumentError(
      `--config ${path}: ${JSON.stringify(application)} must map option names to values`,
    );
  }
  return section;
}

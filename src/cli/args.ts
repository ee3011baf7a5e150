/**
 * Parsers for command-line option values shared by the commands: durations,
 * integers, repeatable options, `--config` and `--type` lists.
 * @module
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";
import { type EntityKind, ID_FIELDS, isEntityKind } from "../index.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds from a Go-style duration as the Juju CLI takes them: `600s`,
 * `10m`, `1h`, `1h30m`, `1.5h`, `250ms`. A bare `0` is allowed; other
 * numbers need a unit, since `--timeout 10` is ambiguous.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  const part = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = part.lastIndex;
  }
  if (s === "" || end !== s.length) {
    throw new InvalidArgumentError(
      `invalid duration ${JSON.stringify(text)}: expected e.g. 600s, 10m, 1h or 1h30m`,
    );
  }
  return Math.round(total);
}

/** A non-negative integer option value. */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return Number(text.trim());
}

/** Accumulates a repeatable option. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

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

/** Entity kinds from a comma-separated `--type` value (`unit,machine`). */
export function parseEntityKinds(text: string): EntityKind[] {
  const kinds = text
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  const bad = kinds.filter((k) => !isEntityKind(k));
  if (bad.length || kinds.length === 0) {
    throw new InvalidArgumentError(
      `unknown entity type ${JSON.stringify(bad.join(",") || text)}: expected some of ${Object.keys(ID_FIELDS).join(", ")}`,
    );
  }
  return kinds as EntityKind[];
}

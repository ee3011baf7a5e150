/**
 * Parsers for command-line option values shared by the commands: durations,
 * integers, repeatable options, `--config` and `--type` lists.
 * @module
 */
import { InvalidArgumentError } from "commander";
import { type EntityKind, ID_FIELDS, isEntityKind } from "../model/delta.js";

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

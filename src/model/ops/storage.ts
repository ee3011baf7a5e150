/**
 * Storage constraints (`storage.ParseConstraints`): `"[pool][,count][,size]"`.
 * @module
 */
import { ParseError } from "../../parse/errors.js";

/** Storage constraints as the API carries them; `Size` is in MiB. */
export interface StorageConstraints {
  Pool: string;
  Size: number;
  Count: number;
}

/** Storage given as a Juju string (`"ebs,10G,2"`) or as `{pool, size (MiB), count}`. */
export type StorageSpec = string | { pool?: string; size?: number; count?: number };

const SIZE = /^(\d+(?:\.\d+)?)([MGTPE])(?:i?B)?$/;
const MULT: Record<string, number> = { M: 1, G: 1024, T: 1024 ** 2, P: 1024 ** 3, E: 1024 ** 4 };

/** Parses one storage constraint; throws {@link ParseError} naming the bad field. */
export function parseStorageConstraint(spec: string): StorageConstraints {
  const out: StorageConstraints = { Pool: "", Size: 0, Count: 1 };
  let countSet = false;
  let sizeSet = false;
  spec.split(",").forEach((raw, i) => {
    const field = raw.trim();
    const fail = (why: string): never => {
      throw new ParseError("storage constraints", spec, field, why);
    };
    if (field === "") fail("empty field");
    if (/^\d+$/.test(field)) {
      if (countSet) fail("count already specified");
      out.Count = Number(field);
      countSet = true;
      return;
    }
    const m = SIZE.exec(field);
    if (m) {
      if (sizeSet) fail("size already specified");
      out.Size = Math.ceil(Number(m[1]) * (MULT[m[2] ?? "M"] ?? 1));
      sizeSet = true;
      return;
    }
    if (i !== 0)
      fail(
        `unrecognized storage constraint ${JSON.stringify(field)} (the pool name must come first)`,
      );
    if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(field)) fail(`invalid pool name ${JSON.stringify(field)}`);
    out.Pool = field;
  });
  return out;
}

/** Parses a map of storage name → spec. */
export function parseStorageConstraints(
  specs: Readonly<Record<string, StorageSpec>>,
): Record<string, StorageConstraints> {
  const out: Record<string, StorageConstraints> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] =
      typeof spec === "string"
        ? parseStorageConstraint(spec)
        : { Pool: spec.pool ?? "", Size: spec.size ?? 0, Count: spec.count ?? 1 };
  }
  return out;
}

/**
 * docs/migrating-from-python-libjuju.md maps every member of python-libjuju's
 * model API to libjuju's. This keeps the mapping true: every member the guide
 * names (the libjuju column, and the `and …` members of the notes) exists on
 * the class it names.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as lib from "../src/index.js";

const guide = readFileSync(
  join(resolve(import.meta.dirname, ".."), "docs", "migrating-from-python-libjuju.md"),
  "utf8",
);

/** Where the members of each receiver the guide uses live. */
const RECEIVERS: Record<string, object> = {
  model: lib.Model.prototype,
  Model: lib.Model,
  controller: lib.Controller.prototype,
  Controller: lib.Controller,
  state: lib.ModelState.prototype,
  entity: lib.ModelEntity.prototype,
  ModelObserver: lib.ModelObserver.prototype,
  app: lib.Application.prototype,
  unit: lib.Unit.prototype,
  machine: lib.Machine.prototype,
  BundleHandler: lib.BundleHandler.prototype,
  CharmArchiveGenerator: lib.CharmArchiveGenerator.prototype,
};

interface Row {
  line: string;
  receiver: string;
  members: string[];
}

/** The guide's table rows that name libjuju members (planned rows are skipped). */
function rows(): Row[] {
  const out: Row[] = [];
  for (const line of guide.split("\n")) {
    const cells = line.split(" | ");
    if (!line.startsWith("| `") || cells.length < 3) continue;
    const ts = cells[1] ?? "";
    if (ts.startsWith("planned")) continue;
    const m = /^`(?:await )?([A-Za-z]+)(?:\.([A-Za-z]+))?/.exec(ts);
    if (!m) throw new Error(`cannot read the libjuju column of: ${line}`);
    const [, receiver, member] = m as unknown as [string, string, string | undefined];
    if (member === undefined) {
      out.push({ line, receiver: "", members: [receiver] });
      continue;
    }
    const members = [member];
    const note = (cells[2] ?? "").replace(/ \|$/, "");
    if (note.startsWith("and ")) {
      for (const n of note.matchAll(/`([a-z][A-Za-z]*)(?:\([^`]*\))?`/g))
        members.push(n[1] as string);
    }
    out.push({ line, receiver, members });
  }
  return out;
}

describe("the python-libjuju migration guide", () => {
  it("covers the reference's classes", () => {
    const all = rows();
    expect(all.length).toBeGreaterThan(80);
    for (const r of ["model", "controller", "state", "entity", "app", "unit", "machine"]) {
      expect(all.some((row) => row.receiver === r)).toBe(true);
    }
  });

  it("names only members that exist", () => {
    const missing: string[] = [];
    for (const row of rows()) {
      for (const member of row.members) {
        const where = row.receiver === "" ? lib : RECEIVERS[row.receiver];
        if (where === undefined) {
          missing.push(`unknown receiver ${row.receiver} in: ${row.line}`);
          continue;
        }
        if (!(member in where)) missing.push(`${row.receiver || "libjuju"}.${member}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

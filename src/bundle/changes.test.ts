import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CharmResolver, planBundle } from "./changes.js";
import { BundlePlanError } from "./changes-errors.js";
import { seriesFromBase } from "./changes-util.js";
import type { BundleModelView } from "./model-view.js";
import type { BundleApplication, BundleData } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const testdata = join(here, "testdata");

/** One test vector: a bundle, maybe a model, and what Juju plans for it. */
interface Vector {
  name: string;
  juju?: string;
  bundle: Record<string, unknown>;
  model?: BundleModelView;
  bundleURL?: string;
  resolver?: Record<string, { channel: string; revision: number }>;
  archFromConstraints?: boolean;
  force?: boolean;
  changes?: {
    id: string;
    requires?: string[];
    args?: Record<string, unknown>;
    positional?: unknown[];
  }[];
  descriptions?: string[];
  error?: string;
}

/** YAML scalars in `to:` and machine ids are strings in bundle data. */
function bundleData(raw: Record<string, unknown>): BundleData {
  const data = structuredClone(raw) as unknown as BundleData;
  for (const app of Object.values(data.applications ?? {}) as BundleApplication[]) {
    if (app.to) app.to = app.to.map(String);
  }
  return data;
}

function resolverOf(table: Vector["resolver"]): CharmResolver | undefined {
  if (!table) return undefined;
  return (charm, _base, channel, _arch, revision) =>
    table[charm] ?? table.default ?? { channel, revision };
}

function withoutSeries(args: Record<string, unknown>): Record<string, unknown> {
  const { series: _series, ...rest } = args;
  return rest;
}

const vectorFiles = readdirSync(testdata).filter((f) => /^changes-vectors-.*\.yaml$/.test(f));
const vectors: [string, Vector][] = vectorFiles.flatMap((f) =>
  (parse(readFileSync(join(testdata, f), "utf8")) as Vector[]).map((v): [string, Vector] => [f, v]),
);

describe("bundle planner vectors (from Juju's bundlechanges cases)", () => {
  it("has vectors", () => {
    expect(vectors.length).toBeGreaterThan(50);
  });

  for (const [file, v] of vectors) {
    it(`${v.name} (${file}${v.juju ? `, ${v.juju}` : ""})`, () => {
      const opts = {
        bundleURL: v.bundleURL,
        model: v.model,
        charmResolver: resolverOf(v.resolver),
        archFromConstraints: v.archFromConstraints,
        force: v.force,
      };
      if (v.error !== undefined) {
        let caught: unknown;
        try {
          planBundle(bundleData(v.bundle), opts);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(BundlePlanError);
        expect((caught as Error).message).toMatch(new RegExp(v.error));
        return;
      }
      const plan = planBundle(bundleData(v.bundle), opts);
      if (v.changes) {
        expect(plan.changes.map((c) => c.id)).toEqual(v.changes.map((c) => c.id));
        v.changes.forEach((want, i) => {
          const got = plan.changes[i];
          if (!got) throw new Error(`missing change ${want.id}`);
          expect(got.method).toBe(want.id.replace(/-\d+$/, ""));
          expect(got.requires, `${want.id} requires`).toEqual(want.requires ?? []);
          if (want.args) expect(withoutSeries(got.args), `${want.id} args`).toEqual(want.args);
          if (want.positional)
            expect(got.positionalArgs, `${want.id} positional`).toEqual(want.positional);
          // The 3.6 facade adds the series beside every base.
          if (typeof got.args.base === "string" && got.args.base !== "") {
            expect(got.args.series).toBe(seriesFromBase(got.args.base));
          } else {
            expect(got.args).not.toHaveProperty("series");
          }
        });
      }
      if (v.descriptions) {
        expect(plan.changes.flatMap((c) => c.description.split("\n"))).toEqual(v.descriptions);
      }
    });
  }
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFacades, HEADER } from "../../scripts/generate-facades.js";

const committedDir = join(import.meta.dirname, "generated");
const hint =
  "src/facades/generated/ is out of date: run `npm run gen:facades` and commit the result";

describe("src/facades/generated", () => {
  const tmp = mkdtempSync(join(tmpdir(), "libjuju-facades-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const generated = generateFacades(tmp).sort();

  it("has exactly the files the generator produces", () => {
    const committed = readdirSync(committedDir)
      .filter((f) => f.endsWith(".ts"))
      .sort();
    expect(committed, hint).toEqual(generated);
  });

  it.each(generated)("%s is up to date", (name) => {
    const fresh = readFileSync(join(tmp, name), "utf8");
    expect(fresh.startsWith(HEADER)).toBe(true);
    let committed: string;
    try {
      committed = readFileSync(join(committedDir, name), "utf8");
    } catch {
      throw new Error(`${name} is missing; ${hint}`);
    }
    if (committed !== fresh)
      throw new Error(`${name} differs from the generator's output; ${hint}`);
  });

  it("is deterministic", () => {
    const again = mkdtempSync(join(tmpdir(), "libjuju-facades-"));
    try {
      generateFacades(again);
      for (const name of generated) {
        expect(readFileSync(join(again, name), "utf8")).toBe(readFileSync(join(tmp, name), "utf8"));
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

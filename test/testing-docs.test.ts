/**
 * docs/testing.md shows examples; test/testing-example.e2e.test.ts runs
 * them. This keeps the two the same: every `ts` block of the guide (with the
 * package imports mapped to the sources) is in the example file, so the
 * guide's code is type-checked and run.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const guide = readFileSync(join(root, "docs", "testing.md"), "utf8");
const examples = readFileSync(join(root, "test", "testing-example.e2e.test.ts"), "utf8");

/** Whitespace-insensitive form, with the package names as the example file imports them. */
const normal = (code: string) =>
  code
    .replaceAll('from "libjuju/testing"', 'from "../src/testing/index.js"')
    .replaceAll('from "libjuju"', 'from "../src/index.js"')
    .replace(/\s+/g, " ")
    .trim();

const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

describe("docs/testing.md", () => {
  it("has code examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))(
    "block %i is in test/testing-example.e2e.test.ts",
    (_, block) => {
      expect(normal(examples)).toContain(normal(block));
    },
  );
});

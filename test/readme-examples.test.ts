/**
 * The ```ts examples of README.md and docs/*.md compile against libjuju's
 * public types: each block becomes a module importing from "libjuju" (mapped
 * onto the package's entry points), type-checked with tsc in strict mode.
 * A block may use `model` (a connected `Model`) and `yamlText` without
 * declaring them, as the README's running examples do; every other name must
 * be imported in the block itself.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

interface Example {
  /** `README.md:12`: where the block's first line of code is. */
  origin: string;
  code: string;
}

/** The ```ts blocks of a Markdown file. */
function tsBlocks(file: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== "```") end++;
    out.push({ origin: `${file}:${start + 1}`, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return out;
}

const examples: Example[] = [
  ...tsBlocks("README.md", readFileSync(join(root, "README.md"), "utf8")),
  ...readdirSync(join(root, "docs"))
    // testing.md's blocks are excerpts of test/testing-example.e2e.test.ts
    // (vitest's globals, shared setup), which tsc checks and vitest runs;
    // testing-docs.test.ts keeps the guide and that file the same.
    .filter((f) => f.endsWith(".md") && f !== "testing.md")
    .sort()
    .flatMap((f) => tsBlocks(`docs/${f}`, readFileSync(join(root, "docs", f), "utf8"))),
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-examples-"));
  await writeFile(
    join(dir, "context.d.ts"),
    [
      "/** The connected model the README's running examples use. */",
      'declare const model: import("libjuju").Model;',
      "/** Bundle YAML text, as read from a file. */",
      "declare const yamlText: string;",
      "",
    ].join("\n"),
  );
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const files = ["context.d.ts"];
  for (const [i, ex] of examples.entries()) {
    const name = `example-${i}.ts`;
    files.push(name);
    // `export {}` makes every block a module (top-level await, its own scope).
    await writeFile(join(dir, name), `// ${ex.origin}\n${ex.code}\nexport {};\n`);
  }
  const src = (p: string) => [join(root, "src", p)];
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["ES2023", "ESNext.Disposable"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        resolveJsonModule: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
        paths: {
          libjuju: src("index.ts"),
          "libjuju/bundle": src("bundle/index.ts"),
          "libjuju/simulator": src("simulator/index.ts"),
        },
      },
      files,
    }),
  );
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("documentation examples", () => {
  it("include the README's", () => {
    expect(examples.filter((e) => e.origin.startsWith("README.md")).length).toBeGreaterThanOrEqual(
      5,
    );
  });

  // One tsc run over every block: it checks the library's sources once.
  it("type-check against the public API", { timeout: 240_000 }, () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    // Name each error by the Markdown block it came from.
    const errors = output
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) =>
        l.replace(
          /^\S*example-(\d+)\.ts\((\d+),(\d+)\)/,
          (_, i: string, line: string, col: string) => {
            const ex = examples[Number(i)];
            if (ex === undefined) return l;
            const [file, first] = ex.origin.split(":") as [string, string];
            return `${file}:${Number(first) + Number(line) - 2}:${col}`;
          },
        ),
      );
    expect(errors).toEqual([]);
  });
});

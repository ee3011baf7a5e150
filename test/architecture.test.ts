/**
 * The layering rules of docs/architecture.md, checked on the import graph of
 * the sources: the simulator never reaches client-side code (it is judged
 * against real Juju, not our client), the pure layers never reach a
 * Node-only module (they must run in a browser), and model operations
 * never depend on the entity classes that wrap their results.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g;

/**
 * Specifiers a file imports at run time (type-only imports vanish from the
 * output and are skipped, unless `withTypes`); with `staticOnly`, dynamic
 * `import()`s are skipped too.
 */
function importsOf(file: string, staticOnly = false, withTypes = false): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    if (!withTypes && /^\s*(?:import|export)\s+type\s/.test(m[0].replace(/^\n/, ""))) continue;
    if (staticOnly && m[2] !== undefined) continue;
    out.push((m[1] ?? m[2]) as string);
  }
  return out;
}

/** Every module reachable from `entry` through relative imports, with the external specifiers met on the way. */
function reach(
  entry: string,
  staticOnly = false,
): { files: Set<string>; external: Map<string, string> } {
  const files = new Set<string>();
  const external = new Map<string, string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of importsOf(file, staticOnly)) {
      if (spec.startsWith(".")) {
        todo.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      } else if (!external.has(spec)) {
        external.set(spec, relative(root, file));
      }
    }
  }
  return { files, external };
}

const CLIENT_DIRS = ["rpc", "model", "controller", "jujudata", "cli"].map(
  (d) => `${join(src, d)}/`,
);

describe("architecture", () => {
  it("the simulator never imports client-side code, directly or through another module", () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(src, "simulator"))) {
      for (const reached of reach(file).files) {
        if (CLIENT_DIRS.some((d) => reached.startsWith(d))) {
          offending.push(`${relative(root, file)} → ${relative(root, reached)}`);
        }
      }
    }
    expect([...new Set(offending)]).toEqual([]);
  });

  it("the pure layers (bundle planner and parser, protocol, parse) use no Node-only module", () => {
    const pure = [
      ...sourceFiles(join(src, "bundle")).filter(
        (f) => !f.includes(`${join(src, "bundle", "node")}/`),
      ),
      ...sourceFiles(join(src, "protocol")),
      ...sourceFiles(join(src, "parse")),
    ];
    expect(pure.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of pure) {
      for (const [spec, where] of reach(file).external) {
        if (
          spec.startsWith("node:") ||
          ["fs", "path", "net", "tls", "crypto", "os", "ws"].includes(spec)
        ) {
          offending.push(`${relative(root, file)}: ${spec} (from ${where})`);
        }
      }
    }
    expect([...new Set(offending)]).toEqual([]);
  });

  it("the CLI loads the client and the simulator only when a command runs (fast --help)", () => {
    const { files, external } = reach(join(src, "cli", "main.ts"), true);
    const heavy = [...files]
      .map((f) => relative(src, f))
      .filter(
        (f) =>
          f === "index.ts" ||
          f.startsWith("simulator/") ||
          f === "model/model.ts" ||
          f.startsWith("rpc/connect"),
      );
    expect(heavy).toEqual([]);
    expect([...external.keys()].filter((s) => !s.startsWith("node:"))).toEqual(["commander"]);
    // The commands themselves still reach them, through import().
    expect([...reach(join(src, "cli", "main.ts")).files].map((f) => relative(src, f))).toContain(
      "index.ts",
    );
  });

  it("model operations never import the entity classes (ops return data, entities wrap it)", () => {
    const ops = sourceFiles(join(src, "model", "ops"));
    expect(ops.length).toBeGreaterThan(10);
    // What knows the entity classes: the classes, the Model, and the context typing them.
    const wrappers = [
      `${join(src, "model", "entities")}/`,
      join(src, "model", "model.ts"),
      join(src, "model", "context.ts"),
    ];
    const knowsEntities = (f: string) => wrappers.some((w) => f === w || f.startsWith(w));
    const offending: string[] = [];
    for (const file of ops) {
      // Not even a type-only import, directly…
      for (const spec of importsOf(file, false, true)) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
        if (spec.startsWith(".") && knowsEntities(target)) {
          offending.push(`${relative(root, file)} imports ${relative(root, target)}`);
        }
      }
      // …nor, at run time, through another module.
      for (const reached of reach(file).files) {
        if (knowsEntities(reached)) {
          offending.push(`${relative(root, file)} reaches ${relative(root, reached)}`);
        }
      }
    }
    expect([...new Set(offending)]).toEqual([]);
  });

  it("test-support modules live under test/, and no shipped module imports them", () => {
    const all = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? all(path) : [path];
      });
    expect(all(src).filter((f) => /test-support|fake-/.test(relative(src, f)))).toEqual([]);
    const offending = sourceFiles(src).flatMap((file) =>
      importsOf(file, false, true)
        .filter(
          (spec) =>
            spec.startsWith(".") && resolve(dirname(file), spec).startsWith(`${root}/test/`),
        )
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("the checker sees real imports (a file known to import node:fs is caught)", () => {
    const { external } = reach(join(src, "charm", "charm-dir.ts"));
    expect([...external.keys()]).toContain("node:fs");
  });
});

/**
 * Vitest global setup: makes sure `dist/` is a build of the current sources
 * before any test file runs, so the CLI tests can run the built `libjuju`
 * (what `npm install` users get as the bin, and ~4x cheaper to start than
 * the sources through tsx) and the package test can pack it without
 * building again. After `npm ci` (whose `prepare` builds) the check finds
 * dist fresh and costs a directory walk; after an edit it rebuilds once
 * per run with the package's own `npm run build` (which empties dist first).
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const src = join(root, "src");
const dist = join(root, "dist");

/** Every entry under `dir`, recursively, as absolute paths (callers filter files by extension). */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Names rather than Dirents: Dirent.parentPath needs Node 20.12, engines say 20.
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((name) => join(dir, name));
}

/** True when the sources the build compiles are all in `dist`, newer than their inputs, and nothing else is. */
function distIsFresh(): boolean {
  const built = walk(dist).filter((f) => f.endsWith(".js"));
  if (built.length === 0) return false;
  const isBuildInput = (f: string) =>
    f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".test-support.ts");
  const sources = walk(src).filter(isBuildInput);
  const expected = new Set(sources.map((f) => relative(src, f).replace(/\.ts$/, ".js")));
  const have = new Set(built.map((f) => relative(dist, f)));
  // A missing output, or one whose source is gone: build from scratch.
  if (expected.size !== have.size || [...expected].some((f) => !have.has(f))) return false;
  const oldestOutput = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const inputs = [
    ...sources,
    join(root, "package.json"),
    join(root, "tsconfig.json"),
    join(root, "tsconfig.build.json"),
  ];
  return inputs.every((f) => statSync(f).mtimeMs <= oldestOutput);
}

/** Builds `dist` unless it is already a build of the current sources. */
export default function setup(): void {
  if (distIsFresh()) return;
  try {
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  } catch (err) {
    // tsc still emits on type errors (`npm test` typechecks before it gets
    // here): the tests then run what it emitted rather than none at all.
    if (!existsSync(join(dist, "cli", "main.js"))) throw err;
    process.stderr.write("built-dist: the build reported errors; testing what it emitted\n");
  }
}

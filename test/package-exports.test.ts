import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Packs the library as npm would publish it, installs the tarball into a tiny
// consumer project and compiles that with moduleResolution nodenext: this is
// what catches a missing `types` condition or extension-less .d.ts imports.
const root = resolve(import.meta.dirname, "..");
let dir: string;
/** The packed tarball, exactly what `npm publish` would upload. */
let tarball: string;
/** The tarball unpacked where a consumer's install would put it. */
let pkgDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-consumer-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  tarball = join(dir, filename);
  pkgDir = join(dir, "node_modules", "libjuju");
  await mkdir(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
  // The consumer resolves libjuju's own dependencies (ws, yaml, @types/…) from the repo's install.
  for (const name of await readdir(join(root, "node_modules"))) {
    if (name === "libjuju" || name.startsWith(".")) continue;
    await symlink(join(root, "node_modules", name), join(dir, "node_modules", name));
  }
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module" }));
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
  await writeFile(
    join(dir, "consumer.ts"),
    [
      'import { Model, JujuError } from "libjuju";',
      'import { Simulator } from "libjuju/simulator";',
      'import { parseBundleSync, type BundleData } from "libjuju/bundle";',
      'export const bundle: BundleData = parseBundleSync("applications: {a: {charm: ch:a}}");',
      "export async function main(): Promise<string> {",
      "  const sim = await Simulator.start({});",
      "  const err: JujuError | undefined = undefined;",
      "  void err;",
      "  const model = await Model.connectCurrent();",
      "  await model.disconnect();",
      "  await sim.stop();",
      "  return sim.endpoint;",
      "}",
      "",
    ].join("\n"),
  );
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each test spawns tsc or node on the packed package: seconds on an idle machine, far more on a busy one.
describe("published package", { timeout: 180_000 }, () => {
  it("type-checks for a consumer using moduleResolution nodenext", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    expect(() =>
      execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", stdio: "pipe" }),
    ).not.toThrow();
  });

  it("imports at run time through the exports map", () => {
    const script =
      'const m = await import("libjuju"); const s = await import("libjuju/simulator"); const b = await import("libjuju/bundle"); console.log(typeof m.Model, typeof s.Simulator, Object.keys(b.parseBundleSync("applications: {a: {charm: ch:a}}").applications).join());';
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(out.trim()).toBe("function function a");
  });

  // vitest rewrites CommonJS named imports; plain Node only finds the names
  // cjs-module-lexer can see, so a lazily loaded edge module (ssh2's) can
  // load in tests yet throw a SyntaxError for the published build.
  it("loads the lazily imported ssh2 connector under plain Node", () => {
    const script =
      'const m = await import("./node_modules/libjuju/dist/model/ops/manual-provision-ssh2.js"); console.log(typeof m.ssh2Connector.connect);';
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
      stdio: "pipe",
    });
    expect(out.trim()).toBe("function");
  });

  // publint checks the package.json against the files actually packed
  // (exports targets exist, formats match, types conditions first…).
  it("passes publint --strict", async () => {
    const data = await readFile(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: new Uint8Array(data).buffer },
      strict: true,
    });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toEqual([]);
  });

  // attw resolves every entry point as TypeScript would under each module
  // mode; libjuju is ESM only, so CommonJS `require` resolutions are not asked for.
  it("passes @arethetypeswrong/cli with the esm-only profile", () => {
    const attw = join(root, "node_modules", "@arethetypeswrong", "cli", "dist", "index.js");
    const run = () =>
      execFileSync(
        process.execPath,
        [attw, tarball, "--profile", "esm-only", "--format", "ascii", "--no-color"],
        { encoding: "utf8", stdio: "pipe" },
      );
    expect(run).not.toThrow();
  });

  it("ships every source its source maps and declaration maps name", async () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => f.replace(/^package\//, ""));
    const maps = files.filter((f) => f.endsWith(".js.map") || f.endsWith(".d.ts.map"));
    expect(maps).toContain("dist/index.js.map");
    expect(maps).toContain("dist/index.d.ts.map");
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(pkgDir, map), "utf8")) as {
        sources: string[];
      };
      for (const source of sources) {
        const path = relative(pkgDir, resolve(pkgDir, dirname(map), source));
        if (!shipped.has(path)) missing.push(`${map} -> ${path}`);
      }
    }
    expect(missing).toEqual([]);
    // No tests, test helpers or test data in the package.
    expect(files.filter((f) => /\.test(-support)?\.|testdata/.test(f))).toEqual([]);
  });

  // dist/ is removed before each build: a module whose source was deleted or
  // moved must not linger in the package.
  it("ships no compiled file without its source", () => {
    const js = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((f) => /^package\/dist\/.*\.js$/.test(f))
      .map((f) => f.replace(/^package\/dist\//, ""));
    expect(js.length).toBeGreaterThan(100);
    const stale = js.filter((f) => !existsSync(join(pkgDir, "src", f.replace(/\.js$/, ".ts"))));
    expect(stale).toEqual([]);
  });
});

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Packs the library as npm would publish it, installs the tarball into a tiny
// consumer project and compiles that with moduleResolution nodenext: this is
// what catches a missing `types` condition or extension-less .d.ts imports.
const root = resolve(import.meta.dirname, "..");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-consumer-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  const pkgDir = join(dir, "node_modules", "libjuju");
  await mkdir(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", join(dir, filename), "-C", pkgDir, "--strip-components=1"]);
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
      'import { startTestController, type TestController } from "libjuju/testing";',
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
      "export async function testing(): Promise<string> {",
      '  const ctl: TestController = await startTestController({ clock: "virtual" });',
      "  try {",
      '    ctl.failHook("app", "install", { times: 1 });',
      '    await ctl.advance("5m");',
      "    return (await ctl.model()).uuid;",
      "  } finally {",
      "    await ctl.dispose();",
      "  }",
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

  it("runs libjuju/testing under plain Node: a test controller, a scripted hook, a model client", () => {
    const script = [
      'const { startTestController, CONTROL_METHODS } = await import("libjuju/testing");',
      'const ctl = await startTestController({ clock: "virtual", timing: "realistic" });',
      'ctl.failHook("app", "install", { times: 1 });',
      'const { now } = await ctl.advance("5m");',
      "const model = await ctl.model();",
      "const connected = model.isConnected();",
      "await ctl[Symbol.asyncDispose]();",
      'console.log(now, connected, CONTROL_METHODS.includes("failHook"));',
    ].join("\n");
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
      stdio: "pipe",
    });
    expect(out.trim()).toBe("2025-01-01T00:05:00.000Z true true");
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
});

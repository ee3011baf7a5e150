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
  // dist/ is already a fresh build of the sources (test/support/built-dist.ts,
  // the suite's globalSetup, runs `npm run build` when it is not): packing
  // without the `prepare` script saves building it a second time.
  const out = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  tarball = join(dir, filename);
  pkgDir = join(dir, "node_modules", "libjuju");
  await mkdir(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
  // The consumer resolves libjuju's own dependencies (ws, yaml, …) from the
  // repo's install, but of the @types packages only those a consumer gets:
  // its own @types/node and the ones libjuju depends on. A published .d.ts
  // that imports a devDependency's types then fails to compile here.
  const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const name of await readdir(join(root, "node_modules"))) {
    if (name === "libjuju" || name === "@types" || name.startsWith(".")) continue;
    await symlink(join(root, "node_modules", name), join(dir, "node_modules", name));
  }
  await mkdir(join(dir, "node_modules", "@types"));
  for (const name of ["@types/node", ...Object.keys(manifest.dependencies)]) {
    if (!name.startsWith("@types/")) continue;
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
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each test spawns tsc or node on the packed package: seconds on an idle machine, far more on a busy one.
describe("published package", { timeout: 180_000 }, () => {
  it("type-checks for a consumer using moduleResolution nodenext", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout || e);
    }
    expect(output).toBe("");
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

  // The main entry point is the client's public API: plumbing the Model and
  // Controller use internally (registries, negotiation, bulk helpers, state
  // sources, redaction) stays importable only from its module.
  it("keeps internals out of the main entry point", () => {
    const script = 'console.log(Object.keys(await import("libjuju")).join(" "));';
    const names = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
    })
      .trim()
      .split(" ");
    expect(names).toEqual(expect.arrayContaining(["Model", "Controller", "JujuError", "Unit"]));
    const internals = [
      "ObserverRegistry",
      "entityFactory",
      "negotiateFacades",
      "requireFacadeVersion",
      "serverFacadeMap",
      "bulkResults",
      "bulkResultsStrict",
      "checkDeltas",
      "ModelWatcher",
      "ModelConnection",
      "StatusPoller",
      "snapshotFromStatus",
      "diffSnapshots",
      "redactSecrets",
      "login",
      "hostPortsToEndpoints",
      "addMachineParams",
      "sshSpecOf",
      "parseBindings",
      "declaredBases",
      "selectBase",
      "backoffDelay",
      "isRetrySafe",
      "autoStateSource",
      "statusPollPolicy",
      "deriveApplicationStatus",
      "redirectTarget",
    ];
    expect(names.filter((n) => internals.includes(n))).toEqual([]);
  });

  // The CLI tests run dist/cli/main.js from the repository; this runs the
  // bin as the installed package declares it, with only its own files.
  it("runs the libjuju bin from the installed package", async () => {
    const { bin } = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(Object.keys(bin)).toEqual(["libjuju"]);
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      version: string;
    };
    const out = execFileSync(process.execPath, [join(pkgDir, bin.libjuju!), "--version"], {
      cwd: dir,
      encoding: "utf8",
      stdio: "pipe",
    });
    expect(out.trim()).toBe(version);
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
  // TypeDoc over the published declarations with typedoc.json's validation
  // (warnings are errors): every type a public signature uses is exported
  // from an entry point, every {@link} resolves to a documented symbol, and
  // every public symbol has a doc comment (`notDocumented`).
  it("documents the public API with no TypeDoc warnings", async () => {
    const entries = ["index", "simulator/index", "bundle/index", "testing/index"].map((e) =>
      join(pkgDir, "dist", `${e}.d.ts`),
    );
    await writeFile(
      join(dir, "tsconfig.docs.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          types: ["node"],
        },
        files: entries,
      }),
    );
    const typedoc = join(root, "node_modules", "typedoc", "bin", "typedoc");
    const args = ["--options", join(root, "typedoc.json"), "--tsconfig"];
    args.push(join(dir, "tsconfig.docs.json"), "--emit", "none", "--logLevel", "Warn");
    for (const e of entries) args.push("--entryPoints", e);
    let output = "";
    try {
      output = execFileSync(process.execPath, [typedoc, ...args], {
        cwd: dir,
        encoding: "utf8",
        stdio: "pipe",
        env: { ...process.env, NO_COLOR: "1" },
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      output = `${err.stdout ?? ""}${err.stderr ?? ""}` || String(e);
    }
    const problems = output
      .split("\n")
      .map((line) => line.trim())
      .filter(
        (line) =>
          line !== "" &&
          // The count line; every warning it counts is on a line of its own.
          !/^\[warning\] Found \d+ errors and \d+ warnings$/.test(line),
      );
    expect(problems).toEqual([]);
  });

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

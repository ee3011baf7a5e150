import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDryRun } from "../src/bundle/describe.js";
import { parseBundle, planBundle } from "../src/bundle/index.js";
import { cliArgv } from "./support/cli-harness.js";
import { JUJU_VERSIONS, type JujuVersionUnderTest } from "./support/juju-versions.js";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/**
 * The bundle of each profile: mysql assumes juju < 4, which Juju 4 refuses
 * (bundles.e2e tests that), so the 4.0 run deploys kubernetes-worker in its place.
 */
const DB = {
  "3.6": { charm: "mysql", channel: "8.0/stable" },
  "4.0": { charm: "kubernetes-worker", channel: "1.35/stable" },
} as const;
const bundleFor = (juju: JujuVersionUnderTest) => `default-base: ubuntu@22.04
applications:
  db:
    charm: ${DB[juju].charm}
    channel: ${DB[juju].channel}
    num_units: 1
  box:
    charm: ubuntu
    num_units: 1
    to: ["lxd:db/0"]
    expose: true
`;

describe.each(JUJU_VERSIONS)("libjuju deploy BUNDLE / export-bundle on Juju %s", (juju) => {
  const BUNDLE = bundleFor(juju);
  let dir: string;
  let sim: ChildProcess;
  const libjuju = (args: string[]) =>
    run(process.execPath, cliArgv(args), {
      env: { ...process.env, JUJU_DATA: dir },
      cwd: root,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-cli-bundle-"));
    await writeFile(join(dir, "bundle.yaml"), BUNDLE);
    await writeFile(join(dir, "no-box.yaml"), "applications:\n  box: null\n");
    const child = spawn(
      process.execPath,
      cliArgv(["sim", "--port", "0", "--juju-data", dir, "--timing", "instant", "--juju", juju]),
      { cwd: root, env: process.env },
    );
    sim = child;
    let out = "";
    await new Promise<void>((ready, fail) => {
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        if (/ready.*wss:\/\/127\.0\.0\.1:\d+/.test(out)) ready();
      });
      child.on("exit", () => fail(new Error(`sim exited:\n${out}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (sim && sim.exitCode === null) sim.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  it("--dry-run prints Juju's header and one line per change, and deploys nothing", async () => {
    const { stdout } = await libjuju(["deploy", join(dir, "bundle.yaml"), "--dry-run"]);
    const plan = planBundle(await parseBundle(BUNDLE));
    expect(stdout).toBe(`${formatDryRun(plan).join("\n")}\n`);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Changes to deploy bundle:");
    expect(lines).toContain("- add unit db/0 to new machine 0");
    expect(lines).toContain(
      "- expose all endpoints of box and allow access from CIDRs 0.0.0.0/0 and ::/0",
    );
    const status = JSON.parse((await libjuju(["status", "--format", "json"])).stdout);
    expect(status.applications ?? {}).toEqual({});

    const overlaid = await libjuju([
      "deploy",
      join(dir, "bundle.yaml"),
      "--overlay",
      join(dir, "no-box.yaml"),
      "--dry-run",
    ]);
    expect(overlaid.stdout).not.toContain("box");
    expect(overlaid.stdout).toContain("- deploy application db from charm-hub");
  });

  it("deploys with one plain progress line per change state, then plans nothing on a second run", async () => {
    const { stdout, stderr } = await libjuju(["deploy", join(dir, "bundle.yaml")]);
    expect(stdout).not.toContain("\x1b");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Deploying bundle .*bundle\.yaml \(\d+ changes\)$/);
    const plan = planBundle(await parseBundle(BUNDLE));
    for (const c of plan.changes) {
      expect(lines).toContain(`- ${c.description}  running`);
      expect(lines.some((l) => l.startsWith(`- ${c.description}  done in `))).toBe(true);
    }
    expect(lines.at(-1)).toBe("Deployed 2 applications: db, box");
    expect(stderr).toContain("Deploy of bundle completed.");

    const again = await libjuju(["deploy", join(dir, "bundle.yaml"), "--dry-run"]);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("No changes to apply.");
  }, 120_000);

  it("export-bundle prints the model's bundle, or writes it with --filename", async () => {
    const { stdout } = await libjuju(["export-bundle"]);
    expect(stdout).toContain("applications:");
    expect(stdout).toContain(`charm: ${DB[juju].charm}`);
    expect(stdout).toContain("charm: ubuntu");
    const file = join(dir, "exported.yaml");
    const written = await libjuju(["export-bundle", "--filename", file]);
    expect(written.stderr).toContain(`Bundle successfully exported to ${file}`);
    expect(await readFile(file, "utf8")).toBe(stdout.endsWith("\n") ? stdout : `${stdout}\n`);
  }, 60_000);
});

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv, runCli } from "./support/cli-harness.js";

const root = resolve(import.meta.dirname, "..");
// Real charm directories (tests may read ../shared; the product never does).
const charmDirs = resolve(root, "..", "shared", "testdata", "charm-dirs");

function libjuju(args: string[], env: Record<string, string>) {
  return runCli(args, env);
}

describe("libjuju sim + status", () => {
  let dir: string;
  let sim: ChildProcess;
  let output = "";
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-cli-"));
    sim = spawn(
      process.execPath,
      cliArgv([
        "sim",
        "--port",
        "0",
        "--juju-data",
        dir,
        "--timing",
        "instant",
        "--charms",
        charmDirs,
      ]),
      { cwd: root },
    );
    exited = new Promise((r) => sim.on("exit", (code) => r(code)));
    await new Promise<void>((ready, fail) => {
      sim.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/ready.*wss:\/\/127\.0\.0\.1:\d+/.test(output)) ready();
      });
      sim.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      sim.on("exit", () => fail(new Error(`sim exited early:\n${output}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (sim && sim.exitCode === null) sim.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the JUJU_DATA export line and writes the client files there", async () => {
    expect(output).toContain(`export JUJU_DATA=${dir}`);
    const controllers = await readFile(join(dir, "controllers.yaml"), "utf8");
    expect(controllers).toContain("current-controller: libjuju-sim");
  });

  it("adds every charm folder given with --charms to the catalog", () => {
    expect(output).toMatch(/charms added to the catalog: .*dummy/);
  });

  it("rejects a --charms directory without charms, naming it", async () => {
    const err = await libjuju(["sim", "--port", "0", "--charms", root], {}).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain(`--charms ${root}: holds no charm`);
  });

  it("rejects an unknown timing profile", async () => {
    const err = await libjuju(["sim", "--timing", "warp"], {}).catch((e: unknown) => e);
    expect((err as { stderr: string }).stderr).toMatch(/--timing.*warp.*instant, fast, realistic/s);
  });

  it("shows the current model's status through those files, saying it is empty", async () => {
    const { stdout, stderr } = await libjuju(["status"], { JUJU_DATA: dir });
    expect(stdout).toMatch(/^Model\s+Controller\s+Cloud\/Region\s+Version/m);
    expect(stdout).toMatch(/^default\s+libjuju-sim\s+localhost\/localhost\s+3\.6\.\d+/m);
    // As `juju status` does: the message goes to stderr, after a blank line.
    expect(stderr).toBe('\nModel "admin/default" is empty.\n');
  });

  it("says nothing matched when patterns select nothing", async () => {
    const one = await libjuju(["status", "nosuch"], { JUJU_DATA: dir });
    expect(one.stderr).toBe("\nNothing matched specified filter.\n");
    const two = await libjuju(["status", "nosuch", "other"], { JUJU_DATA: dir });
    expect(two.stderr).toBe("\nNothing matched specified filters.\n");
  });

  it("prints JSON status for a named model", async () => {
    const { stdout } = await libjuju(
      ["status", "-m", "libjuju-sim:admin/controller", "--format", "json"],
      {
        JUJU_DATA: dir,
      },
    );
    expect(JSON.parse(stdout).model.name).toBe("controller");
  });

  it("fails with a clear message for an unknown model", async () => {
    const err = await libjuju(["status", "-m", "nope"], { JUJU_DATA: dir }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^ERROR model .*nope.* not found/m);
  });

  it("shuts down cleanly on SIGINT", async () => {
    sim.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("SIGINT: shutting down");
  });
});

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "./support/cli-harness.js";

// `libjuju sim` must be able to take its admin password without argv (which
// every local user sees in the process list): from a file or the environment.
const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-sim-password-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `libjuju sim` until it is ready, stops it and returns the accounts.yaml it wrote. */
async function simAccounts(args: string[], env: Record<string, string>): Promise<string> {
  const jujuData = await mkdtemp(join(dir, "data-"));
  const sim: ChildProcess = spawn(
    process.execPath,
    cliArgv(["sim", "--port", "0", "--juju-data", jujuData, "--timing", "instant", ...args]),
    { cwd: root, env: { ...process.env, ...env } },
  );
  let output = "";
  try {
    await new Promise<void>((ready, fail) => {
      sim.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/ready.*wss:\/\//.test(output)) ready();
      });
      sim.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      sim.on("exit", () => fail(new Error(`sim exited early:\n${output}`)));
    });
    return await readFile(join(jujuData, "accounts.yaml"), "utf8");
  } finally {
    const exited = new Promise((r) => sim.on("exit", r));
    if (sim.exitCode === null) sim.kill("SIGTERM");
    await exited;
  }
}

/** Runs `libjuju sim` expecting it to refuse to start; its exit code and stderr. */
async function failure(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const outcome = await run(process.execPath, cliArgv(["sim", "--port", "0", ...args]), {
    env: { ...process.env, ...env },
    cwd: root,
    // A sim that wrongly starts runs until killed: end it so the test fails instead of hanging.
    timeout: 60_000,
  }).then(
    () => undefined,
    (e: unknown) => e as { code: number; stderr: string },
  );
  if (outcome === undefined) throw new Error(`libjuju sim ${args.join(" ")} did not fail`);
  return outcome;
}

describe("libjuju sim admin password without argv", { timeout: 120_000 }, () => {
  it("reads it from --password-file, dropping the trailing newline", async () => {
    const file = join(dir, "pw");
    await writeFile(file, "from-a-file-123\n", { mode: 0o600 });
    const accounts = await simAccounts(["--password-file", file], {});
    expect(accounts).toMatch(/password: "?from-a-file-123"?\n/);
  });

  it("reads it from LIBJUJU_SIM_PASSWORD", async () => {
    const accounts = await simAccounts([], { LIBJUJU_SIM_PASSWORD: "from-the-env-456" });
    expect(accounts).toMatch(/password: "?from-the-env-456"?\n/);
  });

  it("still takes --password, and says why not to in its help", async () => {
    const accounts = await simAccounts(["--password", "on-argv-789"], {});
    expect(accounts).toMatch(/password: "?on-argv-789"?\n/);
    const { stdout } = await run(process.execPath, cliArgv(["sim", "--help"]), { cwd: root });
    expect(stdout.replace(/\s+/g, " ")).toMatch(/process list.*--password-file/);
  });

  it("refuses both flags at once, a missing file and an empty password", async () => {
    const file = join(dir, "pw2");
    await writeFile(file, "x\n");
    const both = await failure(["--password", "a", "--password-file", file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either --password or --password-file");
    const missing = await failure(["--password-file", join(dir, "nope")]);
    expect(missing.stderr).toContain(`--password-file ${join(dir, "nope")}`);
    const empty = await failure([], { LIBJUJU_SIM_PASSWORD: "" });
    expect(empty.stderr).toContain("LIBJUJU_SIM_PASSWORD: the password is empty");
  });
});

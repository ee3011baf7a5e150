import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";

const root = resolve(import.meta.dirname, "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const main = join(root, "src", "cli", "main.ts");

/** `libjuju <args>` as a child process (stdout is a pipe: plain progress lines). */
function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [tsx, main, ...args], {
    env: { ...process.env, ...env },
    cwd: root,
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    for (const l of [...listeners]) l();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const until = (test: () => boolean) =>
    new Promise<void>((ready, fail) => {
      const check = () => {
        if (!test()) return;
        listeners.delete(check);
        ready();
      };
      listeners.add(check);
      void exited.then(() => fail(new Error(`exited early:\n${stdout}\n${stderr}`)));
      check();
    });
  return { child, exited, until, output: () => ({ stdout, stderr }) };
}

let dir: string;
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-wait-"));
  sim = await Simulator.start({ jujuData: dir, timing: "instant" });
  env = { JUJU_DATA: dir };
});
afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("libjuju wait", { timeout: 120_000 }, () => {
  it("shows what is pending, one plain line per change, and exits 0 with a summary once idle", async () => {
    const wait = spawnCli(["wait", "--apps", "late", "--status", "active", "--idle", "1s"], env);
    await wait.until(() =>
      wait.output().stdout.includes("application late  missing from the model"),
    );
    const writer = await Model.connectCurrent({ env });
    try {
      await writer.deploy("ubuntu", { applicationName: "late", numUnits: 2 });
      expect(await wait.exited).toBe(0);
    } finally {
      await writer.disconnect();
    }
    const { stdout } = wait.output();
    expect(stdout).toMatch(/^Waiting for late to be idle$/m);
    expect(stdout).toMatch(/^ready after \d+\.\d s; last waited on /m);
    // Durations are left out of plain lines, so they only change with statuses.
    expect(stdout).not.toMatch(/ for \d+ s/);
  });

  it("exits 1 naming what was not ready when the time runs out", async () => {
    const wait = spawnCli(["wait", "--apps", "ghost", "--timeout", "2s"], env);
    expect(await wait.exited).toBe(1);
    expect(wait.output().stderr).toMatch(
      /^ERROR timed out after 2s waiting for ghost to be idle:\n {2}application ghost: missing from the model/m,
    );
  });

  it("rejects a bad duration as a usage error (exit 2)", async () => {
    const wait = spawnCli(["wait", "--idle", "soon"], env);
    expect(await wait.exited).toBe(2);
    expect(wait.output().stderr).toMatch(/^ERROR .*invalid duration "soon"/m);
  });
});

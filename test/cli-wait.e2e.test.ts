import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { spawnCli } from "./support/cli-harness.js";

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
    await wait.until(
      () => wait.output().stdout.includes("application late  missing from the model"),
      "the pending line of late",
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

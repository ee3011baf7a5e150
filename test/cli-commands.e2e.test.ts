/**
 * The smaller `libjuju` commands against an in-process simulator: models,
 * add-machine, config, run (actions) and debug-log, each as its `juju`
 * namesake prints.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, runCliFails } from "./support/cli-harness.js";
import { useSimController } from "./support/sim-controller.js";

// Each step spawns the CLI (a fresh Node process through tsx): slow on a busy 2-core machine.
describe("libjuju models / add-machine / config / run / debug-log", { timeout: 120_000 }, () => {
  const ctl = useSimController("cli-commands");
  const cli = (args: string[]) => runCli(args, { JUJU_DATA: ctl.dir });
  const fails = (args: string[]) => runCliFails(args, { JUJU_DATA: ctl.dir });

  it("lists the controller's models, the current one starred, in tabular and JSON", async () => {
    const table = await cli(["models"]);
    expect(table.stdout).toMatch(/^Controller: sim\n\nModel\s+Type\s+Owner\s+Last connection\n/);
    expect(table.stdout).toMatch(/^default\*\s+iaas\s+admin\s/m);
    expect(table.stdout).toMatch(/^controller\s+iaas\s+admin\s/m);
    const json = JSON.parse((await cli(["models", "--format", "json"])).stdout);
    expect(json["current-model"]).toBe("admin/default");
    expect(json.models.map((m: { name: string }) => m.name)).toEqual([
      "admin/controller",
      "admin/default",
    ]);
  });

  it("adds machines and containers, saying what it created on stderr", async () => {
    const { stdout, stderr } = await cli(["add-machine", "-n", "2"]);
    expect(stdout).toBe("");
    const ids = [...stderr.matchAll(/^created machine (\d+)$/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const container = await cli(["add-machine", `lxd:${ids[0]}`]);
    expect(container.stderr).toBe(`created container ${ids[0]}/lxd/0\n`);
    const bad = await fails(["add-machine", "--constraints", "mem=lots"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ERROR .*mem/m);
  });

  it("prints, sets and resets an application's settings", async () => {
    const model = await ctl.controller.getModel("default");
    try {
      await model.deploy("mysql", { numUnits: 1 });
      await model.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
    } finally {
      await model.disconnect();
    }
    const all = parse((await cli(["config", "mysql"])).stdout);
    expect(all).toMatchObject({ application: "mysql", charm: "mysql" });
    expect(Object.keys(all.settings.profile)).toEqual(Object.keys(all.settings.profile).sort());
    const before = (await cli(["config", "mysql", "profile"])).stdout;
    await cli(["config", "mysql", "profile=testing"]);
    expect((await cli(["config", "mysql", "profile"])).stdout).toBe("testing\n");
    await cli(["config", "mysql", "--reset", "profile"]);
    expect((await cli(["config", "mysql", "profile"])).stdout).toBe(before);
    const unknown = await fails(["config", "mysql", "no-such-key"]);
    expect(unknown.stderr).toMatch(/key "no-such-key" not found/);
  });

  it("runs an action, printing progress on stderr and failing for an unknown one", async () => {
    const ok = await cli(["run", "mysql/0", "get-cluster-status"]);
    expect(ok.stderr).toMatch(
      /^Running operation with 1 task\n {2}- task \d+ on unit-mysql-0\n\nWaiting for task \d+\.\.\.\n/,
    );
    const unknown = await fails(["run", "mysql/leader", "no-such-action"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^ERROR .*no-such-action.*not defined/m);
    const usage = await fails(["run", "mysql/0", "backup", "oops"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('ERROR argument "oops" must be of the form key=value\n');
  });

  it("shows the log as juju debug-log does, filtered and without following", async () => {
    const { stdout } = await cli(["debug-log", "--replay", "--no-tail", "-i", "mysql/0", "--utc"]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(line).toMatch(/^unit-mysql-0: \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARNING|ERROR) \S+ /);
    }
    const limited = await cli(["debug-log", "--replay", "--no-tail", "--limit", "2", "--date"]);
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(limited.stdout).toMatch(/^\S+: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d /);
    const level = await fails(["debug-log", "--level", "loud"]);
    expect(level.code).toBe(2);
  });
});

import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, runCliFails, spawnCli } from "./support/cli-harness.js";

// Every step spawns the CLI (a fresh Node process): slow on a busy 2-core machine.
describe("libjuju deploy / watch / integrate / remove-application", { timeout: 120_000 }, () => {
  let dir: string;
  let sim: ChildProcess;
  const env = () => ({ JUJU_DATA: dir });
  const libjuju = (args: string[]) => runCli(args, env());
  const failing = (args: string[]) => runCliFails(args, env());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-cli-deploy-"));
    const s = spawnCli(["sim", "--port", "0", "--juju-data", dir, "--timing", "instant"], {});
    sim = s.child;
    await s.until(() => /ready.*wss:\/\/127\.0\.0\.1:\d+/.test(s.output().stdout), "ready");
  }, 60_000);

  afterAll(async () => {
    if (sim && sim.exitCode === null) sim.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys with --wait, printing plain progress lines when stdout is not a terminal", async () => {
    const { stdout } = await libjuju([
      "deploy",
      "ubuntu",
      "-n",
      "2",
      "--wait",
      "--idle-period",
      "0s",
      "--timeout",
      "1m",
    ]);
    expect(stdout).not.toContain("\x1b");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('Deploying "ubuntu"');
    expect(lines).toContain('Waiting for "ubuntu" to be active and idle');
    expect(lines).toContain("unit ubuntu/0  agent=idle workload=active");
    expect(lines).toContain("unit ubuntu/1  agent=idle workload=active");
    expect(lines.some((l) => /^machine \d+ {2}agent=started instance=running/.test(l))).toBe(true);
    // One line per change: never the same line twice in a row for an entity.
    const byEntity = new Map<string, string[]>();
    for (const l of lines.filter((l) => /^(unit|machine) /.test(l))) {
      const key = l.split("  ")[0]!;
      byEntity.set(key, [...(byEntity.get(key) ?? []), l]);
    }
    for (const list of byEntity.values())
      for (let i = 1; i < list.length; i++) expect(list[i]).not.toBe(list[i - 1]);
    expect(lines.at(-1)).toMatch(
      /^Deployed "ubuntu" \(charm ubuntu, channel \S+, revision \d+\) with 2 units, active and idle$/,
    );

    const status = await libjuju(["status", "--format", "json"]);
    const app = JSON.parse(status.stdout).applications.ubuntu;
    expect(Object.keys(app.units).sort()).toEqual(["ubuntu/0", "ubuntu/1"]);
  });

  it("deploys under another name with config, channel and constraints, without waiting", async () => {
    const { stdout } = await libjuju([
      "deploy",
      "ubuntu",
      "edgy",
      "--channel",
      "latest/edge",
      "--config",
      "hostname=box",
      "--constraints",
      "mem=1G cores=2",
      "--no-progress",
    ]);
    expect(stdout).toMatch(
      /^Deployed "edgy" \(charm ubuntu, channel \S*edge, revision \d+\) with 1 unit\n$/,
    );
    const status = JSON.parse((await libjuju(["status", "--format", "json", "edgy"])).stdout);
    expect(status.applications.edgy["charm-channel"]).toMatch(/edge$/);
  });

  it("fails on an unknown charm with an ERROR line and exit code 1", async () => {
    const err = await failing(["deploy", "no-such-charm-here", "--no-progress"]);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(
      /^ERROR cannot resolve charm "no-such-charm-here": .*no-such-charm-here/m,
    );
  });

  it("rejects bad constraints before connecting, naming the bad part", async () => {
    const err = await failing(["deploy", "ubuntu", "bad", "--constraints", "mem=4G cores=x"]);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(
      /^ERROR invalid constraints "mem=4G cores=x": bad "cores" constraint.* \(ERR_PARSE\)$/m,
    );
    expect(err.stdout).toBe("");
  });

  it("reports the server's error for an unknown config option and an existing application", async () => {
    const unknown = await failing(["deploy", "ubuntu", "cfg", "--config", "nope=1"]);
    expect(unknown.stderr).toMatch(/^ERROR cannot deploy "cfg": unknown option "nope"/m);
    const twice = await failing(["deploy", "ubuntu", "--no-progress"]);
    expect(twice.stderr).toMatch(
      /^ERROR cannot deploy "ubuntu": .*already exists \(already exists\)$/m,
    );
  });

  it("rejects a malformed --timeout and -n as usage errors (exit 2)", async () => {
    const timeout = await failing(["deploy", "ubuntu", "--wait", "--timeout", "10"]);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(
      /--timeout.*invalid duration "10": expected e\.g\. 600s, 10m, 1h/,
    );
    const units = await failing(["deploy", "ubuntu", "-n", "two"]);
    expect(units.stderr).toMatch(/--num-units.*non-negative integer/);
  });

  it("gives up waiting after --timeout with a timeout error naming what is not ready", async () => {
    const err = await failing([
      "deploy",
      "ubuntu",
      "slow",
      "--wait",
      "--timeout",
      "1ms",
      "--no-progress",
    ]);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/^ERROR timed out after 0\.001s waiting for slow to be idle/m);
    expect(err.stderr).toMatch(/\(ERR_WAIT_TIMEOUT\)\n$/);
  });

  it("on Ctrl-C during --wait exits 130, noting that the deployment carries on", async () => {
    // keystone stays blocked until related to a database: the wait cannot end by itself.
    const deploy = spawnCli(["deploy", "keystone", "--wait"], env());
    await deploy.until(
      () => /^unit keystone\/0 .*workload=blocked/m.test(deploy.output().stdout),
      "keystone/0 blocked while waiting",
    );
    expect(deploy.output().stdout).toContain('Waiting for "keystone" to be active and idle');
    deploy.child.kill("SIGINT");
    expect(await deploy.exited).toBe(130);
    expect(deploy.output().stderr).toBe(
      'Interrupted: stopped waiting; the deployment of "keystone" carries on in the model (see libjuju status).\n',
    );
    const status = JSON.parse((await libjuju(["status", "--format", "json", "keystone"])).stdout);
    expect(Object.keys(status.applications.keystone.units)).toEqual(["keystone/0"]);
    // juju status's YAML shape: the agent is `juju-status`, the workload keeps its message.
    const yaml = parse((await libjuju(["status", "--format", "yaml", "--utc", "keystone"])).stdout);
    expect(yaml.applications.keystone.units["keystone/0"]).toMatchObject({
      "workload-status": { current: "blocked" },
      "juju-status": { current: "idle" },
    });
    expect(yaml.applications.keystone.units["keystone/0"]["workload-status"].since).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it("watch --json streams NDJSON deltas of a deploy and exits 0 on SIGINT", async () => {
    const watch = spawnCli(["watch", "--json"], env());
    await watch.until(() => watch.output().stderr.includes("watching"), "watching");
    await libjuju(["deploy", "ubuntu", "watched", "--no-progress"]);
    await watch.until(
      () => /"unit","change",\{[^\n]*"name":"watched\/0"/.test(watch.output().stdout),
      "a delta of watched/0",
    );
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
    const lines = watch.output().stdout.trimEnd().split("\n");
    for (const line of lines) {
      const delta = JSON.parse(line) as unknown[];
      expect(delta).toHaveLength(3);
      expect(["change", "remove"]).toContain(delta[1]);
      expect(typeof delta[2]).toBe("object");
    }
    expect(lines.map((l) => JSON.parse(l)[0])).toEqual(
      expect.arrayContaining(["application", "unit", "machine"]),
    );
  });

  it("watch --type filters, prints one line per change, and stops at --timeout", async () => {
    const watch = spawnCli(["watch", "--type", "unit", "--timeout", "30s"], env());
    await watch.until(() => watch.output().stderr.includes("watching"), "watching");
    await libjuju(["deploy", "ubuntu", "typed", "--no-progress"]);
    await watch.until(
      () => /typed\/0 {2}change {2}agent=idle workload=active/.test(watch.output().stdout),
      "typed/0 active",
    );
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
    const lines = watch.output().stdout.trimEnd().split("\n");
    for (const line of lines)
      expect(line).toMatch(/^\d\d:\d\d:\d\d {2}unit typed\/0 {2}(add|change|remove)/);
    // Only changes: no line repeats the one before it (times aside).
    const shown = lines.map((l) => l.slice(10));
    for (let i = 1; i < shown.length; i++) expect(shown[i]).not.toBe(shown[i - 1]);

    const timed = await libjuju(["watch", "--timeout", "200ms"]);
    expect(timed.stdout).toBe("");
  });

  it("integrates two applications and removes an application", async () => {
    await libjuju(["deploy", "mysql", "--no-progress"]);
    await libjuju(["deploy", "mysql-router", "--no-progress"]);
    const { stdout } = await libjuju(["integrate", "mysql-router", "mysql"]);
    expect(stdout).toMatch(/^Integrated mysql-router:\S+ mysql:\S+\n$/);
    // As `juju integrate`: integrating again is an error naming the relation, with a hint.
    const again = await failing(["integrate", "mysql", "mysql-router"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^ERROR cannot add relation "mysql-router:\S+ mysql:\S+"\nrelation mysql-router:\S+ mysql:\S+ already exists\n\nUse 'libjuju status' to view the current relations\./,
    );
    const noRelation = await failing(["integrate", "ubuntu", "edgy"]);
    expect(noRelation.stderr).toMatch(/^ERROR /m);

    const removed = await libjuju(["remove-application", "ubuntu", "--wait"]);
    expect(removed.stdout).toBe(
      [
        "will remove application ubuntu",
        "- will remove unit ubuntu/0",
        "- will remove unit ubuntu/1",
        "removed application ubuntu",
        "",
      ].join("\n"),
    );
    const status = JSON.parse((await libjuju(["status", "--format", "json"])).stdout);
    expect(status.applications.ubuntu).toBeUndefined();
  });
});

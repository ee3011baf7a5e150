import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { spawnCli } from "./support/cli-harness.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function startSim() {
  const dir = await mkdtemp(join(tmpdir(), "libjuju-watch-"));
  const sim = await Simulator.start({ jujuData: dir, timing: "instant" });
  cleanup.push(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { sim, env: { JUJU_DATA: dir } };
}

describe("libjuju watch and a lost controller", { timeout: 120_000 }, () => {
  it("with --no-reconnect, exits 1 with a clear message when the controller goes away", async () => {
    const { sim, env } = await startSim();
    const watch = spawnCli(["watch", "--no-reconnect"], env);
    cleanup.push(async () => {
      if (watch.child.exitCode === null) watch.child.kill("SIGKILL");
    });
    await watch.until(() => watch.output().stderr.includes("watching"), "watching");
    await sim.stop();
    expect(await watch.exited).toBe(1);
    expect(watch.output().stderr).toMatch(
      /^ERROR lost the connection to the model: .* \(ERR_CONNECTION_CLOSED\)$/m,
    );
  });

  it("reconnects after the controller drops every connection, reports it, and keeps printing changes", async () => {
    const { sim, env } = await startSim();
    const watch = spawnCli(["watch", "--type", "application"], env);
    cleanup.push(async () => {
      if (watch.child.exitCode === null) watch.child.kill("SIGKILL");
    });
    await watch.until(() => watch.output().stderr.includes("watching"), "watching");
    await sim.dropConnections();
    await watch.until(() => watch.output().stderr.includes("reconnected to"), "reconnected");
    expect(watch.output().stderr).toMatch(/connection lost \(.*\); reconnecting/);
    const writer = await Model.connect({
      endpoint: sim.endpoint,
      uuid: sim.defaultModelUuid,
      username: sim.username,
      password: sim.password,
      caCert: sim.caCert,
    });
    cleanup.push(() => writer.disconnect());
    await writer.deploy("ubuntu", { applicationName: "after-drop", numUnits: 0 });
    await watch.until(() => /after-drop/.test(watch.output().stdout), "a change after the drop");
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
  });
});

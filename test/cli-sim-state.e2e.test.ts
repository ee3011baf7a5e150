import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../src/index.js";
import { spawnCli } from "./support/cli-harness.js";

// `libjuju sim --state DIR` keeps the controller across restarts: same model
// UUIDs, same CA and admin password (so client files written by the first
// run stay valid), same applications and units.
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-sim-state-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts `libjuju sim` and waits for its ready line. */
async function startSim(args: string[]) {
  const sim = spawnCli(["sim", "--port", "0", "--timing", "instant", ...args], {});
  await sim.until(() => /ready: listening on wss:\/\//.test(sim.output().stdout), "ready");
  return sim;
}

/** Interrupts the sim the way Ctrl-C does and waits for it to exit. */
async function stopSim(sim: ReturnType<typeof spawnCli>): Promise<number | null> {
  sim.child.kill("SIGINT");
  return sim.exited;
}

describe("libjuju sim --state", { timeout: 180_000 }, () => {
  it("restores models, applications, UUIDs, CA and password after a restart", async () => {
    const state = join(dir, "state");
    const jujuData = join(dir, "juju");
    const first = await startSim(["--state", state, "--juju-data", jujuData]);
    expect(first.output().stdout).toContain(`state: ${state} (new)`);
    let uuid: string;
    const c1 = await Controller.connectCurrent({ env: { JUJU_DATA: jujuData }, pingInterval: 0 });
    try {
      const m = await c1.addModel("persist");
      uuid = m.uuid;
      await m.deploy("ubuntu", { numUnits: 2 });
      await m.setAnnotations({ keep: "me" });
      await m.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
      await m.disconnect();
    } finally {
      await c1.disconnect();
    }
    const controllersBefore = await readFile(join(jujuData, "controllers.yaml"), "utf8");
    const accountsBefore = await readFile(join(jujuData, "accounts.yaml"), "utf8");
    expect(await stopSim(first)).toBe(0);
    const file = join(state, "state.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      format: "libjuju-sim-state",
      version: 1,
      snapshot: { format: "libjuju-sim-snapshot" },
    });

    const second = await startSim(["--state", state, "--juju-data", jujuData]);
    try {
      expect(second.output().stdout).toContain(`state: restored from ${state} (3 models)`);
      const controllersAfter = await readFile(join(jujuData, "controllers.yaml"), "utf8");
      const caOf = (y: string) =>
        /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(y)?.[0];
      const uuidOf = (y: string) => /uuid: (\S+)/.exec(y)?.[1];
      expect(caOf(controllersBefore)).toBeDefined();
      expect(caOf(controllersAfter)).toBe(caOf(controllersBefore));
      expect(uuidOf(controllersAfter)).toBe(uuidOf(controllersBefore));
      expect(await readFile(join(jujuData, "accounts.yaml"), "utf8")).toBe(accountsBefore);

      const c2 = await Controller.connectCurrent({ env: { JUJU_DATA: jujuData }, pingInterval: 0 });
      try {
        const m = await c2.getModel("persist");
        expect(m.uuid).toBe(uuid);
        const status = await m.getStatus();
        expect(Object.keys(status.applications)).toEqual(["ubuntu"]);
        expect(Object.keys(status.applications.ubuntu?.units ?? {}).sort()).toEqual([
          "ubuntu/0",
          "ubuntu/1",
        ]);
        expect(await m.getAnnotations()).toEqual({ keep: "me" });
        // The restored controller keeps working and its changes are saved too.
        await m.applications.get("ubuntu")!.addUnit();
        await m.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
        await m.disconnect();
      } finally {
        await c2.disconnect();
      }
    } finally {
      expect(await stopSim(second)).toBe(0);
    }
    const saved = JSON.parse(await readFile(join(state, "state.json"), "utf8")) as {
      snapshot: { models: Array<{ name: string; entities: unknown }> };
    };
    const persist = saved.snapshot.models.find((m) => m.name === "persist");
    expect(JSON.stringify(persist?.entities)).toContain("ubuntu/2");
  });

  it("refuses a state directory whose state.json is not a state file, leaving it alone", async () => {
    const state = join(dir, "bad");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(state);
    await writeFile(join(state, "state.json"), '{"format":"something-else"}');
    const sim = spawnCli(["sim", "--port", "0", "--state", state], {});
    const code = await sim.exited;
    expect(code).not.toBe(0);
    expect(sim.output().stderr).toContain("is not a libjuju sim state file");
    expect(await readFile(join(state, "state.json"), "utf8")).toBe('{"format":"something-else"}');
  });
});

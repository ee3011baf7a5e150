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

/** The parts of a saved snapshot the tests look into. */
interface SavedModel {
  name: string;
  config: unknown;
  entities: unknown;
  secrets: unknown;
  storage: unknown;
  offers?: unknown;
}
interface SavedSnapshot {
  controller: { users: unknown };
  models: SavedModel[];
}

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

  it("saves a change of each kind while running, not only entity changes", async () => {
    const state = join(dir, "kinds");
    const jujuData = join(dir, "kinds-juju");
    const sim = await startSim(["--state", state, "--juju-data", jujuData]);
    const c = await Controller.connectCurrent({ env: { JUJU_DATA: jujuData }, pingInterval: 0 });
    /** Waits until the saved state (read again every 100 ms) satisfies `has`. */
    const saved = async (what: string, has: (snap: SavedSnapshot) => boolean) => {
      // Saves are checked every 2 s: a change missing after 30 s was not counted as one.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const text = await readFile(join(state, "state.json"), "utf8").catch(() => undefined);
        if (text !== undefined && has((JSON.parse(text) as { snapshot: SavedSnapshot }).snapshot))
          return;
        if (sim.child.exitCode !== null)
          throw new Error(`the simulator exited before saving ${what}`);
        if (Date.now() > deadline) throw new Error(`${what} was not saved within 30 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const model = (snap: SavedSnapshot) => snap.models.find((m) => m.name === "kinds");
    const inModel = (slot: keyof SavedModel, text: string) => (snap: SavedSnapshot) =>
      JSON.stringify(model(snap)?.[slot] ?? null).includes(text);
    try {
      const m = await c.addModel("kinds");
      try {
        await saved("the model", (s) => model(s) !== undefined);
        // Each change is waited for before the next, so that none rides on another's save.
        await c.addUser("keepalice");
        await saved("the user", (s) => JSON.stringify(s.controller.users).includes("keepalice"));
        await m.setConfig({ "logging-config": "<root>=DEBUG" });
        await saved("the model config", inModel("config", "<root>=DEBUG"));
        await m.addSecret("keep-secret", { password: "kept" });
        await saved("the secret", inModel("secrets", "keep-secret"));
        await m.createStoragePool("keeppool", "loop");
        await saved("the storage pool", inModel("storage", "keeppool"));
        await m.deploy("mysql");
        await m.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
        await saved("the application", inModel("entities", "mysql"));
        await m.createOffer("mysql:shared-db", { offerName: "keepdb" });
        await saved("the offer", inModel("offers", "keepdb"));
      } finally {
        await m.disconnect();
      }
    } finally {
      await c.disconnect();
      expect(await stopSim(sim)).toBe(0);
    }
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

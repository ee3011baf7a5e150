/**
 * A model with one started `ubuntu` unit on a simulator whose machines
 * answer ssh, and the options its tests log in with: shared by the ssh test
 * files (`ssh-scp`, `ssh-proxy`).
 */
import { afterAll, beforeAll } from "vitest";
import type { Model, Unit } from "../../src/index.js";
import { type SimController, useSimController } from "./sim-controller.js";

/** What {@link useSshModel} gives a test file once its `beforeAll` has run. */
export interface SshModel extends SimController {
  readonly model: Model;
  /** ssh options for the simulator's sshd, the client key of the test's JUJU_DATA, no agent. */
  readonly ssh: { port: number; jujuData: string; agent: false };
  /** The model's `ubuntu/0`. */
  unit(): Unit;
}

/**
 * Registers hooks that start a simulator with ssh ({@link useSimController}),
 * add model `modelName`, deploy one `ubuntu` unit and wait for it to be idle;
 * `afterAll` disconnects the model.
 */
export function useSshModel(prefix: string, modelName: string): SshModel {
  const env = useSimController(prefix, { ssh: true });
  const ctx = {
    get sim() {
      return env.sim;
    },
    get controller() {
      return env.controller;
    },
    get dir() {
      return env.dir;
    },
    get onFrame() {
      return env.onFrame;
    },
    model: undefined as unknown as Model,
    ssh: undefined as unknown as SshModel["ssh"],
    unit(): Unit {
      const u = ctx.model.units.get("ubuntu/0");
      if (u === undefined) throw new Error("ubuntu/0 is missing");
      return u;
    },
  };
  beforeAll(async () => {
    ctx.model = await env.controller.addModel(modelName);
    await ctx.model.deploy("ubuntu", { numUnits: 1, series: "jammy" });
    await ctx.model.waitForIdle({ apps: ["ubuntu"], idlePeriod: 0 });
    ctx.ssh = { port: env.sim.sshPort as number, jujuData: env.dir, agent: false };
  });
  afterAll(async () => {
    await ctx.model?.disconnect();
  });
  return ctx;
}

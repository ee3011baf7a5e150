/**
 * The hooks simulated unit agents run around subordinates and removals, in the
 * order of Juju's uniter (worker/uniter: a departing unit runs
 * <endpoint>-relation-departed and -broken, then stop and remove, once; a
 * principal sees its subordinate join a container-scoped relation).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Controller } from "../src/index.js";
import { type CharmSpec, type Simulator, StaticCharmSource } from "../src/simulator/index.js";
import { logStoreOf } from "../src/simulator/logs.js";
import type { ControllerStore } from "../src/simulator/store.js";
import { useSimController } from "./support/sim-controller.js";

const CHARMS: CharmSpec[] = [
  {
    name: "ubuntu",
    revision: 26,
    channels: ["latest/stable"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
  },
  {
    name: "mysql-router",
    revision: 396,
    channels: ["latest/stable"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
    subordinate: true,
    requires: { "juju-info": { interface: "juju-info", scope: "container" } },
  },
];

let sim: Simulator;
let controller: Controller;

const env = useSimController("hooks", { charms: new StaticCharmSource(CHARMS) });
beforeAll(() => {
  ({ sim, controller } = env);
});

/** The hooks a unit ran, from the uniter's log lines. */
function hooksOf(uuid: string, unit: string): string[] {
  // Test-only reach into the simulator's state for its agents' log.
  const store = (sim as unknown as { store: ControllerStore }).store;
  const model = store.models.get(uuid);
  if (model === undefined) return [];
  const prefix = `preparing operation "run `;
  return logStoreOf(model.state)
    .records()
    .filter((e) => e.entity === `unit-${unit.replace("/", "-")}` && e.message.startsWith(prefix))
    .map((e) => e.message.slice(prefix.length).replace(/ hook" for .*$/, ""));
}

describe("unit hooks", () => {
  it("a principal sees its subordinate join; removal departs, breaks, stops and removes once", async () => {
    await using model = await controller.addModel("hooks");
    await model.deploy("ubuntu");
    await model.deploy("mysql-router");
    await model.integrate("mysql-router:juju-info", "ubuntu:juju-info");
    await model.blockUntil(() => model.units.get("mysql-router/0")?.agentStatus === "idle", {
      timeout: 10_000,
    });
    // Each unit's hooks run on its own queue: wait for them (each is a unit delta).
    await model.blockUntil(
      () =>
        ["ubuntu/0", "mysql-router/0"].every((u) =>
          hooksOf(model.uuid, u).includes("juju-info-relation-changed"),
        ),
      { timeout: 10_000 },
    );
    const principal = hooksOf(model.uuid, "ubuntu/0");
    expect(principal).toContain("juju-info-relation-joined");
    expect(principal).toContain("juju-info-relation-changed");
    expect(hooksOf(model.uuid, "mysql-router/0")).toContain("juju-info-relation-joined");

    await model.destroyUnit("ubuntu/0", { blockUntilDone: true, timeout: 10_000 });
    const after = hooksOf(model.uuid, "ubuntu/0");
    expect(after.filter((h) => h === "stop")).toHaveLength(1);
    expect(after.filter((h) => h === "remove")).toHaveLength(1);
    expect(after.slice(-4)).toEqual([
      "juju-info-relation-departed",
      "juju-info-relation-broken",
      "stop",
      "remove",
    ]);
    const sub = hooksOf(model.uuid, "mysql-router/0");
    expect(sub.slice(-4)).toEqual([
      "juju-info-relation-departed",
      "juju-info-relation-broken",
      "stop",
      "remove",
    ]);
  });
});

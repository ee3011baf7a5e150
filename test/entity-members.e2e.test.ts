import { describe, expect, it } from "vitest";
import { JujuError, type ModelEvent, NotSupportedError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("entity-members");

describe("application, unit and machine members of python-libjuju 3.5", () => {
  it("reads base/series/status, runs commands, watches units, finds subordinates and history", async () => {
    await using model = await env.controller.addModel("entities");
    const app = await model.deploy("ubuntu", { numUnits: 1, series: "jammy" });
    const added: string[] = [];
    const removed: string[] = [];
    const offAdd = app.onUnitAdd((e: ModelEvent) => {
      added.push(e.entityId);
    });
    app.onUnitRemove((e: ModelEvent) => {
      removed.push(e.entityId);
    });
    await app.addUnit({ count: 2 });
    await model.waitForIdle({ apps: ["ubuntu"] });
    expect(added.sort()).toEqual(["ubuntu/1", "ubuntu/2"]);

    expect(await app.getBase()).toEqual({ name: "ubuntu", channel: "22.04/stable" });
    expect(await app.getSeries()).toBe("jammy");
    expect((await app.getStatus()).current).toBe("active");

    const tasks = await app.run("hostname");
    expect(tasks.map((t) => t.get("receiver")).sort()).toEqual([
      "ubuntu/0",
      "ubuntu/1",
      "ubuntu/2",
    ]);

    await app.destroyUnit("ubuntu/2");
    await model.blockUntil(() => !model.units.has("ubuntu/2"));
    expect(removed).toEqual(["ubuntu/2"]);
    offAdd();

    // A container-scoped relation gives each principal unit a subordinate.
    await model.deploy("mysql-router", { channel: "dpe/edge" });
    await model.integrate("mysql-router:juju-info", "ubuntu:juju-info");
    await model.blockUntil(
      () => [...model.units.keys()].filter((u) => u.startsWith("mysql-router/")).length === 2,
    );
    const unit0 = model.units.get("ubuntu/0")!;
    const subs = unit0.getSubordinates();
    expect(subs).toHaveLength(1);
    expect(subs[0]?.principal).toBe("ubuntu/0");

    expect(await unit0.getPublicAddress()).toBe(unit0.publicAddress);
    expect(unit0.publicAddress).not.toBe("");

    const notInError = await unit0.resolved({ retryHooks: true }).catch((e: unknown) => e);
    expect(notInError).toBeInstanceOf(JujuError);
    expect((notInError as JujuError).message).toContain('unit "ubuntu/0" is not in an error state');

    // Status history, newest first, from the simulator's clock.
    const history = await unit0.statusHistory();
    expect(history.length).toBeGreaterThan(2);
    expect(history.map((h) => h.kind)).toEqual(expect.arrayContaining(["workload", "juju-unit"]));
    const times = history.map((h) => Date.parse(h.since));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const workload = await unit0.statusHistory({ kind: "workload", size: 1 });
    expect(workload).toHaveLength(1);
    expect(workload[0]).toMatchObject({ kind: "workload", status: "active" });
    expect(await unit0.statusHistory({ date: new Date(Date.now() + 3_600_000) })).toEqual([]);
    // Everything of the last hour: what `history` held, and what came since.
    expect((await unit0.statusHistory({ delta: 3600 })).length).toBeGreaterThanOrEqual(
      history.length,
    );
    const excluded = await unit0.statusHistory({ exclude: [history[0]!.info] });
    expect(excluded.every((h) => h.info !== history[0]!.info)).toBe(true);
    await expect(unit0.statusHistory({ size: 1, delta: 5 })).rejects.toThrow(/at most one/);

    const machine = model.machines.get(unit0.machineId)!;
    const instance = await machine.statusHistory();
    expect(instance.map((h) => h.status)).toEqual(expect.arrayContaining(["running"]));
    const agent = await machine.statusHistory({ kind: "juju-machine" });
    expect(agent[0]?.status).toBe("started");

    const appHistory = await app.statusHistory();
    expect(appHistory.every((h) => h.kind === "application")).toBe(true);

    const bad = await unit0.statusHistory({ kind: "nonsense" }).catch((e: unknown) => e);
    expect((bad as JujuError).message).toContain('unknown status type "nonsense"');

    await expect(app.getMetrics()).rejects.toBeInstanceOf(NotSupportedError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  JujuError,
  JujuNotFoundError,
  type Model,
  type ModelEvent,
  NotSupportedError,
} from "../src/index.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";
import { useSimController } from "./support/sim-controller.js";

describe.each(JUJU_VERSIONS)("on Juju %s", (juju) => {
  let model: Model;
  // The mysql 8.0 and postgresql 14 charms assume `juju < 4` (their Charmhub
  // metadata), so a Juju 4 controller refuses them: the tests of mysql's
  // actions run on 3.6 only, and keystone stands in for postgresql on 4.0.
  const mysql = juju === "3.6";
  const itMysql = mysql ? it : it.skip;
  const charmed = mysql
    ? { app: "postgresql", action: "get-primary" }
    : { app: "keystone", action: "get-admin-password" };

  // Every frame is checked against the schema of its facade version. The
  // default charm source is the catalog of real charms (mysql, postgresql, juju-qa-test…).
  const env = useSimController("actions", { juju, seed: 5 });

  beforeAll(async () => {
    model = await env.controller.addModel("actions");
    if (mysql) await model.deploy("mysql", { numUnits: 2 });
    await model.deploy(charmed.app);
    await model.deploy("juju-qa-test", { applicationName: "qa" });
    await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
  });

  afterAll(async () => {
    await model?.disconnect();
  });

  describe("charm actions", () => {
    it("lists the charm's actions", async () => {
      const actions = await model.applications.get(charmed.app)!.getActions();
      expect(Object.keys(actions)).toContain(charmed.action);
      if (mysql)
        expect(actions["get-password"]?.params).toMatchObject({
          type: "object",
          properties: { username: { type: "string" } },
        });
      else
        expect(actions["get-admin-password"]?.params).toMatchObject({
          type: "object",
          title: "get-admin-password",
        });
    });

    it("runs an action, watches its deltas in order and fetches the results once", async () => {
      const events: ModelEvent<"action">[] = [];
      const off = model.addObserver((e) => void events.push(e), { entityType: "action" });
      const unit = model.units.get(`${charmed.app}/0`)!;
      const action = await unit.runAction(charmed.action);
      expect(action.name).toBe(charmed.action);
      expect(action.receiver).toBe(`${charmed.app}/0`);
      const result = await action.wait({ timeout: 10_000 });
      off();
      expect(result).toMatchObject({
        id: action.id,
        receiver: `unit-${charmed.app}-0`,
        status: "completed",
        output: { "return-code": 0 },
      });
      expect(result.completed).toBeDefined();
      // Batches may collapse states (instant timing), but never reorder them.
      const order = ["pending", "running", "completed"];
      const statuses = events.filter((e) => e.entityId === action.id).map((e) => e.new.status);
      expect(statuses.at(-1)).toBe("completed");
      expect(statuses.map((s) => order.indexOf(s))).toEqual(
        [...statuses.map((s) => order.indexOf(s))].sort(),
      );
      expect(action.latest().finished).toBe(true);
      expect(await model.getActionOutput(action.id)).toEqual({ "return-code": 0 });
      expect(await model.getActionStatus({ id: action.id })).toEqual({ [action.id]: "completed" });
    });

    itMysql("resolves app/leader, and fills in parameter defaults", async () => {
      const leader = model.units.get("mysql/0")!.application!;
      const action = await (leader.units[0] as NonNullable<(typeof leader.units)[0]>).runAction(
        "create-backup",
      );
      const viaLeader = await model.units.get("mysql/1")!.runAction("get-password", {
        username: "root",
      });
      const r = await viaLeader.wait({ timeout: 10_000 });
      expect(r.parameters).toEqual({ username: "root" });
      expect((await action.wait({ timeout: 10_000 })).parameters).toEqual({ force: false });
      const { runAction } = await import("../src/model/ops/actions.js");
      const id = await runAction(model, "mysql/leader", "get-cluster-status");
      expect(model.entity("action", id)?.receiver).toMatch(/^mysql\/\d$/);
      expect((await model.waitForAction(id)).status).toBe("completed");
    });

    itMysql(
      "surfaces Juju's errors for unknown actions, bad params and unknown units",
      async () => {
        const unit = model.units.get("mysql/0")!;
        await expect(unit.runAction("nope")).rejects.toThrow(
          'cannot run action "nope" on mysql/0: action "nope" not defined on unit "mysql/0"',
        );
        const bad = await unit.runAction("get-password", { username: 5 }).catch((e: unknown) => e);
        expect(bad).toBeInstanceOf(JujuError);
        expect((bad as JujuError).message).toContain(
          "validation failed: (root).username : must be of type string, given 5",
        );
        const { runAction } = await import("../src/model/ops/actions.js");
        const missing = await runAction(model, "mysql/9", "get-password").catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(JujuNotFoundError);
        expect((missing as JujuError).jujuCode).toBe("not found");
      },
    );

    it("reports a failing action (juju-qa-test fortune with fail)", async () => {
      const action = await model.units.get("qa/0")!.runAction("fortune", { fail: "no luck" });
      const r = await action.wait({ timeout: 10_000 });
      expect(r).toMatchObject({ status: "failed", message: "no luck" });
    });
  });

  describe("juju exec and operations", () => {
    it("runs commands on a unit and on every machine", async () => {
      const unit = model.units.get(`${charmed.app}/0`)!;
      const r = await unit.run("echo hi; hostname", { block: true, timeout: 10_000 });
      expect(r.status).toBe("completed");
      expect(r.output["return-code"]).toBe(0);
      expect(r.output.stdout).toBe(`hi\n${unit.machine!.hostname}\n`);
      const missing = await unit.run("nosuch", { block: true, timeout: 10_000 });
      expect(missing.output).toEqual({
        "return-code": 127,
        stderr: "bash: line 1: nosuch: command not found\n",
      });
      const all = await model.run("whoami");
      expect(all.map((a) => a.receiver).sort()).toEqual([...model.machines.keys()].sort());
      for (const a of all) expect((await a.wait({ timeout: 10_000 })).output.stdout).toBe("root\n");
      // Juju 4 removed workload-context from Action.Run: refused before any request there.
      const ctx = model.run("true", { workloadContext: false });
      if (juju === "4.0") await expect(ctx).rejects.toBeInstanceOf(NotSupportedError);
      else expect((await ctx).length).toBe(all.length);
    });

    it("lists operations with filters and paging", async () => {
      const all = await model.listOperations();
      expect(all.truncated).toBe(false);
      expect(all.operations.length).toBeGreaterThanOrEqual(mysql ? 6 : 4);
      const page = await model.listOperations({ limit: 2, offset: 1 });
      expect(page.truncated).toBe(true);
      expect(page.operations.map((o) => o.id)).toEqual(all.operations.slice(1, 3).map((o) => o.id));
      const fortunes = await model.listOperations({ actions: ["fortune"] });
      expect(fortunes.operations.map((o) => [o.summary, o.status])).toEqual([
        ["fortune run on unit-qa-0", "failed"],
      ]);
      const byName = await model.getActionStatus({ name: charmed.action });
      expect(Object.values(byName)).toEqual(["completed"]);
    });
  });
});

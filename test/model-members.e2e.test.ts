import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, JujuError, NotSupportedError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("members");

describe("blocks (juju disable-command)", () => {
  it("refuses blocked operations with Juju's error, lists and lifts blocks", async () => {
    await using model = await env.controller.addModel("blocks");
    expect(await model.getBlocks()).toEqual([]);
    await model.addMachine();

    await model.block("remove-object", { message: "no removals please" });
    const blocks = await model.getBlocks();
    expect(blocks).toEqual([
      {
        id: expect.stringMatching(new RegExp(`^${model.uuid}:\\d+$`)),
        tag: `model-${model.uuid}`,
        type: "BlockRemove",
        message: "no removals please",
        command: "remove-object",
      },
    ]);
    // remove-object refuses removals (RemoveAllowed) but not changes.
    const removal = await model.removeMachine("0").catch((e: unknown) => e);
    expect(removal).toBeInstanceOf(JujuError);
    expect((removal as JujuError).jujuCode).toBe("operation is blocked");
    expect((removal as JujuError).message).toContain("no removals please");
    await model.setConfig({ "update-status-hook-interval": "10m" });

    // all (BlockChange) refuses every change; its message is Juju's default when none is given.
    await model.block("all");
    const change = await model.setConfig({ "update-status-hook-interval": "7m" }).catch((e) => e);
    expect((change as JujuError).jujuCode).toBe("operation is blocked");
    expect((change as JujuError).message).toContain("the operation has been blocked");

    // destroy-model: the controller refuses DestroyModels for this model.
    await model.unblock("all", "remove-object");
    await model.block("destroy-model", { message: "keep it" });
    const destroy = await env.controller.destroyModel(model.uuid).catch((e: unknown) => e);
    expect((destroy as JujuError).jujuCode).toBe("operation is blocked");
    expect((destroy as JujuError).message).toContain("keep it");

    await model.removeBlocks();
    expect(await model.getBlocks()).toEqual([]);
    await model.removeMachine("0");

    await expect(model.block("everything")).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("model-wide members", () => {
  it("fills model.info at connect, lists shares, finds tasks by id prefix, reports UTC status", async () => {
    await using model = await env.controller.addModel("info");
    expect(model.info).toMatchObject({
      uuid: model.uuid,
      name: "info",
      type: "iaas",
      cloudTag: "cloud-localhost",
      agentVersion: expect.stringMatching(/^3\.6\./),
      status: { status: "available" },
    });
    expect(model.info?.config.name).toBe("info");

    const shares = await model.getShares();
    expect(shares.admin).toMatchObject({ user: "admin", access: "admin" });

    await model.deploy("juju-qa-test", { applicationName: "qa" });
    await model.waitForIdle({ apps: ["qa"] });
    // Tasks on units (ListOperations lists unit tasks when given no filter, as Juju does).
    const unit = model.units.get("qa/0")!;
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push((await unit.run("hostname")).entityId);
    const prefix = ids[0]!.slice(0, 1);
    const byPrefix = await model.getActionStatus(prefix);
    const expected = ids.filter((i) => i.startsWith(prefix));
    expect(Object.keys(byPrefix).sort()).toEqual(expected.sort());
    for (const id of expected) expect(byPrefix[id]).toMatch(/completed|running|pending/);
    expect(Object.keys(await model.getActionStatus(ids[10]))).toEqual([ids[10]]);
    expect(await model.getActionStatus("999999")).toEqual({});
    await expect(model.getActionStatus("abc")).rejects.toBeInstanceOf(InvalidArgumentError);

    const status = await model.getStatus({ utc: true });
    const since = status.applications.qa?.status?.since ?? "";
    expect(since).toMatch(/Z$/);

    // state getters are the model's typed entities.
    expect(model.state.applications.get("qa")?.constructor.name).toBe("Application");
  });

  it("destroys itself through the controller (a destroy block refuses it)", async () => {
    const model = await env.controller.addModel("doomed");
    await model.block("destroy-model");
    await expect(model.destroy()).rejects.toMatchObject({ jujuCode: "operation is blocked" });
    await model.unblock("destroy-model");
    const c = await model.getController();
    try {
      expect(await c.listModelNames()).toContain("admin/doomed");
    } finally {
      await c.disconnect();
    }
    await model.destroy();
    expect(model.isConnected()).toBe(false);
    await expect
      .poll(async () => (await env.controller.listModelNames()).includes("admin/doomed"))
      .toBe(false);
  });

  it("enables HA, upgrades agents as Juju 3.6 answers, creates and downloads a backup", async () => {
    await using ctrlModel = await env.controller.getModel("admin/controller");
    const ha = await ctrlModel.enableHa({ numControllers: 3 });
    expect(ha.maintained).toEqual(["machine-0"]);
    expect(ha.added).toHaveLength(2);
    const again = await ctrlModel.enableHa({ numControllers: 3 });
    expect(again.added).toEqual([]);
    expect(again.maintained).toHaveLength(3);
    await expect(ctrlModel.enableHa({ numControllers: 2 })).rejects.toThrow(
      "number of controllers must be odd and non-negative",
    );

    await using model = await env.controller.addModel("upgrade");
    const upToDate = await model.upgradeJuju().catch((e: unknown) => e);
    expect(upToDate).toBeInstanceOf(JujuError);
    expect((upToDate as JujuError).jujuCode).toBe("already exists");
    expect((upToDate as JujuError).message).toContain("no upgrades available");
    await expect(model.upgradeJuju({ version: "9.9.9" })).rejects.toThrow(
      /greater than that of the controller/,
    );

    // Backups are served on the controller model only.
    await expect(model.createBackup()).rejects.toThrow(
      "backups are only supported from the controller model",
    );
    const { metadata, archive } = await ctrlModel.createBackup({ notes: "before upgrade" });
    expect(metadata).toMatchObject({ notes: "before upgrade", model: ctrlModel.uuid });
    expect(metadata.filename).toMatch(/juju-backup-\d{8}-\d{6}\.tar\.gz$/);
    try {
      const bytes = await readFile(archive!.file);
      expect(bytes.length).toBe(metadata.size);
      expect(gunzipSync(bytes).subarray(257, 262).toString()).toBe("ustar");
    } finally {
      await archive?.cleanup();
    }
    const noDownload = await ctrlModel.createBackup({ noDownload: true });
    expect(noDownload.archive).toBeUndefined();
  });

  it("names the Juju release that removed a member and its replacement", async () => {
    await using model = await env.controller.addModel("gone");
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => model.getBackups(), /getBackups .*Juju 3\.0 removed it/],
      [() => model.getBackup("x"), /Juju 3\.0/],
      [() => model.removeBackup("x"), /Juju 3\.0/],
      [() => model.uploadBackup("/tmp/x.tar.gz"), /Juju 3\.0/],
      [() => model.restoreBackup("x"), /juju-restore/],
      [() => model.getCachedImages(), /Juju 3\.0 .*LXD/],
      [() => model.removeCachedImages("a"), /Juju 3\.0/],
      [() => model.upgradeGui(), /juju-dashboard/],
      [() => model.getBudget("b"), /Juju 2\.9/],
      [() => model.getMetrics(), /Juju 3\.6 .*MetricsDebug/],
      [() => model.syncTools(), /juju sync-agent-binary/],
    ];
    for (const [call, message] of cases) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect((err as NotSupportedError).code).toBe("ERR_NOT_SUPPORTED");
      expect((err as Error).message).toMatch(message);
    }
  });
});

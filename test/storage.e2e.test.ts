import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  JujuBulkError,
  JujuError,
  type LogRecord,
  type StorageDetails,
  type VolumeDetails,
} from "../src/index.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";
import { useSimController } from "./support/sim-controller.js";

describe.each(JUJU_VERSIONS)("on Juju %s", (juju) => {
  const env = useSimController(`storage-${juju}`, { juju });
  // postgresql 14's charm assumes `juju < 4` (its Charmhub metadata), so a
  // Juju 4 controller refuses it: its storage checks run on 3.6 only.
  const pg = juju === "3.6";
  // Storage ids are numbered per model: without pgdata/0 the others start at 0.
  const seq = (n: number) => (pg ? n : n - 1);
  const idle = { idlePeriod: 0, timeout: 10_000 };

  const collect = async (it: AsyncIterable<LogRecord>): Promise<LogRecord[]> => {
    const out: LogRecord[] = [];
    for await (const r of it) out.push(r);
    return out;
  };
  const ran = (hook: string) => `ran "${hook}" hook (via hook dispatching script: dispatch)`;

  describe("storage", () => {
    it("creates, lists, updates and removes storage pools with Juju's errors", async () => {
      await using model = await env.controller.addModel("pools");
      const names = async (o = {}) => (await model.getStoragePools(o)).map((p) => p.name);
      expect(await names()).toEqual(["loop", "lxd", "lxd-btrfs", "lxd-zfs", "rootfs", "tmpfs"]);

      await model.createStoragePool("fast", "lxd", { driver: "dir" });
      await model.createStoragePool("scratch", "tmpfs", "size=1G mode=0700");
      expect(await names({ providers: ["tmpfs"] })).toEqual(["scratch", "tmpfs"]);
      expect(await model.getStoragePools({ names: ["scratch"] })).toEqual([
        { name: "scratch", provider: "tmpfs", attrs: { size: "1G", mode: "0700" } },
      ]);
      await model.updateStoragePool("fast", { driver: "zfs" });
      expect((await model.getStoragePools({ names: ["fast"] }))[0]?.attrs).toEqual({
        driver: "zfs",
      });

      const dup = await model.createStoragePool("fast", "lxd").catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(JujuError);
      expect((dup as JujuError).message).toBe(
        'creating pool "fast": cannot overwrite existing settings',
      );
      const unknown = await model.createStoragePool("x", "ebs").catch((e: unknown) => e);
      expect((unknown as JujuError).jujuCode).toBe("not found");
      expect((unknown as JujuError).message).toBe('storage provider "ebs" not found');

      await model.removeStoragePool("fast");
      const gone = await model.removeStoragePool("fast").catch((e: unknown) => e);
      expect((gone as JujuError).jujuCode).toBe("not found");
      expect(await names()).not.toContain("fast");
      const attrs = await model.createStoragePool("y", "lxd", "novalue").catch((e: unknown) => e);
      expect(attrs).toBeInstanceOf(InvalidArgumentError);
    });

    it("deploys with storage directives and refuses an unknown pool or a size below the minimum", async () => {
      await using model = await env.controller.addModel("deploy");
      if (pg) await model.deploy("postgresql");
      await model.deploy("ubuntu", { storage: { block: "loop,2G,2", files: { size: 512 } } });
      await model.waitForIdle({ ...idle, apps: pg ? ["postgresql", "ubuntu"] : ["ubuntu"] });

      const all = (await model.listStorage()) as StorageDetails[];
      expect(all.map((s) => [s["storage-tag"], s["owner-tag"], s.kind, s.status.status])).toEqual([
        [`storage-block-${seq(1)}`, "unit-ubuntu-0", 1, "attached"],
        [`storage-block-${seq(2)}`, "unit-ubuntu-0", 1, "attached"],
        [`storage-files-${seq(3)}`, "unit-ubuntu-0", 2, "attached"],
        ...(pg ? [["storage-pgdata-0", "unit-postgresql-0", 2, "attached"]] : []),
      ]);
      const volumes = (await model.listStorage({ volume: true })) as VolumeDetails[];
      expect(volumes.map((v) => [v.info.pool, v.info.size])).toEqual([
        ["loop", 2048],
        ["loop", 2048],
      ]);
      const filesystems = await model.listStorage({ filesystem: true });
      expect(filesystems).toHaveLength(pg ? 2 : 1);
      const status = await model.getStatus({ includeStorage: true });
      expect(status.storage?.map((s) => s["storage-tag"])).toEqual(
        all.map((s) => s["storage-tag"]),
      );
      expect([status.filesystems?.length, status.volumes?.length]).toEqual([pg ? 2 : 1, 2]);
      expect((await model.getStatus()).storage).toBeUndefined();
      const both = await model.listStorage({ filesystem: true, volume: true }).catch((e) => e);
      expect(both).toBeInstanceOf(InvalidArgumentError);

      if (pg) {
        const pgLog = await collect(
          model.debugLog({ replay: true, noTail: true, include: ["postgresql/0"] }),
        );
        const hooks = pgLog.map((r) => r.message).filter((m) => m.startsWith("ran "));
        expect(hooks.indexOf(ran("pgdata-storage-attached"))).toBeGreaterThanOrEqual(0);
        expect(hooks.indexOf(ran("pgdata-storage-attached"))).toBeLessThan(
          hooks.indexOf(ran("install")),
        );
        const [pgdata] = await model.showStorage("pgdata/0");
        expect(pgdata?.attachments?.["unit-postgresql-0"]?.location).toBe(
          "/var/snap/charmed-postgresql/common",
        );
      }
      const missing = await model.showStorage(`files/${seq(3)}`, "nope/9").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(JujuBulkError);
      expect((missing as JujuBulkError).failures.map((f) => [f.index, f.error.jujuCode])).toEqual([
        [1, "not found"],
      ]);
      expect(await model.showStorage("bad id").catch((e: unknown) => e)).toBeInstanceOf(
        InvalidArgumentError,
      );

      const badPool = await model
        .deploy("ubuntu", { applicationName: "u2", storage: { block: "nope,1G" } })
        .catch((e: unknown) => e);
      expect(badPool).toBeInstanceOf(JujuError);
      expect((badPool as JujuError).message).toContain('storage pool "nope" not found');
      const small = await model
        .deploy("ubuntu", { applicationName: "u3", storage: { files: "rootfs,50M" } })
        .catch((e: unknown) => e);
      expect(small).toBeInstanceOf(JujuError);
      expect((small as JujuError).message).toContain(
        'charm "ubuntu" store "files": minimum storage size is 100 MB, 50 MB specified',
      );
      expect(model.applications.has("u2") || model.applications.has("u3")).toBe(false);

      await model.createStoragePool("blk", "loop");
      await model.deploy("ubuntu", {
        applicationName: "u4",
        numUnits: 0,
        storage: { block: "blk" },
      });
      const inUse = await model.removeStoragePool("blk").catch((e: unknown) => e);
      expect((inUse as JujuError).message).toBe('storage pool "blk" in use');
    });

    it("adds, detaches, attaches and removes a unit's storage", async () => {
      await using model = await env.controller.addModel("units");
      await model.deploy("ubuntu");
      await model.waitForIdle({ ...idle, apps: ["ubuntu"] });
      const unit = model.units.get("ubuntu/0")!;

      const ids = await unit.addStorage("block", "loop,1G,2");
      expect(ids).toEqual(["block/0", "block/1"]);
      expect(await unit.addStorage("files", { pool: "tmpfs", size: 200 })).toEqual(["files/2"]);
      const over = await unit.addStorage("files").catch((e: unknown) => e);
      expect((over as JujuError).message).toBe(
        'adding "files" storage to ubuntu/0: attaching 1 storage instances brings the total to 2, exceeding the maximum of 1',
      );
      const small = await unit.addStorage("block", { size: 10 }).catch((e: unknown) => e);
      expect((small as JujuError).message).toContain(
        "minimum storage size is 100 MB, 10 MB specified",
      );

      await unit.detachStorage(["block/0"]);
      const [detached] = await model.showStorage("block/0");
      expect([detached?.["owner-tag"], detached?.status.status]).toEqual(["", "detached"]);
      await unit.attachStorage("block/0");
      const unitLog = await collect(
        model.debugLog({ replay: true, noTail: true, include: ["ubuntu/0"] }),
      );
      const msgs = unitLog.map((r) => r.message);
      expect(msgs.filter((m) => m === ran("block-storage-attached"))).toHaveLength(3);
      expect(msgs).toContain(ran("block-storage-detaching"));
      expect((await model.showStorage("block/0"))[0]?.status.status).toBe("attached");

      await model.removeStorage(["block/0", "block/1"], { destroyStorage: true });
      const kept = await model
        .removeStorage(["files/2"], { destroyAttachments: false })
        .catch((e) => e);
      expect((kept as JujuError).message).toBe(
        'cannot release storage "files/2": storage is attached',
      );
      const left = (await model.listStorage()) as StorageDetails[];
      expect(left.map((s) => s["storage-tag"])).toEqual(["storage-files-2"]);
      const unknown = await model.removeStorage(["gone/9"]).catch((e: unknown) => e);
      expect((unknown as JujuError).jujuCode).toBe("not found");
    });

    it("keeps detachable storage when a unit goes and destroys it with destroyStorage", async () => {
      await using model = await env.controller.addModel("removal");
      await model.deploy("ubuntu", {
        numUnits: 2,
        storage: { block: "loop,1G,1", files: "tmpfs,1G" },
      });
      await model.waitForIdle({ ...idle, apps: ["ubuntu"], waitForExactUnits: 2 });
      const tags = async () =>
        ((await model.listStorage()) as StorageDetails[]).map((s) => [
          s["storage-tag"],
          s["owner-tag"],
          s.status.status,
        ]);
      expect(await tags()).toEqual([
        ["storage-block-0", "unit-ubuntu-0", "attached"],
        ["storage-block-2", "unit-ubuntu-1", "attached"],
        ["storage-files-1", "unit-ubuntu-0", "attached"],
        ["storage-files-3", "unit-ubuntu-1", "attached"],
      ]);
      const kept = await model.destroyUnit("ubuntu/0", { blockUntilDone: true, timeout: 5000 });
      expect(kept).toMatchObject({
        destroyedStorage: ["storage-files-1"],
        detachedStorage: ["storage-block-0"],
      });
      const gone = await model.destroyUnit("ubuntu/1", {
        destroyStorage: true,
        blockUntilDone: true,
        timeout: 5000,
      });
      expect(gone).toMatchObject({ destroyedStorage: ["storage-block-2", "storage-files-3"] });
      expect(await tags()).toEqual([["storage-block-0", "", "detached"]]);

      const app = model.applications.get("ubuntu")!;
      const two = await app.addUnits({ count: 2, attachStorage: ["block/0"] }).catch((e) => e);
      expect((two as JujuError).message).toBe("AttachStorage is non-empty, but NumUnits is 2");
      const [reattached] = await app.addUnits({ attachStorage: ["block/0"] });
      await model.waitForIdle({ ...idle, apps: ["ubuntu"], waitForExactUnits: 1 });
      // The attached instance stands in for the unit's one `block`; `files` is new.
      const owned = ((await model.listStorage()) as StorageDetails[]).map((s) => [
        s["storage-tag"].replace(/-\d+$/, ""),
        s["owner-tag"],
      ]);
      const owner = `unit-${reattached?.name.replace("/", "-")}`;
      expect(owned).toEqual([
        ["storage-block", owner],
        ["storage-files", owner],
      ]);
    });
  });
});

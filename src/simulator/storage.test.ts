import { describe, expect, it } from "vitest";
import { deployOld, type Frame, type RawClient } from "../../test/support/raw-client.js";
import { useRawSimulator } from "../../test/support/raw-simulator.js";

let w: RawClient;

const call = (method: string, p?: unknown) => w.ok("Storage", 6, method, p);
const results = (f: Frame) => f.results as Frame[];

useRawSimulator((_, c) => {
  w = c;
});

describe("Storage facade", () => {
  it("lists LXD's pools, creates, updates and removes user pools with Juju's errors", async () => {
    const names = async (filter: Frame = {}) =>
      (
        (results(await call("ListPools", { filters: [filter] }))[0]?.["storage-pools"] ??
          []) as Frame[]
      ).map((p) => p.name);
    expect(await names()).toEqual(["loop", "lxd", "lxd-btrfs", "lxd-zfs", "rootfs", "tmpfs"]);
    const created = await call("CreatePool", {
      pools: [
        { name: "fast", provider: "lxd", attrs: { driver: "dir" } },
        { name: "fast", provider: "lxd", attrs: {} },
        { name: "x", provider: "ebs", attrs: {} },
        { name: "", provider: "lxd", attrs: {} },
      ],
    });
    expect(results(created)).toEqual([
      {},
      { error: { message: 'creating pool "fast": cannot overwrite existing settings', code: "" } },
      { error: { message: 'storage provider "ebs" not found', code: "not found" } },
      { error: { message: "pool name is missing", code: "" } },
    ]);
    expect(await names({ providers: ["lxd"] })).toEqual(["fast", "lxd", "lxd-btrfs", "lxd-zfs"]);
    expect(await names({ names: ["fast"] })).toEqual(["fast"]);
    await call("UpdatePool", { pools: [{ name: "fast", provider: "", attrs: { driver: "zfs" } }] });
    const fast = results(await call("ListPools", { filters: [{ names: ["fast"] }] }))[0];
    expect(fast?.["storage-pools"]).toEqual([
      { name: "fast", provider: "lxd", attrs: { driver: "zfs" } },
    ]);
    const removed = await call("RemovePool", { pools: [{ name: "fast" }, { name: "nope" }] });
    expect(results(removed)).toEqual([
      {},
      { error: { message: 'storage pool "nope" not found', code: "not found" } },
    ]);
  });

  it("creates storage at deploy from the charm's declarations and the directives", async () => {
    await deployOld(w, "postgresql", "pg", 1);
    const bad = await deployOld(w, "ubuntu", "u1", 1, {
      storage: { files: { Pool: "rootfs", Size: 50, Count: 1 } },
    });
    expect(results(bad.deploy)[0]?.error).toEqual({
      message:
        'cannot add application "u1": charm "ubuntu" store "files": minimum storage size is 100 MB, 50 MB specified',
      code: "",
    });
    const unknownPool = await deployOld(w, "ubuntu", "u2", 1, {
      storage: { block: { Pool: "nope", Size: 1024, Count: 1 } },
    });
    expect(results(unknownPool.deploy)[0]?.error).toEqual({
      message: 'cannot add application "u2": storage pool "nope" not found',
      code: "not found",
    });
    const tooMany = await deployOld(w, "ubuntu", "u3", 1, {
      storage: { files: { Count: 2 } },
    });

    expect(results(tooMany.deploy)[0]?.error).toEqual({
      message:
        'cannot add application "u3": charm "ubuntu" store "files": at most 1 instances supported, 2 specified',
      code: "",
    });
    const ok = await deployOld(w, "ubuntu", "ub", 1, {
      storage: { block: { Pool: "loop", Size: 2048, Count: 2 } },
    });
    expect(results(ok.deploy)).toEqual([{}]);

    const list = results(await call("ListStorageDetails", { filters: [{}] }))[0]?.result as Frame[];
    expect(list.map((s) => [s["storage-tag"], s["owner-tag"], s.kind])).toEqual([
      ["storage-block-1", "unit-ub-0", 1],
      ["storage-block-2", "unit-ub-0", 1],
      ["storage-pgdata-0", "unit-pg-0", 2],
    ]);
    const fs = results(await call("ListFilesystems", { filters: [{}] }))[0]?.result as Frame[];
    expect(fs.map((f) => [(f.info as Frame).pool, (f.info as Frame).size])).toEqual([
      ["rootfs", 1024],
    ]);
    const vols = results(await call("ListVolumes", { filters: [{}] }))[0]?.result as Frame[];
    expect(vols.map((v) => [v["volume-tag"], (v.info as Frame).size])).toEqual([
      ["volume-0", 2048],
      ["volume-1", 2048],
    ]);
    const shown = await call("StorageDetails", {
      entities: [{ tag: "storage-pgdata-0" }, { tag: "storage-nope-9" }, { tag: "bad" }],
    });
    expect(results(shown)[0]?.result).toMatchObject({ "storage-tag": "storage-pgdata-0" });
    expect(results(shown).slice(1)).toEqual([
      { error: { message: 'storage instance "nope/9" not found', code: "not found" } },
      { error: { message: '"bad" is not a valid storage tag', code: "" } },
    ]);
  });

  it("adds, detaches, attaches and removes storage of a unit", async () => {
    const added = await call("AddToUnit", {
      storages: [
        { unit: "unit-ub-0", name: "files", storage: { pool: "tmpfs", size: 200 } },
        { unit: "unit-ub-0", name: "files", storage: {} },
        { unit: "unit-ub-0", name: "nope", storage: {} },
      ],
    });
    expect(results(added)).toEqual([
      { result: { "storage-tags": ["storage-files-3"] } },
      {
        error: {
          message:
            'adding "files" storage to ub/0: attaching 1 storage instances brings the total to 2, exceeding the maximum of 1',
          code: "",
        },
      },
      {
        error: {
          message: 'adding "nope" storage to ub/0: charm "ubuntu" has no store called "nope"',
          code: "",
        },
      },
    ]);
    const detached = await call("DetachStorage", {
      ids: { ids: [{ "storage-tag": "storage-block-1", "unit-tag": "unit-ub-0" }] },
    });
    expect(results(detached)).toEqual([{}]);
    const shown = await call("StorageDetails", { entities: [{ tag: "storage-block-1" }] });
    const d = results(shown)[0]?.result as Frame;
    expect([d["owner-tag"], (d.status as Frame).status, d.attachments]).toEqual([
      "",
      "detached",
      undefined,
    ]);
    const attached = await call("Attach", {
      ids: [{ "storage-tag": "storage-block-1", "unit-tag": "unit-ub-0" }],
    });
    expect(results(attached)).toEqual([{}]);
    const removed = await call("Remove", {
      storage: [
        { tag: "storage-block-1", "destroy-storage": true },
        { tag: "storage-block-2", "destroy-attachments": true, "destroy-storage": true },
        { tag: "storage-gone-7" },
      ],
    });
    expect(results(removed)).toEqual([
      {
        error: {
          message: 'cannot destroy storage "block/1": storage is attached',
          code: "storage is attached",
        },
      },
      {},
      {
        error: {
          message: 'cannot release storage "gone/7": storage instance "gone/7" not found',
          code: "not found",
        },
      },
    ]);
  });

  it("imports LXD filesystems as detached storage and refuses volumes and other providers", async () => {
    const imported = await w.ok("Storage", 7, "Import", {
      storage: [
        { kind: 2, pool: "lxd", "provider-id": "juju-abc/vol1", "storage-name": "files" },
        { kind: 1, pool: "lxd", "provider-id": "x", "storage-name": "block" },
        { kind: 2, pool: "rootfs", "provider-id": "x", "storage-name": "files" },
        { kind: 2, pool: "nope", "provider-id": "x", "storage-name": "files" },
      ],
    });
    const rs = results(imported);
    expect(rs[0]?.result).toEqual({ "storage-tag": "storage-files-4" });
    expect(rs.slice(1)).toEqual([
      { error: { message: 'storage kind "block" not supported', code: "not supported" } },
      {
        error: {
          message: 'importing filesystem with storage provider "rootfs" not supported',
          code: "not supported",
        },
      },
      { error: { message: 'pool "nope" not found', code: "not found" } },
    ]);
    const shown = await call("StorageDetails", { entities: [{ tag: "storage-files-4" }] });
    expect(results(shown)[0]?.result).toMatchObject({ "owner-tag": "", persistent: true });
    const fs = results(await call("ListFilesystems", { filters: [{}] }))[0]?.result as Frame[];
    expect(fs.map((f) => (f.info as Frame)["filesystem-id"])).toContain("juju-abc/vol1");
  });
});

import { describe, expect, it } from "vitest";
import type { Frame, RawClient } from "../../test/support/raw-client.js";
import { useRawSimulator } from "../../test/support/raw-simulator.js";

let w: RawClient;

const spaces = (p?: unknown) => w.ok("Spaces", 6, "ListSpaces", p);

useRawSimulator((_, c) => {
  w = c;
});

describe("Spaces and Subnets facades", () => {
  it("starts with alpha holding the provider subnets, and creates, moves, renames and removes spaces", async () => {
    const list = (await spaces()).results as Array<{ id: string; name: string; subnets: Frame[] }>;
    expect(list.map((s) => [s.id, s.name])).toEqual([["0", "alpha"]]);
    const cidrs = (list[0]?.subnets ?? []).map((s) => s.cidr as string);
    expect(cidrs).toHaveLength(2);
    const v4 = cidrs[0] ?? "";

    const created = await w.ok("Spaces", 6, "CreateSpaces", {
      spaces: [
        { "space-tag": "space-db", cidrs: [v4], public: true },
        { "space-tag": "space-db", cidrs: [], public: true },
        { "space-tag": "space-Bad", cidrs: [], public: true },
        { "space-tag": "db2", cidrs: [], public: true },
        { "space-tag": "space-x", cidrs: ["10.0.0.1/24"], public: true },
      ],
    });
    expect(created.results).toEqual([
      {},
      {
        error: { message: 'adding space "db": space "db" already exists', code: "already exists" },
      },
      { error: { message: '"space-Bad" is not a valid space tag', code: "" } },
      { error: { message: '"db2" is not a valid tag', code: "" } },
      { error: { message: '"10.0.0.1/24" is not a valid CIDR', code: "" } },
    ]);
    const inDb = await w.ok("Subnets", 5, "ListSubnets", { "space-tag": "space-db" });
    expect((inDb.results as Frame[]).map((s) => s.cidr)).toEqual([v4]);

    const show = await w.ok("Spaces", 6, "ShowSpace", {
      entities: [{ tag: "space-db" }, { tag: "space-nope" }],
    });
    const shown = show.results as Frame[];
    const first = shown[0] as Frame;
    expect((first.space as Frame).name).toBe("db");
    expect(shown[1]?.error).toEqual({ message: 'space "nope" not found', code: "not found" });

    const moved = await w.ok("Spaces", 6, "MoveSubnets", {
      args: [{ "space-tag": "space-alpha", subnets: ["subnet-0"], force: false }],
    });
    expect(moved.results).toEqual([
      {
        "new-space": "space-alpha",
        "moved-subnets": [{ subnet: "subnet-0", "old-space": "db", cidr: v4 }],
      },
    ]);

    const renamed = await w.ok("Spaces", 6, "RenameSpace", {
      changes: [
        { "from-space-tag": "space-db", "to-space-tag": "space-data" },
        { "from-space-tag": "space-alpha", "to-space-tag": "space-beta" },
      ],
    });
    expect(renamed.results).toEqual([
      {},
      { error: { message: "the alpha space cannot be renamed", code: "" } },
    ]);

    const removed = await w.ok("Spaces", 6, "RemoveSpace", {
      "space-param": [{ space: { tag: "space-data" } }, { space: { tag: "space-alpha" } }],
    });
    expect(removed.results).toEqual([
      {},
      { error: { message: "the alpha space cannot be removed", code: "" } },
    ]);
    expect(((await spaces()).results as Frame[]).map((s) => s.name)).toEqual(["alpha"]);
    expect(await w.ok("Spaces", 6, "ReloadSpaces")).toEqual({});
  });

  it("lists zones, finds subnets by CIDR and has no AddSubnets", async () => {
    const zones = await w.ok("Subnets", 5, "AllZones");
    expect(zones.results).toEqual([{ name: "juju-sim", available: true }]);
    const all = (await w.ok("Subnets", 5, "ListSubnets", {})).results as Frame[];
    const byZone = await w.ok("Subnets", 5, "ListSubnets", { zone: "elsewhere" });
    expect(byZone.results).toEqual([]);
    const by = await w.ok("Subnets", 5, "SubnetsByCIDR", {
      cidrs: [all[0]?.cidr, "192.0.2.0/24", "bad"],
    });
    const r = by.results as Frame[];
    const hit = r[0] as Frame;
    expect((hit.subnets as Frame[])[0]?.id).toBe("0");
    expect(r[1]).toEqual({});
    expect(r[2]?.error).toEqual({ message: 'CIDR "bad" not valid', code: "not valid" });
    const add = await w.call("Subnets", 5, "AddSubnets", {
      subnets: [{ cidr: "10.9.9.0/24", "space-tag": "space-alpha" }],
    });
    expect(add.error).toBe("no such request - method Subnets(5).AddSubnets is not implemented");
    expect(add["error-code"]).toBe("not implemented");
  });
});

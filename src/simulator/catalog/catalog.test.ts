import { describe, expect, it } from "vitest";
import { CatalogError, type CatalogErrorReason, CharmCatalog, parseChannel } from "./catalog.js";
import { CHARM_CHANNELS } from "./charm-channels.js";

const DIRS = "/work/shared/testdata/charm-dirs";
const catalog = CharmCatalog.default();

function resolveError(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return e as CatalogError;
  }
  throw new Error("expected a CatalogError");
}

function expectReason(fn: () => unknown, reason: CatalogErrorReason, code = ""): CatalogError {
  const e = resolveError(fn);
  expect(e.reason).toBe(reason);
  expect(e.jujuCode).toBe(code);
  return e;
}

describe("CharmCatalog.default", () => {
  it("holds the real charms with their overlay", () => {
    const names = catalog.list().map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(names).toEqual(Object.keys(CHARM_CHANNELS).sort());
    expect(catalog.get("mysql")?.defaultTrack).toBe("8.0");
    expect(catalog.get("mysql")?.origin).toBe("charmhub");
    expect(catalog.get("wordpress-k8s")?.workload.blockedUntil?.relations).toEqual(["database"]);
    expect(catalog.get("keystone")?.workload.blockedUntil?.relations).toEqual(["shared-db"]);
    expect(catalog.get("nope")).toBeUndefined();
  });

  it("every release has revisions and bases", () => {
    for (const c of catalog.list()) {
      expect(c.releases.length, c.name).toBeGreaterThan(0);
      for (const r of c.releases) {
        expect(r.bases.length, `${c.name} ${r.channel.track}/${r.channel.risk}`).toBeGreaterThan(0);
        expect(Object.keys(r.revisions).length).toBeGreaterThan(0);
      }
    }
  });

  it("serves two charms under mysql-router on different tracks, as Charmhub does", () => {
    const os = catalog.resolve({ name: "mysql-router", channel: "8.0/stable" });
    expect(os.info.requires["db-router"]?.interface).toBe("mysql-router");
    const dpe = catalog.resolve({ name: "mysql-router", channel: "dpe/edge" });
    expect(dpe.info.requires["backend-database"]?.interface).toBe("mysql_client");
    expect(dpe.base).toEqual({ name: "ubuntu", channel: "22.04" });
  });
});

describe("resolve", () => {
  it("uses the default track's stable risk when no channel is given", () => {
    const r = catalog.resolve({ name: "mysql" });
    expect(r).toMatchObject({
      name: "mysql",
      revision: 313,
      channel: "8.0/stable",
      track: "8.0",
      risk: "stable",
      architecture: "amd64",
      base: { name: "ubuntu", channel: "22.04" },
      charmUrl: "ch:amd64/mysql-313",
      charmUrlWithSeries: "ch:amd64/jammy/mysql-313",
    });
    expect(r.id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(catalog.resolve({ name: "mysql" })).toEqual(r);
    expect(catalog.resolve({ name: "postgresql" }).channel).toBe("14/stable");
    expect(catalog.resolve({ name: "ubuntu" }).channel).toBe("latest/stable");
  });

  it("risk-only and track-only channels", () => {
    expect(catalog.resolve({ name: "mysql", channel: "edge" })).toMatchObject({
      channel: "8.0/edge",
      revision: 366,
    });
    expect(catalog.resolve({ name: "mysql", channel: "8.0" }).channel).toBe("8.0/stable");
    expect(catalog.resolve({ name: "mysql", channel: "stable" }).channel).toBe("8.0/stable");
    expect(catalog.resolve({ name: "ubuntu", channel: "latest/edge" }).revision).toBe(30);
  });

  it("a risk without a release follows the more stable risks; stable never falls back to edge", () => {
    const beta = catalog.resolve({ name: "mysql", channel: "8.0/beta" });
    expect(beta).toMatchObject({ channel: "8.0/candidate", revision: 338 });
    const edgeOnly = new CharmCatalog();
    edgeOnly.addCharm(catalog.get("ubuntu")!.info, {
      releases: [{ channel: "latest/edge", revisions: { amd64: 5 } }],
    });
    expect(edgeOnly.resolve({ name: "ubuntu", channel: "edge" }).revision).toBe(5);
    const e = expectReason(() => edgeOnly.resolve({ name: "ubuntu" }), "channel-not-found");
    expect(e.message).toContain('available releases are:\n  channel "latest/edge"');
  });

  it("base selection: the requested base, else the newest LTS Juju supports", () => {
    const ubuntu = catalog.resolve({ name: "ubuntu" });
    expect(ubuntu.base).toEqual({ name: "ubuntu", channel: "24.04" });
    expect(ubuntu.supportedBases.map((b) => b.channel)).toEqual(["24.04", "22.04", "20.04"]);
    const focal = catalog.resolve({
      name: "ubuntu",
      base: { name: "ubuntu", channel: "20.04/stable" },
    });
    expect(focal.base).toEqual({ name: "ubuntu", channel: "20.04" });
    expect(focal.supportedBases).toEqual([{ name: "ubuntu", channel: "20.04" }]);
    expect(focal.charmUrlWithSeries).toBe("ch:amd64/focal/ubuntu-26");
    // 26.04 exists only on edge; other bases there fall back per platform to stable.
    expect(
      catalog.resolve({
        name: "ubuntu",
        channel: "edge",
        base: { name: "ubuntu", channel: "20.04" },
      }),
    ).toMatchObject({ channel: "latest/stable", revision: 26 });
    const next = catalog.resolve({ name: "alertmanager-k8s", channel: "edge" });
    expect(next.base).toEqual({ name: "ubuntu", channel: "26.04" });
    expect(next.charmUrlWithSeries).toBeUndefined();
  });

  it("architectures pick their own revisions", () => {
    expect(catalog.resolve({ name: "mysql", architecture: "arm64" })).toMatchObject({
      revision: 314,
      charmUrl: "ch:arm64/mysql-314",
    });
    expect(catalog.resolve({ name: "mysql", architecture: "aarch64" }).architecture).toBe("arm64");
    const e = expectReason(
      () => catalog.resolve({ name: "wordpress-k8s", architecture: "arm64" }),
      "architecture-not-supported",
      "not found",
    );
    expect(e.message).toBe('selecting next bases: bases matching architecture "arm64" not found');
  });

  it("revisions need a channel and must exist", () => {
    expect(
      catalog.resolve({ name: "juju-qa-test", channel: "latest/stable", revision: 31 }),
    ).toMatchObject({
      revision: 31,
      channel: "latest/stable",
      charmUrl: "ch:amd64/juju-qa-test-31",
    });
    // Like python-libjuju/Juju CLI: the channel is kept for refreshes, not used to look up.
    expect(catalog.resolve({ name: "mysql", channel: "8.0/stable", revision: 366 })).toMatchObject({
      revision: 366,
      channel: "8.0/stable",
    });
    const e = expectReason(
      () => catalog.resolve({ name: "juju-qa-test", revision: 31 }),
      "revision-without-channel",
      "not valid",
    );
    expect(e.message).toBe('invalid channel for "juju-qa-test": empty channel not valid');
    expectReason(
      () => catalog.resolve({ name: "mysql", channel: "8.0/stable", revision: 9999 }),
      "revision-not-found",
    );
  });

  it("unknown charm, channel and base give Juju's messages", () => {
    expect(
      expectReason(() => catalog.resolve({ name: "no-such-charm" }), "charm-not-found").message,
    ).toBe("resolving error: No charm or bundle with name 'no-such-charm'.");
    const ch = expectReason(
      () => catalog.resolve({ name: "mysql", channel: "9.0/stable" }),
      "channel-not-found",
    );
    expect(ch.message).toBe(
      'selecting releases: charm or bundle not found for channel "9.0/stable", base "amd64"\n' +
        "available releases are:\n" +
        '  channel "8.0/stable": available bases are: ubuntu@22.04\n' +
        '  channel "8.0/candidate": available bases are: ubuntu@22.04\n' +
        '  channel "8.0/edge": available bases are: ubuntu@22.04',
    );
    const base = expectReason(
      () =>
        catalog.resolve({
          name: "mysql",
          channel: "8.0/stable",
          base: { name: "ubuntu", channel: "20.04" },
        }),
      "base-not-supported",
    );
    expect(base.message).toMatch(
      /^selecting releases: charm or bundle not found for channel "8.0\/stable", base "amd64\/ubuntu\/20.04"\n/,
    );
    expect(
      expectReason(
        () => catalog.resolve({ name: "mysql", channel: "8.0/sideways" }),
        "channel-not-valid",
        "not valid",
      ).message,
    ).toBe('risk in channel "8.0/sideways" not valid');
  });

  it("resolves every channel the testdata bundles pin", () => {
    const pins: [string, string, string?][] = [
      ["kubernetes-control-plane", "1.35/stable", "ubuntu@24.04"],
      ["calico", "1.35/stable"],
      ["etcd", "1.35/stable", "ubuntu@24.04"],
      ["ceph-mon", "quincy/stable", "ubuntu@20.04"],
      ["keystone", "yoga/stable", "ubuntu@20.04"],
      ["mysql-router", "8.0/stable", "ubuntu@20.04"],
      ["mysql-innodb-cluster", "8.0/stable", "ubuntu@22.04"],
      ["vault", "1.7/stable", "ubuntu@22.04"],
      ["prometheus-k8s", "edge"],
      ["juju-qa-test", "2.0/stable", "ubuntu@22.04"],
      ["juju-qa-test", "latest/candidate", "ubuntu@20.04"],
    ];
    for (const [name, channel, base] of pins) {
      const b = base?.split("@");
      const r = catalog.resolve({
        name,
        channel,
        ...(b ? { base: { name: b[0] ?? "", channel: b[1] ?? "" } } : {}),
      });
      expect(r.revision, `${name} ${channel}`).toBeGreaterThan(0);
    }
  });
});

describe("parseChannel", () => {
  it("follows charm.ParseChannelNormalize", () => {
    expect(parseChannel("stable")).toEqual({ track: "", risk: "stable" });
    expect(parseChannel("8.0")).toEqual({ track: "8.0", risk: "stable" });
    expect(parseChannel("edge/fix")).toEqual({ track: "", risk: "edge", branch: "fix" });
    expect(parseChannel("8.0/stable/fix")).toEqual({ track: "8.0", risk: "stable", branch: "fix" });
    expect(() => parseChannel("a/b/c/d")).toThrow(/too many components/);
    expect(() => parseChannel("")).toThrow(/empty channel not valid/);
  });
});

describe("charms added from directories", () => {
  it("juju-dummy: latest/stable at the revision file's revision", () => {
    const c = new CharmCatalog();
    const added = c.addCharmDir(`${DIRS}/juju-dummy`);
    expect(added.name).toBe("dummy");
    expect(added.origin).toBe("added");
    const r = c.resolve({ name: "dummy" });
    expect(r).toMatchObject({
      revision: 1,
      channel: "latest/stable",
      base: { name: "ubuntu", channel: "24.04" },
      charmUrlWithSeries: "ch:amd64/noble/dummy-1",
    });
    expect(r.supportedBases.map((b) => b.channel)).toEqual(["24.04", "22.04", "20.04", "18.04"]);
    expect(r.info.config.title?.default).toBe("My Title");
  });

  it("juju-dummy-source: no revision file means revision 1; charmcraft bases and architectures", () => {
    const c = CharmCatalog.default();
    c.addCharmDir(`${DIRS}/juju-dummy-source`);
    const r = c.resolve({
      name: "dummy-source",
      base: { name: "ubuntu", channel: "18.04" },
      architecture: "s390x",
    });
    expect(r).toMatchObject({ revision: 1, charmUrl: "ch:s390x/dummy-source-1" });
    expectReason(
      () => c.resolve({ name: "dummy-source", base: { name: "ubuntu", channel: "24.04" } }),
      "base-not-supported",
    );
    expect(c.get("mysql")).toBeDefined();
  });

  it("addCharm rejects blockedUntil endpoints the charm does not have", () => {
    const c = new CharmCatalog();
    expect(() =>
      c.addCharm(catalog.get("ubuntu")!.info, {
        workload: {
          status: "active",
          message: "",
          blockedUntil: { relations: ["db"], message: "x" },
        },
      }),
    ).toThrow(/unknown endpoint "db"/);
  });
});

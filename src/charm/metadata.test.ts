import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CharmMetadataError } from "./errors.js";
import {
  type CharmFiles,
  type CharmInfo,
  parseCharmFiles,
  parseConfig,
  parseSizeMiB,
} from "./metadata.js";
import { baseToSeries, isLtsBase, normaliseArch, seriesToBase } from "./series.js";

const CHARMS = "/work/shared/testdata/charms";

function filesOf(dir: string): CharmFiles {
  const read = (f: string) =>
    existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined;
  const files: CharmFiles = {};
  const pairs: [keyof CharmFiles, string][] = [
    ["metadata", "metadata.yaml"],
    ["charmcraft", "charmcraft.yaml"],
    ["config", "config.yaml"],
    ["actions", "actions.yaml"],
    ["lxdProfile", "lxd-profile.yaml"],
  ];
  for (const [k, f] of pairs) {
    const text = read(f);
    if (text !== undefined) files[k] = text;
  }
  return files;
}

const charmDirs = readdirSync(CHARMS).sort();
const parsed = new Map<string, CharmInfo>(
  charmDirs.map((d) => [d, parseCharmFiles(filesOf(join(CHARMS, d)))]),
);
const charm = (d: string): CharmInfo => {
  const c = parsed.get(d);
  if (!c) throw new Error(`no charm ${d}`);
  return c;
};

/** Expects `fn` to throw a CharmMetadataError and returns it. */
function metaError(fn: () => unknown): CharmMetadataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CharmMetadataError);
    expect((e as CharmMetadataError).code).toBe("ERR_CHARM_METADATA");
    return e as CharmMetadataError;
  }
  throw new Error("expected a CharmMetadataError");
}

const MINIMAL = "name: x\nsummary: s\ndescription: d\n";

describe("parseCharmFiles on every real charm in testdata/charms", () => {
  it("reads all 28", () => {
    expect(charmDirs).toHaveLength(28);
    for (const [dir, info] of parsed) {
      expect(info.name, dir).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(info.summary.length, dir).toBeGreaterThan(0);
      expect(info.bases.length, dir).toBeGreaterThan(0);
      expect(info.charmType).toBe("charm");
    }
  });

  it("mysql: endpoints, interfaces, limits and optional flags", () => {
    const m = charm("mysql");
    expect(Object.keys(m.provides)).toEqual([
      "database",
      "mysql",
      "db-router",
      "shared-db",
      "cos-agent",
      "replication-offer",
    ]);
    expect(m.provides.database).toEqual({
      name: "database",
      role: "provider",
      interface: "mysql_client",
      optional: false,
      limit: 0,
      scope: "global",
    });
    expect(m.requires.certificates).toMatchObject({
      role: "requirer",
      interface: "tls-certificates",
      limit: 1,
      optional: true,
    });
    expect(m.peers["database-peers"]).toMatchObject({ role: "peer", interface: "mysql_peers" });
    expect(m.storage.database).toEqual({
      name: "database",
      type: "filesystem",
      description: "Persistent storage for data",
      location: "/var/snap/charmed-mysql/common",
      shared: false,
      readOnly: false,
      countMin: 1,
      countMax: 1,
      multiple: false,
    });
    expect(m.assumes?.[0]).toBe("juju");
    expect(m.bases).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["amd64", "arm64", "s390x"] },
    ]);
    expect(m.config.profile).toMatchObject({ type: "string", default: "production" });
    expect(m.actions["get-cluster-status"]?.params).toMatchObject({
      type: "object",
      title: "get-cluster-status",
      properties: { "cluster-set": { type: "boolean", default: false } },
    });
  });

  it("postgresql: config defaults keep their types", () => {
    const c = charm("postgresql").config;
    expect(Object.keys(c).length).toBeGreaterThan(100);
    expect(c.synchronous_node_count).toMatchObject({ type: "string", default: "all" });
    expect(c.synchronous_mode_strict).toMatchObject({ type: "boolean", default: true });
    expect(c.connection_authentication_timeout).toMatchObject({ type: "int", default: 60 });
    expect(c.connection_statement_timeout).toMatchObject({ type: "int", default: 0 });
  });

  it("kubernetes-control-plane: unified charmcraft.yaml with config, actions, bases and lxd profile", () => {
    const k = charm("kubernetes-control-plane");
    expect(k.format).toBe(2);
    expect(Object.keys(k.config).length).toBeGreaterThan(20);
    expect(Object.keys(k.actions).length).toBeGreaterThan(5);
    expect(k.peers.coordinator?.interface).toBe("coordinator");
    expect(k.provides.cni).toMatchObject({ interface: "kubernetes-cni", scope: "container" });
    expect(k.resources["cni-plugins"]).toEqual({
      name: "cni-plugins",
      type: "file",
      filename: "cni-plugins.tar.gz",
      description: "CNI network plugins for Kubernetes",
    });
    expect(k.bases).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["amd64", "arm64", "s390x"] },
      { name: "ubuntu", channel: "24.04", architectures: ["amd64", "arm64", "s390x"] },
    ]);
    expect(k.lxdProfile?.config["security.nesting"]).toBe("true");
  });

  it("ubuntu: platforms with multi-base keys, storage ranges and sizes", () => {
    const u = charm("ubuntu");
    expect(u.bases.map((b) => b.channel)).toEqual(["22.04", "24.04", "26.04"]);
    expect(u.bases[0]?.architectures).toEqual(["amd64", "arm64", "ppc64el", "s390x"]);
    expect(u.storage.block).toMatchObject({
      type: "block",
      minimumSize: 100,
      countMin: 0,
      countMax: -1,
      multiple: true,
    });
    expect(u.config.hostname).toEqual({
      type: "string",
      default: "",
      description: "Override hostname of machine, when empty uses default machine hostname",
    });
  });

  it("base: + platforms: (ceph-mon) and legacy series (ceph-mon's metadata) keep the charmcraft bases", () => {
    const c = charm("ceph-mon");
    expect(c.series).toEqual(["focal", "jammy"]);
    expect(c.bases).toEqual([
      { name: "ubuntu", channel: "24.04", architectures: ["amd64", "arm64", "ppc64el", "s390x"] },
    ]);
    expect(c.extraBindings).toEqual(["cluster", "public"]);
  });

  it("subordinate charms have a container-scoped requires", () => {
    for (const d of ["containerd", "calico", "mysql-router", "mysql-router-openstack"]) {
      const c = charm(d);
      expect(c.subordinate, d).toBe(true);
      expect(
        Object.values(c.requires).some((r) => r.scope === "container"),
        d,
      ).toBe(true);
    }
    expect(charm("containerd").requires.containerd).toMatchObject({
      interface: "container-runtime",
      scope: "container",
    });
    expect(charm("mysql-router-openstack").name).toBe("mysql-router");
  });

  it("k8s sidecar charm: containers, mounts and oci-image resources", () => {
    const w = charm("wordpress-k8s");
    expect(w.containers.wordpress).toEqual({
      resource: "wordpress-image",
      mounts: [{ storage: "uploads", location: "/var/www/html/wp-content/uploads" }],
    });
    expect(w.resources["wordpress-image"]).toEqual({
      name: "wordpress-image",
      type: "oci-image",
      description: "OCI image for wordpress",
    });
    expect(w.requires.database?.interface).toBe("mysql_client");
    expect(w.requires["nginx-route"]?.limit).toBe(1);
    expect(w.bases).toEqual([{ name: "ubuntu", channel: "22.04", architectures: ["amd64"] }]);
  });

  it("etcd: block storage with range and minimum size in MiB", () => {
    expect(charm("etcd").storage.data).toMatchObject({
      type: "block",
      countMin: 0,
      countMax: 1,
      minimumSize: 1024,
    });
  });

  it("kubeapi-load-balancer: metadata in charmcraft.yaml and config in config.yaml", () => {
    const k = charm("kubeapi-load-balancer");
    expect(k.name).toBe("kubeapi-load-balancer");
    expect(Object.keys(k.config).length).toBeGreaterThan(0);
  });
});

describe("layouts and precedence", () => {
  it("metadata.yaml wins over metadata keys in charmcraft.yaml, as in a built charm", () => {
    const info = parseCharmFiles({
      metadata: "name: from-meta\nsummary: s\ndescription: d\n",
      charmcraft:
        "name: from-craft\nsummary: t\ndescription: e\ntype: charm\nbases: [{name: ubuntu, channel: '22.04'}]\n",
    });
    expect(info.name).toBe("from-meta");
    expect(info.bases).toEqual([{ name: "ubuntu", channel: "22.04", architectures: ["amd64"] }]);
  });

  it("config.yaml and actions.yaml win over charmcraft.yaml sections", () => {
    const info = parseCharmFiles({
      charmcraft: `${MINIMAL}config: {options: {a: {type: int, default: 1}}}\nactions: {go: {}}\n`,
      config: "options: {b: {type: boolean, default: 'true'}}\n",
    });
    expect(info.config).toEqual({ b: { type: "boolean", default: true } });
    expect(info.actions.go?.description).toBe("No description");
  });

  it("legacy series map to bases through Juju's series table", () => {
    const info = parseCharmFiles({ metadata: `${MINIMAL}series: [jammy, focal, kubernetes]\n` });
    expect(info.format).toBe(1);
    expect(info.bases).toEqual([
      { name: "kubernetes", channel: "kubernetes" },
      { name: "ubuntu", channel: "20.04" },
      { name: "ubuntu", channel: "22.04" },
    ]);
  });

  it("type: bundle in charmcraft.yaml marks a bundle", () => {
    const info = parseCharmFiles({
      charmcraft:
        "type: bundle\nname: b\nsummary: s\ndescription: d\nbases: [{name: ubuntu, channel: '22.04'}]\n",
    });
    expect(info.charmType).toBe("bundle");
  });

  it("uses YAML 1.1 booleans like Go's yaml.v2", () => {
    const info = parseCharmFiles({ metadata: `${MINIMAL}subordinate: no\n` });
    expect(info.subordinate).toBe(false);
  });
});

describe("malformed charm files", () => {
  it("YAML syntax errors name the file and line", () => {
    const e = metaError(() => parseCharmFiles({ metadata: "name: x\nsummary: [unclosed\n" }));
    expect(e.file).toBe("metadata.yaml");
    expect(e.message).toMatch(/^parsing "metadata.yaml" file: yaml: line \d+: /);
  });

  it("missing name", () => {
    const e = metaError(() => parseCharmFiles({ metadata: "summary: s\ndescription: d\n" }));
    expect(e.key).toBe("name");
    expect(e.message).toBe(
      'parsing "metadata.yaml" file: metadata: name: expected string, got nothing',
    );
  });

  it("no file names the charm", () => {
    const e = metaError(() => parseCharmFiles({ charmcraft: "type: charm\n" }));
    expect(e.file).toBe("charmcraft.yaml");
    expect(e.key).toBe("name");
  });

  it("bad relation scope", () => {
    const e = metaError(() =>
      parseCharmFiles({
        metadata: `${MINIMAL}requires:\n  db:\n    interface: mysql\n    scope: local\n`,
      }),
    );
    expect(e.key).toBe("requires.db.scope");
    expect(e.message).toContain('requires.db.scope: unexpected value "local"');
  });

  it("relation without an interface", () => {
    const e = metaError(() =>
      parseCharmFiles({ metadata: `${MINIMAL}provides:\n  db:\n    limit: 1\n` }),
    );
    expect(e.key).toBe("provides.db.interface");
  });

  it("endpoint names duplicated across provides, requires and peers", () => {
    const e = metaError(() =>
      parseCharmFiles({ metadata: `${MINIMAL}provides:\n  db: mysql\nrequires:\n  db: pgsql\n` }),
    );
    expect(e.message).toBe('charm "x" using a duplicated relation name: "db"');
    expect(e.key).toBe("requires.db");
  });

  it("duplicate keys inside one map are a YAML error, as in yaml.v2", () => {
    metaError(() => parseCharmFiles({ metadata: `${MINIMAL}provides:\n  db: a\n  db: b\n` }));
  });

  it("reserved endpoint names and interfaces", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}provides:\n  juju-info: foo\n` }))
        .message,
    ).toBe('charm "x" using a reserved relation name: "juju-info"');
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}provides:\n  info: juju-info\n` }))
        .message,
    ).toBe('charm "x" relation "info" using a reserved interface: "juju-info"');
    // Requirers may use juju-info; subordinates may name a container-scoped requires juju-*.
    const sub = parseCharmFiles({
      metadata: `${MINIMAL}subordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n    scope: container\n`,
    });
    expect(sub.requires["juju-info"]?.scope).toBe("container");
  });

  it("subordinate without a container-scoped requires", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}subordinate: true\n` })).message,
    ).toBe('subordinate charm "x" lacks "requires" relation with container scope');
  });

  it("mixing metadata v1 and v2 keys", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}series: [jammy]\nassumes: [juju]\n` }))
        .message,
    ).toBe('ambiguous metadata: keys "series" cannot be used with "assumes"');
  });

  it("storage errors", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}storage:\n  d:\n    location: /x\n` }))
        .key,
    ).toBe("storage.d.type");
    expect(
      metaError(() =>
        parseCharmFiles({
          metadata: `${MINIMAL}storage:\n  d:\n    type: block\n    location: /x\n`,
        }),
      ).message,
    ).toBe('charm "x" storage "d": location may not be specified for "type: block"');
    expect(
      metaError(() =>
        parseCharmFiles({
          metadata: `${MINIMAL}storage:\n  d:\n    type: block\n    multiple:\n      range: lots\n`,
        }),
      ).key,
    ).toBe("storage.d.multiple.range");
  });

  it("containers must reference oci-image resources and declared storage", () => {
    expect(
      metaError(() =>
        parseCharmFiles({ metadata: `${MINIMAL}containers:\n  c:\n    resource: img\n` }),
      ).message,
    ).toBe('parsing containers: referenced resource "img" not found');
    expect(
      metaError(() =>
        parseCharmFiles({
          metadata: `${MINIMAL}containers:\n  c:\n    mounts:\n      - storage: s\n        location: /s\n`,
        }),
      ).message,
    ).toBe('parsing containers: container "c": storage "s" not valid');
  });

  it("file resources need a filename", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: `${MINIMAL}resources:\n  r:\n    type: file\n` }))
        .message,
    ).toBe("resource missing filename");
  });

  it("bad config types and defaults", () => {
    expect(metaError(() => parseConfig({ options: { a: { type: "integer" } } })).message).toBe(
      'invalid config: option "a" has unknown type "integer"',
    );
    expect(
      metaError(() => parseConfig({ options: { a: { type: "int", default: "ten" } } })).message,
    ).toBe('invalid config default: option "a" expected int, got "ten"');
    expect(metaError(() => parseConfig({})).message).toBe("invalid config: empty configuration");
    expect(parseConfig({ options: { a: { default: "x" } } })).toEqual({
      a: { type: "string", default: "x" },
    });
    expect(parseConfig({ options: { n: { type: "float", default: 1 } } }).n?.default).toBe(1);
  });

  it("bad and reserved action names", () => {
    expect(
      metaError(() => parseCharmFiles({ metadata: MINIMAL, actions: "Bad_Name: {}\n" })).message,
    ).toBe("bad action name Bad_Name");
    expect(
      metaError(() => parseCharmFiles({ metadata: MINIMAL, actions: "juju-run: {}\n" })).message,
    ).toBe('cannot use action name juju-run: the "juju-" prefix is reserved');
    expect(
      metaError(() =>
        parseCharmFiles({ metadata: MINIMAL, actions: "a:\n  params:\n    $ref: x\n" }),
      ).message,
    ).toBe('schema key "$ref" not compatible with this version of juju');
  });

  it("lxd profiles with forbidden config", () => {
    expect(
      metaError(() =>
        parseCharmFiles({ metadata: MINIMAL, lxdProfile: "config:\n  boot.autostart: 'true'\n" }),
      ).message,
    ).toBe('invalid lxd-profile.yaml: contains config value "boot.autostart"');
  });
});

describe("series and sizes", () => {
  it("maps series and bases both ways", () => {
    expect(seriesToBase("jammy")).toEqual({ name: "ubuntu", channel: "22.04" });
    expect(seriesToBase("xenial")).toEqual({ name: "ubuntu", channel: "16.04" });
    expect(seriesToBase("nope")).toBeUndefined();
    expect(baseToSeries({ name: "ubuntu", channel: "24.04/stable" })).toBe("noble");
    expect(isLtsBase({ name: "ubuntu", channel: "22.10" })).toBe(false);
    expect(isLtsBase({ name: "ubuntu", channel: "26.04" })).toBe(true);
    expect(normaliseArch("aarch64")).toBe("arm64");
    expect(normaliseArch("x86_64")).toBe("amd64");
  });

  it("parses sizes like juju/utils ParseSize", () => {
    expect(parseSizeMiB("100M")).toBe(100);
    expect(parseSizeMiB("1G")).toBe(1024);
    expect(parseSizeMiB("1.5GiB")).toBe(1536);
    expect(parseSizeMiB("10")).toBe(10);
    expect(() => parseSizeMiB("1Q")).toThrow(/invalid multiplier suffix/);
  });
});

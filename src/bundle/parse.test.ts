import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BundleProblem,
  BundleValidationError,
  checkBundleData,
  parseBundle,
  parseBundleSync,
} from "./index.js";
import { readBundleFile } from "./node/read-files.js";

const BUNDLES = "/work/shared/testdata/bundles";
const INVALID = "exposed-endpoints-invalid";
const EXPOSE_CONFLICT =
  'exposed-endpoints cannot be specified together with "exposed:true" in application "ubuntu-lite" as this poses a security risk when deploying bundles to older controllers';

function bundleDirs(): { name: string; overlays: string[] }[] {
  return readdirSync(BUNDLES).map((name) => ({
    name,
    overlays: readdirSync(join(BUNDLES, name)).filter(
      (f) => f.endsWith(".yaml") && f !== "bundle.yaml" && f !== "charmcraft.yaml",
    ),
  }));
}

/** Runs `fn` and returns the problems of the BundleValidationError it throws. */
async function problemsOf(fn: () => unknown): Promise<BundleProblem[]> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BundleValidationError);
    expect((e as BundleValidationError).code).toBe("ERR_BUNDLE_INVALID");
    return [...(e as BundleValidationError).problems];
  }
  throw new Error("expected a BundleValidationError");
}

const pathsAndMessages = (ps: BundleProblem[]) =>
  ps.map(({ path, message }) => ({ path, message }));

/** An in-memory file system for the reader. */
function memoryReader(files: Record<string, string | Uint8Array>) {
  const reads: string[] = [];
  const readFile = async (path: string) => {
    reads.push(path);
    const f = files[path];
    if (f === undefined) throw new Error(`file ${JSON.stringify(path)} not found`);
    return f;
  };
  return { readFile, reads };
}

describe("the testdata bundles", () => {
  for (const { name, overlays } of bundleDirs()) {
    const path = join(BUNDLES, name, "bundle.yaml");
    const text = readFileSync(path, "utf8");
    for (const overlay of [undefined, ...overlays]) {
      const label = overlay ? `${name} + ${overlay}` : name;
      if (name === INVALID) {
        it(`${label} is rejected with Juju's message`, async () => {
          const problems = await problemsOf(() =>
            parseBundle(text, { path, readFile: readBundleFile }),
          );
          expect(pathsAndMessages(problems)).toEqual([
            { path: "applications.ubuntu-lite.exposed-endpoints", message: EXPOSE_CONFLICT },
          ]);
        });
        continue;
      }
      it(`${label} parses`, async () => {
        const overlayPaths = overlay ? [join(BUNDLES, name, overlay)] : [];
        const bundle = await parseBundle(text, {
          path,
          overlays: overlayPaths,
          readFile: readBundleFile,
        });
        expect(Object.keys(bundle.applications).length).toBeGreaterThan(0);
        for (const app of Object.values(bundle.applications)) expect(app.charm).not.toBe("");
        // Without files to read, the same bundle parses from text alone.
        const sync = parseBundleSync(text, {
          path,
          overlays: overlay
            ? [{ text: readFileSync(overlayPaths[0] as string, "utf8"), path: overlayPaths[0] }]
            : [],
        });
        expect(sync).toEqual(bundle);
      });
    }
  }

  it("applies vault-pki-overlay's removal of easyrsa and its relations", async () => {
    const dir = join(BUNDLES, "charmed-kubernetes");
    const text = readFileSync(join(dir, "bundle.yaml"), "utf8");
    const base = await parseBundle(text);
    const merged = await parseBundle(text, {
      overlays: [join(dir, "vault-pki-overlay.yaml")],
      readFile: readBundleFile,
    });
    expect(base.applications.easyrsa).toBeDefined();
    expect(merged.applications.easyrsa).toBeUndefined();
    const mentions = (rels: string[][] | undefined) =>
      (rels ?? []).filter((r) => r.some((ep) => ep === "easyrsa" || ep.startsWith("easyrsa:")));
    expect(mentions(base.relations).length).toBeGreaterThan(0);
    expect(mentions(merged.relations)).toEqual([]);
    expect(merged.applications.vault).toMatchObject({
      charm: "vault",
      channel: "1.7/stable",
      num_units: 1,
    });
    expect(merged.relations).toContainEqual(["etcd:certificates", "vault:certificates"]);
    const kept = (base.relations ?? []).length - mentions(base.relations).length;
    expect((merged.relations ?? []).length).toBe(kept + 6);
  });

  it("merges the offers of apache2-with-offers' second document", async () => {
    const text = readFileSync(join(BUNDLES, "apache2-with-offers", "bundle.yaml"), "utf8");
    const bundle = parseBundleSync(text);
    expect(bundle.applications.apache2).toEqual({
      charm: "apache2",
      offers: {
        "my-offer": {
          endpoints: ["apache-website", "website-cache"],
          acl: { admin: "admin", bar: "consume" },
        },
        "my-other-offer": { endpoints: ["apache-website"] },
      },
    });
    expect(bundle.series).toBe("focal");
  });

  it("folds cos-lite's scale into num_units and merges storage overlays", async () => {
    const dir = join(BUNDLES, "cos-lite");
    const bundle = await parseBundle(readFileSync(join(dir, "bundle.yaml"), "utf8"), {
      overlays: [join(dir, "storage-small-overlay.yaml")],
      readFile: readBundleFile,
    });
    expect(bundle.bundle).toBe("kubernetes");
    expect(bundle.applications.loki).toMatchObject({
      num_units: 1,
      storage: { "active-index-directory": "kubernetes,2G,1", "loki-chunks": "kubernetes,10G,1" },
    });
    expect(bundle.applications.loki?.scale).toBeUndefined();
  });

  it("reads legacy services and OpenStack's variables anchors", () => {
    const hadoop = parseBundleSync(
      readFileSync(join(BUNDLES, "hadoop-spark-notebook", "bundle.yaml"), "utf8"),
    );
    expect(hadoop.applications.namenode?.charm).toBe("cs:trusty/apache-hadoop-namenode-2");
    const openstack = parseBundleSync(
      readFileSync(join(BUNDLES, "openstack-base", "bundle.yaml"), "utf8"),
    );
    expect(openstack.applications["nova-compute"]?.options?.["openstack-origin"]).toBe(
      "cloud:focal-yoga",
    );
    expect(openstack.machines?.["0"]).toEqual({});
    expect(openstack).not.toHaveProperty("variables");
  });

  it("resolves a relative local charm against the bundle's directory", async () => {
    const dir = join(BUNDLES, "pylibjuju-mixed-local");
    const bundle = await parseBundle(readFileSync(join(dir, "bundle.yaml"), "utf8"), {
      path: join(dir, "bundle.yaml"),
    });
    expect(bundle.applications.test?.charm).toBe(join(dir, "tests/integration/charm"));
  });
});

describe("overlay merging", () => {
  const base = `
series: jammy
applications:
  mysql:
    charm: mysql
    channel: 8.0/stable
    num_units: 2
    to: ["0", "1"]
    options: {a: 1, b: two, c: true}
    annotations: {gui-x: "10"}
    storage: {data: "ebs,10G"}
    bindings: {"": alpha, db: internal}
  wordpress:
    charm: wordpress
    num_units: 1
    expose: true
  cache:
    charm: memcached
saas:
  remote: {url: admin/other.db}
machines:
  "0": {constraints: mem=4G}
  "1": {}
relations:
- [wordpress:db, mysql:db]
- [wordpress:cache, cache:cache]
- [wordpress:remote, remote:db]
`;

  it("merges field by field, removes with null and appends relations", () => {
    const overlay = `
series: focal
default-base: ubuntu@20.04
applications:
  mysql:
    num_units: 1
    to: ["0"]
    options: {a: ~, b: three, d: [1, 2]}
    annotations: {gui-x: ""}
    bindings: {}
  cache: ~
  haproxy:
    charm: haproxy
    num_units: 1
saas:
  remote: null
machines:
  "0": {constraints: mem=8G}
relations:
- [haproxy:reverseproxy, wordpress:website]
`;
    const b = parseBundleSync(base, { overlays: [{ text: overlay }] });
    expect(b.applications.mysql).toEqual({
      charm: "mysql",
      channel: "8.0/stable",
      num_units: 1,
      to: ["0"],
      options: { b: "three", c: true, d: [1, 2] },
      // An empty string is a value (an annotation being unset); an empty map clears.
      annotations: { "gui-x": "" },
      storage: { data: "ebs,10G" },
    });
    expect(b.applications.cache).toBeUndefined();
    expect(b.applications.haproxy).toEqual({ charm: "haproxy", num_units: 1 });
    expect(b.saas).toBeUndefined();
    expect(b.machines).toEqual({ "0": { constraints: "mem=8G" } });
    expect(b.relations).toEqual([
      ["wordpress:db", "mysql:db"],
      ["haproxy:reverseproxy", "wordpress:website"],
    ]);
    // Juju's overlays override the series but not the default base.
    expect(b.series).toBe("focal");
    expect(b["default-base"]).toBeUndefined();
  });

  it("keeps an application given as {} and treats a later document of the same text as an overlay", () => {
    const b = parseBundleSync(
      `${base}---\napplications:\n  wordpress: {}\n  mysql:\n    expose: yes\n`,
    );
    expect(b.applications.wordpress).toEqual({ charm: "wordpress", num_units: 1, expose: true });
    expect(b.applications.mysql?.expose).toBe(true);
  });

  it("resolves include-file:// and include-base64:// against the directory of the file that uses them", async () => {
    const { readFile, reads } = memoryReader({
      "/srv/bundle/title.txt": "from bundle dir",
      "/srv/overlays/over.yaml": [
        "applications:",
        "  wordpress:",
        "    options:",
        "      key: include-base64://../keys/id.bin",
        "      motd: include-file://motd.txt",
        "    annotations:",
        "      note: include-file:///abs/note.txt",
      ].join("\n"),
      "/srv/overlays/motd.txt": "hello\n",
      "/srv/keys/id.bin": new Uint8Array([0, 1, 2, 255]),
      "/abs/note.txt": "absolute",
    });
    const text =
      "applications:\n  wordpress:\n    charm: wordpress\n    options:\n      title: include-file://title.txt\n";
    const b = await parseBundle(text, {
      path: "/srv/bundle/bundle.yaml",
      overlays: ["/srv/overlays/over.yaml"],
      readFile,
    });
    expect(b.applications.wordpress?.options).toEqual({
      title: "from bundle dir",
      key: "AAEC/w==",
      motd: "hello\n",
    });
    expect(b.applications.wordpress?.annotations).toEqual({ note: "absolute" });
    expect(reads).toContain("/srv/keys/id.bin");
  });

  it("reports includes that cannot be read, in Juju's words", async () => {
    const { readFile } = memoryReader({});
    const text =
      "applications:\n  wp:\n    charm: wordpress\n    options:\n      title: include-file://missing.txt\n";
    const problems = await problemsOf(() => parseBundle(text, { baseDir: "/srv", readFile }));
    expect(pathsAndMessages(problems)).toEqual([
      {
        path: "applications.wp.options.title",
        message:
          'processing option "title" for application "wp": resolving include "missing.txt": file "/srv/missing.txt" not found',
      },
    ]);
    const sync = await problemsOf(() => parseBundleSync(text));
    expect(sync[0]?.message).toMatch(/parseBundleSync reads no files/);
  });

  it("reads with Node's readBundleFile, refusing a folder with a typed error", async () => {
    await expect(readBundleFile(BUNDLES)).rejects.toMatchObject({
      code: "ERR_BUNDLE_FILE",
      path: BUNDLES,
      message: `path ${JSON.stringify(BUNDLES)} resolves to a folder`,
    });
    const bytes = await readBundleFile(join(BUNDLES, "wordpress-with-saas", "bundle.yaml"));
    expect(new TextDecoder().decode(bytes)).toContain("saas:");
  });

  it("reports an overlay file that cannot be read", async () => {
    const problems = await problemsOf(() =>
      parseBundle("applications: {a: {charm: a}}", {
        overlays: ["/no/such/overlay.yaml"],
        readFile: readBundleFile,
      }),
    );
    expect(pathsAndMessages(problems)).toEqual([
      {
        path: "overlays[0]",
        message: 'unable to process overlays: file "/no/such/overlay.yaml" not found',
      },
    ]);
  });
});

describe("YAML read as go-yaml v2 reads it", () => {
  it("resolves YAML 1.1 scalars, anchors and merge keys", () => {
    const b = parseBundleSync(
      `
defaults: &defaults
  charm: ubuntu
  num_units: 1
applications:
  a:
    <<: *defaults
    num_units: 2
    to: [0, "1"]
    expose: on
    trust: Y
    options:
      yes-bool: yes
      no-bool: off
      quoted: "yes"
      hex: 0x1F
      octal: 0777
      underscores: 1_000
      float: 1.5
      not-octal: 08
      inf: .inf
      nothing: ~
      text: 12:30
      list: [a, 1, false]
    annotations:
      gui-x: 300
machines:
  0: {}
  1:
`.replace("defaults: &defaults", "variables: &defaults"),
    );
    const a = b.applications.a;
    expect(a).toMatchObject({ charm: "ubuntu", num_units: 2, expose: true, trust: true });
    expect(a?.options).toEqual({
      "yes-bool": true,
      "no-bool": false,
      quoted: "yes",
      hex: 31,
      octal: 511,
      underscores: 1000,
      float: 1.5,
      "not-octal": 8,
      inf: Number.POSITIVE_INFINITY,
      nothing: null,
      text: "12:30",
      list: ["a", 1, false],
    });
    // A number in a string field keeps its text, as go-yaml stores it.
    expect(a?.annotations).toEqual({ "gui-x": "300" });
    expect(b.machines).toEqual({ "0": {}, "1": {} });
  });

  it("folds Kubernetes scale and placement into num_units and to", () => {
    const b = parseBundleSync(
      "bundle: kubernetes\napplications:\n  a: {charm: a, scale: 3, placement: 'zone=az1'}\n",
    );
    expect(b.applications.a).toEqual({ charm: "a", num_units: 3, to: ["zone=az1"] });
  });
});

describe("the grammar's valid forms", () => {
  it("accepts every placement form, bindings with the default space, resources, storage and devices", () => {
    const b = parseBundleSync(`
default-base: ubuntu@22.04/stable
applications:
  db:
    charm: ch:mysql
    channel: 8.0/stable
    revision: 58
    num_units: 3
    to: ["0", "lxd:1", "new"]
    bindings: {"": alpha, db: internal}
    resources: {mysql-image: 12, snap: ./mysql.snap}
    storage: {database: "ebs,10G,1"}
    devices: {gpu: "2,nvidia.com/gpu,gpu=fast"}
    constraints: mem=4G cores=2 spaces=alpha,^admin
  web:
    charm: wordpress
    num_units: 5
    to: ["db", "lxd:db", "kvm:db/2", "db/1", "lxd:new"]
    expose: true
  edge:
    charm: haproxy
    num_units: 1
    exposed-endpoints: {}
machines:
  "0": {base: ubuntu@22.04, constraints: arch=arm64}
  "1": {}
relations:
- [web:db, db:db]
- [web, edge]
`);
    expect(b.applications.db?.bindings).toEqual({ "": "alpha", db: "internal" });
    expect(b.applications.db?.resources).toEqual({ "mysql-image": 12, snap: "./mysql.snap" });
    expect(b.applications.web?.to).toEqual(["db", "lxd:db", "kvm:db/2", "db/1", "lxd:new"]);
    expect(b.machines).toEqual({
      "0": { base: "ubuntu@22.04", constraints: "arch=arm64" },
      "1": {},
    });
    expect(b.relations).toEqual([
      ["web:db", "db:db"],
      ["web", "edge"],
    ]);
  });

  it("reads the bindings of wordpress-with-endpoint-bindings", () => {
    const b = parseBundleSync(
      readFileSync(join(BUNDLES, "wordpress-with-endpoint-bindings", "bundle.yaml"), "utf8"),
    );
    expect(b.applications.mysql?.bindings).toEqual({ server: "db" });
    expect(b.applications["wordpress-extra-bindings"]?.bindings?.["admin-api"]).toBe("public");
  });
});

describe("unknown keys", () => {
  const text = "applications:\n  a:\n    charm: a\n    colour: blue\nextra: 1\n";

  it("are problems by default", async () => {
    expect(pathsAndMessages(await problemsOf(() => parseBundleSync(text)))).toEqual([
      { path: "applications.a.colour", message: "field colour not found in applications" },
      { path: "extra", message: "field extra not found in bundle" },
    ]);
  });

  it("are warnings, and ignored, with strict: false, as the Juju CLI does", () => {
    const warnings: BundleProblem[] = [];
    const b = parseBundleSync(text, { strict: false, onWarning: (w) => warnings.push(w) });
    expect(b).toEqual({ applications: { a: { charm: "a" } } });
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ["applications.a.colour", 4],
      ["extra", 5],
    ]);
  });
});

describe("checkBundleData", () => {
  it("checks and normalises bundle data given as an object", () => {
    expect(
      checkBundleData({ applications: { a: { charm: "a", scale: 2 } }, bundle: "kubernetes" }),
    ).toEqual({
      bundle: "kubernetes",
      applications: { a: { charm: "a", num_units: 2 } },
    });
  });

  it("lists every problem of a bad object", async () => {
    const problems = await problemsOf(() =>
      checkBundleData({ applications: { a: { charm: "a", num_units: "2", to: [new Date(0)] } } }),
    );
    expect(pathsAndMessages(problems)).toEqual([
      { path: "applications.a.to[0]", message: "unsupported value of type Date" },
      { path: "applications.a.num_units", message: "cannot unmarshal !!str `2` into int" },
    ]);
  });
});

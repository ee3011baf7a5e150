import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BundleProblem,
  BundleValidationError,
  parseBundle,
  parseBundleSync,
  parseCharmURL,
  parseUnitPlacement,
} from "./index.js";

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BundleValidationError)) throw e;
    return e.problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error("expected a BundleValidationError");
}

const cases: { name: string; yaml: string; problems: { path: string; message: string }[] }[] = [
  {
    name: "placements: syntax, container type, unknown machine and application, unit out of range, too many",
    yaml: `
applications:
  mysql: {charm: mysql, num_units: 2, to: ["lxd:", "foo:0", "zone=az1", "9", "nope/0", "wp/5", "new"]}
  wp: {charm: wordpress, num_units: 1, to: ["lxd:0", "kvm:mysql/1"]}
machines:
  "0": {}
  "01": {}
`,
    problems: [
      { path: "machines.01", message: 'invalid machine id "01" found in machines' },
      {
        path: "applications.mysql.to",
        message: 'too many units specified in unit placement for application "mysql"',
      },
      { path: "applications.mysql.to[0]", message: 'invalid placement syntax "lxd:"' },
      { path: "applications.mysql.to[1]", message: 'invalid container type "foo"' },
      { path: "applications.mysql.to[2]", message: 'invalid placement syntax "zone=az1"' },
      {
        path: "applications.mysql.to[3]",
        message: 'placement "9" refers to a machine not defined in this bundle',
      },
      {
        path: "applications.mysql.to[4]",
        message: 'placement "nope/0" refers to an application not defined in this bundle',
      },
      {
        path: "applications.mysql.to[5]",
        message:
          'placement "wp/5" specifies a unit greater than the 1 unit(s) started by the target application',
      },
      {
        path: "applications.wp.to",
        message: 'too many units specified in unit placement for application "wp"',
      },
      { path: "machines.01", message: 'machine "01" is not referred to by a placement directive' },
    ],
  },
  {
    name: "relations: unknown application, endpoint count, self, duplicate, syntax",
    yaml: `
applications:
  a: {charm: a}
  b: {charm: b}
relations:
- [a:db, c:db]
- [a, b, a]
- [a:x, a:y]
- [a:db, b:db]
- [b:db, a:db]
- ["A:b", b]
`,
    problems: [
      {
        path: "relations[0][1]",
        message: 'relation ["a:db" "c:db"] refers to application "c" not defined in this bundle',
      },
      { path: "relations[1]", message: 'relation ["a" "b" "a"] has 3 endpoint(s), not 2' },
      { path: "relations[2]", message: 'relation ["a:x" "a:y"] relates an application to itself' },
      { path: "relations[4]", message: 'relation ["b:db" "a:db"] is defined more than once' },
      { path: "relations[5][0]", message: 'invalid relation syntax "A:b"' },
    ],
  },
  {
    name: "negative num_units, bad constraints, storage, devices, resources",
    yaml: `
applications:
  b:
    charm: b
    num_units: -1
    constraints: mem=4X cores=2
    storage: {data: "-1", Bad: ebs, logs: "ebs,ebs2", tmp: "1Q"}
    devices: {gpu: "0,nvidia.com/gpu", Bad-: gpu}
    resources: {r: true, s: 3, t: ./file}
`,
    problems: [
      {
        path: "applications.b.constraints",
        message:
          'invalid constraints "mem=4X cores=2" in application "b": bad "mem" constraint: must be a non-negative float with optional M/G/T/P suffix',
      },
      {
        path: "applications.b.storage.data",
        message:
          'invalid storage "data" in application "b": cannot parse count: count must be greater than zero, got "-1"',
      },
      {
        path: "applications.b.storage.Bad",
        message: 'invalid storage name "Bad" in application "b"',
      },
      {
        path: "applications.b.storage.logs",
        message:
          'invalid storage "logs" in application "b": pool name is already set to "ebs", new value "ebs2" not valid',
      },
      {
        path: "applications.b.storage.tmp",
        message:
          'invalid storage "tmp" in application "b": unrecognized storage constraint "1Q" not valid',
      },
      {
        path: "applications.b.devices.gpu",
        message:
          'invalid device "gpu" in application "b": count must be greater than zero, got "0"',
      },
      {
        path: "applications.b.devices.Bad-",
        message: 'invalid device name "Bad-" in application "b"',
      },
      { path: "applications.b.resources.r", message: 'resource revision "b" is not int or string' },
      {
        path: "applications.b.num_units",
        message: 'negative number of units specified on application "b"',
      },
    ],
  },
  {
    name: "values of the wrong type, with go-yaml's messages",
    yaml: `
applications:
  a:
    charm: [a]
    num_units: many
    to: 0
    expose: maybe
    options: 3
    trust: "yes"
    revision: 1.5
relations:
- a:db
`,
    problems: [
      { path: "applications.a.charm", message: "cannot unmarshal !!seq into string" },
      { path: "applications.a.num_units", message: "cannot unmarshal !!str `many` into int" },
      { path: "applications.a.to", message: "cannot unmarshal !!int `0` into []string" },
      { path: "applications.a.expose", message: "cannot unmarshal !!str `maybe` into bool" },
      {
        path: "applications.a.options",
        message: "cannot unmarshal !!int `3` into map[string]interface {}",
      },
      { path: "applications.a.trust", message: "cannot unmarshal !!str `yes` into bool" },
      { path: "applications.a.revision", message: "cannot unmarshal !!float `1.5` into int" },
      { path: "relations[0]", message: "cannot unmarshal !!str `a:db` into []string" },
    ],
  },
  {
    name: "duplicate and unknown keys",
    yaml: `
applications:
  a: {charm: a}
  a: {charm: b, colour: red}
unknown: 1
series: jammy
series: focal
`,
    problems: [
      { path: "series", message: "field series already set in bundle" },
      { path: "applications.a", message: 'key "a" already set in map' },
      { path: "applications.a.colour", message: "field colour not found in applications" },
      { path: "unknown", message: "field unknown not found in bundle" },
    ],
  },
  {
    name: "Kubernetes bundles: machines, placement count and selectors",
    yaml: `
bundle: kubernetes
applications:
  a: {charm: a, scale: 2, to: ["a=b", "c=d"]}
  b: {charm: b, to: ["a=b,nokey"]}
  c: {charm: c, to: ["a=b,a=c"]}
machines:
  "0": {}
`,
    problems: [
      { path: "machines", message: "bundle machines not valid for Kubernetes bundles" },
      { path: "applications.a.to", message: 'too many placement directives for application "a"' },
      {
        path: "applications.b.to[0]",
        message: 'expected "key=value", got "nokey" for application "b"',
      },
      {
        path: "applications.c.to[0]",
        message: 'key "a" specified more than once for application "c"',
      },
    ],
  },
  {
    name: "Kubernetes spellings misused",
    yaml: `
applications:
  a: {charm: a, scale: 1, num_units: 2}
  b: {charm: b, placement: "zone=a"}
`,
    problems: [
      {
        path: "applications.a",
        message: 'cannot specify both scale and num_units for application "a"',
      },
      {
        path: "applications.b.placement",
        message: 'placement (zone=a) not valid for non-Kubernetes application "b"',
      },
    ],
  },
  {
    name: "charm URLs, revisions, series and bases",
    yaml: `
series: focal
default-base: ubuntu@22.04
applications:
  a: {charm: "ch:Foo"}
  b: {charm: "ch:mysql-3"}
  c: {charm: "mysql", revision: 3}
  d: {charm: "foo:bar"}
  e: {charm: "ch:amd64/jammy/x", series: focal}
  f: {charm: "", series: "Bad", base: "ubuntu@22.04/foo"}
  g: {charm: "cs:~me/trusty/g-2"}
  h: {charm: mysql, channel: stable, revision: -1, series: jammy, base: ubuntu@20.04}
  i: {charm: "ch:a/b/c/d", base: "plan9@4"}
`,
    problems: [
      {
        path: "series",
        message: 'bundle series "focal" and base "ubuntu@22.04" must match if both supplied',
      },
      {
        path: "applications.h.series",
        message:
          'application "h" series "jammy" and base "ubuntu@20.04" must match if both supplied',
      },
      {
        path: "applications.a.charm",
        message:
          'invalid charm URL in application "a": cannot parse name and/or revision in URL "ch:Foo": name "Foo" not valid',
      },
      {
        path: "applications.b.charm",
        message: 'cannot specify revision in "ch:mysql-3", please use revision',
      },
      {
        path: "applications.c.revision",
        message:
          'application "c" with a revision requires a channel for future upgrades, please use channel',
      },
      {
        path: "applications.d.charm",
        message:
          'invalid charm URL in application "d": cannot parse URL "foo:bar": schema "foo" not valid',
      },
      {
        path: "applications.e.series",
        message:
          'the charm URL for application "e" has a series which does not match, please remove the series from the URL',
      },
      { path: "applications.f.charm", message: "empty charm path" },
      {
        path: "applications.f.series",
        message: 'application "f" declares an invalid series "Bad"',
      },
      {
        path: "applications.f.base",
        message: 'application "f" declares an invalid base "ubuntu@22.04/foo"',
      },
      {
        path: "applications.h.revision",
        message: 'the revision for application "h" must be zero or greater',
      },
      {
        path: "applications.i.charm",
        message: 'invalid charm URL in application "i": charm or bundle URL "ch:a/b/c/d" malformed',
      },
      {
        path: "applications.i.base",
        message: 'application "i" declares an invalid base "plan9@4"',
      },
    ],
  },
  {
    name: "SAAS: bad URL and name, clash with an application",
    yaml: `
applications:
  a: {charm: a}
saas:
  a: {url: "admin/m.a"}
  Bad_: {url: "admin/m.x"}
  c: {url: "nope"}
relations:
- [a, c]
`,
    problems: [
      { path: "saas.a", message: 'application "a" already exists with SAAS "a" name' },
      { path: "saas.Bad_", message: 'invalid SAAS name "Bad_" found' },
      { path: "saas.c.url", message: 'invalid offer URL "nope" for SAAS c' },
      { path: "applications.a", message: 'SAAS "a" already exists with application "a" name' },
      {
        path: "relations[0][0]",
        message: 'ambiguous relation "a" refers to a application and a SAAS in this bundle',
      },
    ],
  },
  {
    name: "expose with exposed-endpoints, overlay-only fields and image-id in the base bundle",
    yaml: `
applications:
  a:
    charm: a
    expose: true
    exposed-endpoints: {"": {expose-to-cidrs: [10.0.0.0/8]}}
    offers: {o: {endpoints: [db]}}
    constraints: image-id=abc
---
applications:
  a:
    expose: false
    exposed-endpoints: {"": {expose-to-cidrs: [10.0.0.0/33, "::/0", "fe80::1/64", "1.2.3.4"]}}
    offers: {Bad: {endpoints: [DB]}}
`,
    problems: [
      {
        path: "applications.a.constraints",
        message: `invalid constraints "image-id=abc" in application "a": 'image-id' constraint in a base bundle not supported`,
      },
      {
        path: "applications.a.exposed-endpoints",
        message:
          'exposed-endpoints cannot be specified together with "exposed:true" in application "a" as this poses a security risk when deploying bundles to older controllers',
      },
      {
        path: "applications.a.exposed-endpoints",
        message: "applications.a.exposed-endpoints can only appear in an overlay section",
      },
      {
        path: 'applications.a.exposed-endpoints[""].expose-to-cidrs',
        message:
          "applications.a.exposed-endpoints..expose-to-cidrs can only appear in an overlay section",
      },
      {
        path: "applications.a.offers",
        message: "applications.a.offers can only appear in an overlay section",
      },
      {
        path: "applications.a.offers.o.endpoints",
        message: "applications.a.offers.o.endpoints can only appear in an overlay section",
      },
      { path: "applications.a.offers.Bad", message: 'invalid offer name "Bad" in application "a"' },
      {
        path: "applications.a.offers.Bad.endpoints[0]",
        message: 'invalid endpoint name "DB" for offer "Bad" in application "a"',
      },
      {
        path: 'applications.a.exposed-endpoints[""].expose-to-cidrs[0]',
        message:
          'invalid CIDR "10.0.0.0/33" for expose to CIDRs field for endpoint "" in application "a"',
      },
      {
        path: 'applications.a.exposed-endpoints[""].expose-to-cidrs[3]',
        message:
          'invalid CIDR "1.2.3.4" for expose to CIDRs field for endpoint "" in application "a"',
      },
    ],
  },
  {
    name: "no applications, bad bundle type, invalid top-level series and base",
    yaml: "bundle: lxd\nseries: Jammy\ndefault-base: ubuntu\n",
    problems: [
      { path: "bundle", message: 'bundle has an invalid type "lxd"' },
      { path: "series", message: 'bundle declares an invalid series "Jammy"' },
      { path: "default-base", message: 'bundle declares an invalid base "ubuntu"' },
      { path: "applications", message: "at least one application must be specified" },
    ],
  },
  {
    name: "an application without a body, legacy services beside applications",
    yaml: "applications:\n  a:\n  b: {charm: b}\nservices:\n  c: {charm: c}\n",
    problems: [{ path: "services", message: "cannot specify both applications and services" }],
  },
  {
    name: "an application without a body",
    yaml: "applications:\n  a:\n  b: {charm: b}\n",
    problems: [{ path: "applications.a", message: 'bundle application for key "a" is undefined' }],
  },
  {
    name: "legacy services in an overlay document",
    yaml: "applications: {a: {charm: a}}\n---\nservices: {b: {charm: b}}\n",
    problems: [
      {
        path: "services",
        message:
          "bundle overlay file used deprecated 'services' key, this is not valid for bundle overlay files",
      },
    ],
  },
  {
    name: "machines: invalid constraints, series and base",
    yaml: `
applications:
  a: {charm: a, num_units: 1, to: ["0"]}
machines:
  "0": {constraints: "cores=many", series: "9x", base: "ubuntu@"}
`,
    problems: [
      {
        path: "machines.0.constraints",
        message:
          'invalid constraints "cores=many" in machine "0": bad "cores" constraint: must be a non-negative integer',
      },
      { path: "machines.0.series", message: 'invalid series "9x" for machine "0"' },
      { path: "machines.0.base", message: 'invalid base "ubuntu@" for machine "0"' },
    ],
  },
  {
    name: "an empty bundle",
    yaml: "# nothing here\n",
    problems: [{ path: "", message: "malformed bundle: bundle is empty not valid" }],
  },
];

describe("bad bundles: every problem listed at once with its path", () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(problemsOf(() => parseBundleSync(c.yaml))).toEqual(c.problems);
    });
  }

  it("reports malformed YAML with its file and line, in every overlay at once", () => {
    let err: BundleValidationError | undefined;
    try {
      parseBundleSync("applications:\n  a: [1, 2\n  b: c\n", {
        path: "/srv/bundle.yaml",
        overlays: [
          { text: "applications: {a: {charm: a}}\n", path: "ok.yaml" },
          { text: "a: b: c\n" },
        ],
      });
    } catch (e) {
      err = e as BundleValidationError;
    }
    expect(err).toBeInstanceOf(BundleValidationError);
    const problems = err?.problems ?? [];
    expect(problems.map((p) => [p.source, p.line])).toEqual([
      ["/srv/bundle.yaml", 3],
      ["overlays[1]", 1],
    ]);
    expect(err?.message.split("\n")[0]).toBe("the provided bundle has the following errors:");
    expect(err?.message).toContain("(/srv/bundle.yaml line 3)");
  });

  it("stops an alias bomb as go-yaml does", () => {
    const lines = ["variables:", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      lines.push(
        `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    lines.push("applications: {a: {charm: a, options: {bomb: *a9}}}");
    expect(problemsOf(() => parseBundleSync(lines.join("\n")))).toEqual([
      { path: "", message: "document contains excessive aliasing" },
    ]);
  });

  it("rejects wrong JS types passed to the parser, listing each", async () => {
    const bad = (() =>
      parseBundleSync(42 as unknown as string, {
        overlays: "x" as unknown as [],
        baseDir: 7 as unknown as string,
        strict: "yes" as unknown as boolean,
      })) as () => unknown;
    expect(problemsOf(bad)).toEqual([
      { path: "", message: "bundle must be YAML text (a string), got number" },
      { path: "baseDir", message: "baseDir must be a string, got number" },
      { path: "strict", message: "strict must be a boolean, got string" },
      { path: "overlays", message: "overlays must be an array, got string" },
    ]);
    await expect(
      parseBundle("applications: {a: {charm: a}}", {
        overlays: [{ text: 3 } as unknown as { text: string }, null as unknown as string],
        readFile: "no" as unknown as () => Promise<string>,
      }),
    ).rejects.toMatchObject({
      code: "ERR_BUNDLE_INVALID",
      problems: [
        { path: "readFile", message: "readFile must be a function, got string" },
        { path: "overlays[0].text", message: "overlay text must be a string, got number" },
        { path: "overlays[1]", message: "overlay must be a file path or {text, path?}, got null" },
      ],
    });
    expect(
      problemsOf(() => parseBundleSync("a: 1", { overlays: ["x.yaml"] as unknown as [] })),
    ).toEqual([
      {
        path: "overlays[0]",
        message: `overlay "x.yaml" is a path: parseBundleSync reads no files; pass the overlay's text instead`,
      },
    ]);
  });

  it("keeps problems typed: BundleProblem carries source and line for decoding problems", () => {
    let problems: readonly BundleProblem[] = [];
    try {
      parseBundleSync("applications:\n  a:\n    charm: a\n    num_units: x\n", { path: "b.yaml" });
    } catch (e) {
      problems = (e as BundleValidationError).problems;
    }
    expect(problems).toEqual([
      {
        path: "applications.a.num_units",
        message: "cannot unmarshal !!str `x` into int",
        source: "b.yaml",
        line: 4,
        stage: "read",
      },
    ]);
  });

  it("tells the stages apart, and applies only the controller's checks when asked", () => {
    const text = `
series: focal
default-base: ubuntu@22.04
applications:
  a: {charm: a, constraints: image-id=x, offers: {o: {endpoints: [db]}}, num_units: -1}
`;
    let cli: readonly BundleProblem[] = [];
    let controller: readonly BundleProblem[] = [];
    try {
      parseBundleSync(text);
    } catch (e) {
      cli = (e as BundleValidationError).problems;
    }
    try {
      parseBundleSync(text, { checks: "controller" });
    } catch (e) {
      controller = (e as BundleValidationError).problems;
    }
    expect(cli.map((p) => [p.stage, p.path])).toEqual([
      ["verify", "series"],
      ["verify", "applications.a.constraints"],
      ["verify", "applications.a.num_units"],
      ["merge", "applications.a.offers"],
      ["merge", "applications.a.offers.o.endpoints"],
    ]);
    expect(controller.map((p) => [p.stage, p.path])).toEqual([
      ["merge", "applications.a.offers"],
      ["merge", "applications.a.offers.o.endpoints"],
      ["verify", "applications.a.num_units"],
    ]);
  });
});

describe("grammar helpers", () => {
  it("parses every unit placement form as Juju does", () => {
    expect(parseUnitPlacement("3")).toEqual({
      containerType: "",
      machine: "3",
      application: "",
      unit: -1,
    });
    expect(parseUnitPlacement("new")).toEqual({
      containerType: "",
      machine: "new",
      application: "",
      unit: -1,
    });
    expect(parseUnitPlacement("lxd:new")).toEqual({
      containerType: "lxd",
      machine: "new",
      application: "",
      unit: -1,
    });
    expect(parseUnitPlacement("lxd:2")).toEqual({
      containerType: "lxd",
      machine: "2",
      application: "",
      unit: -1,
    });
    expect(parseUnitPlacement("lxd:mysql")).toEqual({
      containerType: "lxd",
      machine: "",
      application: "mysql",
      unit: -1,
    });
    expect(parseUnitPlacement("kvm:mysql/1")).toEqual({
      containerType: "kvm",
      machine: "",
      application: "mysql",
      unit: 1,
    });
    expect(parseUnitPlacement("mysql/0")).toEqual({
      containerType: "",
      machine: "",
      application: "mysql",
      unit: 0,
    });
    expect(parseUnitPlacement("new/1")).toEqual({ error: 'invalid placement syntax "new/1"' });
    expect(parseUnitPlacement("0/lxd/1")).toEqual({ error: 'invalid placement syntax "0/lxd/1"' });
  });

  it("parses charm URLs as Juju does", () => {
    expect(parseCharmURL("ch:amd64/jammy/mysql-3")).toEqual({
      schema: "ch",
      name: "mysql",
      revision: 3,
      series: "jammy",
      architecture: "amd64",
    });
    expect(parseCharmURL("jammy/mysql")).toMatchObject({
      schema: "ch",
      series: "jammy",
      name: "mysql",
      revision: -1,
    });
    expect(parseCharmURL("local:focal/x-1")).toMatchObject({
      schema: "local",
      series: "focal",
      name: "x",
      revision: 1,
    });
    expect(parseCharmURL("ch:mysql?x=1")).toEqual({
      error: 'charm or bundle URL "ch:mysql?x=1" has unrecognized parts',
    });
    expect(parseCharmURL("ch:~user/mysql")).toEqual({
      error: 'charmhub charm or bundle URL with user name: "ch:~user/mysql" not valid',
    });
  });

  it("reads device constraints as Juju 3.6 and 4.x do (several attributes joined by ';')", () => {
    const bundle = (devices: string) =>
      `applications:\n  w:\n    charm: ubuntu\n    devices:\n      gpu: "${devices}"\n`;
    // The deploy path (bundle-handler) accepts these, so the validator must too.
    expect(() => parseBundleSync(bundle("2,nvidia.com/gpu,gpu=a;zone=b"))).not.toThrow();
    expect(() => parseBundleSync(bundle("nvidia.com/gpu"))).not.toThrow();
    expect(problemsOf(() => parseBundleSync(bundle("2,nvidia.com/gpu,gpu=b=c")))).toEqual([
      {
        path: "applications.w.devices.gpu",
        message:
          'invalid device "gpu" in application "w": device attribute key/value pair has bad format: "gpu=b=c"',
      },
    ]);
    expect(
      problemsOf(() => parseBundleSync(bundle("2,nvidia.com/gpu,gpu=a,b=c")))[0]?.message,
    ).toMatch(
      /supported format is \[<count>,\]<device-class>\|<vendor\/type>\[,<key>=<value>;\.\.\.\]$/,
    );
  });
});

describe("libjuju/bundle stays browser-safe", () => {
  it("imports no Node module anywhere in its import graph", () => {
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)) {
        const spec = m[1] as string;
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        else if (
          spec.startsWith("node:") ||
          ["fs", "path", "os", "net", "tls", "crypto"].includes(spec)
        ) {
          nodeImports.push(`${file}: ${spec}`);
        }
      }
    };
    visit(join(import.meta.dirname, "index.ts"));
    expect(seen.size).toBeGreaterThan(5);
    expect([...seen].some((f) => f.includes("/node/"))).toBe(false);
    expect(nodeImports).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { planBundle } from "./changes.js";
import {
  baseFromSeries,
  naturalSorted,
  normaliseBase,
  parseCharmURL,
  parsePlacement,
  seriesFromBase,
} from "./changes-util.js";
import { describeAddMachine, describeExpose, formatDryRun } from "./describe.js";

describe("natural order (as juju/naturalsort)", () => {
  it("orders digit runs by value", () => {
    expect(naturalSorted(["app10", "app2", "app1", "b", "a"])).toEqual([
      "a",
      "app1",
      "app2",
      "app10",
      "b",
    ]);
    expect(naturalSorted(["10", "9", "1", "0"])).toEqual(["0", "1", "9", "10"]);
  });
});

describe("bases and series", () => {
  it("adds the stable risk and maps series both ways", () => {
    expect(normaliseBase("ubuntu@22.04")).toBe("ubuntu@22.04/stable");
    expect(normaliseBase("ubuntu@20.04/candidate")).toBe("ubuntu@20.04/candidate");
    expect(baseFromSeries("focal")).toBe("ubuntu@20.04/stable");
    expect(seriesFromBase("ubuntu@24.04/stable")).toBe("noble");
    expect(seriesFromBase("centos@9/stable")).toBe("centos9");
    expect(baseFromSeries("nonsense")).toBe("");
  });
});

describe("charm URLs as Juju 3.6 parses them", () => {
  it("reads Charmhub names and URLs, local URLs; rejects paths and cs:", () => {
    expect(parseCharmURL("mysql")).toMatchObject({ schema: "ch", name: "mysql", revision: -1 });
    expect(parseCharmURL("ch:amd64/jammy/mysql-58")).toMatchObject({
      schema: "ch",
      name: "mysql",
      architecture: "amd64",
      series: "jammy",
      revision: 58,
    });
    expect(parseCharmURL("local:jammy/mycharm-0")).toMatchObject({
      schema: "local",
      name: "mycharm",
      series: "jammy",
    });
    expect(parseCharmURL("./charms/mycharm")).toBeUndefined();
    expect(parseCharmURL("cs:trusty/mysql-3")).toBeUndefined();
  });
});

describe("placement directives", () => {
  it("reads every `to` form", () => {
    expect(parsePlacement("new")).toEqual({
      containerType: "",
      machine: "new",
      application: "",
      unit: -1,
    });
    expect(parsePlacement("3")).toEqual({
      containerType: "",
      machine: "3",
      application: "",
      unit: -1,
    });
    expect(parsePlacement("lxd:3")).toEqual({
      containerType: "lxd",
      machine: "3",
      application: "",
      unit: -1,
    });
    expect(parsePlacement("lxd:new")).toEqual({
      containerType: "lxd",
      machine: "new",
      application: "",
      unit: -1,
    });
    expect(parsePlacement("mysql")).toEqual({
      containerType: "",
      machine: "",
      application: "mysql",
      unit: -1,
    });
    expect(parsePlacement("kvm:mysql/2")).toEqual({
      containerType: "kvm",
      machine: "",
      application: "mysql",
      unit: 2,
    });
    // Juju bundles have no zone placement; `new/1` and `01` are not placements either.
    expect(parsePlacement("zone=us-east-1a")).toBeUndefined();
    expect(parsePlacement("new/1")).toBeUndefined();
    expect(parsePlacement("01")).toBeUndefined();
  });
});

describe("dry-run descriptions", () => {
  it("groups exposed endpoints with the same settings", () => {
    expect(
      describeExpose("django", {
        "": { spaces: [], cidrs: ["0.0.0.0/0"] },
        www: { spaces: [], cidrs: ["192.168.0.0/16", "13.37.0.0/16"] },
        admin: { spaces: [], cidrs: ["13.37.0.0/16", "192.168.0.0/16"] },
        dmz: { spaces: ["public", "dmz"], cidrs: [] },
      }),
    ).toEqual([
      "expose all endpoints of django and allow access from CIDR 0.0.0.0/0",
      "override expose settings for endpoints admin,www of django and allow access from CIDRs 13.37.0.0/16,192.168.0.0/16",
      "override expose settings for endpoint dmz of django and allow access from spaces dmz,public",
    ]);
    expect(describeExpose("django", { www: { spaces: [], cidrs: [] } })).toEqual([
      "override expose settings for endpoint www of django and allow access from CIDRs 0.0.0.0/0 and ::/0",
    ]);
  });

  it("names containers on existing machines", () => {
    expect(
      describeAddMachine({
        existing: true,
        machineID: "2",
        bundleMachineID: "",
        containerType: "lxd",
        containerMachineID: "2/lxd/3",
      }),
    ).toBe("add lxd container 2/lxd/3 on existing machine 2");
  });

  it("prints one `- ` line per description line, as juju deploy --dry-run", () => {
    const plan = planBundle({
      applications: {
        web: {
          charm: "web",
          num_units: 1,
          "exposed-endpoints": {
            a: { "expose-to-cidrs": ["10.0.0.0/8"] },
            b: { "expose-to-spaces": ["dmz"] },
          },
        },
      },
    });
    expect(formatDryRun(plan)).toEqual([
      "Changes to deploy bundle:",
      "- upload charm web from charm-hub",
      "- deploy application web from charm-hub",
      "- override expose settings for endpoint a of web and allow access from CIDR 10.0.0.0/8",
      "- override expose settings for endpoint b of web and allow access from space dmz",
      "- add unit web/0 to new machine 0",
    ]);
    expect(formatDryRun({ changes: [] })).toEqual(["No changes to apply."]);
  });
});

describe("architecture as the Juju CLI reads it", () => {
  it("comes from constraints, else the default the CLI passes", () => {
    const bundle = {
      applications: { a: { charm: "a", constraints: "arch=arm64" }, b: { charm: "b" } },
    };
    const descriptions = planBundle(bundle, {
      archFromConstraints: true,
      defaultArch: "amd64",
    }).changes.map((c) => c.description);
    expect(descriptions).toEqual([
      "upload charm a from charm-hub with architecture=arm64",
      "deploy application a from charm-hub",
      "upload charm b from charm-hub with architecture=amd64",
      "deploy application b from charm-hub",
    ]);
    // A controller's Bundle.GetChanges passes no constraint parser.
    expect(planBundle(bundle).changes[0]?.args).toEqual({ charm: "a" });
  });
});

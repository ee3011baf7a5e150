import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type FullStatusView,
  formatStatus,
  formatStatusTime,
  parseCharmUrl,
  statusToJson,
  statusToYaml,
} from "./status-format.js";

const since = "2026-11-30T08:00:05Z";
const st = (status: string, info = "", version = "") => ({ status, info, since, version });

/** A FullStatus result with the cases that differ between the wire and `juju status`. */
function fullStatus(): FullStatusView {
  const unit = (machine: string, leader = false) => ({
    "workload-status": st("active", "ready"),
    "agent-status": st("idle", "", "3.6.28"),
    machine,
    leader,
    "public-address": `10.0.0.${machine}`,
    "opened-ports": machine === "2" ? ["80/tcp"] : [],
  });
  return {
    model: {
      name: "prod",
      type: "iaas",
      "cloud-tag": "cloud-localhost",
      region: "localhost",
      version: "3.6.28",
      "model-status": st("available"),
      sla: "unsupported",
    },
    machines: Object.fromEntries(
      ["0", "2", "10"].map((id) => [
        id,
        {
          "agent-status": { ...st("started", "", "3.6.28"), life: "" },
          "instance-status": st("running", "Running"),
          "modification-status": st("idle"),
          hostname: `juju-${id}`,
          "dns-name": `10.0.0.${id}`,
          "ip-addresses": [`10.0.0.${id}`],
          "instance-id": `juju-${id}`,
          base: { name: "ubuntu", channel: "22.04/stable" },
          containers: {},
          hardware: "arch=amd64",
        },
      ]),
    ),
    applications: {
      wordpress: {
        charm: "ch:amd64/jammy/wordpress-12",
        "charm-channel": "latest/stable",
        base: { name: "ubuntu", channel: "22.04/stable" },
        exposed: true,
        status: st("active"),
        units: { "wordpress/10": unit("10"), "wordpress/2": unit("2", true) },
        "workload-version": "6.1",
        "endpoint-bindings": { "": "alpha", db: "alpha" },
      },
      mysql: {
        charm: "local:jammy/mysql-3",
        exposed: false,
        status: st("waiting", "waiting for peers"),
        units: { "mysql/0": unit("0", true) },
      },
    },
    relations: [
      {
        id: 1,
        key: "wordpress:db mysql:db",
        interface: "mysql",
        scope: "global",
        endpoints: [
          { application: "wordpress", name: "db", role: "requirer" },
          { application: "mysql", name: "db", role: "provider" },
        ],
      },
      {
        id: 2,
        key: "mysql:cluster",
        interface: "mysql-ha",
        scope: "global",
        endpoints: [{ application: "mysql", name: "cluster", role: "peer" }],
      },
    ],
    "controller-timestamp": "2026-11-30T09:10:11.123Z",
  };
}

const opts = { controller: "sim", zoneOffset: () => 0 };

describe("juju status --format json|yaml shapes", () => {
  it("renames the wire fields as the juju CLI does and groups relations per endpoint", () => {
    const out = JSON.parse(statusToJson(formatStatus(fullStatus(), opts)));
    expect(out.model).toEqual({
      name: "prod",
      type: "iaas",
      controller: "sim",
      cloud: "localhost",
      region: "localhost",
      version: "3.6.28",
      "model-status": { current: "available", since: "30 Nov 2026 08:00:05Z" },
      sla: "unsupported",
    });
    expect(out.machines["2"]["juju-status"]).toEqual({
      current: "started",
      since: "30 Nov 2026 08:00:05Z",
      version: "3.6.28",
    });
    expect(out.machines["2"]["machine-status"]).toMatchObject({
      current: "running",
      message: "Running",
    });
    expect(out.machines["2"]).not.toHaveProperty("containers");
    const wp = out.applications.wordpress;
    expect(wp).toMatchObject({
      charm: "wordpress",
      "charm-origin": "charmhub",
      "charm-name": "wordpress",
      "charm-rev": 12,
      "charm-channel": "latest/stable",
      exposed: true,
      version: "6.1",
      relations: { db: [{ "related-application": "mysql", interface: "mysql", scope: "global" }] },
    });
    expect(wp.units["wordpress/2"]).toEqual({
      "workload-status": { current: "active", message: "ready", since: "30 Nov 2026 08:00:05Z" },
      "juju-status": { current: "idle", since: "30 Nov 2026 08:00:05Z", version: "3.6.28" },
      leader: true,
      machine: "2",
      "open-ports": ["80/tcp"],
      "public-address": "10.0.0.2",
    });
    // A peer relation lists the application itself, as juju does.
    expect(out.applications.mysql.relations.cluster).toEqual([
      { "related-application": "mysql", interface: "mysql-ha", scope: "global" },
    ]);
    expect(out.applications.mysql["charm-origin"]).toBe("local");
    expect(out.controller).toEqual({ timestamp: "09:10:11Z" });
  });

  it("orders map keys as Go's JSON encoder (bytes) and go-yaml (numbers by value) do", () => {
    const formatted = formatStatus(fullStatus(), opts);
    const json = statusToJson(formatted);
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.split("\n")).toHaveLength(2);
    expect(json.indexOf('"10":')).toBeLessThan(json.indexOf('"2":'));
    expect(json.indexOf('"mysql":')).toBeLessThan(json.indexOf('"wordpress":'));
    const yaml = statusToYaml(formatted);
    expect(yaml.indexOf('  "2":')).toBeLessThan(yaml.indexOf('  "10":'));
    expect(yaml.indexOf("wordpress/2:")).toBeLessThan(yaml.indexOf("wordpress/10:"));
    // Struct fields keep the CLI's order: model first, then machines, applications.
    expect(yaml.indexOf("model:")).toBeLessThan(yaml.indexOf("machines:"));
    expect(yaml.indexOf("machines:")).toBeLessThan(yaml.indexOf("applications:"));
    expect(parse(yaml)).toEqual(JSON.parse(json));
  });

  it("prints an empty model with empty machines and applications, as juju does", () => {
    const empty = { ...fullStatus(), machines: {}, applications: {}, relations: [] };
    const yaml = statusToYaml(formatStatus(empty, opts));
    expect(yaml).toContain("machines: {}\napplications: {}\n");
  });

  it("formats times as the juju CLI: local time by default, RFC 3339 UTC with --utc", () => {
    const at = new Date("2026-11-30T08:00:05Z");
    expect(formatStatusTime(at, { zoneOffset: () => 60 })).toBe("30 Nov 2026 09:00:05+01:00");
    expect(formatStatusTime(at, { zoneOffset: () => -330 })).toBe("30 Nov 2026 02:30:05-05:30");
    expect(formatStatusTime(at, { utc: true, zoneOffset: () => 60 })).toBe("2026-11-30T08:00:05Z");
  });

  it("reads charm name, origin and revision from charm URLs", () => {
    expect(parseCharmUrl("ch:amd64/jammy/mysql-router-58")).toEqual({
      name: "mysql-router",
      origin: "charmhub",
      revision: 58,
    });
    expect(parseCharmUrl("local:focal/ubuntu-2")).toMatchObject({ origin: "local", revision: 2 });
  });
});

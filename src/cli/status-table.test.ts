import { describe, expect, it } from "vitest";
import { renderStatus } from "./status-table.js";

describe("renderStatus", () => {
  it("renders model, applications, units, machines and integrations like juju status", () => {
    const out = renderStatus(
      {
        model: {
          name: "default",
          "cloud-tag": "cloud-localhost",
          region: "localhost",
          version: "3.6.28",
          sla: "unsupported",
        },
        "controller-timestamp": "2026-01-10T10:03:00Z",
        applications: {
          mysql: {
            charm: "ch:amd64/jammy/mysql-58",
            "charm-channel": "8.0/stable",
            "charm-rev": 58,
            "workload-version": "8.0.36",
            status: { status: "active", info: "Primary" },
            units: {
              "mysql/0": {
                "workload-status": { status: "active", info: "Primary" },
                "agent-status": { status: "idle" },
                machine: "0",
                "public-address": "10.5.0.12",
                "opened-ports": ["3306/tcp"],
                leader: true,
              },
            },
          },
        },
        machines: {
          "0": {
            "agent-status": { status: "started" },
            "instance-status": { info: "Running" },
            "dns-name": "10.5.0.12",
            "instance-id": "juju-445566-0",
            base: { name: "ubuntu", channel: "22.04/stable" },
            hardware: "arch=amd64 cores=2 availability-zone=az1",
            containers: { "0/lxd/0": { "agent-status": { status: "pending" } } },
          },
        },
        relations: [
          {
            id: 0,
            key: "wordpress:db mysql:db",
            interface: "mysql",
            scope: "global",
            endpoints: [
              { application: "wordpress", name: "db", role: "requirer" },
              { application: "mysql", name: "db", role: "provider" },
            ],
          },
        ],
      },
      "sim",
    );
    expect(out.split("\n")).toEqual([
      "Model    Controller  Cloud/Region         Version  SLA          Timestamp",
      "default  sim         localhost/localhost  3.6.28   unsupported  10:03:00Z",
      "",
      "App    Version  Status  Scale  Charm  Channel     Rev  Exposed  Message",
      "mysql  8.0.36   active  1      mysql  8.0/stable  58   no       Primary",
      "",
      "Unit      Workload  Agent  Machine  Public address  Ports     Message",
      "mysql/0*  active    idle   0        10.5.0.12       3306/tcp  Primary",
      "",
      "Machine  State    Address    Inst id        Base          AZ   Message",
      "0        started  10.5.0.12  juju-445566-0  ubuntu@22.04  az1  Running",
      "0/lxd/0  pending",
      "",
      "Integration provider  Requirer      Interface  Type     Message",
      "mysql:db              wordpress:db  mysql      regular",
      "",
    ]);
  });

  it("counts subordinate units, listed under their principals, in the subordinate's scale", () => {
    const unit = (sub?: string) => ({
      "workload-status": { status: "active" },
      "agent-status": { status: "idle" },
      ...(sub ? { subordinates: { [sub]: { "workload-status": { status: "active" } } } } : {}),
    });
    const out = renderStatus({
      model: { name: "m", "cloud-tag": "cloud-lxd", version: "3.6.28" },
      applications: {
        ubuntu: {
          charm: "ch:ubuntu-26",
          units: { "ubuntu/0": unit("router/0"), "ubuntu/1": unit("router/1") },
        },
        router: { charm: "ch:mysql-router-200", "subordinate-to": ["ubuntu"], units: {} },
      },
    });
    expect(out).toMatch(/^router\s+2\s+mysql-router/m);
    expect(out).toMatch(/^ubuntu\s+2\s+ubuntu/m);
    expect(out).toMatch(/^ {2}router\/1\s+active/m);
  });
});

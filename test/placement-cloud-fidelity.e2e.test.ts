import { describe, expect, it } from "vitest";
import { JujuError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("placement-cloud");

describe("Juju 3.6 fidelity: container placement on a missing machine, cloud types", () => {
  // apiserver/facades/client/application checkMachinePlacement skips a container
  // placement whose machine is missing; worker/unitassigner then drops the
  // assigner's `machine 99 not found` as a not-found error ("unit removed"), so
  // the deploy succeeds and the unit keeps waiting for a machine, no error status.
  it("deploys to lxd:99 and leaves the unit waiting for a machine", async () => {
    await using model = await env.controller.addModel("lxd-99");
    const app = await model.deploy("ubuntu", { to: "lxd:99", series: "jammy" });
    expect(app.name).toBe("ubuntu");
    // Another application settling shows the assigner has run for both.
    await model.deploy("ubuntu", { applicationName: "other", series: "jammy" });
    await model.waitForIdle({ apps: ["other"], idlePeriod: 0 });
    const unit = model.units.get("ubuntu/0")!;
    expect(unit.machineId).toBe("");
    expect(unit.workloadStatus).toBe("waiting");
    expect(unit.workloadStatusMessage).toBe("waiting for machine");
    expect(unit.agentStatus).toBe("allocating");
    const agentHistory = await unit.statusHistory({ kind: "juju-unit" });
    expect(agentHistory.map((h) => h.status)).not.toContain("error");
    // Only `other`'s machine exists: no container, no machine 99.
    expect([...model.machines.keys()]).toEqual([model.units.get("other/0")!.machineId]);
  });

  // apiserver/facades/client/cloud AddCloud: cloud.CurrentWhiteList().Check
  // (cloud/whitelist.go) for every non-k8s type, error code "incompatible clouds";
  // `force` adds it anyway.
  it("refuses a cloud type the lxd controller cannot host, unless forced", async () => {
    const c = env.controller;
    const err = await c.addCloud("odd", { type: "ec2" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).message).toBe(
      'cloud type "ec2" is not whitelisted for controller cloud type "lxd", current whitelist: [lxd maas openstack]',
    );
    expect((err as JujuError).jujuCode).toBe("incompatible clouds");
    await expect(c.addCloud("nonsense", { type: "no-such-provider" })).rejects.toMatchObject({
      jujuCode: "incompatible clouds",
    });
    // Hosted types and k8s clouds pass; force skips the check.
    expect(
      await c.addCloud("stack", { type: "openstack", "auth-types": ["userpass"] }),
    ).toMatchObject({
      type: "openstack",
    });
    expect(await c.addCloud("k8s", { type: "kubernetes" })).toMatchObject({ type: "kubernetes" });
    expect(await c.addCloud("odd", { type: "ec2" }, { force: true })).toMatchObject({
      type: "ec2",
    });
  });
});

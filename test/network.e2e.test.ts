import { describe, expect, it } from "vitest";
import { JujuError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("network");

describe("spaces and subnets", () => {
  it("adds and lists spaces, filters subnets and reports AddSubnets as not implemented", async () => {
    await using model = await env.controller.addModel("net");
    const initial = await model.getSpaces();
    expect(initial.map((s) => s.name)).toEqual(["alpha"]);
    const subnets = await model.getSubnets();
    expect(subnets.length).toBeGreaterThanOrEqual(1);
    const cidr = subnets[0]?.cidr ?? "";

    await model.addSpace("db", cidr);
    await model.addSpace("empty");
    const spaces = await model.getSpaces();
    expect(spaces.map((s) => s.name)).toEqual(["alpha", "db", "empty"]);
    expect(spaces[1]?.subnets.map((s) => s.cidr)).toEqual([cidr]);
    expect((await model.getSubnets({ space: "db" })).map((s) => s.cidr)).toEqual([cidr]);
    expect(await model.getSubnets({ space: "empty" })).toEqual([]);
    expect(await model.getSubnets({ zone: "nowhere" })).toEqual([]);

    const dup = await model.addSpace("db").catch((e) => e);
    expect(dup).toBeInstanceOf(JujuError);
    expect((dup as JujuError).jujuCode).toBe("already exists");
    const bad = await model.addSpace("Bad_Name").catch((e) => e);
    expect(bad).toBeInstanceOf(JujuError);
    expect((bad as JujuError).message).toContain("is not a valid space tag");

    const missing = await model.getSubnets({ space: "nope" }).catch((e) => e);
    expect(missing).toBeInstanceOf(JujuError);
    expect((missing as JujuError).jujuCode).toBe("not found");

    const add = await model.addSubnet("10.20.30.0/24", "db", "zone1").catch((e) => e);
    expect(add).toBeInstanceOf(JujuError);
    expect((add as JujuError).jujuCode).toBe("not implemented");
    expect((add as JujuError).message).toContain("Subnets(5).AddSubnets is not implemented");
  });
});

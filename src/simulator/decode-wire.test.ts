/**
 * Wire values the simulator decodes with Go's `encoding/json` rules: a value
 * of the wrong JSON kind, a negative number into a uint64 or a fraction into
 * an int fails the call with the message Go writes, as Juju answers it.
 */
import { describe, expect, it } from "vitest";
import type { Frame, RawClient } from "../../test/support/raw-client.js";
import { useRawSimulator } from "../../test/support/raw-simulator.js";

let w: RawClient;

useRawSimulator((_, c) => {
  w = c;
});

/** Sends a request the schema may reject (on purpose) and returns its reply. */
async function bad(
  type: string,
  version: number,
  request: string,
  params: unknown,
): Promise<Frame> {
  const before = w.violations.length;
  const reply = await w.call(type, version, request, params);
  w.violations.splice(before);
  return reply;
}

const addMachine = (constraints: unknown, extra: Frame = {}) =>
  bad("MachineManager", 10, "AddMachines", {
    params: [{ jobs: ["JobHostUnits"], constraints, ...extra }],
  });

describe("Go decoding of request params", () => {
  it.each([
    [{ mem: "x" }, "string", "mem", "uint64"],
    [{ mem: -1 }, "number -1", "mem", "uint64"],
    [{ cores: 1.5 }, "number 1.5", "cores", "uint64"],
    [{ "root-disk": 1e30 }, "number 1e+30", "root-disk", "uint64"],
    [{ arch: 5 }, "number", "arch", "string"],
    [{ tags: "a,b" }, "string", "tags", "[]string"],
    [{ tags: ["a", 1] }, "number", "tags", "string"],
    [{ "allocate-public-ip": "yes" }, "string", "allocate-public-ip", "bool"],
    [{ arch: {} }, "object", "arch", "string"],
  ])(
    "constraints %j: json: cannot unmarshal %s into …%s of type %s",
    async (c, what, field, type) => {
      const r = await addMachine(c);
      expect(r.error).toBe(
        `json: cannot unmarshal ${what} into Go struct field AddMachines.params.constraints.${field} of type ${type}`,
      );
      expect(r["error-code"] ?? "").toBe("");
    },
  );

  it("a storage size of -1 and a fractional unit count are refused", async () => {
    const size = await addMachine({}, { disks: [{ Pool: "rootfs", Size: -1, Count: 1 }] });
    expect(size.error).toBe(
      "json: cannot unmarshal number -1 into Go struct field AddMachines.params.disks.Size of type uint64",
    );
    const n = await bad("Application", 19, "AddUnits", {
      application: "x",
      "num-units": 1.5,
      placement: [],
    });
    expect(n.error).toBe(
      "json: cannot unmarshal number 1.5 into Go struct field AddApplicationUnits.num-units of type int",
    );
  });

  it("constraints with the right types are kept, keys matched as Go does", async () => {
    const ok = await w.ok("MachineManager", 10, "AddMachines", {
      params: [{ jobs: ["JobHostUnits"], constraints: { mem: 2048, cores: 2, tags: ["a"] } }],
    });
    const id = ((ok.machines as Frame[])[0] as Frame).machine as string;
    expect(id).toMatch(/^\d+$/);
    await bad("ModelConfig", 3, "SetModelConstraints", {
      application: "",
      constraints: { MEM: 4096, zones: ["z1"] },
    });
    const got = await w.ok("ModelConfig", 3, "GetModelConstraints");
    expect(got.constraints).toEqual({ mem: 4096, zones: ["z1"] });
  });
});

import { describe, expect, it } from "vitest";
import { parseDeviceConstraints } from "./bundle-handler.js";
import { InvalidArgumentError } from "./errors.js";

describe("bundle devices on Juju 4 (devices.ParseConstraints)", () => {
  it("reads <type> and <count>,<type>[,<key>=<value>;...] into {Type, Count, Attributes}", () => {
    expect(
      parseDeviceConstraints({
        one: "gpu",
        two: "2,nvidia.com/gpu",
        three: "3,nvidia.com/gpu,gpu=nvidia-tesla-p100;zone=a",
      }),
    ).toEqual({
      one: { Type: "gpu", Count: 1, Attributes: {} },
      two: { Type: "nvidia.com/gpu", Count: 2, Attributes: {} },
      three: {
        Type: "nvidia.com/gpu",
        Count: 3,
        Attributes: { gpu: "nvidia-tesla-p100", zone: "a" },
      },
    });
  });

  it("refuses what Juju refuses, naming the device", () => {
    for (const [spec, why] of [
      ["0,gpu", 'count must be greater than zero, got "0"'],
      ["gpu,2", 'count must be greater than zero, got "gpu"'],
      ["1,gpu,a=b,c", "supported format is"],
      ["1,gpu,novalue", 'device attribute key/value pair has bad format: "novalue"'],
    ] as const) {
      const err = (() => {
        try {
          parseDeviceConstraints({ bad: spec });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toContain("invalid device constraints for bad");
      expect((err as Error).message).toContain(why);
    }
  });
});

import { describe, expect, it } from "vitest";
import { portRangeStrings } from "./entities.js";

describe("one builder per wire shape", () => {
  it("writes open ports as network.PortRange.String() does, icmp included (FullStatus and UnitsInfo)", () => {
    const ports = [
      { from: 80, to: 80, protocol: "tcp" },
      { from: 8000, to: 8010, protocol: "udp" },
      { from: -1, to: -1, protocol: "icmp" },
    ];
    expect(portRangeStrings({ ports })).toEqual(["80/tcp", "8000-8010/udp", "icmp"]);
  });
});

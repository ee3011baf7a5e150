import { describe, expect, it } from "vitest";
import { parseConstraints } from "./constraints.js";
import { ParseError } from "./errors.js";
import { formatPlacement, parsePlacement } from "./placement.js";

const UUID = "5f0c2d1e-8a3b-4c6d-9e0f-112233445566";

describe("parsePlacement", () => {
  it.each([
    ["3", { scope: "#", directive: "3" }],
    ["0/lxd/1", { scope: "#", directive: "0/lxd/1" }],
    ["lxd", { scope: "lxd", directive: "" }],
    ["lxd:4", { scope: "lxd", directive: "4" }],
    ["ssh:ubuntu@10.0.0.9", { scope: "ssh", directive: "ubuntu@10.0.0.9" }],
    ["zone=us-east-1a", { scope: UUID, directive: "zone=us-east-1a" }],
    ["maas2.name", { scope: UUID, directive: "maas2.name" }],
  ])("parses %j like instance.ParsePlacement plus the CLI's model scope", (input, expected) => {
    expect(parsePlacement(input, UUID)).toEqual(expected);
    expect(formatPlacement(expected)).toBe(input);
  });

  it.each([
    ["", "empty placement directive"],
    ["lxd:x", 'invalid value "x" for "lxd" scope: expected machine-id'],
    ["#:01", 'invalid value "01" for "#" scope: expected machine-id'],
    [":3", "placement scope missing"],
    ["ssh:", 'missing value for "ssh" scope'],
    ["a b", "cannot contain spaces"],
  ])("rejects %j", (input, message) => {
    expect(() => parsePlacement(input, UUID)).toThrow(ParseError);
    expect(() => parsePlacement(input, UUID)).toThrow(message);
  });

  it("needs a model uuid for provider directives", () => {
    expect(() => parsePlacement("zone=a")).toThrow("placement scope missing");
  });
});

describe("wrong JS types given to the parsers", () => {
  // Found by test/input-properties: String() of this value throws a TypeError of its own.
  const hostile = [{ toString: "" }];

  it("parsePlacement names the value instead of crashing while describing it", () => {
    expect(() => parsePlacement(hostile as unknown as string)).toThrow(ParseError);
    expect(() => parsePlacement(hostile as unknown as string)).toThrow(
      /expected a string, got an array of 1/,
    );
  });

  it("parseConstraints does the same", () => {
    expect(() => parseConstraints(hostile as unknown as string)).toThrow(ParseError);
    expect(() => parseConstraints(null as unknown as string)).toThrow(/got null/);
  });
});

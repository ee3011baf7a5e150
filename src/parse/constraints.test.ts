import { describe, expect, it } from "vitest";
import { formatConstraints, parseConstraints } from "./constraints.js";
import { ParseError } from "./errors.js";

describe("parseConstraints", () => {
  it("parses every constraint of Juju's grammar", () => {
    expect(
      parseConstraints(
        "arch=arm64 container=lxd cores=4 cpu-power=100 mem=4G root-disk=1.5T root-disk-source=ssd " +
          "tags=a,b instance-role=admin instance-type=m5.large spaces=db,^admin virt-type=kvm " +
          "zones=az1,az2 allocate-public-ip=true image-id=ubuntu-bionic",
      ),
    ).toEqual({
      arch: "arm64",
      container: "lxd",
      cores: 4,
      "cpu-power": 100,
      mem: 4096,
      "root-disk": 1572864,
      "root-disk-source": "ssd",
      tags: ["a", "b"],
      "instance-role": "admin",
      "instance-type": "m5.large",
      spaces: ["db", "^admin"],
      "virt-type": "kvm",
      zones: ["az1", "az2"],
      "allocate-public-ip": true,
      "image-id": "ubuntu-bionic",
    });
  });

  it("applies M/G/T/P multipliers in MiB and rounds up", () => {
    expect(parseConstraints("mem=512").mem).toBe(512);
    expect(parseConstraints("mem=0.5G").mem).toBe(512);
    expect(parseConstraints("root-disk=1P")["root-disk"]).toBe(1024 ** 3);
    expect(parseConstraints("mem=1.0001M").mem).toBe(2);
  });

  it("accepts the cpu-cores alias, escaped spaces and several arguments", () => {
    expect(parseConstraints("cpu-cores=2", "mem=1G")).toEqual({ cores: 2, mem: 1024 });
    expect(parseConstraints("instance-type=big\\ one")["instance-type"]).toBe("big one");
  });

  it("keeps empty values, which reset a constraint", () => {
    expect(parseConstraints("tags= arch= mem=")).toEqual({ tags: [], arch: "", mem: 0 });
  });

  it.each([
    ["mem", 'malformed constraint "mem"'],
    ["=4G", 'malformed constraint "=4G"'],
    ["memory=4G", 'unknown constraint "memory"'],
    ["mem=4g", 'bad "mem" constraint: must be a non-negative float with optional M/G/T/P suffix'],
    ["mem=-1", 'bad "mem" constraint'],
    ["cores=1.5", 'bad "cores" constraint: must be a non-negative integer'],
    ["arch=i386", 'bad "arch" constraint: "i386" not recognized'],
    ["container=docker", 'bad "container" constraint: invalid container type "docker"'],
    ["spaces=Bad_Space", 'bad "spaces" constraint: "Bad_Space" is not a valid space name'],
    ["allocate-public-ip=maybe", "must be 'true' or 'false'"],
    ["mem=1G mem=2G", 'bad "mem" constraint: already set'],
    ["cores=1 cpu-cores=2", 'bad "cpu-cores" constraint: already set'],
  ])("rejects %j naming the offending part", (input, message) => {
    const err = (() => {
      try {
        parseConstraints(input);
      } catch (e) {
        return e;
      }
      throw new Error("expected a ParseError");
    })();
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe("ERR_PARSE");
    expect((err as ParseError).message).toContain(message);
  });
});

describe("formatConstraints", () => {
  it("prints in Juju's order and round-trips", () => {
    const c = parseConstraints("zones=a,b mem=4G arch=amd64 cores=2 instance-type=x\\ y");
    const s = formatConstraints(c);
    expect(s).toBe("arch=amd64 cores=2 instance-type=x\\ y mem=4096M zones=a,b");
    expect(parseConstraints(s)).toEqual(c);
  });
});

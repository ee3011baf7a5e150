import { describe, expect, it } from "vitest";
import {
  addressType,
  DETECTION_SCRIPT,
  initUbuntuScript,
  normaliseArch,
  parseDetection,
  runScriptCommand,
  shQuote,
} from "./manual-provision.js";

describe("manual provisioning, the pure parts", () => {
  it("reads the detection script's output as sshprovisioner does", () => {
    const x86 = [
      "ubuntu",
      "22.04",
      "x86_64",
      "MemTotal:        8131480 kB",
      // Two packages of two cores each, hyperthreaded: 8 processors, 4 cores.
      ...[0, 0, 0, 0, 1, 1, 1, 1].flatMap((pkg, n) => [
        `processor\t: ${n}`,
        `physical id\t: ${pkg}`,
        "cpu cores\t: 2",
        "",
      ]),
    ].join("\n");
    expect(parseDetection(x86)).toEqual({
      base: { name: "ubuntu", channel: "22.04/stable" },
      arch: "amd64",
      mem: 7940,
      cores: 4,
    });
    // arm64 has no "physical id": the processor entries are counted (lp:1664434).
    const arm = [
      "Ubuntu",
      "24.04",
      "aarch64",
      "MemTotal: 4000000 kB",
      "processor : 0",
      "processor : 1",
    ];
    expect(parseDetection(arm.join("\n"))).toMatchObject({
      base: { name: "ubuntu", channel: "24.04/stable" },
      arch: "arm64",
      mem: 3906,
      cores: 2,
    });
    expect(() => parseDetection("ubuntu\n22.04\nx86_64\nMemTotal: lots\n")).toThrow(/parsing/);
    expect(() => parseDetection("\n\n")).toThrow(/missing base/);
  });

  it("normalises architectures and address types as Juju", () => {
    expect(["x86_64", "aarch64", "ppc64le", "s390x", "riscv64", "mips"].map(normaliseArch)).toEqual(
      ["amd64", "arm64", "ppc64el", "s390x", "riscv64", "mips"],
    );
    expect(addressType("10.0.0.4")).toBe("ipv4");
    expect(addressType("fd00::4")).toBe("ipv6");
    expect(addressType("host.example.com")).toBe("hostname");
    expect(addressType("10.0.0.4:22")).toBe("hostname");
  });

  it("builds the commands sshprovisioner sends", () => {
    expect(shQuote("it's")).toBe(`'it'"'"'s'`);
    const init = initUbuntuScript("ssh-ed25519 AAAA me@here");
    expect(init).toContain("install -m 0440 $temp /etc/sudoers.d/90-juju-ubuntu");
    expect(init).toContain("export authorized_keys='ssh-ed25519 AAAA me@here'");
    expect(DETECTION_SCRIPT.split("\n").slice(-3)).toEqual([
      "uname -m",
      "grep MemTotal /proc/meminfo",
      "cat /proc/cpuinfo",
    ]);
    const run = runScriptCommand();
    const b64 = /echo '([^']+)'/.exec(run)?.[1] ?? "";
    expect(run.startsWith("sudo /bin/bash -c /bin/bash -c ")).toBe(true);
    expect(atob(b64)).toBe(
      '\nset -e\ntmpfile=$(mktemp)\ntrap "rm -f $tmpfile" EXIT\ncat > $tmpfile\n/bin/bash $tmpfile\n',
    );
  });
});

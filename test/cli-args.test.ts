import { describe, expect, it } from "vitest";
import { collect, parseCount, parseDuration, parseEntityKinds } from "../src/cli/args.js";
import { parseConfigArgs } from "../src/cli/config-args.js";
import { clock, describeData } from "../src/cli/describe.js";
import { type ProgressOutput, ProgressView } from "../src/cli/progress.js";

describe("parseDuration", () => {
  it.each([
    ["600s", 600_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["2m30s", 150_000],
    [" 5s ", 5_000],
    ["0", 0],
    ["0s", 0],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "10", "10x", "m", "-5s", "1h 30m", "5s!", "1e3s", "ten minutes"])(
    "rejects %j, saying what it expects",
    (text) => {
      expect(() => parseDuration(text)).toThrow(/invalid duration .*expected e\.g\. 600s, 10m, 1h/);
    },
  );
});

describe("parseCount", () => {
  it("takes non-negative integers only", () => {
    expect(parseCount("3")).toBe(3);
    expect(parseCount("0")).toBe(0);
    for (const bad of ["-1", "1.5", "two", ""])
      expect(() => parseCount(bad)).toThrow(/non-negative integer/);
  });
});

describe("parseConfigArgs", () => {
  const noFiles = (path: string): string => {
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  };

  it("keeps key=value values as strings, splitting at the first =", () => {
    const args = ["port=3306", "debug=true", "dsn=a=b", "empty=", "name= spaced "].reduce(
      (acc, a) => collect(a, acc),
      [] as string[],
    );
    expect(parseConfigArgs(args, "mysql", noFiles)).toEqual({
      port: "3306",
      debug: "true",
      dsn: "a=b",
      empty: "",
      name: " spaced ",
    });
  });

  it("lets a later pair win", () => {
    expect(parseConfigArgs(["a=1", "a=2"], "x", noFiles)).toEqual({ a: "2" });
  });

  it("rejects a pair without a key", () => {
    expect(() => parseConfigArgs(["=1"], "x", noFiles)).toThrow(/invalid --config "=1"/);
  });

  it("reads the application's section of a YAML file; pairs override it whatever the order", () => {
    const files: Record<string, string> = {
      "cfg.yaml": "mysql:\n  port: 3306\n  mode: fast\nother:\n  port: 1\n",
    };
    const read = (p: string) => files[p] ?? noFiles(p);
    expect(parseConfigArgs(["mode=slow", "cfg.yaml"], "mysql", read)).toEqual({
      port: 3306,
      mode: "slow",
    });
    expect(parseConfigArgs(["cfg.yaml"], "absent", read)).toEqual({});
  });

  it("names a missing file, and a malformed one", () => {
    expect(() => parseConfigArgs(["nope.yaml"], "x", noFiles)).toThrow(
      /invalid --config "nope.yaml": expected key=value or a YAML file \(no such file\)/,
    );
    expect(() => parseConfigArgs(["f"], "x", () => "- a list")).toThrow(/expected a YAML mapping/);
    expect(() => parseConfigArgs(["f"], "x", () => "x: 3")).toThrow(
      /"x" must map option names to values/,
    );
  });
});

describe("parseEntityKinds", () => {
  it("splits a comma-separated list of kinds", () => {
    expect(parseEntityKinds("unit,machine")).toEqual(["unit", "machine"]);
    expect(parseEntityKinds(" application ")).toEqual(["application"]);
  });

  it("rejects unknown kinds, listing the known ones", () => {
    expect(() => parseEntityKinds("unit,units")).toThrow(
      /unknown entity type "units": expected some of model, machine, application, unit/,
    );
    expect(() => parseEntityKinds(",")).toThrow(/unknown entity type/);
  });
});

describe("describeData", () => {
  it("summarises units and machines by their statuses", () => {
    expect(
      describeData("unit", {
        "agent-status": { current: "idle" },
        "workload-status": { current: "active", message: "Primary" },
      }),
    ).toBe('agent=idle workload=active "Primary"');
    expect(
      describeData("machine", {
        "agent-status": { current: "pending" },
        "instance-status": { current: "allocating", message: "" },
      }),
    ).toBe("agent=pending instance=allocating");
    expect(describeData("unit", {})).toBe("agent=unknown workload=unknown");
  });

  it("formats the time as HH:MM:SS", () => {
    expect(clock(new Date(2026, 0, 1, 9, 3, 7))).toBe("09:03:07");
  });
});

describe("ProgressView", () => {
  const sink = (isTTY: boolean): ProgressOutput & { text: string } => {
    const out = {
      text: "",
      isTTY,
      columns: 40,
      write(s: string) {
        out.text += s;
      },
    };
    return out;
  };

  it("prints one plain line per change, without ANSI codes, when not on a terminal", () => {
    const out = sink(false);
    const view = new ProgressView(out);
    view.title("Deploying");
    view.update([{ key: "unit a/0", text: "agent=allocating" }]);
    view.update([{ key: "unit a/0", text: "agent=allocating" }]);
    view.update([
      { key: "unit a/0", text: "agent=idle" },
      { key: "machine 0", text: "agent=started" },
    ]);
    view.stop();
    view.update([{ key: "unit a/0", text: "agent=lost" }]);
    expect(out.text).toBe(
      "Deploying\nunit a/0  agent=allocating\nunit a/0  agent=idle\nmachine 0  agent=started\n",
    );
    expect(out.text).not.toContain("\x1b");
  });

  it("redraws a live block in place on a terminal, cut to its width", () => {
    const out = sink(true);
    const view = new ProgressView(out);
    view.title("Waiting");
    view.update([{ key: "unit a/0", text: `agent=idle ${"x".repeat(60)}` }]);
    view.stop();
    view.stop();
    const frames = out.text.split("\x1b[J");
    // Each redraw first moves up over the lines drawn before.
    expect(out.text).toContain("\x1b[2F\x1b[J");
    const last = frames.at(-1)!;
    expect(last).not.toContain("Waiting");
    expect(last.trimEnd().length).toBeLessThan(40);
    expect(last).toMatch(/^ {2}unit a\/0 {2}agent=idle x+…\n$/);
  });
});

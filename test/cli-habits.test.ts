import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli-harness.js";

const root = resolve(import.meta.dirname, "..");

function libjuju(args: string[]) {
  return runCli(args, {});
}

/** Runs the CLI expecting it to fail; gives its exit code and output. */
async function libjujuFails(args: string[]) {
  const err = (await libjuju(args).then(
    () => {
      throw new Error(`libjuju ${args.join(" ")} unexpectedly succeeded`);
    },
    (e: unknown) => e,
  )) as { code: number; stdout: string; stderr: string };
  return err;
}

describe("libjuju --version", () => {
  it("prints the version in package.json", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      version: string;
    };
    const { stdout } = await libjuju(["--version"]);
    expect(stdout.trim()).toBe(pkg.version);
  });

  // The other CLI tests run the built CLI (the package's bin); the sources
  // run through tsx too (scripts/fidelity starts `libjuju sim` that way), and
  // main.ts finds package.json by a path relative to itself in both places.
  it("prints the same version when run from the sources through tsx", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      version: string;
    };
    const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
    const main = join(root, "src", "cli", "main.ts");
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, main, "--version"], {
      cwd: root,
    });
    expect(stdout.trim()).toBe(pkg.version);
  });
});

describe("one error style", () => {
  it("prints an unknown option as one ERROR line, without the help, and exits 2", async () => {
    const err = await libjujuFails(["status", "--no-such-option"]);
    expect(err.code).toBe(2);
    expect(err.stderr).toBe("ERROR unknown option '--no-such-option'\n");
    expect(err.stdout).toBe("");
  });

  it("prints an unknown command and a bad option value the same way", async () => {
    const command = await libjujuFails(["no-such-command"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^ERROR unknown command 'no-such-command'\n$/);
    const value = await libjujuFails(["sim", "--timing", "warp"]);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/^ERROR .*--timing.*warp.*\n$/);
    expect(value.stderr).not.toMatch(/Usage:/);
  });

  it("treats a bad value checked by a command itself as a usage error", async () => {
    const err = await libjujuFails(["status", "--format", "xml"]);
    expect(err.code).toBe(2);
    expect(err.stderr).toBe(
      'ERROR invalid value "xml" for option --format: expected one of tabular, json, yaml\n',
    );
  });

  it("keeps help on stdout with exit 0", async () => {
    const { stdout, stderr } = await libjuju(["status", "--help"]);
    expect(stdout).toMatch(/^Usage: libjuju status/);
    expect(stdout).toContain("Examples:\n  libjuju status");
    expect(stderr).toBe("");
  });

  it("names the environment variables it reads in the top-level help", async () => {
    const { stdout } = await libjuju(["--help"]);
    for (const name of ["JUJU_DATA", "JUJU_CONTROLLER", "JUJU_MODEL", "NO_COLOR"]) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    }
  });
});

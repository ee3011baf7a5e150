import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const main = join(root, "src", "cli", "main.ts");
const run = promisify(execFile);

function libjuju(args: string[]) {
  return run(process.execPath, [tsx, main, ...args], { cwd: root });
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
});

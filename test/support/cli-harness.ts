/**
 * Running the `libjuju` CLI in tests: one-shot commands and long-running
 * ones whose output is awaited. It runs the built CLI, `dist/cli/main.js`,
 * exactly what the package's `bin` gives users (test/support/built-dist.ts
 * builds it before the run when the sources changed); plain Node starts it
 * in a quarter of the time tsx takes to start it from the sources.
 * @module
 */
import { execFile, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const root = resolve(import.meta.dirname, "..", "..");
/** The built CLI, the package's `bin`. */
export const CLI_MAIN = join(root, "dist", "cli", "main.js");
const run = promisify(execFile);

/** The argv (after `node`) that runs the CLI with `args`. */
export function cliArgv(args: string[]): string[] {
  return [CLI_MAIN, ...args];
}

/** What a failed command printed, and its exit code. */
export interface Failed {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI; `output()` is what it printed so far, `until` waits for a pattern. */
export function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, cliArgv(args), {
    env: { ...process.env, ...env },
    cwd: root,
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
    changed();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
    changed();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const until = (test: () => boolean, what: string) =>
    new Promise<void>((ready, fail) => {
      const check = () => {
        if (!test()) return;
        listeners.delete(check);
        ready();
      };
      listeners.add(check);
      void exited.then(() => fail(new Error(`exited before ${what}:\n${stdout}\n${stderr}`)));
      check();
    });
  return {
    child,
    exited,
    until,
    output: () => ({ stdout, stderr }),
  };
}

/** Runs one CLI command to its end with `env` added; rejects (with {@link Failed}'s fields) on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string>) {
  return run(process.execPath, cliArgv(args), {
    env: { ...process.env, ...env },
    cwd: root,
  });
}

/** Runs one CLI command expected to fail; gives its exit code and output. */
export function runCliFails(args: string[], env: Record<string, string>): Promise<Failed> {
  return runCli(args, env).then(
    (r) => {
      throw new Error(`expected libjuju ${args.join(" ")} to fail, got:\n${r.stdout}`);
    },
    (e: unknown) => e as Failed,
  );
}

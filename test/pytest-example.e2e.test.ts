import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Runs the documented pytest example (examples/pytest) with Debian's python3
// and python-libjuju, found as docs/fidelity.md describes: $PYLIBJUJU, else
// a `pylibjuju` checkout beside this repository (or beside its parent, for
// worktrees). Skipped, with the reason in the test name, where python-libjuju
// or pytest cannot be imported.
const root = resolve(import.meta.dirname, "..");
const python = "/usr/bin/python3";
const shim = join(root, "scripts", "fidelity", "shim");
const candidates = [
  process.env.PYLIBJUJU,
  join(root, "..", "pylibjuju"),
  join(root, "..", "..", "pylibjuju"),
].filter((p): p is string => p !== undefined && p !== "" && existsSync(join(p, "juju")));

function pythonPath(pylibjuju: string | undefined): string {
  return [pylibjuju, shim, process.env.PYTHONPATH].filter((p) => p).join(":");
}

/** Why the example cannot run here, or undefined when it can. */
function unavailable(): string | undefined {
  if (!existsSync(python)) return `${python} not found`;
  const pylibjuju = candidates[0];
  const probe = spawnSync(python, ["-c", "import pytest, juju.model"], {
    env: { ...process.env, PYTHONPATH: pythonPath(pylibjuju) },
    encoding: "utf8",
  });
  if (probe.status === 0) return undefined;
  const last = (probe.stderr ?? "").trim().split("\n").at(-1) ?? "";
  return pylibjuju === undefined
    ? `python-libjuju not found (set PYLIBJUJU to a checkout): ${last}`
    : `cannot import pytest or python-libjuju from ${pylibjuju}: ${last}`;
}

const reason = unavailable();

describe("examples/pytest: python-libjuju against libjuju sim --control-port", () => {
  it.skipIf(reason !== undefined)(
    reason === undefined ? "passes with pytest" : `skipped: ${reason}`,
    { timeout: 300_000 },
    async () => {
      const { stdout } = await promisify(execFile)(
        python,
        ["-m", "pytest", join(root, "examples", "pytest"), "-q", "-p", "no:cacheprovider"],
        {
          cwd: root,
          env: { ...process.env, PYTHONPATH: pythonPath(candidates[0]) },
          timeout: 280_000,
        },
      ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`pytest failed:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
      });
      expect(stdout).toMatch(/\b3 passed\b/);
    },
  );
});

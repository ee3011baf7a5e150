/**
 * A charm's `assumes:` expression checked against what a model supports, as
 * Juju's `core/assumes` does (`FeatureSet.Satisfies`, `sat_checker.go`, with
 * `error.go`'s pretty-printed multi-error): a machine model supports `juju`
 * at the controller's version; a Kubernetes model also supports `k8s-api`.
 * @module
 */
import { ServerError } from "./errors.js";

/** A feature the model supports, with its version when it has one. */
export interface Feature {
  name: string;
  version?: string;
}

type Version = [number, number, number];

/** `version.ParseNonStrict`: `3`, `3.6` and `3.6.28` (later parts default to 0). */
function parseVersion(s: string): Version | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(s.trim());
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

const fmt = (v: Version) => v.join(".");

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** A failed sub-expression: its message and nested failures. */
interface Failure {
  message: string;
  nested: Failure[];
}

function check(features: ReadonlyMap<string, Feature>, expr: unknown): Failure | undefined {
  if (typeof expr === "string") {
    const m = /^\s*([a-z0-9-]+)\s*(?:(>=|<)\s*(\S+))?\s*$/.exec(expr);
    if (m === null) return undefined;
    const [, name = "", op, ver] = m;
    const have = features.get(name);
    if (have === undefined)
      return {
        message: `charm requires feature "${name}" but model does not support it`,
        nested: [],
      };
    const want = ver === undefined ? undefined : parseVersion(ver);
    const got = have.version === undefined ? undefined : parseVersion(have.version);
    if (want === undefined || got === undefined) return undefined;
    const ok = op === ">=" ? compare(got, want) >= 0 : compare(got, want) < 0;
    if (ok) return undefined;
    return {
      message: `charm requires feature "${name}" (version ${op} ${fmt(want)}) but model currently supports version ${fmt(got)}`,
      nested: [],
    };
  }
  if (typeof expr === "object" && expr !== null && !Array.isArray(expr)) {
    const [kind, subs] = Object.entries(expr)[0] ?? [];
    if (!Array.isArray(subs)) return undefined;
    const failures: Failure[] = [];
    for (const sub of subs) {
      const f = check(features, sub);
      if (f === undefined && kind === "any-of") return undefined;
      if (f !== undefined) failures.push(f);
    }
    if (failures.length === 0) return undefined;
    const what = kind === "any-of" ? "at least one" : kind === "all-of" ? "all" : String(kind);
    return { message: `charm requires ${what} of the following:`, nested: failures };
  }
  return undefined;
}

/** `notSatisfiedErr.Error()`: the message, then each nested error as an indented `- ` item. */
function render(f: Failure): string {
  if (f.nested.length === 0) return f.message;
  let out = `${f.message}\n`;
  for (const n of f.nested) {
    const item = `- ${render(n).replace(/^\n+|\n+$/g, "")}`;
    out += `${item.replace(/^/gm, "  ")}\n`;
  }
  return out;
}

/**
 * Throws Juju's `Charm feature requirements cannot be met:` error (code
 * `not supported`, as `errors.NewNotSupported` wraps it) when the model's
 * features do not satisfy the charm's `assumes` (the root is an all-of).
 */
export function assertAssumes(assumes: readonly unknown[] | undefined, features: Feature[]): void {
  if (assumes === undefined || assumes.length === 0) return;
  const byName = new Map(features.map((f) => [f.name, f]));
  const failures = assumes
    .map((e) => check(byName, e))
    .filter((f): f is Failure => f !== undefined);
  if (failures.length === 0) return;
  throw new ServerError(
    render({ message: "Charm feature requirements cannot be met:", nested: failures }),
    "not supported",
  );
}

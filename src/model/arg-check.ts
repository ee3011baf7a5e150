/**
 * Checks of the arguments given to the public API, run before any request so
 * that a wrong JavaScript type, a number Juju cannot carry or a control
 * character fails with an {@link InvalidArgumentError} naming the argument,
 * never a raw `TypeError` from deep inside or a silently changed wire value.
 * Pure: no Node imports.
 * @module
 */
import { CONSTRAINT_KINDS, type Constraints } from "../parse/constraints.js";
import { describe } from "../parse/describe-value.js";
import { InvalidArgumentError } from "./errors.js";

export { describe };

/** Checks one value; throws {@link InvalidArgumentError} naming `name` when it does not fit. */
export interface Check {
  (value: unknown, name: string): void;
  /** What the check expects, for messages (`a string`, `an integer from 0 to …`). */
  readonly expected: string;
  /** Whether the value has the outer type the check is about (used by {@link anyOf} to pick a branch). */
  readonly accepts?: (value: unknown) => boolean;
}

/** Builds a {@link Check} from a predicate (or a function returning a reason). */
export function check(expected: string, test: (value: unknown) => boolean | string): Check {
  const fn = (value: unknown, name: string): void => {
    const r = test(value);
    if (r === true) return;
    throw invalid(name, typeof r === "string" ? r : `expected ${expected}, got ${describe(value)}`);
  };
  return Object.assign(fn, { expected, accepts: (v: unknown) => test(v) !== false });
}

/** The error for argument `name`; the message starts with the name. */
export function invalid(name: string, reason: string): InvalidArgumentError {
  // `argument` is the option or parameter itself; the message keeps the full path (`to[1]`).
  const top = /^[^.[]+/.exec(name)?.[0] ?? name;
  return new InvalidArgumentError(top, `${name}: ${reason}`);
}

// C0, DEL and C1 controls: never valid in names, ids or directives.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** True when `s` holds a control character (newline, NUL, escape, …). */
export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/** Any string (free text: commands, keys, config values may hold newlines). */
export const text: Check = check("a string", (v) => typeof v === "string");

/** A string without control characters (names, ids, directives, channels). */
export const str: Check = check("a string", (v) => {
  if (typeof v !== "string") return false;
  return hasControl(v) ? `control characters are not allowed (got ${JSON.stringify(v)})` : true;
});

/** A non-empty string without control characters. */
export const name: Check = check("a non-empty string", (v) => {
  if (typeof v !== "string") return false;
  if (v === "") return "must not be empty";
  return hasControl(v) ? `control characters are not allowed (got ${JSON.stringify(v)})` : true;
});

/** `true` or `false`. */
export const bool: Check = check("a boolean", (v) => typeof v === "boolean");

/** A function. */
export const func: Check = check("a function", (v) => typeof v === "function");

/** An `AbortSignal` (anything with `aborted` and `addEventListener`). */
export const signal: Check = check("an AbortSignal", (v) => {
  if (v === null || typeof v !== "object") return false;
  const s = v as { aborted?: unknown; addEventListener?: unknown };
  return typeof s.aborted === "boolean" && typeof s.addEventListener === "function";
});

/** The largest integer a JavaScript number carries exactly (2^53 - 1). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * An integer from `min` to `max`. Juju's wire integers are Go ints and
 * uint64s; numbers past 2^53 lose precision in JavaScript (and JSON), so
 * they are refused rather than sent rounded.
 */
export function int(min = 0, max = MAX_SAFE): Check {
  return check(`an integer from ${min} to ${max}`, (v) => {
    if (typeof v !== "number") return false;
    if (!Number.isFinite(v)) return `expected a finite integer, got ${v}`;
    if (!Number.isInteger(v)) return `expected an integer, got ${v}`;
    if (v > MAX_SAFE || v < -MAX_SAFE)
      return `${v} is beyond 2^53-1, the largest integer a JavaScript number carries exactly`;
    if (v < min || v > max) return `expected an integer from ${min} to ${max}, got ${v}`;
    return true;
  });
}

/** A Go `uint64` that JavaScript carries exactly: an integer from 0 to 2^53-1. */
export const uint64: Check = int(0, MAX_SAFE);

/** A finite number ≥ `min` (durations in milliseconds or seconds). */
export function num(min = 0): Check {
  return check(`a finite number ≥ ${min}`, (v) =>
    typeof v !== "number"
      ? false
      : !Number.isFinite(v) || Number.isNaN(v)
        ? `expected a finite number, got ${v}`
        : v < min
          ? `expected a number ≥ ${min}, got ${v}`
          : true,
  );
}

/** One of the given strings. */
export function oneOf(...values: readonly string[]): Check {
  return check(
    `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    (v) => typeof v === "string" && values.includes(v),
  );
}

/**
 * A value passing one of `checks`: the first check whose outer type fits
 * the value decides (so `to: ["0", 5]` is reported as `to[1]`, not as
 * "expected a string or an array").
 */
export function anyOf(...checks: readonly Check[]): Check {
  const expected = checks.map((c) => c.expected).join(" or ");
  const fn = (v: unknown, n: string): void => {
    const c = checks.find((c) => c.accepts?.(v) ?? true);
    if (c === undefined) throw invalid(n, `expected ${expected}, got ${describe(v)}`);
    c(v, n);
  };
  return Object.assign(fn, {
    expected,
    accepts: (v: unknown) => checks.some((c) => c.accepts?.(v) ?? true),
  });
}

/** An array whose every item passes `item` (items are named `name[i]`). */
export function arrayOf(item: Check, opts: { nonEmpty?: boolean } = {}): Check {
  const fn = (v: unknown, n: string): void => {
    if (!Array.isArray(v))
      throw invalid(n, `expected an array of ${item.expected}, got ${describe(v)}`);
    if (opts.nonEmpty && v.length === 0) throw invalid(n, "must not be empty");
    for (let i = 0; i < v.length; i++) item(v[i], `${n}[${i}]`);
  };
  return Object.assign(fn, { expected: `an array of ${item.expected}`, accepts: Array.isArray });
}

/** True for a plain object (not null, an array, a Map, a Date…). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A plain object whose own keys pass `key` and whose values pass `value` (named `name.key`). */
export function recordOf(value: Check, key: Check = str): Check {
  const fn = (v: unknown, n: string): void => {
    if (!isPlainObject(v))
      throw invalid(n, `expected an object of ${value.expected}, got ${describe(v)}`);
    for (const [k, item] of Object.entries(v)) {
      key(k, `${n} key`);
      value(item, `${n}.${k}`);
    }
  };
  return Object.assign(fn, { expected: `an object of ${value.expected}`, accepts: isPlainObject });
}

/** Any value (for free-form config values, which are stringified). */
export const any: Check = check("any value", () => true);

/** A value that JSON can carry as a charm config value: string, finite number, boolean, or a plain object/array. */
export const configValue: Check = check(
  "a string, finite number, boolean or JSON object",
  (v) =>
    typeof v === "string" ||
    typeof v === "boolean" ||
    (typeof v === "number" && Number.isFinite(v)) ||
    Array.isArray(v) ||
    isPlainObject(v),
);

/** The shape of an options object: a check per option (absent or `undefined` options are not checked). */
export type OptionSpec = Readonly<Record<string, Check>>;

/** Options shared by operations that wait for the model to show their result. */
export const WAIT_OPTIONS: OptionSpec = { timeout: num(0), signal };

/** Per-call options (`signal`, `callTimeout`). */
export const CALL_OPTIONS: OptionSpec = { signal, callTimeout: num(0), timeout: num(0) };

/**
 * Checks an options object: absent (`undefined`) is fine, anything but a
 * plain object is refused, and each option named in `spec` must pass its
 * check. Unknown keys are left alone (spreads of wider option objects are common).
 */
export function checkOptions(where: string, options: unknown, spec: OptionSpec): void {
  if (options === undefined) return;
  if (!isPlainObject(options))
    throw invalid(`${where} options`, `expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(spec)) {
    const v = options[key];
    if (v === undefined) continue;
    spec[key]!(v, key);
  }
}

/** Checks one positional argument. */
export function checkArg(name: string, value: unknown, c: Check): void {
  c(value, name);
}

/**
 * A constraints value: a Juju constraints string (parsed later) or the wire
 * object, whose keys must be Juju's and whose values must have their Go types
 * (sizes and counts are uint64: safe non-negative integers).
 */
export const constraints: Check = Object.assign(
  (v: unknown, n: string): void => {
    if (typeof v === "string") {
      str(v, n);
      return;
    }
    if (!isPlainObject(v))
      throw invalid(n, `expected a constraints string or object, got ${describe(v)}`);
    checkConstraintsValue(v, n);
  },
  { expected: "a constraints string or object" },
);

/** Checks the wire constraints object (`params.Value`). */
export function checkConstraintsValue(v: Readonly<Record<string, unknown>>, n: string): void {
  for (const [key, value] of Object.entries(v)) {
    if (!Object.hasOwn(CONSTRAINT_KINDS, key))
      throw invalid(n, `unknown constraint ${JSON.stringify(key)}`);
    if (value === undefined) continue;
    const kind = CONSTRAINT_KINDS[key as keyof Constraints];
    const at = `${n}.${key}`;
    if (kind === "uint" || kind === "size") uint64(value, at);
    else if (kind === "bool") bool(value, at);
    else if (kind === "list") arrayOf(str)(value, at);
    else str(value, at);
  }
}

/** A placement `to`: a comma-separated string or an array of directive strings. */
export const placement: Check = anyOf(str, arrayOf(str));

/** Rejects a non-string/array element before `.split`/`.map` could throw a raw TypeError. */
export const stringOrStrings: Check = anyOf(str, arrayOf(str));

/** A base: `ubuntu@22.04`, a series name, or `{name, channel}`. */
export const base: Check = Object.assign(
  (v: unknown, n: string): void => {
    if (typeof v === "string") {
      str(v, n);
      return;
    }
    if (!isPlainObject(v))
      throw invalid(n, `expected a base string or {name, channel}, got ${describe(v)}`);
    name(v.name, `${n}.name`);
    name(v.channel, `${n}.channel`);
  },
  { expected: "a base string or {name, channel}" },
);

/** Storage directives by storage name: `"pool,10G,1"` or `{pool, size, count}`. */
export const storage: Check = recordOf(
  Object.assign(
    (v: unknown, n: string): void => {
      if (typeof v === "string") {
        str(v, n);
        return;
      }
      if (!isPlainObject(v))
        throw invalid(n, `expected a storage string or {pool, size, count}, got ${describe(v)}`);
      if (v.pool !== undefined) str(v.pool, `${n}.pool`);
      if (v.size !== undefined) uint64(v.size, `${n}.size`);
      if (v.count !== undefined) uint64(v.count, `${n}.count`);
    },
    { expected: "a storage string or {pool, size, count}" },
  ),
);

/** Endpoint bindings: `"space ep=space2"` or `{"": space, ep: space2}`. */
export const bindings: Check = anyOf(str, recordOf(str));

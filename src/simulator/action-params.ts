/**
 * Validation of action parameters against a charm action's JSON schema, as
 * Juju's `charm.ActionSpec.ValidateParams` does with its gojsonschema fork,
 * and `InsertDefaults`, which fills in the schema's `default` values.
 *
 * Messages follow the fork's format `<context> : <description>, given
 * <value as JSON>`, joined with `"; "` after `validation failed: `. The
 * `type`, `required` and `additionalProperties` messages are checked against
 * juju/charm's `TestValidateFail` vectors; `enum`, `minimum` and `maximum`
 * use the fork's wording for those keywords. Other keywords are not checked.
 * @module
 */

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Go's `encoding/json` form of a decoded value: object keys sorted, as Go marshals maps. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The JSON-schema type names a value satisfies (an integral number is both `integer` and `number`). */
function typesOf(v: unknown): string[] {
  if (v === null || v === undefined) return ["null"];
  if (Array.isArray(v)) return ["array"];
  if (typeof v === "boolean") return ["boolean"];
  if (typeof v === "number") return Number.isInteger(v) ? ["integer", "number"] : ["number"];
  if (typeof v === "string") return ["string"];
  return ["object"];
}

function check(schema: Schema, value: unknown, context: string, errors: string[]): void {
  const fail = (description: string) =>
    errors.push(`${context} : ${description}, given ${goJson(value)}`);
  const t = schema.type;
  if (typeof t === "string" || Array.isArray(t)) {
    const allowed = (Array.isArray(t) ? t : [t]).map(String);
    if (!typesOf(value).some((x) => allowed.includes(x))) {
      fail(`must be of type ${allowed.join(",")}`);
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => goJson(e) === goJson(value))) {
    fail(`must match one of the enum values [${schema.enum.map(goJson).join(",")}]`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) {
      fail(`must be greater than or equal to ${schema.minimum}`);
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) {
      fail(`must be less than or equal to ${schema.maximum}`);
    }
  }
  if (!isObject(value)) return;
  const props = isObject(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const r of schema.required) {
      if (typeof r === "string" && !Object.hasOwn(value, r)) {
        fail(`${JSON.stringify(r)} property is missing and required`);
      }
    }
  }
  for (const k of Object.keys(value).sort()) {
    if (Object.hasOwn(props, k)) continue;
    if (schema.additionalProperties === false) {
      fail(`additional property ${JSON.stringify(k)} is not allowed`);
    }
  }
  for (const [k, sub] of Object.entries(props)) {
    if (Object.hasOwn(value, k) && isObject(sub)) check(sub, value[k], `${context}.${k}`, errors);
  }
}

/**
 * Validates `params` against an action's schema; returns Juju's error
 * message (`validation failed: …`) or undefined when they conform.
 */
export function validateActionParams(
  schema: Readonly<Schema>,
  params: Readonly<Record<string, unknown>>,
): string | undefined {
  const errors: string[] = [];
  check(schema as Schema, params, "(root)", errors);
  return errors.length === 0 ? undefined : `validation failed: ${errors.join("; ")}`;
}

/** A copy of `params` with the schema's top-level `default` values filled in where absent. */
export function insertActionDefaults(
  schema: Readonly<Schema>,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone({ ...params });
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [k, sub] of Object.entries(props)) {
    if (!Object.hasOwn(out, k) && isObject(sub) && Object.hasOwn(sub, "default")) {
      out[k] = structuredClone(sub.default);
    }
  }
  return out;
}

/**
 * Validates wire frames exchanged in tests against the Juju schema of the
 * facade version they use: request params against the method's `Params`
 * definition, successful replies against its `Result` definition.
 *
 * Tests may read `../shared`; the schemas come from
 * `shared/juju-schema/client-facades-by-version.json` (every version, not just
 * the registered ones) with the same overrides as the generator
 * (`scripts/facade-overrides.ts`, applied by `applyOverrides`).
 *
 * What is checked, and why (see the override table's notes):
 * - `additionalProperties: false` is enforced (ghost properties of embedded
 *   structs are removed first): that catches misspelt or invented field names;
 *   names are compared exactly, although the Go server would accept any case;
 * - `null` is accepted wherever the schema says array or object (Go's nil
 *   slices and maps);
 * - `required` is enforced on replies only: for requests it only means "not
 *   omitempty" and the Go server zero-fills missing fields;
 * - unknown facades, versions and methods are not violations: the server
 *   answers those with errors, which tests may well exercise. Error replies
 *   are not checked either.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import {
  allowNullCollections,
  applyOverrides,
  type FacadeSchema,
  loadClientFacades,
  loadJuju4Facades,
  refName,
  type SchemaNode,
} from "../../scripts/facade-schema.js";
import type { RequestFrame, ResponseFrame } from "../../src/protocol/frames.js";

type Direction = "request" | "response";

interface MethodSpec {
  params?: string;
  result?: string;
}

function stripRequired(node: SchemaNode): SchemaNode {
  const copy: SchemaNode = { ...node };
  delete copy.required;
  for (const key of ["properties", "patternProperties", "definitions"] as const) {
    const map = node[key];
    if (map !== undefined) {
      copy[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, stripRequired(v)]));
    }
  }
  if (Array.isArray(node.items)) copy.items = node.items.map(stripRequired);
  else if (node.items !== undefined) copy.items = stripRequired(node.items);
  if (typeof node.additionalProperties === "object") {
    copy.additionalProperties = stripRequired(node.additionalProperties);
  }
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === "" ? "/" : e.instancePath;
  const extra =
    e.keyword === "additionalProperties"
      ? ` (${JSON.stringify((e.params as { additionalProperty?: string }).additionalProperty)})`
      : e.keyword === "required"
        ? ""
        : e.keyword === "enum"
          ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`
          : "";
  return `${where} ${e.message ?? e.keyword}${extra}`;
}

let loaded: SchemaConformance | undefined;
let loaded4: SchemaConformance | undefined;

/** The Juju major versions with a schema of their own. */
export type SchemaMajor = 3 | 4;

/** The major version of a Login's `server-version` (`"4.0.15"` → 4); 3 for anything else. */
export function majorOfServerVersion(version: unknown): SchemaMajor {
  return typeof version === "string" && /^4\./.test(version) ? 4 : 3;
}

export class SchemaConformance {
  private readonly ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true, // ["array", "null"] from override (8)
    validateFormats: false, // "date-time": any string, as Go's time.Time JSON
  });
  private readonly facades = new Map<string, FacadeSchema>();
  private readonly added = new Set<string>();
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(facades: readonly FacadeSchema[]) {
    for (const f of facades) this.facades.set(`${f.Name}/${f.Version}`, f);
  }

  /**
   * The schemas of one major: 3 is every 3.x client facade version
   * (`client-facades-by-version.json`), 4 is Juju 4's (`schema-4.0.json` plus
   * what `schema-main-4.1.json` adds). A 4.x frame is never checked against
   * 3.6's shape of the same version number.
   */
  static forMajor(major: SchemaMajor): SchemaConformance {
    if (major === 3) return SchemaConformance.load();
    loaded4 ??= new SchemaConformance(loadJuju4Facades());
    return loaded4;
  }

  /** Loads (once per process) the schemas of every 3.x client facade version, overrides applied. */
  static load(sharedDir?: string): SchemaConformance {
    if (sharedDir !== undefined) return new SchemaConformance(loadClientFacades(sharedDir));
    loaded ??= new SchemaConformance(loadClientFacades());
    return loaded;
  }

  /** The facade versions the schema file knows: `"Application/22"`, ... */
  knownFacadeVersions(): string[] {
    return [...this.facades.keys()];
  }

  /** Violations of a request's params ([] when fine, or when the facade, version or method is unknown). */
  checkRequest(frame: RequestFrame): string[] {
    const spec = this.method(frame.type, frame.version, frame.request);
    if (spec === undefined) return [];
    const label = `${frame.type}(${frame.version}).${frame.request} params`;
    const params = frame.params ?? {};
    if (spec.params === undefined) {
      if (isPlainObject(params) && Object.keys(params).length === 0) return [];
      return [`${label}: the method takes no params, got ${JSON.stringify(params)}`];
    }
    if (!isPlainObject(params))
      return [`${label}: must be an object, got ${JSON.stringify(params)}`];
    return this.validate("request", frame.type, frame.version, spec.params, params, label);
  }

  /** Violations of a successful reply to `request` ([] for error replies and unknown methods). */
  checkResponse(request: RequestFrame, frame: ResponseFrame): string[] {
    const label = `${request.type}(${request.version}).${request.request} result`;
    if (frame["request-id"] !== request["request-id"]) {
      return [`${label}: reply request-id ${frame["request-id"]} != ${request["request-id"]}`];
    }
    if (frame.error !== undefined) return [];
    const spec = this.method(request.type, request.version, request.request);
    if (spec === undefined) return [];
    const response = frame.response;
    if (!isPlainObject(response)) {
      return [
        `${label}: a successful reply carries an object "response", got ${JSON.stringify(response)}`,
      ];
    }
    if (spec.result === undefined) {
      if (Object.keys(response).length === 0) return [];
      return [`${label}: the method has no result and answers {}, got ${JSON.stringify(response)}`];
    }
    return this.validate("response", request.type, request.version, spec.result, response, label);
  }

  private method(facade: string, version: number, method: string): MethodSpec | undefined {
    const schema = this.facades.get(`${facade}/${version}`)?.Schema.properties;
    if (schema === undefined || !Object.hasOwn(schema, method)) return undefined;
    const props = schema[method]?.properties;
    const spec: MethodSpec = {};
    if (props?.Params?.$ref !== undefined) spec.params = refName(props.Params.$ref);
    if (props?.Result?.$ref !== undefined) spec.result = refName(props.Result.$ref);
    return spec;
  }

  private validate(
    direction: Direction,
    facade: string,
    version: number,
    definition: string,
    value: unknown,
    label: string,
  ): string[] {
    const validator = this.validator(direction, facade, version, definition);
    if (validator(value)) return [];
    return (validator.errors ?? [])
      .filter((e) => !isRedacted(value, e.instancePath))
      .map((e) => `${label} (${definition}) ${describeError(e)}`);
  }

  /** Compiles lazily, per (direction, facade, version, definition), and caches. */
  private validator(
    direction: Direction,
    facade: string,
    version: number,
    definition: string,
  ): ValidateFunction {
    const key = `${direction}/${facade}/${version}/${definition}`;
    const cached = this.validators.get(key);
    if (cached !== undefined) return cached;
    const id = `https://libjuju.invalid/${direction}/${facade}/${version}.json`;
    if (!this.added.has(id)) {
      const source = this.facades.get(`${facade}/${version}`);
      if (source === undefined) throw new Error(`no schema for ${facade} v${version}`);
      let definitions = allowNullCollections({
        definitions: applyOverrides(source).Schema.definitions ?? {},
      });
      if (direction === "request") definitions = stripRequired(definitions);
      this.ajv.addSchema({ $id: id, definitions: definitions.definitions }, id);
      this.added.add(id);
    }
    const validator = this.ajv.getSchema(`${id}#/definitions/${definition}`);
    if (validator === undefined)
      throw new Error(`no definition ${definition} in ${facade} v${version}`);
    this.validators.set(key, validator);
    return validator;
  }
}

/**
 * Whether the value at a JSON pointer is the frame tap's `"<redacted>"`
 * marker: a secret-bearing field (e.g. `credentials`, a list) replaced
 * whole has no shape left to check.
 */
function isRedacted(value: unknown, pointer: string): boolean {
  let v = value;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    if (v === null || typeof v !== "object") return false;
    v = (v as Record<string, unknown>)[key];
  }
  return v === "<redacted>";
}

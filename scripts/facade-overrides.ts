/**
 * THE table of places where Juju's generated schema disagrees with what goes
 * over the wire (see `shared/juju-schema/README.md`, "Where the schema
 * disagrees with the wire", items 1–9), plus Go type name clashes (10).
 *
 * It is applied in one place, `applyOverrides()` in `scripts/facade-schema.ts`,
 * whose output feeds both the TypeScript generator (`scripts/generate-facades.ts`)
 * and the test-suite's JSON-schema validator (`test/support/schema-conformance.ts`).
 * Each entry says why, briefly.
 */
import type { SchemaNode } from "./facade-schema.js";

/** A definition replaced wholesale: the JSON schema used for validation and the TS type emitted for it. */
export interface DefinitionOverride {
  readonly why: string;
  readonly schema: SchemaNode;
  readonly ts: string;
}

/** A property of a definition, addressed by its schema names. */
export interface PropertyRef {
  readonly definition: string;
  readonly property: string;
  readonly why: string;
}

/**
 * (1) Embedded Go structs listed as a ghost property. Rule, applied generically
 * to every definition of every facade version: drop a property whose name
 * starts upper-case when its `$ref` target has the same name and every field
 * of that target is also a property of the parent (the fields were already
 * flattened into the parent). It is also removed from `required`: Go never
 * sends it. Examples: `HostPort.Address`, `SubnetV2.Subnet`,
 * `Resource.CharmResource`, `CreateSecretArg.UpsertSecretArg`.
 */
export function isGhostProperty(
  propertyName: string,
  property: SchemaNode,
  parent: SchemaNode,
  definitions: Readonly<Record<string, SchemaNode>>,
): boolean {
  const first = propertyName.charAt(0);
  if (first === "" || first !== first.toUpperCase() || first === first.toLowerCase()) return false;
  const target = property.$ref?.replace("#/definitions/", "");
  if (target !== propertyName) return false;
  const targetDef = definitions[target];
  if (targetDef === undefined) return false;
  const parentProps = parent.properties ?? {};
  return Object.keys(targetDef.properties ?? {}).every((field) => field in parentProps);
}

/**
 * (1b) Embedded structs tagged `json:",inline"`. encoding/json has no "inline"
 * option: an empty tag name on an anonymous field means "embed", so the fields
 * ARE flattened on the wire, but the schema shows only the struct as one
 * property and lists none of its fields. Replace the property by its fields.
 */
export const INLINE_EMBEDDED: readonly PropertyRef[] = [
  {
    definition: "CloudInfo",
    property: "CloudDetails",
    why: '`CloudDetails `json:",inline"`` is flattened by Go',
  },
  { definition: "ListCloudInfo", property: "CloudDetails", why: "same embedding as CloudInfo" },
];

/**
 * (2) Upper-case property names can be real: Go fields without a json tag go
 * over the wire under their Go name (`ApplicationDeploy.Force`,
 * `ConfigSetArgs.Args`, `DeployFromRepositoryArg.*`, storage `Constraints.Pool`,
 * `CharmDevice.*`, several `Results`, `NotifyWatchResult.NotifyWatcherId`).
 * No action: they are kept as they are. Note: the README counts
 * `NotifyWatchResult.NotifyWatcherId` among the ghosts, but it is a plain
 * untagged `string` field (rpc/params), so it really is sent as "NotifyWatcherId";
 * the ghost rule above (which needs a `$ref`) rightly keeps it.
 */
export const REAL_UPPER_CASE_NAMES = "kept as-is" as const;

/** Definitions whose schema is wrong as a whole and are replaced. */
export const DEFINITION_OVERRIDES: Readonly<Record<string, DefinitionOverride>> = {
  // (3) version.Number has its own MarshalJSON: "3.6.28", "3.6-beta1".
  Number: {
    why: 'version.Number marshals as a string such as "3.6.28"',
    schema: { type: "string" },
    ts: "string",
  },
  // (3b) version.Binary (Tools.version) likewise marshals as "3.6.28-ubuntu-amd64".
  Binary: {
    why: 'version.Binary marshals as a string such as "3.6.28-ubuntu-amd64"',
    schema: { type: "string" },
    ts: "string",
  },
  // (5) AllWatcher deltas are 3-element arrays, not {entity, removed}.
  Delta: {
    why: 'a multiwatcher delta marshals as [kind, "change"|"remove", entity]',
    schema: {
      type: "array",
      items: [
        { type: "string" },
        { type: "string", enum: ["change", "remove"] },
        { type: "object", additionalProperties: true },
      ],
      minItems: 3,
      maxItems: 3,
      additionalItems: false,
    },
    ts: '[kind: string, op: "change" | "remove", entity: Record<string, unknown>]',
  },
  // (6) The schema shows macaroon.Macaroon as `{}`: it is macaroon v2 JSON ({c, l, i, s64, ...}).
  Macaroon: {
    why: "macaroon.Macaroon marshals in the macaroon v2 JSON format",
    schema: { type: "object", additionalProperties: true },
    ts: "Record<string, unknown>",
  },
};

/**
 * (4) `[]byte` fields are shown as `array of integer`; Go sends them as
 * base64 strings. Found by looking for every `array of integer` property
 * in the registered client facades and keeping the []byte ones
 * (`FacadeVersions.versions` and `DeleteSecretArg.revisions` are real []int).
 */
export const BYTE_FIELDS: readonly PropertyRef[] = [
  {
    definition: "CharmResource",
    property: "fingerprint",
    why: "resource SHA-384 fingerprint, []byte",
  },
  {
    definition: "CharmResourceResult",
    property: "fingerprint",
    why: "flattened CharmResource.fingerprint",
  },
  { definition: "Resource", property: "fingerprint", why: "flattened CharmResource.fingerprint" },
  { definition: "AddUserResult", property: "secret-key", why: "registration secret key, []byte" },
  { definition: "ApplicationMetricCredential", property: "metrics-credentials", why: "[]byte" },
  { definition: "ModelSLA", property: "creds", why: "SLA credentials, []byte" },
];

/**
 * (7) Free-form properties the schema pins to an object: `ExpressionTree.Expression`
 * (charm `assumes`) is an `interface{}` holding strings, arrays or objects.
 */
export const FREE_FORM_FIELDS: readonly PropertyRef[] = [
  {
    definition: "ExpressionTree",
    property: "Expression",
    why: "interface{} tree of charm assumes",
  },
];

/**
 * (7b) Go's `interface{}` is generated as `{"type":"object","additionalProperties":true}`
 * with no properties, yet it may hold any JSON value: `ConfigValue.value` is a
 * string, number or boolean as often as an object. Every such node means "any
 * value" (`unknown` in TypeScript). Maps of them (`map[string]interface{}`) keep
 * their object shape; only the values become free.
 */
export function isGoInterface(node: {
  type?: unknown;
  additionalProperties?: unknown;
  properties?: unknown;
  patternProperties?: unknown;
}): boolean {
  return (
    node.type === "object" &&
    node.additionalProperties === true &&
    node.properties === undefined &&
    node.patternProperties === undefined
  );
}

/**
 * (8b) Pointer fields without `omitempty` marshal as `null` when unset, even
 * where the schema says string: times a user never set, and the `since` of a
 * status that has none.
 */
export const NULLABLE_FIELDS: readonly PropertyRef[] = [
  {
    definition: "UserModel",
    property: "last-connection",
    why: "*time.Time, nil until the user connects",
  },
  {
    definition: "ModelUserInfo",
    property: "last-connection",
    why: "*time.Time, nil until the user connects",
  },
  {
    definition: "DetailedStatus",
    property: "since",
    why: "*time.Time, nil when the status has no time",
  },
  {
    definition: "EntityStatus",
    property: "since",
    why: "*time.Time, nil when the status has no time",
  },
  {
    definition: "ModelSummary",
    property: "last-connection",
    why: "*time.Time, nil until the user connects",
  },
  { definition: "FullStatus", property: "controller-timestamp", why: "*time.Time" },
];

/**
 * (10) Name clashes. Juju's schema generator names a definition after its Go
 * type name only, so two Go types of one name from different packages share
 * one definition: whichever is reflected first wins, and every property of
 * the other type is described with the winner's shape. Each entry gives the
 * loser's properties a definition of their own (`rename`), with the shape of
 * the Go type they really hold. It applies to a facade version only where the
 * clashed definition has the winner's fields (`winnerFields`), so a schema in
 * which the clash does not occur (Juju 4.x, where storage moved to
 * `storage.Directive`) is left alone. `findNameClashes()` in
 * `scripts/generate-facades.ts` finds clashes this table does not resolve.
 */
export interface NameClash {
  /** The definition name two Go types share in Juju's schema. */
  readonly definition: string;
  /** The Go types (winner first) and where the truth was read. */
  readonly why: string;
  /** The fields of the winning type: the clash is there when the definition has exactly these. */
  readonly winnerFields: readonly string[];
  /** The name given to the losing type's definition. */
  readonly rename: string;
  /** The losing type's shape on the wire. */
  readonly schema: SchemaNode;
  /** The properties that hold the losing type (each refers to `definition`, directly or as map/array items). */
  readonly properties: readonly Omit<PropertyRef, "why">[];
}

export const NAME_CLASHES: readonly NameClash[] = [
  {
    definition: "Constraints",
    why:
      "storage.Constraints {Pool, Size, Count} and devices.Constraints {Type, Count, Attributes} " +
      "(core/devices/constraints.go, no json tags) are both `Constraints`: the 3.x schema shows " +
      "device constraints with the storage shape",
    winnerFields: ["Count", "Pool", "Size"],
    rename: "DeviceConstraints",
    schema: {
      type: "object",
      properties: {
        Attributes: { type: "object", patternProperties: { ".*": { type: "string" } } },
        Count: { type: "integer" },
        Type: { type: "string" },
      },
      additionalProperties: false,
      required: ["Type", "Count", "Attributes"],
    },
    properties: [
      { definition: "ApplicationDeploy", property: "devices" },
      { definition: "DeployFromRepositoryArg", property: "Devices" },
    ],
  },
];

/**
 * (10) Applies {@link NAME_CLASHES} to the definitions of one facade version,
 * in place: adds the renamed definition and points the losing properties at it.
 */
export function resolveNameClashes(definitions: Record<string, SchemaNode>): void {
  for (const clash of NAME_CLASHES) {
    const clashed = definitions[clash.definition];
    const fields = Object.keys(clashed?.properties ?? {}).sort();
    if (clashed === undefined || fields.join(",") !== [...clash.winnerFields].sort().join(",")) {
      continue;
    }
    const target = `#/definitions/${clash.definition}`;
    let used = false;
    for (const { definition, property } of clash.properties) {
      const prop = definitions[definition]?.properties?.[property];
      if (prop === undefined) continue;
      const redirect = (node: SchemaNode): SchemaNode => {
        if (node.$ref === target) {
          used = true;
          return { ...node, $ref: `#/definitions/${clash.rename}` };
        }
        const copy: SchemaNode = { ...node };
        if (node.patternProperties !== undefined) {
          copy.patternProperties = Object.fromEntries(
            Object.entries(node.patternProperties).map(([k, v]) => [k, redirect(v)]),
          );
        }
        if (node.items !== undefined && !Array.isArray(node.items)) {
          copy.items = redirect(node.items);
        }
        return copy;
      };
      definitions[definition]!.properties![property] = redirect(prop);
    }
    if (used) {
      if (definitions[clash.rename] !== undefined) {
        throw new Error(`name clash ${clash.definition}: ${clash.rename} is already defined`);
      }
      definitions[clash.rename] = structuredClone(clash.schema);
    }
  }
}

/**
 * (8) Go marshals nil slices and maps without `omitempty` as `null`
 * (`"endpoints": null`, `"annotations": null`). The validator therefore
 * accepts `null` wherever the schema says array or object. The generated TS
 * types stay `T[]` / `Record<string, T>` for readability: DECODERS MUST
 * ACCEPT NULL for any array or object field, even a required one.
 */
export const NULLABLE_COLLECTIONS = true;

/**
 * (9) Envelope notes, nothing to rewrite in the schemas:
 * - the watcher id (AllWatcher, AllModelWatcher) travels in the request
 *   envelope's `id`, not in params: `AllWatcher.Next`/`Stop` take no params;
 * - the Go server matches JSON keys case-insensitively (python-libjuju sends
 *   the envelope id as `"Id"`); the validator nevertheless checks params with
 *   exact wire names, so that this client always sends the canonical ones;
 * - `required` only means "not omitempty": the Go server accepts requests
 *   with missing fields (zero values), so the validator enforces `required`
 *   on responses only.
 */
export const ENVELOPE_NOTES = "documentation only" as const;

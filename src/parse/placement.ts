/**
 * Placement directives (`instance.ParsePlacement`): `"3"`, `"lxd"`,
 * `"lxd:3"`, `"zone=az1"`, `"maas-node.name"`, `"ssh:user@host"`.
 * @module
 */
import { describe } from "./describe-value.js";
import { ParseError } from "./errors.js";

/** A placement as sent on the wire (`params.Placement`). */
export interface Placement {
  /** `#` (Juju's machine scope: directive names a machine), `lxd`/`kvm` (a container on `directive`), or a provider scope such as `zone`. */
  scope: string;
  /** The target: a machine id, or the provider directive's value. */
  directive: string;
}

/** The scope of a placement on an existing machine. */
export const MACHINE_SCOPE = "#";
const CONTAINER_TYPES = ["lxd", "kvm"];
// names.IsValidMachine: a machine id, optionally with nested containers.
const MACHINE_ID = /^(?:0|[1-9]\d*)(?:\/[a-z]+\/(?:0|[1-9]\d*))*$/;

/** True when `id` is a machine id such as `0`, `12` or `0/lxd/1`. */
export function isMachineId(id: string): boolean {
  return MACHINE_ID.test(id);
}

/** True for the container types Juju can place units in. */
export function isContainerType(s: string): boolean {
  return CONTAINER_TYPES.includes(s);
}

/**
 * Parses one placement directive. A directive without a scope (`zone=az1`, a
 * MAAS host name) belongs to the provider, so it gets `modelUuid` as scope,
 * as the Juju CLI does; without `modelUuid` it is an error. Throws a
 * {@link ParseError} naming what was wrong.
 */
export function parsePlacement(directive: string, modelUuid?: string): Placement {
  if (typeof directive !== "string") {
    const got = describe(directive);
    throw new ParseError("placement", got, got, `expected a string, got ${got}`);
  }
  const fail = (reason: string): never => {
    throw new ParseError("placement", directive, directive, reason);
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
  if (/[\u0000-\u001f\u007f-\u009f]/.test(directive)) fail("control characters are not allowed");
  if (directive.trim() === "") fail("empty placement directive");
  if (/\s/.test(directive)) fail("placement directives cannot contain spaces");
  const colon = directive.indexOf(":");
  if (colon !== -1) {
    const scope = directive.slice(0, colon);
    const value = directive.slice(colon + 1);
    if (scope === "") fail("placement scope missing");
    if ((scope === MACHINE_SCOPE || isContainerType(scope)) && !isMachineId(value)) {
      fail(
        `invalid value ${JSON.stringify(value)} for ${JSON.stringify(scope)} scope: expected machine-id`,
      );
    }
    if (value === "") fail(`missing value for ${JSON.stringify(scope)} scope`);
    return { scope, directive: value };
  }
  if (isMachineId(directive)) return { scope: MACHINE_SCOPE, directive };
  if (isContainerType(directive)) return { scope: directive, directive: "" };
  if (modelUuid === undefined) return fail("placement scope missing");
  return { scope: modelUuid, directive };
}

/** Formats a placement back into its directive string. */
export function formatPlacement(p: Placement): string {
  if (p.scope === MACHINE_SCOPE) return p.directive;
  if (p.directive === "") return p.scope;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(p.scope))
    return p.directive;
  return `${p.scope}:${p.directive}`;
}

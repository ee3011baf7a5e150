/**
 * Device constraints as Juju 3.6 and 4.x's `devices.ParseConstraints` read
 * them: `<type>`, or `<count>,<type>[,<key>=<value>;…]`. One parser for the
 * bundle validator and the deploy path, so a bundle is never refused by one
 * and accepted by the other.
 * @module
 */

/** One parsed device constraint (`devices.Constraints`). */
export interface DeviceConstraint {
  /** The device class or `vendor/type`, e.g. `nvidia.com/gpu`. */
  type: string;
  /** How many devices (1 when not given). */
  count: number;
  /** Attributes such as node-affinity labels (`gpu=nvidia-tesla-p100`). */
  attributes: Record<string, string>;
}

/** The parsed constraint, or Juju's message for a malformed one. */
export type DeviceConstraintResult = { constraint: DeviceConstraint } | { error: string };

const FORMAT_ERROR =
  "cannot parse device constraints string, supported format is [<count>,]<device-class>|<vendor/type>[,<key>=<value>;...]";

/** Parses one device constraint string with Juju's rules and messages. */
export function parseDeviceConstraint(spec: string): DeviceConstraintResult {
  const fields = spec.split(",");
  if (fields.length > 3) return { error: FORMAT_ERROR };
  const [first = "", type = "", attrs] = fields;
  if (fields.length === 1) return { constraint: { type: first, count: 1, attributes: {} } };
  // Go's strconv.ParseInt: an optional sign and decimal digits only.
  const count = /^[+-]?\d+$/.test(first) ? Number(first) : Number.NaN;
  if (!(count > 0))
    return { error: `count must be greater than zero, got ${JSON.stringify(first)}` };
  const attributes: Record<string, string> = {};
  if (attrs !== undefined) {
    for (const pair of attrs.split(";")) {
      const kv = pair.split("=");
      if (kv.length !== 2) {
        return { error: `device attribute key/value pair has bad format: ${JSON.stringify(pair)}` };
      }
      attributes[kv[0] as string] = kv[1] as string;
    }
  }
  return { constraint: { type, count, attributes } };
}

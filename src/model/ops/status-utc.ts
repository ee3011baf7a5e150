/**
 * `getStatus({utc: true})`: timestamps in UTC, as `juju status --utc` shows
 * them. Juju marshals times with the controller's zone offset
 * (`2024-05-01T12:00:00.123456789+02:00`); these are rewritten to the same
 * instant in UTC (`…T10:00:00.123456789Z`), keeping the sub-second digits.
 * @module
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}:\d{2})$/;

/** The timestamp in UTC, or the string unchanged when it is not an offset RFC 3339 time. */
export function toUtcTimestamp(s: string): string {
  const m = RFC3339.exec(s);
  if (m === null) return s;
  const t = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(t)) return s;
  return `${new Date(t).toISOString().slice(0, 19)}${m[2] ?? ""}Z`;
}

/** A deep copy of `value` with every offset timestamp string rewritten to UTC. */
export function withUtcTimestamps<T>(value: T): T {
  if (typeof value === "string") return toUtcTimestamp(value) as T;
  if (Array.isArray(value)) return value.map((v) => withUtcTimestamps(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withUtcTimestamps(v);
    return out as T;
  }
  return value;
}

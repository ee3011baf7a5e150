/**
 * Safe descriptions of arbitrary values for error messages: a wrong JS type
 * given to a parser must end in a typed error, never in a second TypeError
 * from stringifying it (an array of objects whose `toString` is not a function).
 *
 * @module
 */

/** A short, safe description of a value for messages (never a whole object). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${value}n (a bigint)`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  }
}

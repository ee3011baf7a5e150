/**
 * Errors of the string parsers (constraints, placement, …).
 * @module
 */
import { LibjujuError } from "../protocol/libjuju-error.js";

/**
 * A string given to a parser was not valid. `code` is Juju's `not valid`;
 * `input` is the whole string and `part` the piece that was wrong.
 */
export class ParseError extends LibjujuError {
  /** What was being parsed, e.g. `constraints`. */
  readonly what: string;
  /** The whole input. */
  readonly input: string;
  /** The offending part of the input. */
  readonly part: string;
  constructor(what: string, input: string, part: string, reason: string) {
    super(`invalid ${what} ${JSON.stringify(input)}: ${reason}`, "ERR_PARSE");
    this.what = what;
    this.input = input;
    this.part = part;
  }
}

/**
 * The arguments of `Model`'s overloaded methods, sorted out: `events(signal
 * | options)`, `blockUntil(...conditions, options)`, `block(command |
 * commands)`.
 * @module
 */

import type { EventsOptions } from "./session.js";
import type { BlockUntilOptions } from "./waits.js";

const isAbortSignal = (v: unknown): v is AbortSignal =>
  typeof v === "object" && v !== null && "aborted" in v && "addEventListener" in v;

/** `events()`'s argument: nothing, an `AbortSignal`, or the options. */
export function eventsOptionsOf(arg: AbortSignal | EventsOptions | undefined): EventsOptions {
  return arg === undefined ? {} : isAbortSignal(arg) ? { signal: arg } : arg;
}

/** `blockUntil()`'s arguments: the condition functions, and the options object among them. */
export function blockUntilArgs(args: ReadonlyArray<(() => boolean) | BlockUntilOptions>): {
  conditions: Array<() => boolean>;
  options: BlockUntilOptions;
} {
  return {
    conditions: args.filter((a): a is () => boolean => typeof a === "function"),
    options: (args.find((a) => typeof a !== "function") ?? {}) as BlockUntilOptions,
  };
}

/** `block()`'s command sets: one, or a list. */
export function commandList(commands: string | readonly string[]): readonly string[] {
  return typeof commands === "string" ? [commands] : commands;
}

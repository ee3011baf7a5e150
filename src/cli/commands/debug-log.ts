/**
 * `libjuju debug-log`: streams the model's log, as `juju debug-log` does:
 * `<entity>: <time> <LEVEL> <module> <message>`, filtered on the
 * controller, following new records until interrupted (or `--no-tail`).
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import type { LogRecord } from "../../index.js";
import { collect, parseCount } from "../args.js";
import { useColour } from "../colour.js";
import { abortOnSignals } from "../signals.js";

/** Options of `libjuju debug-log`. */
export interface DebugLogCommandOptions {
  model?: string;
  include: string[];
  exclude: string[];
  includeModule: string[];
  excludeModule: string[];
  level?: string;
  lines: number;
  replay?: boolean;
  tail: boolean;
  limit?: number;
  date?: boolean;
  ms?: boolean;
  utc?: boolean;
  location?: boolean;
  color?: boolean;
}

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const LEVEL_COLOURS: Readonly<Record<string, string>> = {
  TRACE: "36",
  DEBUG: "32",
  INFO: "34",
  WARNING: "33",
  ERROR: "31",
  CRITICAL: "41",
};

/** Registers the `debug-log` command. */
export function registerDebugLog(program: Command): void {
  program
    .command("debug-log")
    .description("show the model's log, and follow it")
    .option("-m, --model <model>", "model whose log to show, as [controller:][user/]model")
    .option(
      "-i, --include <entity>",
      "only this unit, application or machine (repeatable)",
      collect,
      [],
    )
    .option(
      "-x, --exclude <entity>",
      "not this unit, application or machine (repeatable)",
      collect,
      [],
    )
    .option("--include-module <module>", "only this logging module (repeatable)", collect, [])
    .option("--exclude-module <module>", "not this logging module (repeatable)", collect, [])
    .option("-l, --level <level>", "the lowest level to show: TRACE, DEBUG, INFO, WARNING, ERROR")
    .option("-n, --lines <n>", "how many of the last records to show first", parseCount, 10)
    .option("--replay", "show the whole log, then follow it")
    .option("--no-tail", "stop after the existing records")
    .option("--limit <n>", "stop after this many records", parseCount)
    .option("--date", "show the date too")
    .option("--ms", "show milliseconds")
    .option("--utc", "show times in UTC")
    .option("--location", "show the source location of each record")
    .option("--color", "colour the levels even when not on a terminal")
    .option("--no-color", "never colour (also: the NO_COLOR environment variable)")
    .addHelpText(
      "after",
      "\nExamples:\n  libjuju debug-log\n  libjuju debug-log -i mysql/0 --level WARNING\n  libjuju debug-log --replay --no-tail",
    )
    .action(async (opts: DebugLogCommandOptions) => {
      const level = opts.level?.toUpperCase();
      if (level !== undefined && !LEVELS.includes(level)) {
        throw new InvalidArgumentError(
          `invalid value ${JSON.stringify(opts.level)} for option --level: expected one of ${LEVELS.join(", ")}`,
        );
      }
      const { connect } = await import("../connect.js");
      const signals = abortOnSignals();
      const colour = useColour(opts.color, process.stdout);
      try {
        const model = await connect(opts.model);
        try {
          const records = model.debugLog({
            ...(level ? { level: level as never } : {}),
            lines: opts.lines,
            ...(opts.replay ? { replay: true } : {}),
            ...(opts.tail === false ? { noTail: true } : {}),
            ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
            ...(opts.include.length ? { include: opts.include } : {}),
            ...(opts.exclude.length ? { exclude: opts.exclude } : {}),
            ...(opts.includeModule.length ? { includeModule: opts.includeModule } : {}),
            ...(opts.excludeModule.length ? { excludeModule: opts.excludeModule } : {}),
            signal: signals.signal,
          });
          try {
            for await (const record of records) {
              process.stdout.write(`${formatLogRecord(record, { ...opts, color: colour })}\n`);
            }
          } catch (err) {
            // Ctrl-C ends the stream: not a failure.
            if (!signals.signal.aborted) throw err;
          }
        } finally {
          await model.disconnect();
        }
      } finally {
        signals.release();
      }
    });
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** One record as `juju debug-log` prints it. */
export function formatLogRecord(
  r: LogRecord,
  opts: Pick<DebugLogCommandOptions, "date" | "ms" | "utc" | "location" | "color">,
): string {
  const t = r.timestamp;
  const [y, mo, d, h, mi, s, ms] = opts.utc
    ? [
        t.getUTCFullYear(),
        t.getUTCMonth() + 1,
        t.getUTCDate(),
        t.getUTCHours(),
        t.getUTCMinutes(),
        t.getUTCSeconds(),
        t.getUTCMilliseconds(),
      ]
    : [
        t.getFullYear(),
        t.getMonth() + 1,
        t.getDate(),
        t.getHours(),
        t.getMinutes(),
        t.getSeconds(),
        t.getMilliseconds(),
      ];
  let time = `${pad(h)}:${pad(mi)}:${pad(s)}${opts.ms ? `.${pad(ms, 3)}` : ""}`;
  if (opts.date) time = `${y}-${pad(mo)}-${pad(d)} ${time}`;
  const code = opts.color ? LEVEL_COLOURS[r.severity] : undefined;
  const severity = code ? `\u001b[${code}m${r.severity}\u001b[0m` : r.severity;
  const location = opts.location && r.location ? ` ${r.location}` : "";
  return `${r.entity}: ${time} ${severity} ${r.module}${location} ${r.message}`;
}

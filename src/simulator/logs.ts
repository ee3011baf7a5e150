/**
 * The simulated model logs behind `juju debug-log`: a bounded per-model
 * store of agent log records (Juju keeps one log file per model and the
 * log tailer reads it, `internal/logtailer`), the request parameters of the
 * `/log` endpoint (`apiserver/debuglog.go` `readDebugLogParams`), and the
 * tailer's record filter and backlog selection.
 * @module
 */
import type { ModelEntities } from "./entities.js";
import { ServerError } from "./errors.js";

/** loggo levels, as numbers (`loggo.Level`). */
export const LogLevels = {
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARNING: 4,
  ERROR: 5,
  CRITICAL: 6,
} as const;

/** A loggo level name. */
export type LogLevelName = keyof typeof LogLevels;

/** One stored log record (`corelogger.LogRecord`). */
export interface LogEntry {
  /** Sequence number in its model's log, from 1. */
  seq: number;
  time: Date;
  /** Entity tag: `unit-mysql-0`, `machine-0`. */
  entity: string;
  level: LogLevelName;
  module: string;
  /** `file.go:line`. */
  location: string;
  message: string;
  /** Labels; the logger tags, when any, are under `logger-tags`, comma separated. */
  labels?: Record<string, string>;
}

/** Records a model keeps, as Juju's tailer reads at most this many backlog lines. */
export const MAX_LOG_RECORDS = 10_000;

/** The label key holding loggo's logger tags (`loggo.LoggerTags`). */
export const LOGGER_TAGS = "logger-tags";

/** A model's log: the last {@link MAX_LOG_RECORDS} records and live subscribers. */
export class ModelLogStore {
  readonly #records: LogEntry[] = [];
  readonly #listeners = new Set<(e: LogEntry) => void>();
  #seq = 0;

  constructor(readonly capacity = MAX_LOG_RECORDS) {}

  /** Appends a record and hands it to the subscribers. */
  append(entry: Omit<LogEntry, "seq">): LogEntry {
    const e: LogEntry = { ...entry, seq: ++this.#seq };
    this.#records.push(e);
    if (this.#records.length > this.capacity) {
      this.#records.splice(0, this.#records.length - this.capacity);
    }
    for (const l of this.#listeners) l(e);
    return e;
  }

  /** The stored records, oldest first. */
  records(): readonly LogEntry[] {
    return this.#records;
  }

  /** Subscribes to new records; returns the unsubscribe function. */
  subscribe(listener: (e: LogEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const stores = new WeakMap<ModelEntities, ModelLogStore>();

/** The log store of a model, created on first use. */
export function logStoreOf(ents: ModelEntities): ModelLogStore {
  let s = stores.get(ents);
  if (s === undefined) {
    s = new ModelLogStore();
    stores.set(ents, s);
  }
  return s;
}

/** The parsed `/log` query (`debugLogParams`). */
export interface DebugLogParams {
  /** Record format: 1 (labels as the logger tags array) unless `version` says otherwise. */
  version: number;
  startTime: Date | undefined;
  maxLines: number;
  replay: boolean;
  noTail: boolean;
  backlog: number;
  /** Minimum level; 0 for all. */
  level: number;
  includeEntity: string[];
  excludeEntity: string[];
  includeModule: string[];
  excludeModule: string[];
  includeLabels: Map<string, string>;
  excludeLabels: Map<string, string>;
}

/** Go's `strconv.ParseBool`. */
function parseBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** Go's `strconv.ParseUint(v, 10, 64)`, within JS's safe integers. */
function parseUint(v: string): number | undefined {
  if (!/^[0-9]+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `loggo.ParseLevel`: case-insensitive names, `WARN` for WARNING. */
function parseLevel(v: string): number | undefined {
  const u = v.trim().toUpperCase();
  if (u === "WARN") return LogLevels.WARNING;
  if (u === "UNSPECIFIED") return 0;
  return (LogLevels as Record<string, number>)[u];
}

/** Go's `time.Parse(time.RFC3339Nano, …)`, near enough. */
function parseRfc3339(v: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(v);
  if (m === null) return undefined;
  const frac = m[2] === undefined ? "" : m[2].slice(0, 4);
  const d = new Date(`${m[1]}${frac}${m[3]}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function labelPairs(values: string[], what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const label of values) {
    const parts = label.split("=");
    if (parts.length < 2)
      throw new ServerError(`${what} label key value ${JSON.stringify(label)} not valid`);
    out.set(parts[0] ?? "", parts[1] ?? "");
  }
  return out;
}

/** Parses the `/log` query as `readDebugLogParams` does; bad values throw its errors. */
export function readDebugLogParams(q: URLSearchParams): DebugLogParams {
  const p: DebugLogParams = {
    version: 1,
    startTime: undefined,
    maxLines: 0,
    replay: false,
    noTail: false,
    backlog: 0,
    level: 0,
    includeEntity: q.getAll("includeEntity"),
    excludeEntity: q.getAll("excludeEntity"),
    includeModule: q.getAll("includeModule"),
    excludeModule: q.getAll("excludeModule"),
    includeLabels: new Map(),
    excludeLabels: new Map(),
  };
  const get = (k: string) => q.get(k) ?? "";
  if (get("version") !== "") {
    const n = Number.parseInt(get("version"), 10);
    if (!/^[+-]?[0-9]+$/.test(get("version")) || Number.isNaN(n)) {
      throw new ServerError(
        `version value ${JSON.stringify(get("version"))} is not a valid number`,
      );
    }
    p.version = n;
  }
  const uint = (k: string): number | undefined => {
    const v = get(k);
    if (v === "") return undefined;
    const n = parseUint(v);
    if (n === undefined) {
      throw new ServerError(`${k} value ${JSON.stringify(v)} is not a valid unsigned number`);
    }
    return n;
  };
  const bool = (k: string, name: string): boolean | undefined => {
    const v = get(k);
    if (v === "") return undefined;
    const b = parseBool(v);
    if (b === undefined) {
      throw new ServerError(`${name} value ${JSON.stringify(v)} is not a valid boolean`);
    }
    return b;
  };
  p.maxLines = uint("maxLines") ?? 0;
  p.replay = bool("replay", "replay") ?? false;
  p.noTail = bool("noTail", "noTail") ?? false;
  bool("firehose", "firehose");
  p.backlog = uint("backlog") ?? 0;
  const level = get("level");
  if (level !== "") {
    const n = parseLevel(level);
    if (n === undefined || n < LogLevels.TRACE || n > LogLevels.ERROR) {
      throw new ServerError(
        `level value ${JSON.stringify(level)} is not one of "TRACE", "DEBUG", "INFO", "WARNING", "ERROR"`,
      );
    }
    p.level = n;
  }
  const start = get("startTime");
  if (start !== "") {
    const d = parseRfc3339(start);
    if (d === undefined) {
      throw new ServerError(
        `start time ${JSON.stringify(start)} is not a valid time in RFC3339 format`,
      );
    }
    p.startTime = d;
  }
  if (q.has("includeLabels")) p.includeLabels = labelPairs(q.getAll("includeLabels"), "include");
  else if (q.has("includeLabel")) {
    p.includeLabels.set(LOGGER_TAGS, q.getAll("includeLabel").join(","));
  }
  if (q.has("excludeLabels")) p.excludeLabels = labelPairs(q.getAll("excludeLabels"), "exclude");
  else if (q.has("excludeLabel")) {
    p.excludeLabels.set(LOGGER_TAGS, q.getAll("excludeLabel").join(","));
  }
  // Juju 3.6 hands maxLines to the tailer as its initial lines, not as a cap.
  if (p.maxLines > 0) p.backlog = p.maxLines;
  return p;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `makeEntityPattern`: tags with `*` wildcards, anchored. */
function entityPattern(entities: string[]): RegExp {
  const parts = entities.map((e) => escapeRe(e).replaceAll("\\*", ".*"));
  return new RegExp(`^(${parts.join("|")})$`);
}

/** `makeModulePattern`: a module or any of its sub-modules. */
function modulePattern(modules: string[]): RegExp {
  return new RegExp(`^(${modules.map(escapeRe).join("|")})(\\..+)?$`);
}

/** The log tailer's `includeRecord` for a parsed query. */
export function recordFilter(p: DebugLogParams): (e: LogEntry) => boolean {
  const inc = p.includeEntity.length > 0 ? entityPattern(p.includeEntity) : undefined;
  const exc = p.excludeEntity.length > 0 ? entityPattern(p.excludeEntity) : undefined;
  const incMod = p.includeModule.length > 0 ? modulePattern(p.includeModule) : undefined;
  const excMod = p.excludeModule.length > 0 ? modulePattern(p.excludeModule) : undefined;
  const anyLabel = (labels: Map<string, string>, e: LogEntry) =>
    [...labels].some(([k, v]) => e.labels?.[k] === v);
  return (e) => {
    if (p.startTime !== undefined && e.time.getTime() < p.startTime.getTime()) return false;
    if (LogLevels[e.level] < p.level) return false;
    if (inc !== undefined && !inc.test(e.entity)) return false;
    if (exc?.test(e.entity)) return false;
    if (incMod !== undefined && !incMod.test(e.module)) return false;
    if (excMod?.test(e.module)) return false;
    if (p.includeLabels.size > 0 && !anyLabel(p.includeLabels, e)) return false;
    // Juju 3.6's tailer matches the exclusion against the *include* labels.
    if (p.excludeLabels.size > 0 && anyLabel(p.includeLabels, e)) return false;
    return true;
  };
}

/**
 * The records a new stream starts with: the last `backlog` matching ones, or
 * every matching one on replay or without a backlog (the tailer then reads
 * the log file from its start).
 */
export function initialRecords(
  records: readonly LogEntry[],
  p: DebugLogParams,
  match: (e: LogEntry) => boolean,
): LogEntry[] {
  const all = records.filter(match);
  if (p.backlog > 0 && !p.replay) return all.slice(-p.backlog);
  return all;
}

/** Go's RFC3339Nano for a JS date (trailing zeros of the fraction dropped). */
function goTimeNano(d: Date): string {
  const iso = d.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, f: string) => {
    const t = f.replace(/0+$/, "");
    return t === "" ? "Z" : `.${t}Z`;
  });
}

/** A record as sent on the socket: `params.LogMessageV1` (version 1) or `params.LogMessage`. */
export function logRecordWire(e: LogEntry, version: number): Record<string, unknown> {
  const base = {
    tag: e.entity,
    ts: goTimeNano(e.time),
    sev: e.level,
    mod: e.module,
    loc: e.location,
    msg: e.message,
  };
  if (version === 1) {
    const tags = e.labels?.[LOGGER_TAGS];
    return { ...base, lab: tags === undefined ? null : tags.split(",") };
  }
  return e.labels === undefined ? base : { ...base, lab: e.labels };
}

/** Too many backlog lines for the tailer (`processInitialLines`). */
export function checkBacklog(p: DebugLogParams): void {
  if (p.backlog > MAX_LOG_RECORDS && !p.replay) {
    throw new ServerError(`too many lines requested (${p.backlog}) maximum is ${MAX_LOG_RECORDS}`);
  }
}

/** Appends an agent's log line to its model's log, at the model clock's time. */
export function agentLog(
  ents: ModelEntities,
  entity: string,
  level: LogLevelName,
  module: string,
  location: string,
  message: string,
): void {
  logStoreOf(ents).append({ time: ents.now(), entity, level, module, location, message });
}

/** The uniter's line for a hook it ran (`worker/uniter/operation/runhook.go`). */
export function hookRanLog(ents: ModelEntities, unit: string, hook: string): void {
  const tag = `unit-${unit.replace("/", "-")}`;
  agentLog(
    ents,
    tag,
    "DEBUG",
    "juju.worker.uniter.operation",
    "executor.go:135",
    `preparing operation "run ${hook} hook" for ${unit}`,
  );
  agentLog(
    ents,
    tag,
    "INFO",
    "juju.worker.uniter.operation",
    "runhook.go:186",
    `ran "${hook}" hook (via hook dispatching script: dispatch)`,
  );
}

/**
 * Status history, as Juju keeps it (`state/status.go`, `core/status`): every
 * status an entity goes through, with the time it was set, per history kind:
 * `juju-unit` (unit agent), `workload`, `unit` (both), `juju-machine`
 * (machine agent), `machine` (instance), `application`, `model`. Recorded
 * from the states the model publishes, so it follows the simulator's clock.
 * Served by `Client.StatusHistory` (newest first, filtered by size, date or
 * delta, as `juju show-status-log`).
 * @module
 */
import type { Client } from "../facades/generated/index.js";
import { ServerError } from "./errors.js";

/** One recorded status (`status.StatusInfo`). */
interface HistoryEntry {
  status: string;
  info: string;
  since: string;
  version: string;
  /** For sorting: the `since` time in ms. */
  at: number;
  /** Insertion order, for equal times. */
  seq: number;
}

type Fields = Record<string, unknown>;

/** Which status fields of which delta kind feed which history kind, and the tag it is kept under. */
const SOURCES: Record<
  string,
  Array<{ field: string; kind: string; tag: (id: string) => string }>
> = {
  unit: [
    { field: "agent-status", kind: "juju-unit", tag: (id) => `unit-${id.replace("/", "-")}` },
    { field: "workload-status", kind: "workload", tag: (id) => `unit-${id.replace("/", "-")}` },
  ],
  machine: [
    {
      field: "agent-status",
      kind: "juju-machine",
      tag: (id) => `machine-${id.replaceAll("/", "-")}`,
    },
    {
      field: "instance-status",
      kind: "machine",
      tag: (id) => `machine-${id.replaceAll("/", "-")}`,
    },
  ],
  application: [{ field: "status", kind: "application", tag: (id) => `application-${id}` }],
  model: [{ field: "status", kind: "model", tag: (id) => `model-${id}` }],
};

/** The history kinds `juju show-status-log --type` accepts (`status.HistoryKind`). */
const KINDS = new Set([
  "unit",
  "juju-unit",
  "workload",
  "machine",
  "juju-machine",
  "container",
  "juju-container",
  "application",
  "saas",
  "model",
]);

/** The status history of one model's entities. */
export class StatusHistory {
  private readonly entries = new Map<string, HistoryEntry[]>();
  private seq = 0;

  /** Records the statuses of a published entity that differ from the last recorded ones. */
  observe(kind: string, id: string, entity: Fields): void {
    for (const src of SOURCES[kind] ?? []) {
      const s = entity[src.field] as Fields | undefined;
      if (s === undefined || s === null || typeof s.current !== "string" || s.current === "") {
        continue;
      }
      const key = `${src.kind}\u0000${src.tag(id)}`;
      const list = this.entries.get(key) ?? [];
      const last = list[list.length - 1];
      const since = typeof s.since === "string" ? s.since : "";
      const info = typeof s.message === "string" ? s.message : "";
      if (last !== undefined && last.status === s.current && last.info === info) continue;
      const at = Date.parse(since);
      list.push({
        status: s.current,
        info,
        since,
        version: typeof s.version === "string" ? s.version : "",
        at: Number.isNaN(at) ? 0 : at,
        seq: this.seq++,
      });
      this.entries.set(key, list);
    }
  }

  /**
   * The history of `tag` for `kind`, newest first, as `params.History`
   * statuses; `now` is the simulator's clock (for `delta`).
   */
  query(
    kind: string,
    tag: string,
    filter: {
      size: number;
      date: string | undefined;
      delta: number | undefined;
      exclude: string[];
    },
    now: Date,
  ): Client.DetailedStatus[] {
    const s = filter.size > 0;
    const t = filter.date !== undefined;
    const d = filter.delta !== undefined;
    const invalid = !(s || t || d)
      ? "empty struct"
      : s && t
        ? "Size and Date together"
        : s && d
          ? "Size and Delta together"
          : t && d
            ? "Date and Delta together"
            : undefined;
    if (invalid !== undefined) {
      throw new ServerError(
        `cannot validate status history filter: ${invalid} not valid`,
        "not valid",
      );
    }
    if (!KINDS.has(kind))
      throw new ServerError(`unknown status type ${JSON.stringify(kind)}`, "not valid");
    // A unit's `unit` history is its agent's and its workload's together.
    const kinds = kind === "unit" ? ["juju-unit", "workload"] : [kind];
    let list = kinds
      .flatMap((k) => (this.entries.get(`${k}\u0000${tag}`) ?? []).map((e) => ({ ...e, kind: k })))
      .sort((a, b) => b.at - a.at || b.seq - a.seq);
    if (filter.exclude.length > 0) list = list.filter((e) => !filter.exclude.includes(e.info));
    if (t) {
      const from = Date.parse(filter.date!);
      if (Number.isNaN(from))
        throw new ServerError(`invalid date ${JSON.stringify(filter.date)}`, "not valid");
      list = list.filter((e) => e.at >= from);
    }
    if (d) {
      const from = now.getTime() - filter.delta! / 1e6;
      list = list.filter((e) => e.at >= from);
    }
    if (s) list = list.slice(0, filter.size);
    return list.map((e) => ({
      status: e.status,
      info: e.info,
      data: {},
      since: e.since,
      kind: e.kind,
      version: e.version,
      life: "",
    }));
  }
}

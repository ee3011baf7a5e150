/**
 * One-line summaries of model entities from their raw AllWatcher data, for
 * `libjuju watch` and the deploy progress view.
 * @module
 */
import type { EntityData, EntityKind, ModelEvent } from "../index.js";

interface Status {
  current?: string;
  message?: string;
}

const status = (d: EntityData, field: string): Status => (d[field] ?? {}) as Status;
const quoted = (message: string | undefined) => (message ? ` ${JSON.stringify(message)}` : "");
const str = (v: unknown) =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);

/**
 * The interesting fields of an entity, e.g. for a unit
 * `agent=idle workload=active "Primary"`.
 */
export function describeData(kind: EntityKind | string, d: EntityData): string {
  switch (kind) {
    case "unit": {
      const agent = status(d, "agent-status");
      const workload = status(d, "workload-status");
      return (
        `agent=${agent.current || "unknown"} workload=${workload.current || "unknown"}` +
        quoted(workload.message || agent.message)
      );
    }
    case "machine": {
      const agent = status(d, "agent-status");
      const instance = status(d, "instance-status");
      return (
        `agent=${agent.current || "unknown"} instance=${instance.current || "unknown"}` +
        quoted(instance.message || agent.message)
      );
    }
    case "application": {
      const s = status(d, "status");
      return `charm=${str(d["charm-url"])} status=${s.current || "unknown"}${quoted(s.message)}`;
    }
    case "relation":
      return str(d.key);
    case "model":
      return `name=${str(d.name)} status=${status(d, "status").current || "unknown"} life=${str(d.life)}`;
    case "action":
      return `${str(d.name)} on ${str(d.receiver)} status=${str(d.status)}${quoted(str(d.message))}`;
    case "remoteApplication":
    case "applicationOffer":
    case "charm":
      return d.life !== undefined ? `life=${str(d.life)}` : "";
    default:
      return "";
  }
}

/** The local wall-clock time as `HH:MM:SS`. */
export function clock(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}

/** One `libjuju watch` line: `12:03:01  unit mysql/0  change  agent=idle workload=active "Primary"`. */
export function formatEvent(event: ModelEvent, at: Date = new Date()): string {
  const what = event.action === "remove" ? "" : describeData(event.entityType, event.delta[2]);
  return `${clock(at)}  ${event.entityType} ${event.entityId}  ${event.action}${what ? `  ${what}` : ""}`;
}

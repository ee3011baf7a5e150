/**
 * Status values and Juju's derivation of an application's status from its
 * units (`core/status`: the most severe workload status wins).
 * @module
 */
import { statusSeverity } from "../protocol/status.js";

/** A status as carried by deltas: `{current, message, since?, version}`. */
export interface StatusInfo {
  /** The status value, e.g. `active`, `idle`, `started`. */
  current: string;
  /** The status message, when any. */
  message?: string;
  /** When the status was set (RFC 3339). */
  since?: string;
  /** The agent version, for agent statuses. */
  version?: string;
  /** Extra status data, when any. */
  data?: Record<string, unknown> | null;
}

/** Severity of a workload status; unknown values rank lowest (Juju's `core/status` order). */
export { statusSeverity as severity };

/**
 * The status to show for an application: its own when the charm set one,
 * otherwise the most severe of its units' workload statuses.
 */
export function deriveApplicationStatus(
  appStatus: StatusInfo | undefined,
  unitStatuses: Iterable<StatusInfo | undefined>,
): StatusInfo {
  if (appStatus && appStatus.current !== "unset" && appStatus.current !== "") return appStatus;
  let worst: StatusInfo | undefined;
  for (const s of unitStatuses) {
    if (s && (!worst || statusSeverity(s.current) > statusSeverity(worst.current))) worst = s;
  }
  return worst ?? { current: "unknown", message: "" };
}

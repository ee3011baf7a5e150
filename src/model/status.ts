/**
 * Status values and Juju's derivation of an application's status from its
 * units (`core/status`: the most severe workload status wins).
 * @module
 */

/** A status as carried by deltas: `{current, message, since?, version}`. */
export interface StatusInfo {
  current: string;
  message?: string;
  since?: string;
  version?: string;
  data?: Record<string, unknown> | null;
}

// core/status statusSeverities: maintenance (this unit busy) ranks above
// waiting (busy elsewhere).
const SEVERITY: Record<string, number> = {
  error: 100,
  blocked: 90,
  maintenance: 80,
  waiting: 70,
  active: 60,
  terminated: 50,
  unknown: 40,
};

/** Severity of a workload status; unknown values rank lowest. */
export function severity(status: string): number {
  return SEVERITY[status] ?? 0;
}

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
    if (s && (!worst || severity(s.current) > severity(worst.current))) worst = s;
  }
  return worst ?? { current: "unknown", message: "" };
}

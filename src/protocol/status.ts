/**
 * Juju's status vocabulary shared by the client and the simulator.
 * @module
 */

/**
 * Severity of workload statuses (`core/status` statusSeverities), used to
 * derive an application's status from its units when the charm set none:
 * the most severe wins. Maintenance (this unit is busy) ranks above waiting
 * (busy elsewhere).
 */
export const STATUS_SEVERITY: Readonly<Record<string, number>> = {
  error: 100,
  blocked: 90,
  maintenance: 80,
  waiting: 70,
  active: 60,
  terminated: 50,
  unknown: 40,
};

/** Severity of a workload status; values Juju does not rank come lowest. */
export function statusSeverity(status: string): number {
  return STATUS_SEVERITY[status] ?? 0;
}

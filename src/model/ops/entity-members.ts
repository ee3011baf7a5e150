/**
 * Operations behind the entity members python-libjuju 3.5 has and the
 * status history of `juju show-status-log` (`Client.StatusHistory`):
 * application base and status, unit addresses and error resolution.
 * @module
 */
import { baseToSeries } from "../../charm/series.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError, type NotSupportedError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { deriveApplicationStatus, type StatusInfo } from "../status.js";
import { type ExecOptions, exec } from "./actions.js";
import { siteOf } from "./common.js";
import { removedInJuju } from "./model-admin.js";

/** One entry of an entity's status history. */
export interface StatusHistoryEntry {
  /** The status, e.g. `active`, `idle`, `started`. */
  status: string;
  /** Its message. */
  info: string;
  /** When it was set (RFC 3339). */
  since: string;
  /** The history kind it belongs to (`workload`, `juju-unit`, `machine`…). */
  kind: string;
  /** The agent version, for agent statuses. */
  version: string;
  /** Extra data Juju attached to the status. */
  data: Record<string, unknown>;
}

/** Filters of a status history query (exactly one of `size`, `date`, `delta`; default `size: 20`). */
export interface StatusHistoryOptions {
  /** The newest N entries (`juju show-status-log -n`). */
  size?: number;
  /** Entries set since this time. */
  date?: Date | string;
  /** Entries set in the last `delta` seconds. */
  delta?: number;
  /** Leave out entries with these messages. */
  exclude?: readonly string[];
  /**
   * Which history: for a unit `unit` (default: agent and workload),
   * `workload` or `juju-unit`; for a machine `machine` (default: the
   * instance) or `juju-machine` (its agent); `application`.
   */
  kind?: string;
}

/** Status history of the entity `tag` (`Client.StatusHistory`), newest first. */
export async function statusHistory(
  ctx: OpsContext,
  tag: string,
  defaultKind: string,
  options: StatusHistoryOptions = {},
): Promise<StatusHistoryEntry[]> {
  const given = [options.size, options.date, options.delta].filter((x) => x !== undefined).length;
  if (given > 1) {
    throw new InvalidArgumentError("options", "give at most one of size, date and delta");
  }
  const filter: { size: number; date?: string; delta?: number; exclude: string[] } = {
    size: given === 0 ? 20 : (options.size ?? 0),
    exclude: [...(options.exclude ?? [])],
  };
  if (options.date !== undefined) {
    filter.date = options.date instanceof Date ? options.date.toISOString() : options.date;
  }
  if (options.delta !== undefined) filter.delta = Math.round(options.delta * 1e9);
  const client = ctx.connection.facade("Client");
  const res = await client.call("StatusHistory", {
    requests: [
      {
        historyKind: options.kind ?? defaultKind,
        size: 0,
        tag,
        filter: filter as { size: number; date: string; delta: number; exclude: string[] },
      },
    ],
  });
  const [r] = res.results ?? [];
  const err = r?.history?.error ?? r?.error;
  if (err?.message) throw JujuError.fromWire(err, siteOf(client, "StatusHistory"));
  return (r?.history?.statuses ?? []).map((s) => ({
    status: s.status,
    info: s.info,
    since: s.since ?? "",
    kind: s.kind,
    version: s.version,
    data: { ...(s.data ?? {}) },
  }));
}

/** The application's base (`Application.Get`), e.g. `{name: "ubuntu", channel: "22.04"}`. */
export async function applicationBase(
  ctx: OpsContext,
  application: string,
): Promise<{ name: string; channel: string }> {
  const res = await ctx.connection.facade("Application").call("Get", { application, branch: "" });
  const base = res.base ?? { name: "", channel: "" };
  return { name: base.name, channel: base.channel };
}

/** The series name of the application's base (`jammy`), as python-libjuju's `get_series`. */
export async function applicationSeries(ctx: OpsContext, application: string): Promise<string> {
  const base = await applicationBase(ctx, application);
  const series = baseToSeries(base);
  if (series === undefined) {
    throw new InvalidArgumentError(
      "base",
      `base ${base.name}@${base.channel} of ${application} has no series name`,
    );
  }
  return series;
}

/**
 * The application's status from `Client.FullStatus` (fresher than the
 * watcher's): its own status, or the most severe of its units'.
 */
export async function applicationStatus(ctx: OpsContext, application: string): Promise<StatusInfo> {
  const status = await ctx.connection
    .facade("Client")
    .call("FullStatus", { patterns: [application] });
  const app = status.applications?.[application];
  if (app === undefined) {
    throw new JujuError(`application is not in FullStatus: ${application}`, "not found");
  }
  const own = app.status;
  return deriveApplicationStatus(
    { current: own.status, message: own.info, since: own.since ?? undefined } as StatusInfo,
    Object.values(app.units ?? {}).map(
      (u) =>
        ({
          current: u["workload-status"].status,
          message: u["workload-status"].info,
        }) as StatusInfo,
    ),
  );
}

/**
 * The unit's public address: the watcher's when it has one, else
 * `Application.UnitsInfo` (python-libjuju's `get_public_address`).
 */
export async function unitPublicAddress(
  ctx: OpsContext,
  unitTag: string,
  known: string,
): Promise<string | undefined> {
  if (known !== "") return known;
  const app = ctx.connection.facade("Application");
  const res = await app.call("UnitsInfo", { entities: [{ tag: unitTag }] });
  const [r] = bulkResultsStrict(res, siteOf(app, "UnitsInfo"));
  const addr = r?.result?.["public-address"];
  return addr === undefined || addr === "" ? undefined : addr;
}

/** Marks a unit's error resolved (`Application.ResolveUnitErrors`), retrying the hook with `retryHooks`. */
export async function resolveUnit(
  ctx: OpsContext,
  unitTag: string,
  retryHooks: boolean,
): Promise<void> {
  const app = ctx.connection.facade("Application");
  const res = await app.call("ResolveUnitErrors", {
    all: false,
    retry: retryHooks,
    tags: { entities: [{ tag: unitTag }] },
  });
  bulkResultsStrict(res, siteOf(app, "ResolveUnitErrors"));
}

/** Runs `command` on every unit of the application (`Action.Run`); one task per unit, their ids returned. */
export function applicationRun(
  ctx: OpsContext,
  application: string,
  command: string,
  options: ExecOptions = {},
): Promise<string[]> {
  return exec(ctx, command, { applications: [application] }, options);
}

/** `getMetrics` of entities: Juju 3.6 serves no `MetricsDebug` facade. */
export function metricsRemoved(operation: string): NotSupportedError {
  return removedInJuju(
    operation,
    "3.6",
    "the MetricsDebug facade is gone with charm metrics; observe workloads with COS (Prometheus)",
  );
}

export type { ExecOptions };

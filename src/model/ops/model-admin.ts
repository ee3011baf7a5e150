/**
 * Model-wide administration: shares, controller high availability, agent
 * upgrades, backups, and the members of the reference that Juju 3.x no
 * longer serves (each throws a {@link NotSupportedError} naming the Juju
 * version that removed it and what replaced it).
 * @module
 */
import type { HighAvailability } from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import type { Connection } from "../../rpc/connection.js";
import { JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { siteOf, toConstraints } from "./common.js";
import { uploadAccess } from "./resources.js";

/** Runs `fn` on a short-lived controller connection with the model's credentials. */
export type WithController = <T>(fn: (c: Connection) => Promise<T>) => Promise<T>;

/** A user's access to the model, as `getShares` lists it. */
export interface ModelShare {
  /** User name, e.g. `admin` or `bob`. */
  user: string;
  /** The user's display name, if set. */
  displayName: string;
  /** `read`, `write` or `admin`. */
  access: string;
  /** When the user last connected to the model (RFC 3339), if ever. */
  lastConnection: string | undefined;
}

/**
 * The users with access to the model (`ModelManager.ModelInfo` on the
 * controller, as `juju show-model` lists them), keyed by user name.
 */
export async function getShares(
  ctx: OpsContext,
  withController: WithController,
): Promise<Record<string, ModelShare>> {
  return withController(async (c) => {
    const mm = c.facade("ModelManager");
    const res = await mm.call("ModelInfo", { entities: [{ tag: `model-${ctx.uuid}` }] });
    const [r] = res.results ?? [];
    if (r?.error?.message) throw JujuError.fromWire(r.error, siteOf(mm, "ModelInfo"));
    const out: Record<string, ModelShare> = {};
    for (const u of r?.result?.users ?? []) {
      out[u.user] = {
        user: u.user,
        displayName: u["display-name"] ?? "",
        access: u.access,
        lastConnection: u["last-connection"] ?? undefined,
      };
    }
    return out;
  });
}

/** Options of {@link Model.enableHa}. */
export interface EnableHaOptions {
  /** Number of controllers wanted (odd); default 3, as `juju enable-ha`. */
  numControllers?: number;
  /** Constraints of new controller machines (a Juju string or the wire object). */
  constraints?: string | Constraints;
  /** Placement directives for new controllers (e.g. existing machine ids). */
  to?: readonly string[];
}

/** What `enableHa` changed: machine tags per change. */
export interface ControllersChanges {
  /** Machines added as controllers. */
  added: string[];
  /** Controller machines kept. */
  maintained: string[];
  /** Controller machines removed. */
  removed: string[];
  /** Machines converted to controllers. */
  converted: string[];
}

/**
 * Makes the controller highly available (`HighAvailability.EnableHA` on
 * the controller), as `juju enable-ha -n N`.
 */
export async function enableHa(
  withController: WithController,
  options: EnableHaOptions = {},
): Promise<ControllersChanges> {
  const n = options.numControllers ?? 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(
      "numControllers",
      `numControllers must be a non-negative integer, got ${n}`,
    );
  }
  return withController(async (c) => {
    const ha = c.facade("HighAvailability");
    const spec: HighAvailability.ControllersSpec = { "num-controllers": n };
    if (options.constraints !== undefined) {
      spec.constraints = toConstraints(options.constraints) as HighAvailability.Value;
    }
    if (options.to !== undefined) spec.placement = [...options.to];
    const res = await ha.call("EnableHA", { specs: [spec] });
    const [r] = res.results ?? [];
    if (r?.error?.message) throw JujuError.fromWire(r.error, siteOf(ha, "EnableHA"));
    return {
      added: r?.result?.added ?? [],
      maintained: r?.result?.maintained ?? [],
      removed: r?.result?.removed ?? [],
      converted: r?.result?.converted ?? [],
    };
  });
}

/** Options of {@link Model.upgradeJuju}. */
export interface UpgradeJujuOptions {
  /** The agent version to upgrade to; default the newest the controller offers. */
  version?: string;
  /** Agent stream (`released`, `proposed`…). */
  agentStream?: string;
  /** Only report the version that would be chosen. */
  dryRun?: boolean;
  /** Upgrade even when agents run different versions. */
  ignoreAgentVersions?: boolean;
}

/**
 * Upgrades the model's agents (`ModelUpgrader.UpgradeModel` on the
 * controller), as `juju upgrade-model`; returns the chosen version. A model
 * that is up to date fails with Juju's `no upgrades available` (code
 * `already exists`).
 */
export async function upgradeJuju(
  ctx: OpsContext,
  withController: WithController,
  options: UpgradeJujuOptions = {},
): Promise<string> {
  return withController(async (c) => {
    const mu = c.facade("ModelUpgrader");
    const params: {
      "model-tag": string;
      "target-version": string;
      "agent-stream"?: string;
      "dry-run"?: boolean;
      "ignore-agent-versions"?: boolean;
    } = { "model-tag": `model-${ctx.uuid}`, "target-version": options.version ?? "" };
    if (options.agentStream !== undefined) params["agent-stream"] = options.agentStream;
    if (options.dryRun !== undefined) params["dry-run"] = options.dryRun;
    if (options.ignoreAgentVersions !== undefined) {
      params["ignore-agent-versions"] = options.ignoreAgentVersions;
    }
    const res = await mu.call("UpgradeModel", params);
    if (res.error?.message) throw JujuError.fromWire(res.error, siteOf(mu, "UpgradeModel"));
    return res["chosen-version"];
  });
}

/** The metadata of a backup (`params.BackupsMetadataResult`). */
export interface BackupMetadata {
  /** The backup id. */
  id: string;
  /** The archive's name on the controller (what the download asks for). */
  filename: string;
  /** The note given at creation. */
  notes: string;
  /** Archive size in bytes. */
  size: number;
  /** The archive's checksum. */
  checksum: string;
  /** How `checksum` was computed, e.g. `SHA-1, base64 encoded`. */
  checksumFormat: string;
  /** When the backup started (RFC 3339). */
  started: string;
  /** When it finished (RFC 3339). */
  finished: string;
  /** When it was stored (RFC 3339). */
  stored: string;
  /** UUID of the backed-up model. */
  model: string;
  /** UUID of the controller. */
  controllerUuid: string;
  /** The controller's Juju version. */
  version: string;
  /** The controller machine's base. */
  base: string;
  /** The controller machine's host name. */
  hostname: string;
  /** How many controller machines there were. */
  haNodes: number;
}

/** Options of {@link Model.createBackup}. */
export interface CreateBackupOptions {
  /** A note stored with the backup. */
  notes?: string;
  /** Do not download the archive (it stays on the controller). */
  noDownload?: boolean;
}

/** A downloaded archive in a temporary file: copy or move it, then call `cleanup`. */
export interface DownloadedFile {
  /** The temporary file's path. */
  file: string;
  /** Removes the temporary file. */
  cleanup: () => Promise<void>;
}

/** What {@link Model.createBackup} made: the metadata and, unless `noDownload`, the archive. */
export interface CreatedBackup {
  /** The backup's metadata. */
  metadata: BackupMetadata;
  /** The archive (a `.tar.gz`) in a temporary file, unless `noDownload`. */
  archive: DownloadedFile | undefined;
}

/**
 * Creates a backup of the controller (`Backups.Create`, on the controller
 * model, superusers only) and downloads the archive with
 * `GET /model/<uuid>/backups` and the body `{"id": <filename>}`, as
 * `juju create-backup` does in Juju 3.
 */
export async function createBackup(
  ctx: OpsContext,
  options: CreateBackupOptions = {},
): Promise<CreatedBackup> {
  const f = ctx.connection.facade("Backups");
  const r = await f.call("Create", {
    notes: options.notes ?? "",
    "no-download": options.noDownload ?? false,
  });
  const metadata: BackupMetadata = {
    id: r.id,
    filename: r.filename,
    notes: r.notes,
    size: r.size,
    checksum: r.checksum,
    checksumFormat: r["checksum-format"],
    started: r.started,
    finished: r.finished,
    stored: r.stored,
    model: r.model,
    controllerUuid: r["controller-uuid"],
    version: r.version,
    base: r.base,
    hostname: r.hostname,
    haNodes: r["ha-nodes"],
  };
  if (options.noDownload) return { metadata, archive: undefined };
  const access = uploadAccess(ctx);
  const [edge, target] = await Promise.all([access.localEdge(), access.httpTarget()]);
  const got = await edge.download(target, `/model/${ctx.uuid}/backups`, undefined, {
    data: new TextEncoder().encode(JSON.stringify({ id: r.filename })),
    contentType: "application/json",
  });
  if ("reply" in got) {
    throw new JujuError(
      `cannot download backup ${JSON.stringify(r.filename)}: HTTP ${got.reply.status}: ${got.reply.body.trim()}`,
      got.reply.status === 404 ? "not found" : "",
    );
  }
  return { metadata, archive: got };
}

/** Builds the {@link NotSupportedError} of a member Juju 3.x no longer serves. */
export function removedInJuju(
  operation: string,
  removed: string,
  replacement: string,
): NotSupportedError {
  return new NotSupportedError(operation, `Juju ${removed} removed it; ${replacement}`);
}

/** `getBackup`, `getBackups`, `removeBackup`, `uploadBackup`, `restoreBackup`: gone in Juju 3.0. */
export function backupsRemoved(operation: string): NotSupportedError {
  return removedInJuju(
    operation,
    "3.0",
    "Backups.List/Info/Remove/Restore and backup uploads are gone: createBackup() downloads the archive, which is kept and restored off the controller (the juju-restore tool)",
  );
}

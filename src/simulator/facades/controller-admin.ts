/**
 * Controller administration served by a 3.6 controller:
 * `HighAvailability(2).EnableHA` (`apiserver/facades/client/highavailability`),
 * `ModelUpgrader(1)` (`apiserver/facades/client/modelupgrader`) and
 * `Backups(3).Create` (`apiserver/facades/client/backups`; the archive is
 * fetched with `GET /model/<uuid>/backups`, see `backups-http.ts`).
 * @module
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type {
  Backups as BackupsFacade,
  HighAvailability as HighAvailabilityFacade,
} from "../../facades/generated/index.js";
import { Errors, ServerError } from "../errors.js";
import { hasModelAccess } from "../http-common.js";
import { type ControllerStore, goTime, type ModelRecord } from "../store.js";
import { parseTagOfKind } from "../tags.js";
import { defaultBase } from "./machine-manager.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method } from "./typed.js";

function requireSuperuser(ctx: CallContext): void {
  if (ctx.store.users.get(ctx.user)?.controllerAccess !== "superuser") {
    throw Errors.permissionDenied();
  }
}

// ----- HighAvailability -----

/** The controller machines of the controller model, in order (machine ids). */
const controllerMachines = new WeakMap<ControllerStore, string[]>();

/** @internal Saved and restored by `snapshot.ts`. */
export { controllerMachines as controllerMachineIds };

function controllerIds(ctx: CallContext): string[] {
  let ids = controllerMachines.get(ctx.store);
  if (ids === undefined) {
    // The simulator's controller model leaves the bootstrap machine out until
    // HA needs it; it is machine 0, as after `juju bootstrap`.
    const cm = ctx.store.controllerModel;
    const existing = cm.state.machines.get("0");
    const m =
      existing ?? cm.state.addMachine({ base: defaultBase(cm), constraints: {}, zone: undefined });
    if (existing === undefined) cm.agents.machineAdded(m);
    ids = [m.id];
    controllerMachines.set(ctx.store, ids);
  }
  return ids;
}

/**
 * `EnableHA` of one spec (`enableHASingle`): 0 means 3; the count must be odd;
 * it cannot shrink the controller set; new controllers get new machines.
 */
function enableHA(
  ctx: CallContext,
  num: number,
  placement: string[],
): HighAvailabilityFacade.ControllersChanges {
  let n = num;
  if (n === 0) n = 3;
  if (n < 0 || n % 2 !== 1) {
    throw new ServerError("number of controllers must be odd and non-negative");
  }
  if (n > 7) throw new ServerError("controller count is too large (allowed 7)");
  const ids = controllerIds(ctx);
  if (n < ids.length) {
    throw new ServerError(
      "cannot remove controllers with enable-ha, use remove-machine and chose the controller(s) to remove",
    );
  }
  if (placement.length > 0) {
    // Placement on existing machines converts them; the simulator has none to convert.
    throw new ServerError(
      `placement ${JSON.stringify(placement[0])} is not supported by this controller`,
      "not supported",
    );
  }
  const cm = ctx.store.controllerModel;
  const maintained = ids.map((id) => `machine-${id}`);
  const added: string[] = [];
  while (ids.length < n) {
    const m = cm.state.addMachine({ base: defaultBase(cm), constraints: {}, zone: undefined });
    cm.agents.machineAdded(m);
    ids.push(m.id);
    added.push(`machine-${m.id}`);
  }
  const out: HighAvailabilityFacade.ControllersChanges = {};
  if (added.length > 0) out.added = added;
  if (maintained.length > 0) out.maintained = maintained;
  return out;
}

// ----- ModelUpgrader -----

const VERSION_RE = /^(\d+)\.(\d+)(?:([.-])([a-z]+)?(\d+))?(?:\.(\d+))?$/;

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * `UpgradeModel`: the target is the given version, or the newest agent
 * version available, which in the simulator is the controller's own; a
 * model already there is up to date (`errUpToDate`, an AlreadyExists error),
 * and a hosted model cannot go past its controller.
 */
function upgradeModel(ctx: CallContext, model: ModelRecord, target: string, dryRun: boolean) {
  const controllerVersion = ctx.store.agentVersion;
  const current = model.agentVersion;
  let chosen = target;
  if (chosen === "" || chosen === "0.0.0") chosen = controllerVersion;
  else if (!VERSION_RE.test(chosen)) {
    throw new ServerError(`invalid version ${JSON.stringify(chosen)}`, "not valid");
  }
  if (!model.isController && compareVersions(chosen, controllerVersion) > 0) {
    throw new ServerError(
      `cannot upgrade to a version "${chosen}" greater than that of the controller "${controllerVersion}"`,
    );
  }
  if (compareVersions(chosen, current) < 0) {
    throw new ServerError(
      `cannot change version from ${current} to lower version ${chosen}`,
      "not valid",
    );
  }
  if (compareVersions(chosen, current) === 0) {
    throw new ServerError("no upgrades available", "already exists");
  }
  if (!dryRun) {
    model.config.set("agent-version", { value: chosen, source: "model" });
    model.publish();
  }
  return { "chosen-version": chosen };
}

// ----- Backups -----

/** Stored backup archives by file name (the controller's backup dir). */
const archives = new WeakMap<ControllerStore, Map<string, string>>();

/** The archive file of a backup created on this controller, by its `filename`. */
export function backupArchive(store: ControllerStore, filename: string): string | undefined {
  return archives.get(store)?.get(filename);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/**
 * `Backups.Create`: writes an archive (a gzipped tar of the controller's
 * metadata in the simulator) and answers its metadata. Backups are only
 * served on the controller model, to superusers (the facade's constructor).
 */
function createBackup(ctx: CallContext, notes: string): BackupsFacade.BackupsMetadataResult {
  requireSuperuser(ctx);
  const model = ctx.model();
  if (!model.isController) {
    throw new ServerError(
      "backups are only supported from the controller model\nUse juju switch to select the controller model",
    );
  }
  const started = ctx.store.clock.now();
  const stamp = `${started.getUTCFullYear()}${pad(started.getUTCMonth() + 1)}${pad(started.getUTCDate())}-${pad(started.getUTCHours())}${pad(started.getUTCMinutes())}${pad(started.getUTCSeconds())}`;
  const id = `${stamp}.${model.uuid}`;
  const metadata = {
    id,
    notes,
    "controller-uuid": ctx.store.controllerUuid,
    model: model.uuid,
    version: ctx.store.agentVersion,
    models: [...ctx.store.models.values()].map((m) => ({ uuid: m.uuid, name: m.name })),
  };
  const body = gzipSync(tarOf("juju-backup/metadata.json", JSON.stringify(metadata, null, 2)));
  const filename = `/tmp/juju-backup-${stamp}.tar.gz`;
  const path = join(ctx.store.charmBlobDir(), `backup-${stamp}-${model.uuid}.tar.gz`);
  writeFileSync(path, body);
  let map = archives.get(ctx.store);
  if (map === undefined) {
    map = new Map();
    archives.set(ctx.store, map);
  }
  map.set(filename, path);
  const finished = ctx.store.clock.now();
  return {
    id,
    checksum: createHash("sha1").update(body).digest("base64"),
    "checksum-format": "SHA-1, base64 encoded",
    size: body.length,
    stored: goTime(finished),
    started: goTime(started),
    finished: goTime(finished),
    notes,
    model: model.uuid,
    machine: "0",
    hostname: "juju-controller-0",
    version: ctx.store.agentVersion,
    base: "ubuntu@24.04",
    "controller-uuid": ctx.store.controllerUuid,
    "format-version": 1,
    "controller-machine-id": "0",
    "controller-machine-inst-id": "juju-controller-0",
    "ha-nodes": controllerMachines.get(ctx.store)?.length ?? 1,
    filename,
  };
}

/** A one-file ustar archive. */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, "0")}\0`,
    136,
  );
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const padLen = (512 - (data.length % 512)) % 512;
  return Buffer.concat([header, data, Buffer.alloc(padLen), Buffer.alloc(1024)]);
}

/** The controller administration methods. */
export const controllerAdminMethods: readonly MethodSpec[] = [
  method({
    facade: "HighAvailability",
    method: "EnableHA",
    params: "params.ControllersSpecs",
    call: (ctx, p) => {
      requireSuperuser(ctx);
      const specs = p.objects("specs", "params.ControllersSpec");
      // enableHA: "only one controller spec is supported".
      if (specs.length !== 1) {
        throw new ServerError("only one controller spec is supported");
      }
      const spec = specs[0]!;
      spec.map("constraints");
      try {
        return {
          results: [
            {
              result: enableHA(ctx, spec.optInt("num-controllers") ?? 0, spec.strings("placement")),
            },
          ],
        };
      } catch (e) {
        if (e instanceof ServerError) return { results: [{ result: {}, error: e.toWire() }] };
        throw e;
      }
    },
  }),
  method({
    facade: "ModelUpgrader",
    method: "UpgradeModel",
    params: "params.UpgradeModelParams",
    call: (ctx, p) => {
      const uuid = parseTagOfKind(p.string("model-tag"), "model");
      const model = ctx.store.models.get(uuid);
      if (model === undefined) throw Errors.notFound(`model ${uuid}`);
      if (!hasModelAccess(ctx.store, model, ctx.user, "admin")) throw Errors.permissionDenied();
      p.string("agent-stream");
      p.optBool("ignore-agent-versions");
      return upgradeModel(ctx, model, p.string("target-version"), p.optBool("dry-run") ?? false);
    },
  }),
  method({
    facade: "ModelUpgrader",
    method: "AbortModelUpgrade",
    params: "params.ModelParam",
    call: (ctx, p) => {
      const uuid = parseTagOfKind(p.string("model-tag"), "model");
      const model = ctx.store.models.get(uuid);
      if (model === undefined) throw Errors.notFound(`model ${uuid}`);
      if (!hasModelAccess(ctx.store, model, ctx.user, "admin")) throw Errors.permissionDenied();
      // Upgrades in the simulator are done at once: nothing is ever in progress.
      throw new ServerError("no upgrade in progress", "not found");
    },
  }),
  method({
    facade: "Backups",
    method: "Create",
    params: "params.BackupsCreateArgs",
    call: (ctx, p) => {
      p.optBool("no-download");
      return createBackup(ctx, p.string("notes"));
    },
  }),
];

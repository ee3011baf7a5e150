/**
 * `ModelManager(9, 10)`, controller connections only:
 * `ListModels`, `ListModelSummaries`, `ModelInfo`, `ModelStatus`,
 * `CreateModel` and `DestroyModels`
 * (`apiserver/facades/client/modelmanager`).
 * @module
 */

import type { Juju4, ModelManager as ModelManagerFacade } from "../../facades/generated/index.js";
import type { HardwareData } from "../../protocol/entity-data.js";
import { isValidModelQualifier, modelQualifier } from "../../protocol/model-qualifier.js";
import { Errors, ServerError } from "../errors.js";
import { type JujuProfile, modelOwnerFields } from "../profile.js";
import { type ControllerStore, goTime, type ModelRecord } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import {
  changeModelAccess,
  isModelAccess,
  isSuperuser,
  modelAccessOf,
  modelUsers,
} from "../users.js";
import { checkBlocks } from "./block.js";
import type { ErrorItem } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, type Params, type Reply, type ReplyOf } from "./typed.js";

const MODEL_NAME_RE = /^[a-z0-9]+[a-z0-9-]*$/;

/** Resolves a user tag to an existing local user, with Juju's errors. */
function userFromTag(store: ControllerStore, tag: string): string {
  const id = parseTagOfKind(tag, "user");
  const name = localUserName(id);
  if (name === undefined || !store.users.has(name)) {
    throw new ServerError(`user ${JSON.stringify(id)} not found`, "user not found");
  }
  return name;
}

/**
 * The owner of a Juju 4 `CreateModel` qualifier. 4.0 checks it as a
 * `core/model.Qualifier` (lower-case letters, digits, hyphens), and a user who
 * is not a controller superuser may only use their own (`QualifierFromUserTag`
 * of their name: `bob@external` → `bob-external`). The owner is the user whose
 * qualifier it is; a qualifier no user has stands alone, as Juju 4 keeps
 * models by qualifier, not by owner.
 */
function qualifierOwner(ctx: CallContext, qualifier: string): string {
  if (!isValidModelQualifier(qualifier)) {
    throw new ServerError("cannot create model with invalid qualifier", "not valid");
  }
  const superuser = ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
  if (modelQualifier(ctx.user) === qualifier) return ctx.user;
  if (!superuser) {
    throw new ServerError(
      `cannot create model with qualifier ${JSON.stringify(qualifier)}`,
      "not valid",
    );
  }
  return [...ctx.store.users.keys()].find((u) => modelQualifier(u) === qualifier) ?? qualifier;
}

/**
 * What Juju 3's and Juju 4's ModelInfo and ModelSummary name differently:
 * the owner (`owner-tag` or `qualifier`) and Juju 3's SLA (Juju 4 dropped SLAs).
 */
function ownerAndSla(
  profile: JujuProfile,
  owner: string,
): { "owner-tag": string; sla: { level: string; owner: string } } | { qualifier: string } {
  const fields = modelOwnerFields(profile, owner);
  return "owner-tag" in fields ? { ...fields, sla: { level: "unsupported", owner: "" } } : fields;
}

/** A model's status as ModelInfo and ModelSummary carry it (`params.EntityStatus`). */
function modelEntityStatus(m: ModelRecord): ModelManagerFacade.EntityStatus {
  return {
    status: m.status.current,
    info: m.status.message,
    data: {},
    since: goTime(m.status.since),
  };
}

/** `params.ModelInfo` of a model, as `getModelInfo` fills it for a controller superuser. */
function modelInfo(
  ctx: CallContext,
  m: ModelRecord,
  withSecrets: boolean,
): Reply<ModelManagerFacade.ModelInfo | Juju4.ModelManager.ModelInfo> {
  const granted = modelUsers(m);
  // getModelInfo: a user who is not a model admin (or superuser) sees only themselves.
  const seesAll = isModelAdmin(ctx, m);
  const users = [...ctx.store.users.values()]
    .filter((u) => granted.has(u.name) || u.controllerAccess === "superuser")
    .filter((u) => seesAll || u.name === ctx.user)
    .map((u) => {
      const last = m.lastConnection.get(u.name);
      return {
        "model-tag": `model-${m.uuid}`,
        user: u.name,
        "display-name": u.displayName,
        "last-connection": last === undefined ? null : goTime(last),
        access: u.controllerAccess === "superuser" ? "admin" : (granted.get(u.name) ?? "admin"),
      };
    });
  const base = m.config.get("default-base")?.value;
  return {
    name: m.name,
    type: m.type,
    uuid: m.uuid,
    "controller-uuid": ctx.store.controllerUuid,
    "is-controller": m.isController,
    "provider-type": m.cloud.type,
    "cloud-tag": `cloud-${m.cloud.name}`,
    "cloud-region": m.region,
    "cloud-credential-tag": `cloudcred-${m.cloud.credentialId}`,
    "cloud-credential-validity": true,
    ...ownerAndSla(ctx.store.profile, m.owner),
    life: m.life,
    status: modelEntityStatus(m),
    users,
    machines: [],
    // Only ModelInfo asks for secret backends; CreateModel leaves the (non-omitempty) slice nil.
    "secret-backends": withSecrets
      ? [
          {
            result: { name: "internal", "backend-type": "controller", config: {} },
            id: "",
            "num-secrets": 0,
            status: "active",
          },
        ]
      : null,
    // Juju 4 dropped SLAs (and series: bases only).
    "agent-version": m.agentVersion,
    "supported-features": [
      {
        name: "juju",
        description: "the version of Juju used by the model",
        version: m.agentVersion,
      },
    ],
    // ModelInfo of Juju 4 has no default-base (nor default-series).
    ...(typeof base === "string" && base !== "" && ctx.store.profile.major === 3
      ? { "default-base": base }
      : {}),
  };
}

/** Hardware of a machine delta as `params.MachineHardware` (`cpu-cores` becomes `cores`). */
function machineHardware(
  h: HardwareData | undefined,
): ModelManagerFacade.MachineHardware | undefined {
  if (h === undefined || h === null) return undefined;
  const out: ModelManagerFacade.MachineHardware = {};
  if (h.arch !== undefined) out.arch = h.arch;
  if (h.mem !== undefined) out.mem = h.mem;
  if (h["root-disk"] !== undefined) out["root-disk"] = h["root-disk"];
  if (h["cpu-cores"] !== undefined) out.cores = h["cpu-cores"];
  if (h["cpu-power"] !== undefined) out["cpu-power"] = h["cpu-power"];
  if (h.tags !== undefined) out.tags = h.tags;
  if (h["availability-zone"] !== undefined) out["availability-zone"] = h["availability-zone"];
  if (h["virt-type"] !== undefined) out["virt-type"] = h["virt-type"];
  return out;
}

/** `params.ModelMachineInfo` of each machine of a model (`common.ModelMachineInfo`). */
function modelMachines(
  m: ModelRecord,
  profile: JujuProfile,
): ModelManagerFacade.ModelMachineInfo[] {
  return m.entities.list("machine").map((mc) => {
    const status = mc["agent-status"] as { current?: string; message?: string } | undefined;
    const info: ModelManagerFacade.ModelMachineInfo = { id: mc.id };
    const hw = machineHardware(mc["hardware-characteristics"]);
    if (hw !== undefined) info.hardware = hw;
    if (typeof mc["instance-id"] === "string" && mc["instance-id"] !== "") {
      info["instance-id"] = mc["instance-id"];
    }
    if (typeof mc.hostname === "string" && mc.hostname !== "") info["display-name"] = mc.hostname;
    if (status?.current) info.status = status.current;
    if (status?.message) info.message = status.message;
    // Juju 4's ModelMachineInfo has no voting fields (no Mongo replica set).
    if (mc["has-vote"] === true && profile.major === 3) info["has-vote"] = true;
    if (mc["wants-vote"] === true && profile.major === 3) info["wants-vote"] = true;
    return info;
  });
}

/** `params.ModelSummary` of a model as seen by `user` (`modelmanager.makeModelSummary`). */
function modelSummary(
  ctx: CallContext,
  m: ModelRecord,
  user: string,
): ModelManagerFacade.ModelSummary | Juju4.ModelManager.ModelSummary {
  const machines = m.entities.list("machine");
  const cores = machines.reduce((n, mc) => {
    const hc = mc["hardware-characteristics"] as { "cpu-cores"?: number } | undefined;
    return n + (hc?.["cpu-cores"] ?? 0);
  }, 0);
  const units = m.entities.list("unit").length;
  const counts: Array<{ entity: string; count: number }> = [];
  if (machines.length > 0) counts.push({ entity: "machines", count: machines.length });
  if (cores > 0) counts.push({ entity: "cores", count: cores });
  if (units > 0) counts.push({ entity: "units", count: units });
  const last = m.lastConnection.get(user);
  return {
    name: m.name,
    uuid: m.uuid,
    type: m.type,
    "controller-uuid": ctx.store.controllerUuid,
    "is-controller": m.isController,
    "provider-type": m.cloud.type,
    "cloud-tag": `cloud-${m.cloud.name}`,
    "cloud-region": m.region,
    "cloud-credential-tag": `cloudcred-${m.cloud.credentialId}`,
    ...ownerAndSla(ctx.store.profile, m.owner),
    life: m.life,
    status: modelEntityStatus(m),
    "user-access": modelAccessOf(m, user) ?? (isSuperuser(ctx.store, user) ? "admin" : ""),
    "last-connection": last === undefined ? null : goTime(last),
    counts,
    "agent-version": m.agentVersion,
  };
}

/** `common.HasModelAdmin`: a controller superuser, or an admin of the model. */
function isModelAdmin(ctx: CallContext, m: ModelRecord): boolean {
  return isSuperuser(ctx.store, ctx.user) || modelAccessOf(m, ctx.user) === "admin";
}

function modelFromTag(ctx: CallContext, tag: string): ModelRecord {
  const uuid = parseTagOfKind(tag, "model");
  const m = ctx.store.models.get(uuid);
  // getModelInfo hides unknown models behind a permission error.
  if (m === undefined) throw Errors.permissionDenied();
  return m;
}

function bulk<I, T>(items: readonly I[], fn: (item: I) => T): Array<T | ErrorItem> {
  return items.map((item) => {
    try {
      return fn(item);
    } catch (e) {
      if (e instanceof ServerError) return { error: e.toWire() };
      throw e;
    }
  });
}

/** `ModelStatus` results (ModelManager and Controller share `common.ModelStatusAPI`). */
export function modelStatusResults(
  ctx: CallContext,
  p: Params<ModelManagerFacade.Entities>,
): ReplyOf<"ModelManager", "ModelStatus"> {
  return {
    models: p.objects("entities", "params.Entity").map((e) => {
      const tag = e.string("tag");
      try {
        const m = modelFromTag(ctx, tag);
        if (!isModelAdmin(ctx, m)) throw Errors.permissionDenied();
        const apps = m.entities.list("application");
        const machines = modelMachines(m, ctx.store.profile);
        return {
          "model-tag": `model-${m.uuid}`,
          life: m.life,
          type: m.type,
          "hosted-machine-count": machines.length,
          "application-count": apps.length,
          "unit-count": m.entities.list("unit").length,
          ...modelOwnerFields(ctx.store.profile, m.owner),
          applications: apps.map((a) => ({ name: a.name })),
          machines,
        };
      } catch (err) {
        if (!(err instanceof ServerError)) throw err;
        return {
          "model-tag": tag,
          life: "",
          type: "",
          "hosted-machine-count": 0,
          "application-count": 0,
          "unit-count": 0,
          ...modelOwnerFields(ctx.store.profile, ""),
          error: err.toWire(),
        };
      }
    }),
  };
}

/** The ModelManager methods. */
export const modelManagerMethods: readonly MethodSpec[] = [
  method({
    facade: "ModelManager",
    method: "ListModels",
    params: "params.Entity",
    call: (ctx, p) => {
      const user = userFromTag(ctx.store, p.string("tag"));
      const superuser = ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
      if (!superuser && user !== ctx.user) throw Errors.permissionDenied();
      const models = [...ctx.store.models.values()].filter(
        (m) => superuser || modelUsers(m).has(user),
      );
      return {
        "user-models": models.map((m) => {
          const last = m.lastConnection.get(user);
          return {
            model: {
              name: m.name,
              uuid: m.uuid,
              type: m.type,
              ...modelOwnerFields(ctx.store.profile, m.owner),
            },
            "last-connection": last === undefined ? null : goTime(last),
          };
        }),
      };
    },
  }),
  method({
    facade: "ModelManager",
    method: "ListModelSummaries",
    params: "params.ModelSummariesRequest",
    call: (ctx, p) => {
      const user = userFromTag(ctx.store, p.string("user-tag"));
      const all = p.optBool("all") ?? false;
      const superuser = ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
      if (!superuser && user !== ctx.user) throw Errors.permissionDenied();
      // ModelSummariesForUser: the models the user was given access to (all of them for `all` by a superuser).
      const models = [...ctx.store.models.values()].filter(
        (m) => (all && superuser) || modelUsers(m).has(user),
      );
      return { results: models.map((m) => ({ result: modelSummary(ctx, m, user) })) };
    },
  }),
  method({
    facade: "ModelManager",
    method: "ModelStatus",
    params: "params.Entities",
    call: (ctx, p) => modelStatusResults(ctx, p),
  }),
  method({
    facade: "ModelManager",
    method: "ModelInfo",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => {
        const m = modelFromTag(ctx, e.string("tag"));
        // A user with no access to the model (and no superuser) gets ErrPerm.
        if (!isSuperuser(ctx.store, ctx.user) && modelAccessOf(m, ctx.user) === undefined) {
          throw Errors.permissionDenied();
        }
        return { result: modelInfo(ctx, m, true) };
      }),
    }),
  }),
  method({
    facade: "ModelManager",
    method: "CreateModel",
    params: "params.ModelCreateArgs",
    call: (ctx, p) => {
      const name = p.string("name");
      // Juju 4 names the owner by a qualifier, not an owner tag.
      const owner4 = ctx.store.profile.modelQualifier
        ? qualifierOwner(ctx, p.string("qualifier"))
        : undefined;
      const ownerTag = owner4 === undefined ? p.string("owner-tag") : `user-${owner4}`;
      const config = p.map("config");
      const cloudTag = p.string("cloud-tag");
      const region = p.string("region");
      const credential = p.string("credential");
      const store = ctx.store;
      if (cloudTag !== "") {
        const cloud = parseTagOfKind(cloudTag, "cloud");
        if (cloud !== store.cloud.name) {
          throw new ServerError(
            `cloud ${JSON.stringify(cloud)} not found, expected one of ${JSON.stringify([store.cloud.name])}`,
            "not found",
          );
        }
      }
      // Only superusers create models for someone else (createModel).
      const ownerId = parseTagOfKind(ownerTag, "user");
      if (
        owner4 === undefined &&
        !isSuperuser(store, ctx.user) &&
        localUserName(ownerId) !== ctx.user
      ) {
        throw new ServerError(
          `"add-model" permission does not permit creation of models for different owners: permission denied`,
          "unauthorized access",
        );
      }
      const owner = owner4 ?? userFromTag(store, ownerTag);
      if (region !== "" && region !== store.cloud.region) {
        throw Errors.notFound(`region ${JSON.stringify(region)}`);
      }
      if (credential !== "") {
        const id = parseTagOfKind(credential, "cloudcred");
        if (id !== store.cloud.credentialId) {
          throw Errors.notFound(`cloud credential ${JSON.stringify(id)}`);
        }
      }
      if (!MODEL_NAME_RE.test(name)) {
        throw new ServerError(
          `failed to create config: ${JSON.stringify(name)} is not a valid name: model names may only contain lowercase letters, digits and hyphens`,
        );
      }
      const model = store.createModel({
        name,
        owner,
        region: region || store.cloud.region,
        config,
      });
      return modelInfo(ctx, model, false);
    },
  }),
  method({
    facade: "ModelManager",
    method: "ModifyModelAccess",
    params: "params.ModifyModelAccessRequest",
    call: (ctx, p) => {
      const superuser = ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
      return {
        results: bulk(p.objects("changes", "params.ModifyModelAccess"), (c) => {
          const userTag = c.string("user-tag");
          const action = c.string("action");
          const access = c.string("access");
          const modelTag = c.string("model-tag");
          const annotate = (e: unknown) =>
            e instanceof ServerError ? e.annotate("could not modify model access") : e;
          if (!isModelAccess(access)) {
            throw new ServerError(
              `could not modify model access: ${JSON.stringify(access)} model access not valid`,
              "not valid",
            );
          }
          let uuid: string;
          try {
            uuid = parseTagOfKind(modelTag, "model");
          } catch (e) {
            throw annotate(e);
          }
          const m = ctx.store.models.get(uuid);
          const canModify =
            superuser || (m !== undefined && modelUsers(m).get(ctx.user) === "admin");
          if (!canModify) throw Errors.permissionDenied();
          let target: string;
          try {
            target = parseTagOfKind(userTag, "user");
          } catch (e) {
            throw annotate(e);
          }
          if (m === undefined) throw Errors.notFound(`model ${JSON.stringify(uuid)}`);
          changeModelAccess(ctx.store, m, localUserName(target) ?? target, action, access);
          return {};
        }),
      };
    },
  }),
  method({
    facade: "ModelManager",
    method: "DestroyModels",
    params: "params.DestroyModelsParams",
    call: (ctx, p) => ({
      results: bulk(p.objects("models", "params.DestroyModelParams"), (arg) => {
        arg.optBool("destroy-storage");
        arg.optBool("force");
        arg.optInt("max-wait", "time.Duration");
        arg.optInt("timeout", "time.Duration");
        const uuid = parseTagOfKind(arg.string("model-tag"), "model");
        const m = ctx.store.models.get(uuid);
        if (m === undefined) throw Errors.notFound(`model ${uuid}`);
        if (!isModelAdmin(ctx, m)) throw Errors.permissionDenied();
        checkBlocks(m, "destroy");
        ctx.store.destroyModel(m);
        return {};
      }),
    }),
  }),
];

/**
 * `Controller(11, 12)`, controller connections only
 * (`apiserver/facades/client/controller`, `apiserver/common/controllerconfig.go`):
 * what python-libjuju's `Controller` calls on connect (`ControllerAPIInfoForModels`)
 * and in its common methods: config, version, models, model status, access.
 * @module
 */
import { Errors, ServerError } from "../errors.js";
import { modelOwnerFields } from "../profile.js";
import { type ControllerStore, goTime } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { changeControllerAccess, isControllerAccess, isSuperuser } from "../users.js";
import { blockTypesOf } from "./block.js";
import { bulk } from "./bulk.js";
import { modelStatusResults } from "./model-manager.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** What the controller knows about itself beyond the store: its CA and API addresses. */
export interface ControllerInfo {
  /** PEM of the controller CA. */
  caCert: string;
  /** The name bootstrap gave the controller. */
  controllerName: string;
  /** `host:port` of every API server. */
  addresses(): string[];
}

const infos = new WeakMap<ControllerStore, ControllerInfo>();

/** Tells the Controller facade the CA and addresses of the controller behind `store`. */
export function setControllerInfo(store: ControllerStore, info: ControllerInfo): void {
  infos.set(store, info);
}

/** The CA and API addresses of the controller behind `store`; throws when not set. */
export function infoOf(store: ControllerStore): ControllerInfo {
  const info = infos.get(store);
  if (info === undefined) throw new ServerError("controller API addresses not available");
  return info;
}

/** The mongod version of the `juju-db` snap on the `4.4/stable` channel a 3.6 controller runs. */
const MONGO_VERSION = "4.4.24";

function requireSuperuser(ctx: CallContext): void {
  if (ctx.store.users.get(ctx.user)?.controllerAccess !== "superuser") {
    throw Errors.permissionDenied();
  }
}

/**
 * The controller config of a fresh 3.6 LXD bootstrap: the keys bootstrap
 * stores (controller identity, ports, CA) and the defaults of
 * `controller/config.go` that `juju controller-config` lists.
 */
function controllerConfig(ctx: CallContext): Record<string, unknown> {
  return {
    "agent-logfile-max-backups": 2,
    "agent-logfile-max-size": "100M",
    "agent-ratelimit-max": 10,
    "agent-ratelimit-rate": "250ms",
    "api-port": 17070,
    "api-port-open-delay": "2s",
    "application-resource-download-limit": 0,
    "audit-log-capture-args": false,
    "audit-log-exclude-methods": ["ReadOnlyMethods"],
    "audit-log-max-backups": 10,
    "audit-log-max-size": "300M",
    "auditing-enabled": true,
    "ca-cert": infoOf(ctx.store).caCert,
    "controller-name": infoOf(ctx.store).controllerName,
    "controller-resource-download-limit": 0,
    "controller-uuid": ctx.store.controllerUuid,
    "juju-db-snap-channel": "4.4/stable",
    "max-agent-state-size": 524288,
    "max-charm-state-size": 2097152,
    "max-debug-log-duration": "24h0m0s",
    "max-prune-txn-batch-size": 1000000,
    "max-prune-txn-passes": 100,
    "max-txn-log-size": "10M",
    "migration-agent-wait-time": "15m0s",
    "model-logfile-max-backups": 2,
    "model-logfile-max-size": "10M",
    "model-logs-size": "20M",
    "mongo-memory-profile": "default",
    "object-store-type": "file",
    "prune-txn-query-count": 1000,
    "prune-txn-sleep-time": "10ms",
    "query-tracing-enabled": false,
    "query-tracing-threshold": "1s",
    "set-numa-control-policy": false,
    "ssh-max-concurrent-connections": 100,
    "ssh-server-port": 17022,
    "state-port": 37017,
  };
}

/** The Controller methods. */
export const controllerMethods: readonly MethodSpec[] = [
  method({
    facade: "Controller",
    method: "ControllerAPIInfoForModels",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => {
        const uuid = parseTagOfKind(e.string("tag"), "model");
        // Models not hosted here are looked up among completed migrations; there are none.
        if (!ctx.store.models.has(uuid)) throw Errors.notFound("migration");
        const info = infoOf(ctx.store);
        return { addresses: info.addresses(), cacert: info.caCert };
      }).map((r) => ("error" in r ? { addresses: null, cacert: "", ...r } : r)),
    }),
  }),
  method({
    facade: "Controller",
    method: "ControllerConfig",
    call: (ctx) => ({ config: controllerConfig(ctx) }),
  }),
  method({
    facade: "Controller",
    method: "ControllerVersion",
    call: (ctx) => ({
      version: ctx.store.agentVersion,
      // The build's commit is only known for the version the facade lists come from.
      "git-commit":
        ctx.store.agentVersion === ctx.store.profile.jujuVersion
          ? ctx.store.profile.facades.jujuCommit
          : "",
    }),
  }),
  method({
    facade: "Controller",
    method: "IdentityProviderURL",
    // No external identity provider (Candid) is configured at bootstrap.
    call: () => ({ result: "" }),
  }),
  method({
    facade: "Controller",
    method: "MongoVersion",
    call: (ctx) => {
      requireSuperuser(ctx);
      return { result: MONGO_VERSION };
    },
  }),
  method({
    facade: "Controller",
    method: "ModelConfig",
    versions: [11],
    call: (ctx) => {
      requireSuperuser(ctx);
      const m = ctx.store.controllerModel;
      const config: Record<string, { value: unknown; source: string }> = {};
      for (const [k, e] of [...m.config.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        config[k] = { value: e.value, source: e.source };
      }
      return { config };
    },
  }),
  method({
    facade: "Controller",
    method: "AllModels",
    call: (ctx) => {
      requireSuperuser(ctx);
      return {
        "user-models": [...ctx.store.models.values()].map((m) => {
          const last = m.lastConnection.get(ctx.user);
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
    facade: "Controller",
    method: "ModelStatus",
    params: "params.Entities",
    call: (ctx, p) => modelStatusResults(ctx, p),
  }),
  method({
    facade: "Controller",
    method: "ListBlockedModels",
    call: (ctx) => {
      requireSuperuser(ctx);
      // Models with at least one block (disable-command), as `params.ModelBlockInfo`.
      const models = [...ctx.store.models.values()]
        .map((m) => ({ m, blocks: blockTypesOf(m) }))
        .filter((x) => x.blocks.length > 0)
        .map(({ m, blocks }) => ({
          name: m.name,
          "model-uuid": m.uuid,
          "owner-tag": `user-${m.owner}`,
          blocks,
        }));
      return models.length === 0 ? {} : { models };
    },
  }),
  method({
    facade: "Controller",
    method: "GetControllerAccess",
    params: "params.Entities",
    call: (ctx, p) => {
      const admin = ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
      return {
        results: bulk(p.objects("entities", "params.Entity"), (e) => {
          const id = parseTagOfKind(e.string("tag"), "user");
          const name = localUserName(id);
          if (!admin && name !== ctx.user) throw Errors.permissionDenied();
          const user = name === undefined ? undefined : ctx.store.users.get(name);
          if (user === undefined) {
            throw new ServerError(`user ${JSON.stringify(id)} not found`, "user not found");
          }
          return { result: { "user-tag": `user-${id}`, access: user.controllerAccess } };
        }),
      };
    },
  }),
  method({
    facade: "Controller",
    method: "ModifyControllerAccess",
    params: "params.ModifyControllerAccessRequest",
    call: (ctx, p) => {
      // Refused per change, not for the whole call (Juju 3.6 ModifyControllerAccess).
      const superuser = isSuperuser(ctx.store, ctx.user);
      return {
        results: bulk(p.objects("changes", "params.ModifyControllerAccess"), (c) => {
          const userTag = c.string("user-tag");
          const action = c.string("action");
          const access = c.string("access");
          if (!superuser) throw Errors.permissionDenied();
          if (!isControllerAccess(access)) {
            throw new ServerError(
              `${JSON.stringify(access)} controller access not valid`,
              "not valid",
            );
          }
          let target: string;
          try {
            target = parseTagOfKind(userTag, "user");
          } catch (e) {
            throw e instanceof ServerError ? e.annotate("could not modify controller access") : e;
          }
          changeControllerAccess(ctx.store, localUserName(target) ?? target, action, access);
          return {};
        }),
      };
    },
  }),
];

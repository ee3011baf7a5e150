/**
 * Controller-level user management and model summaries:
 * `UserManager.ResetPassword`,
 * `Controller.WatchModelSummaries` / `WatchAllModelSummaries` and
 * `ModelSummaryWatcher(1)` `Next` / `Stop` (`apiserver/facades/client/controller`,
 * `apiserver/facades/client/usermanager`, `apiserver/watcher.go`).
 * @module
 */
import { randomBytes } from "node:crypto";
import { Errors, ServerError } from "../errors.js";
import type { ModelRecord } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { effectiveModelAccess, isSuperuser, modelUsers } from "../users.js";
import { bulk } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method } from "./typed.js";

// ----- model summaries -----

/** `params.ModelAbstract` of one model. */
function modelAbstract(ctx: CallContext, m: ModelRecord): Record<string, unknown> {
  const st = m.state;
  const machines = [...st.machines.values()];
  const admins = [...modelUsers(m)]
    .filter(([, a]) => a === "admin")
    .map(([u]) => u)
    .sort();
  const messages = [...st.units.values()]
    .filter((u) => u.workloadStatus.current === "error" || u.agentStatus.current === "error")
    .map((u) => ({
      agent: `unit-${u.name.replace("/", "-")}`,
      message:
        u.workloadStatus.current === "error" ? u.workloadStatus.message : u.agentStatus.message,
    }));
  const out: Record<string, unknown> = {
    uuid: m.uuid,
    controller: ctx.store.controllerUuid,
    name: m.name,
    admins,
    cloud: m.cloud.name,
    region: m.region,
    credential: `${m.cloud.name}/${m.owner}/${m.cloud.credentialId.split("_").pop()}`,
    size: {
      machines: machines.filter((x) => x.parentId === "").length,
      containers: machines.filter((x) => x.parentId !== "").length,
      applications: st.applications.size,
      units: st.units.size,
      relations: st.relations.size,
    },
    status: m.status.current,
  };
  if (messages.length > 0) out.messages = messages;
  const annotations = st.annotations.get(`model-${m.uuid}`);
  if (annotations !== undefined && Object.keys(annotations).length > 0) {
    out.annotations = { ...annotations };
  }
  return out;
}

/** What one summary watcher has sent, and for whom. */
interface SummaryWatcher {
  user: string;
  all: boolean;
  sent: Map<string, string> | undefined;
}

const summaryWatchers = new WeakMap<object, SummaryWatcher>();

function visibleModels(ctx: CallContext, w: SummaryWatcher): ModelRecord[] {
  return [...ctx.store.models.values()].filter(
    (m) => w.all || effectiveModelAccess(ctx.store, m, w.user) !== undefined,
  );
}

/** The summaries that changed since the watcher's last `Next` (all of them the first time). */
function summaryChanges(ctx: CallContext, w: SummaryWatcher): Array<Record<string, unknown>> {
  const now = new Map<string, string>();
  const changed: Array<Record<string, unknown>> = [];
  for (const m of visibleModels(ctx, w)) {
    const abstract = modelAbstract(ctx, m);
    const text = JSON.stringify(abstract);
    now.set(m.uuid, text);
    if (w.sent?.get(m.uuid) !== text) changed.push(abstract);
  }
  for (const uuid of w.sent?.keys() ?? []) {
    if (!now.has(uuid)) changed.push({ uuid, removed: true });
  }
  w.sent = now;
  return changed;
}

function startSummaryWatcher(ctx: CallContext, all: boolean): { "watcher-id": string } {
  if (all && !isSuperuser(ctx.store, ctx.user)) throw Errors.permissionDenied();
  // An AllWatcher cursor on the controller model is the connection-owned
  // handle: the session stops it on Stop or when the connection closes.
  const cursor = ctx.store.controllerModel.entities.watch();
  summaryWatchers.set(cursor, { user: ctx.user, all, sent: undefined });
  return { "watcher-id": ctx.addWatcher(cursor) };
}

const POLL_MS = 50;

/** The controller and summary-watcher methods. */
export const controllerUserMethods: readonly MethodSpec[] = [
  method({
    facade: "UserManager",
    method: "ResetPassword",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => {
        const tag = e.string("tag");
        const id = parseTagOfKind(tag, "user");
        const name = localUserName(id);
        const user = name === undefined ? undefined : ctx.store.users.get(name);
        if (user === undefined) {
          throw new ServerError(`user ${JSON.stringify(id)} not found`, "user not found");
        }
        // Superusers reset other users' passwords; nobody resets their own.
        if (!isSuperuser(ctx.store, ctx.user) || user.name === ctx.user)
          throw Errors.permissionDenied();
        // The old password stops working; the user registers again with the secret key.
        user.password = randomBytes(24).toString("base64url");
        return { tag, "secret-key": randomBytes(32).toString("base64") };
      }),
    }),
  }),
  method({
    facade: "Controller",
    method: "WatchModelSummaries",
    call: (ctx) => startSummaryWatcher(ctx, false),
  }),
  method({
    facade: "Controller",
    method: "WatchAllModelSummaries",
    call: (ctx) => startSummaryWatcher(ctx, true),
  }),
  {
    facade: "ModelSummaryWatcher",
    method: "Next",
    call: async (ctx) => {
      const cursor = ctx.watcher(ctx.id);
      const w = summaryWatchers.get(cursor);
      if (w === undefined) throw Errors.unknownWatcher();
      for (;;) {
        if (cursor.isStopped) throw Errors.watcherStopped();
        const first = w.sent === undefined;
        const models = summaryChanges(ctx, w);
        if (models.length > 0 || first) return { models };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
      }
    },
  },
  {
    facade: "ModelSummaryWatcher",
    method: "Stop",
    call: (ctx) => {
      ctx.stopWatcher(ctx.id);
      return undefined;
    },
  },
];

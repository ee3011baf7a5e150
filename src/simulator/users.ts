/**
 * Users' access to models (`permission.Access` in Juju): the owner is a
 * model admin, controller superusers may do anything, and other users only
 * reach a model after `ModelManager.ModifyModelAccess` granted them `read`,
 * `write` or `admin` (`apiserver/facades/client/modelmanager`
 * `changeModelAccess`).
 * @module
 */
import { ServerError } from "./errors.js";
import type { ControllerStore, ModelRecord, UserRecord } from "./store.js";

/** A model access level. */
export type ModelAccess = "read" | "write" | "admin";

const RANK: Record<ModelAccess, number> = { read: 1, write: 2, admin: 3 };
const grants = new WeakMap<ModelRecord, Map<string, ModelAccess>>();

/** Whether `s` is a model access level (`permission.ValidateModelAccess`). */
export function isModelAccess(s: string): s is ModelAccess {
  return s === "read" || s === "write" || s === "admin";
}

/** The users given access to a model, by name (the owner is always there as admin). */
export function modelUsers(m: ModelRecord): Map<string, ModelAccess> {
  let g = grants.get(m);
  if (g === undefined) {
    g = new Map([[m.owner, "admin"]]);
    grants.set(m, g);
  }
  return g;
}

/** The access a user has to a model as a model user; undefined when none. */
export function modelAccessOf(m: ModelRecord, user: string): ModelAccess | undefined {
  return modelUsers(m).get(user);
}

/** What a user may do on a model: superusers are admins everywhere. */
export function effectiveModelAccess(
  store: ControllerStore,
  m: ModelRecord,
  user: string,
): ModelAccess | undefined {
  if (store.users.get(user)?.controllerAccess === "superuser") return "admin";
  return modelAccessOf(m, user);
}

/** Forgets every grant of a removed user. */
export function forgetUser(store: ControllerStore, user: string): void {
  for (const m of store.models.values()) modelUsers(m).delete(user);
}

/** Extra bookkeeping of a user that `UserInfo` reports. */
export interface UserMeta {
  createdBy: string;
  dateCreated: Date;
  disabled: boolean;
}
const metas = new WeakMap<UserRecord, UserMeta>();
const started = new WeakMap<ControllerStore, Date>();

/** Records the start of a controller (the admin's creation date). */
export function controllerStarted(store: ControllerStore): Date {
  let d = started.get(store);
  if (d === undefined) {
    d = new Date();
    started.set(store, d);
  }
  return d;
}

/** The {@link UserMeta} of a user (admin: created by itself when the controller started). */
export function userMeta(store: ControllerStore, u: UserRecord): UserMeta {
  let m = metas.get(u);
  if (m === undefined) {
    m = { createdBy: u.name, dateCreated: controllerStarted(store), disabled: false };
    metas.set(u, m);
  }
  return m;
}

/** Sets the bookkeeping of a new user. */
export function setUserMeta(u: UserRecord, meta: UserMeta): void {
  metas.set(u, meta);
}

/**
 * `changeModelAccess` on a model, after the caller's rights and the tags
 * were checked: grants only raise access, revoking `read` removes the user,
 * `write` leaves `read` and `admin` leaves `write`.
 */
export function changeModelAccess(
  store: ControllerStore,
  m: ModelRecord,
  user: string,
  action: string,
  access: ModelAccess,
): void {
  const users = modelUsers(m);
  const current = users.get(user);
  if (action === "grant") {
    if (!store.users.has(user)) {
      throw new ServerError(
        `could not grant model access: user ${JSON.stringify(user)} does not exist locally: user ${JSON.stringify(user)} not found`,
        "not found",
      );
    }
    if (current !== undefined && RANK[current] >= RANK[access]) {
      throw new ServerError(`user already has ${JSON.stringify(access)} access or greater`);
    }
    users.set(user, access);
    return;
  }
  if (action !== "revoke") throw new ServerError(`unknown action ${JSON.stringify(action)}`);
  if (current === undefined) {
    const prefix =
      access === "read"
        ? "could not revoke model access"
        : "could not look up model access for user";
    throw new ServerError(
      `${prefix}: model user ${JSON.stringify(user)} does not exist`,
      "not found",
    );
  }
  if (access === "read") users.delete(user);
  else if (access === "write") users.set(user, "read");
  else users.set(user, "write");
}

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
  cloudGrants.get(store)?.delete(user);
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

/** A controller access level (`permission.ValidateControllerAccess` in 3.6: `add-model` is a cloud access). */
export type ControllerAccess = "login" | "superuser";

/** A cloud access level (`permission.ValidateCloudAccess`). */
export type CloudAccess = "add-model" | "admin";

const CONTROLLER_RANK: Record<ControllerAccess, number> = { login: 1, superuser: 2 };
const CLOUD_RANK: Record<CloudAccess, number> = { "add-model": 1, admin: 2 };
const cloudGrants = new WeakMap<ControllerStore, Map<string, CloudAccess>>();

/** @internal Saved and restored by `snapshot.ts`. */
export { cloudGrants as cloudAccessGrants };

/** Whether `s` is a controller access level. */
export function isControllerAccess(s: string): s is ControllerAccess {
  return s === "login" || s === "superuser";
}

/** Whether `s` is a cloud access level. */
export function isCloudAccess(s: string): s is CloudAccess {
  return s === "add-model" || s === "admin";
}

/** Whether a user is a controller superuser. */
export function isSuperuser(store: ControllerStore, user: string): boolean {
  return store.users.get(user)?.controllerAccess === "superuser";
}

/** Whether a user's controller access is at least `need` (no access, or no such user: false). */
export function hasControllerAccess(
  store: ControllerStore,
  user: string,
  need: ControllerAccess,
): boolean {
  const have = store.users.get(user)?.controllerAccess;
  return have !== undefined && have !== "" && CONTROLLER_RANK[have] >= CONTROLLER_RANK[need];
}

/**
 * A user's access to the controller's one cloud: the bootstrap admin is its
 * admin (bootstrap grants it); others only what `Cloud.ModifyCloudAccess` gave.
 */
export function cloudAccessOf(store: ControllerStore, user: string): CloudAccess | undefined {
  let g = cloudGrants.get(store);
  if (g === undefined) {
    g = new Map([["admin", "admin"]]);
    cloudGrants.set(store, g);
  }
  return g.get(user);
}

/** Whether a user's cloud access is at least `need`. */
export function hasCloudAccess(store: ControllerStore, user: string, need: CloudAccess): boolean {
  const have = cloudAccessOf(store, user);
  return have !== undefined && CLOUD_RANK[have] >= CLOUD_RANK[need];
}

/**
 * `ChangeControllerAccess` (`apiserver/facades/client/controller`): a grant
 * only raises access; revoking `login` removes the user's controller access,
 * revoking `superuser` leaves `login`.
 */
export function changeControllerAccess(
  store: ControllerStore,
  user: string,
  action: string,
  access: ControllerAccess,
): void {
  const u = store.users.get(user);
  if (action === "grant") {
    if (u === undefined) {
      throw new ServerError(
        `could not grant controller access: user ${JSON.stringify(user)} does not exist locally: user ${JSON.stringify(user)} not found`,
        "not found",
      );
    }
    if (
      u.controllerAccess !== "" &&
      CONTROLLER_RANK[u.controllerAccess] >= CONTROLLER_RANK[access]
    ) {
      throw new ServerError(`user already has ${JSON.stringify(access)} access or greater`);
    }
    u.controllerAccess = access;
    return;
  }
  if (action !== "revoke") throw new ServerError(`unknown action ${JSON.stringify(action)}`);
  if (u === undefined || u.controllerAccess === "") {
    throw new ServerError(
      `could not look up controller access for user: user ${JSON.stringify(user)} not found`,
      "not found",
    );
  }
  u.controllerAccess = access === "login" ? "" : "login";
}

/**
 * `grantCloudAccess` / `revokeCloudAccess` (`apiserver/facades/client/cloud`):
 * a grant only raises access; revoking `add-model` removes it, revoking
 * `admin` leaves `add-model`.
 */
export function changeCloudAccess(
  store: ControllerStore,
  user: string,
  action: string,
  access: CloudAccess,
): void {
  cloudAccessOf(store, user);
  const g = cloudGrants.get(store) as Map<string, CloudAccess>;
  const current = g.get(user);
  if (action === "grant") {
    if (!store.users.has(user)) {
      throw new ServerError(
        `could not grant cloud access: user ${JSON.stringify(user)} not found`,
        "user not found",
      );
    }
    if (current !== undefined && CLOUD_RANK[current] >= CLOUD_RANK[access]) {
      throw new ServerError(`user already has ${JSON.stringify(access)} access or greater`);
    }
    g.set(user, access);
    return;
  }
  if (action !== "revoke") throw new ServerError(`unknown action ${JSON.stringify(action)}`);
  if (current === undefined) {
    throw new ServerError(
      `could not look up cloud access for user ${JSON.stringify(user)}`,
      "not found",
    );
  }
  if (access === "add-model") g.delete(user);
  else g.set(user, "add-model");
}

/**
 * Controller users and their model access (`UserManager` and
 * `ModelManager.ModifyModelAccess`), as python-libjuju's `add_user`,
 * `remove_user`, `get_user`, `grant_model` and `revoke_model` do.
 * @module
 */
import type { UserManager } from "../facades/generated/index.js";
import { bulkResultsStrict } from "../rpc/bulk.js";
import type { CallOptions, Connection } from "../rpc/connection.js";
import { JujuBulkError, JujuError } from "../rpc/errors.js";

/** A model access level. */
export type ModelAccessLevel = "read" | "write" | "admin";

/** Options of `Controller.addUser`. */
export interface AddUserOptions extends CallOptions {
  /** The user's password; without one Juju answers a registration secret key. */
  password?: string;
  /** Display name. */
  displayName?: string;
}

/** A controller user (`UserManager.UserInfo`). */
export interface UserInfo {
  /** The user name. */
  username: string;
  /** The display name, `""` when none. */
  displayName: string;
  /** Controller access: `login` or `superuser`. */
  access: string;
  /** Who added the user. */
  createdBy: string;
  /** When the user was added (RFC 3339). */
  dateCreated: string;
  /** When the user last connected (RFC 3339), if ever. */
  lastConnection: string | undefined;
  /** Whether the user is disabled. */
  disabled: boolean;
  /** The registration secret key, for a user just added without a password. */
  secretKey?: string;
}

/** `user-<name>` for a name or tag. */
export const userTag = (user: string): string => (user.startsWith("user-") ? user : `user-${user}`);

/** The items of a one-item bulk reply; its failure is thrown as the item's own error. */
function one<T>(
  response: { results?: readonly T[] | null },
  site: { facade: string; version: number; method: string },
): T | undefined {
  try {
    return bulkResultsStrict(response, site)[0];
  } catch (e) {
    if (e instanceof JujuBulkError && e.failures.length === 1 && e.failures[0] !== undefined) {
      throw e.failures[0].error;
    }
    throw e;
  }
}

function toUserInfo(u: UserManager.UserInfo): UserInfo {
  return {
    username: u.username,
    displayName: u["display-name"],
    access: u.access,
    createdBy: u["created-by"],
    dateCreated: u["date-created"],
    lastConnection: u["last-connection"] || undefined,
    disabled: u.disabled,
  };
}

/** `UserManager.UserInfo` for one user. */
export async function getUser(
  conn: Connection,
  user: string,
  options: CallOptions = {},
): Promise<UserInfo> {
  const um = conn.facade("UserManager");
  const site = { facade: um.name, version: um.version, method: "UserInfo" };
  const res = await um.call(
    "UserInfo",
    { entities: [{ tag: userTag(user) }], "include-disabled": true },
    options,
  );
  const item = one(res, site);
  if (item?.result === undefined) throw new JujuError(`user ${JSON.stringify(user)} not found`);
  return toUserInfo(item.result);
}

/** `UserManager.UserInfo` for every user. */
export async function getUsers(
  conn: Connection,
  includeDisabled: boolean,
  options: CallOptions = {},
): Promise<UserInfo[]> {
  const um = conn.facade("UserManager");
  const site = { facade: um.name, version: um.version, method: "UserInfo" };
  const res = await um.call(
    "UserInfo",
    { entities: [], "include-disabled": includeDisabled },
    options,
  );
  return bulkResultsStrict(res, site).flatMap((r) => (r.result ? [toUserInfo(r.result)] : []));
}

/** `UserManager.AddUser`, then the new user's info. */
export async function addUser(
  conn: Connection,
  username: string,
  options: AddUserOptions = {},
): Promise<UserInfo> {
  const { password, displayName, ...call } = options;
  const um = conn.facade("UserManager");
  const site = { facade: um.name, version: um.version, method: "AddUser" };
  const arg: UserManager.AddUser = { username, "display-name": displayName ?? "" };
  if (password !== undefined) arg.password = password;
  const res = await um.call("AddUser", { users: [arg] }, call);
  const added = one(res, site);
  const info = await getUser(conn, username, call);
  if (added?.["secret-key"]) info.secretKey = added["secret-key"];
  return info;
}

/** A one-entity `UserManager` call answering `ErrorResults`. */
export async function userCall(
  conn: Connection,
  method: "RemoveUser" | "EnableUser" | "DisableUser",
  user: string,
  options: CallOptions = {},
): Promise<void> {
  const um = conn.facade("UserManager");
  const res = await um.call(method, { entities: [{ tag: userTag(user) }] }, options);
  one(res, { facade: um.name, version: um.version, method });
}

/** `UserManager.SetPassword` for one user. */
export async function setPassword(
  conn: Connection,
  user: string,
  password: string,
  options: CallOptions = {},
): Promise<void> {
  const um = conn.facade("UserManager");
  const res = await um.call(
    "SetPassword",
    { changes: [{ tag: userTag(user), password }] },
    options,
  );
  one(res, { facade: um.name, version: um.version, method: "SetPassword" });
}

/**
 * `ModelManager.ModifyModelAccess` for one user and model; the
 * controller's refusal (e.g. an unknown level: code `not valid`) is thrown
 * as its {@link JujuError}.
 */
export async function modifyModelAccess(
  conn: Connection,
  action: "grant" | "revoke",
  user: string,
  modelUuid: string,
  access: string,
  options: CallOptions = {},
): Promise<void> {
  const mm = conn.facade("ModelManager");
  const res = await mm.call(
    "ModifyModelAccess",
    {
      changes: [{ "user-tag": userTag(user), action, access, "model-tag": `model-${modelUuid}` }],
    },
    options,
  );
  one(res, { facade: mm.name, version: mm.version, method: "ModifyModelAccess" });
}

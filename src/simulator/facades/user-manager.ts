/**
 * `UserManager(3)`, controller connections only: `AddUser`, `RemoveUser`,
 * `UserInfo`, `SetPassword`, `EnableUser` and `DisableUser`
 * (`apiserver/facades/client/usermanager`). Only local users exist here;
 * changes need a controller superuser, except a user's own password.
 * Disabled users cannot log in (their password no longer validates).
 * @module
 */
import { randomBytes } from "node:crypto";
import type { UserManager as UserManagerFacade } from "../../facades/generated/index.js";
import { Errors, ServerError } from "../errors.js";
import { goTime, type UserRecord } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { forgetUser, setUserMeta, userMeta } from "../users.js";
import type { ErrorItem } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

const USER_NAME_RE = /^(?:[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]|[a-zA-Z0-9])$/;
/** `secret-key` of a user added without a password (a registration key). */
const secretKey = () => randomBytes(32).toString("base64");

function isSuperuser(ctx: CallContext): boolean {
  return ctx.store.users.get(ctx.user)?.controllerAccess === "superuser";
}

function requireSuperuser(ctx: CallContext): void {
  if (!isSuperuser(ctx)) throw Errors.permissionDenied();
}

/** The local user of a user tag; `user "x" not found` when there is none. */
function userOf(ctx: CallContext, tag: string): UserRecord {
  const id = parseTagOfKind(tag, "user");
  const name = localUserName(id);
  const u = name === undefined ? undefined : ctx.store.users.get(name);
  if (u === undefined) {
    throw new ServerError(`user ${JSON.stringify(id)} not found`, "user not found");
  }
  return u;
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

function userInfo(ctx: CallContext, u: UserRecord): UserManagerFacade.UserInfo {
  const meta = userMeta(ctx.store, u);
  const last = [...ctx.store.models.values()]
    .map((m) => m.lastConnection.get(u.name))
    .filter((d): d is Date => d !== undefined)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const info: UserManagerFacade.UserInfo = {
    username: u.name,
    "display-name": u.displayName,
    access: u.controllerAccess,
    "created-by": meta.createdBy,
    "date-created": goTime(meta.dateCreated),
    disabled: meta.disabled,
  };
  if (last !== undefined) info["last-connection"] = goTime(last);
  return info;
}

function setDisabled(
  ctx: CallContext,
  p: Params<UserManagerFacade.Entities>,
  disabled: boolean,
): { results: Array<Record<string, never> | ErrorItem> } {
  const entities = p.objects("entities", "params.Entity");
  requireSuperuser(ctx);
  return {
    results: bulk(entities, (e): Record<string, never> => {
      const u = userOf(ctx, e.string("tag"));
      if (disabled && u.name === ctx.user) {
        throw new ServerError(`cannot disable controller owner`);
      }
      userMeta(ctx.store, u).disabled = disabled;
      return {};
    }),
  };
}

/** The UserManager methods. */
export const userManagerMethods: readonly MethodSpec[] = [
  method({
    facade: "UserManager",
    method: "AddUser",
    params: "params.AddUsers",
    call: (ctx, p) => {
      const users = p.objects("users", "params.AddUser");
      requireSuperuser(ctx);
      return {
        results: bulk(users, (u) => {
          const username = u.string("username");
          const displayName = u.string("display-name");
          const password = u.string("password");
          if (!USER_NAME_RE.test(username)) {
            throw new ServerError(
              `failed to create user: invalid user name ${JSON.stringify(username)}`,
            );
          }
          if (ctx.store.users.has(username)) {
            throw new ServerError("failed to create user: username unavailable");
          }
          const record: UserRecord = {
            name: username,
            displayName,
            password,
            controllerAccess: "login",
          };
          ctx.store.users.set(username, record);
          setUserMeta(record, { createdBy: ctx.user, dateCreated: new Date(), disabled: false });
          const result: UserManagerFacade.AddUserResult = { tag: `user-${username}` };
          if (password === "") result["secret-key"] = secretKey();
          return result;
        }),
      };
    },
  }),
  method({
    facade: "UserManager",
    method: "RemoveUser",
    params: "params.Entities",
    call: (ctx, p) => {
      const entities = p.objects("entities", "params.Entity");
      requireSuperuser(ctx);
      return {
        results: bulk(entities, (e) => {
          const tag = e.string("tag");
          const id = parseTagOfKind(tag, "user");
          if (localUserName(id) === "admin") {
            throw new ServerError(`cannot delete controller owner ${JSON.stringify(id)}`);
          }
          let u: UserRecord;
          try {
            u = userOf(ctx, tag);
          } catch (err) {
            if (err instanceof ServerError) {
              throw err.annotate(`failed to delete user ${JSON.stringify(id)}`);
            }
            throw err;
          }
          ctx.store.users.delete(u.name);
          forgetUser(ctx.store, u.name);
          return {};
        }),
      };
    },
  }),
  method({
    facade: "UserManager",
    method: "UserInfo",
    params: "params.UserInfoRequest",
    call: (ctx, p) => {
      const entities = p.objects("entities", "params.Entity");
      const includeDisabled = p.optBool("include-disabled") ?? false;
      // Users other than superusers only see themselves (ErrPerm for anyone else).
      const sees = (u: UserRecord) => isSuperuser(ctx) || u.name === ctx.user;
      if (entities.length === 0) {
        const all = [...ctx.store.users.values()].filter(
          (u) => (includeDisabled || !userMeta(ctx.store, u).disabled) && sees(u),
        );
        return { results: all.map((u) => ({ result: userInfo(ctx, u) })) };
      }
      return {
        results: bulk(entities, (e) => {
          const tag = e.string("tag");
          const id = parseTagOfKind(tag, "user");
          if (!isSuperuser(ctx) && localUserName(id) !== ctx.user) throw Errors.permissionDenied();
          return { result: userInfo(ctx, userOf(ctx, tag)) };
        }),
      };
    },
  }),
  method({
    facade: "UserManager",
    method: "SetPassword",
    params: "params.EntityPasswords",
    call: (ctx, p) => ({
      results: bulk(p.objects("changes", "params.EntityPassword"), (c) => {
        const u = userOf(ctx, c.string("tag"));
        const password = c.string("password");
        if (u.name !== ctx.user && !isSuperuser(ctx)) throw Errors.permissionDenied();
        if (password === "") {
          throw new ServerError(
            `cannot set password for ${JSON.stringify(u.name)}: password is empty`,
          );
        }
        u.password = password;
        return {};
      }),
    }),
  }),
  method({
    facade: "UserManager",
    method: "DisableUser",
    params: "params.Entities",
    call: (ctx, p) => setDisabled(ctx, p, true),
  }),
  method({
    facade: "UserManager",
    method: "EnableUser",
    params: "params.Entities",
    call: (ctx, p) => setDisabled(ctx, p, false),
  }),
];

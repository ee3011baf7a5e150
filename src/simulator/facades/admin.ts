/**
 * `Admin(3)`: the only facade of a connection before login
 * (`apiserver/admin.go`). Login checks the password of a local user and
 * answers with the servers, tags, user info and the facade list of the
 * connection kind.
 * @module
 */
import type { Admin as AdminFacade } from "../../facades/generated/index.js";
import type { FacadeVersions, HostPort } from "../../protocol/frames.js";
import { Errors, ServerError } from "../errors.js";
import { ANONYMOUS_FACADES, ANONYMOUS_USER } from "../permissions.js";
import type { ControllerStore } from "../store.js";
import { localUserName, parseTag } from "../tags.js";
import { isSuperuser, modelAccessOf, userMeta } from "../users.js";
import type { Params } from "./typed.js";

/** Where a model's clients must go instead: makes Login fail with `redirection required`. */
export interface RedirectTarget {
  servers: HostPort[][];
  caCert: string;
  controllerTag?: string;
  controllerAlias?: string;
}

/** What Login needs to know about the connection. */
export interface LoginContext {
  store: ControllerStore;
  kind: "model" | "controller";
  /** The model of a model connection. */
  modelUuid?: string;
  /** The addresses the controller is reachable at. */
  servers: HostPort[][];
  /** The redirect registered for this model, if any. */
  redirect?: RedirectTarget;
  /** External users' macaroon login (`Simulator.start({macaroonAuth})`); absent: passwords only. */
  macaroonAuth?: MacaroonLogin;
}

/** What Login needs of the controller's bakery (`../macaroon.ts`). */
export interface MacaroonLogin {
  verify(slices: unknown): { ok: true; username: string } | { ok: false; reason: string };
  dischargeRequired(bakeryVersion: number): AdminFacade.LoginResult;
}

/**
 * The reply and the user now logged in; `user` is undefined for a
 * discharge-required answer, which leaves the connection logged out.
 */
export interface LoginOutcome {
  user: string | undefined;
  result: AdminFacade.LoginResult;
}

function copyFacades(list: readonly FacadeVersions[]): FacadeVersions[] {
  return list.map((f) => ({ name: f.name, versions: [...f.versions] }));
}

/** `Admin.Login` with `params.LoginRequest`. */
export function login(ctx: LoginContext, p: Params<AdminFacade.LoginRequest>): LoginOutcome {
  const authTag = p.string("auth-tag");
  const credentials = p.string("credentials");
  const token = p.string("token");
  p.string("nonce");
  p.string("cli-args");
  p.string("client-version");
  p.string("user-data");
  const bakeryVersion = p.optInt("bakery-version");

  let tag: { kind: string; id: string } | undefined;
  if (token === "" && authTag !== "") tag = parseTag(authTag);

  // Redirects are decided before the credentials are checked (maybeEmitRedirectError).
  if (tag?.kind === "user" && ctx.redirect !== undefined) {
    const r = ctx.redirect;
    const info: Record<string, unknown> = { servers: r.servers, "ca-cert": r.caCert };
    if (r.controllerTag !== undefined) info["controller-tag"] = r.controllerTag;
    if (r.controllerAlias !== undefined) info["controller-alias"] = r.controllerAlias;
    throw new ServerError(
      "redirection to alternative server required",
      "redirection required",
      info,
    );
  }

  // A consuming controller's remote relations worker logs in to the offering
  // model as the anonymous user without credentials: no user info, only the
  // anonymous facades; macaroons guard each call.
  if (authTag === `user-${ANONYMOUS_USER}` && credentials === "" && ctx.kind === "model") {
    const model = ctx.store.models.get(ctx.modelUuid ?? "");
    if (model === undefined) throw Errors.permissionDenied();
    return {
      user: ANONYMOUS_USER,
      result: {
        servers: ctx.servers,
        "controller-tag": `controller-${ctx.store.controllerUuid}`,
        "model-tag": `model-${model.uuid}`,
        facades: copyFacades(
          ctx.store.profile.facades.modelLogin.filter((f) => ANONYMOUS_FACADES.has(f.name)),
        ),
        "server-version": ctx.store.agentVersion,
      },
    };
  }

  // External users (no auth-tag, or a non-local user tag, and no password)
  // log in with macaroons discharged by the identity provider; without
  // valid ones Juju answers discharge-required (a result, not an error).
  let macaroonUser: string | undefined;
  const external =
    token === "" &&
    credentials === "" &&
    (authTag === "" || (tag?.kind === "user" && localUserName(tag.id) === undefined));
  if (ctx.macaroonAuth !== undefined && external) {
    const verified = ctx.macaroonAuth.verify(p.raw("macaroons"));
    if (!verified.ok) {
      return { user: undefined, result: ctx.macaroonAuth.dischargeRequired(bakeryVersion ?? 1) };
    }
    macaroonUser = verified.username;
    if (!ctx.store.users.has(macaroonUser)) {
      // As if `everyone@external` had been granted login.
      ctx.store.users.set(macaroonUser, {
        name: macaroonUser,
        displayName: "",
        password: "",
        controllerAccess: "login",
      });
    }
  } else if (tag === undefined || tag.kind !== "user" || credentials === "") {
    // Only local users with passwords, and external users with macaroons.
    throw Errors.unauthorized();
  }
  const name = macaroonUser ?? (tag === undefined ? undefined : localUserName(tag.id));
  const user = name === undefined ? undefined : ctx.store.users.get(name);
  if (user === undefined || (macaroonUser === undefined && user.password !== credentials)) {
    throw Errors.unauthorized();
  }
  // A disabled user's password no longer validates.
  if (userMeta(ctx.store, user).disabled) throw Errors.unauthorized();

  // checkUserPermissions: the user's own grant on the model, admin for a
  // superuser without one, none otherwise; and (allow-model-access being
  // false) controller access for model logins too.
  const controllerLogin = ctx.kind === "controller";
  const model = controllerLogin ? undefined : ctx.store.models.get(ctx.modelUuid ?? "");
  if (!controllerLogin && model === undefined) throw Errors.permissionDenied();
  const modelAccess =
    model === undefined
      ? ""
      : (modelAccessOf(model, user.name) ??
        (isSuperuser(ctx.store, user.name) ? "admin" : undefined));
  if (modelAccess === undefined) throw Errors.permissionDenied();
  if (user.controllerAccess === "") throw Errors.permissionDenied();
  model?.lastConnection.set(user.name, new Date());

  const result: AdminFacade.LoginResult = {
    servers: ctx.servers,
    "controller-tag": `controller-${ctx.store.controllerUuid}`,
    "user-info": {
      "display-name": "",
      identity: `user-${user.name}`,
      "controller-access": user.controllerAccess,
      // Not omitempty in params.AuthUserInfo: "" for a controller-only login.
      "model-access": modelAccess,
    },
    facades: copyFacades(
      controllerLogin
        ? ctx.store.profile.facades.controllerLogin
        : ctx.store.profile.facades.modelLogin,
    ),
    "server-version": ctx.store.agentVersion,
  };
  if (model !== undefined) result["model-tag"] = `model-${model.uuid}`;
  return { user: user.name, result };
}

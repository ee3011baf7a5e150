/**
 * `Cloud(7)` (`apiserver/facades/client/cloud`): the controller's clouds and
 * the users' cloud credentials. The controller cloud is the store's LXD
 * cloud; `AddCloud` adds more (superusers); credentials are kept per tag
 * `cloudcred-<cloud>_<owner>_<name>`, secrets never sent back.
 * @module
 */

import type { Cloud as CloudFacade } from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import type { ControllerStore } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { isSuperuser } from "../users.js";
import { bulk, errorResults } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

interface CloudDef {
  type: string;
  "auth-types": string[];
  endpoint: string;
  "identity-endpoint": string;
  "storage-endpoint": string;
  regions: Array<{ name: string; endpoint?: string }>;
  "ca-certificates": string[];
  config: Record<string, unknown>;
  "is-controller-cloud": boolean;
}

interface Credential {
  "auth-type": string;
  attrs: Record<string, string>;
}

interface CloudState {
  clouds: Map<string, CloudDef>;
  credentials: Map<string, Credential>;
}

const states = new WeakMap<ControllerStore, CloudState>();

/**
 * Juju 3.6's `cloud.CurrentWhiteList()`: by controller cloud type, the cloud
 * types its controller may host (sorted, as Go's `SortedValues`).
 */
const CLOUD_WHITELIST: Readonly<Record<string, readonly string[]>> = {
  kubernetes: ["lxd", "maas", "openstack"],
  lxd: ["lxd", "maas", "openstack"],
  maas: ["maas", "openstack"],
  openstack: ["openstack"],
};

/** @internal Saved and restored by `snapshot.ts`. */
export { states as cloudStates };

// Attributes a provider's credential schema marks hidden: never sent back.
const SECRET_ATTRS = new Set([
  "password",
  "secret-key",
  "client-key",
  "private-key",
  "token",
  "trust-password",
]);

function stateOf(store: ControllerStore): CloudState {
  let s = states.get(store);
  if (s === undefined) {
    const c = store.cloud;
    s = {
      clouds: new Map([
        [
          c.name,
          {
            type: c.type,
            "auth-types": ["certificate", "interactive"],
            endpoint: "",
            "identity-endpoint": "",
            "storage-endpoint": "",
            regions: [{ name: c.region }],
            "ca-certificates": [],
            config: {},
            "is-controller-cloud": true,
          },
        ],
      ]),
      credentials: new Map([
        [
          `${c.credentialId}`,
          {
            "auth-type": "certificate",
            attrs: { "client-cert": "", "client-key": "", "server-cert": "" },
          },
        ],
      ]),
    };
    states.set(store, s);
  }
  return s;
}

function cloudWire(c: CloudDef): CloudFacade.Cloud {
  const out: CloudFacade.Cloud = { type: c.type, "auth-types": [...c["auth-types"]] };
  if (c.endpoint !== "") out.endpoint = c.endpoint;
  if (c["identity-endpoint"] !== "") out["identity-endpoint"] = c["identity-endpoint"];
  if (c["storage-endpoint"] !== "") out["storage-endpoint"] = c["storage-endpoint"];
  if (c.regions.length > 0) out.regions = c.regions.map((r) => ({ ...r }));
  if (c["ca-certificates"].length > 0) out["ca-certificates"] = [...c["ca-certificates"]];
  if (Object.keys(c.config).length > 0) out.config = { ...c.config };
  if (c["is-controller-cloud"]) out["is-controller-cloud"] = true;
  return out;
}

function cloudByTag(ctx: CallContext, tag: string): [string, CloudDef] {
  const name = parseTagOfKind(tag, "cloud");
  const c = stateOf(ctx.store).clouds.get(name);
  if (c === undefined) throw Errors.notFound(`cloud ${name}`);
  return [name, c];
}

/** `cloudcred-<cloud>_<owner>_<name>` → its parts, with Juju's tag errors. */
function credentialParts(tag: string): { cloud: string; owner: string; name: string; id: string } {
  const id = parseTagOfKind(tag, "cloudcred");
  const parts = id.split("_");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw new ServerError(`${JSON.stringify(tag)} is not a valid cloudcred tag`);
  }
  const [cloud = "", owner = "", name = ""] = parts;
  return { cloud, owner, name, id };
}

function canManageCredential(ctx: CallContext, owner: string): boolean {
  return isSuperuser(ctx.store, ctx.user) || localUserName(owner) === ctx.user;
}

function readCredential(f: Fields): Credential {
  const auth = f.string("auth-type");
  if (auth === "") throw new ServerError("missing auth-type", "not valid");
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.map("attrs"))) {
    if (typeof v !== "string")
      throw new ServerError(`attribute ${JSON.stringify(k)} is not a string`);
    attrs[k] = v;
  }
  return { "auth-type": auth, attrs };
}

function storeCredential(ctx: CallContext, tag: string, cred: Credential): void {
  const p = credentialParts(tag);
  if (!canManageCredential(ctx, p.owner)) throw Errors.permissionDenied();
  const cloud = stateOf(ctx.store).clouds.get(p.cloud);
  if (cloud === undefined) throw Errors.notFound(`cloud ${p.cloud}`);
  if (!cloud["auth-types"].includes(cred["auth-type"])) {
    throw new ServerError(
      `validating credential "${p.cloud}/${p.owner}/${p.name}" for cloud "${p.cloud}": supported auth-types ${JSON.stringify(cloud["auth-types"])}, "${cred["auth-type"]}" not supported`,
      "not supported",
    );
  }
  stateOf(ctx.store).credentials.set(p.id, cred);
}

/** The Cloud methods. */
export const cloudMethods: readonly MethodSpec[] = [
  method({
    facade: "Cloud",
    method: "Clouds",
    call: (ctx) => {
      const clouds: Record<string, CloudFacade.Cloud> = {};
      for (const [name, c] of stateOf(ctx.store).clouds) {
        // Non-superusers see the clouds they may use; in the simulator that is every cloud.
        clouds[`cloud-${name}`] = cloudWire(c);
      }
      return { clouds };
    },
  }),
  method({
    facade: "Cloud",
    method: "Cloud",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => ({
        cloud: cloudWire(cloudByTag(ctx, e.string("tag"))[1]),
      })),
    }),
  }),
  method({
    facade: "Cloud",
    method: "CloudInfo",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => {
        const c = cloudByTag(ctx, e.string("tag"))[1];
        const {
          config: _c,
          "ca-certificates": _ca,
          "is-controller-cloud": _i,
          ...rest
        } = cloudWire(c);
        const users = [...ctx.store.users.values()]
          .filter((u) => u.controllerAccess === "superuser")
          .map((u) => ({ user: u.name, "display-name": u.displayName, access: "admin" }));
        return { result: { ...rest, users } };
      }),
    }),
  }),
  method({
    facade: "Cloud",
    method: "AddCloud",
    params: "params.AddCloudArgs",
    call: (ctx, p) => {
      if (!isSuperuser(ctx.store, ctx.user)) throw Errors.permissionDenied();
      const name = p.string("name");
      const force = p.optBool("force") === true;
      const raw = p.raw("cloud");
      const c: Params<CloudFacade.Cloud> = new Fields(raw, "params.Cloud", "cloud", "AddCloudArgs");
      const type = c.string("type");
      // cloud.CurrentWhiteList().Check: what a controller on this cloud type may
      // host (k8s clouds are exempt); `force` adds it anyway.
      const controllerType = ctx.store.cloud.type;
      const allowed = CLOUD_WHITELIST[controllerType];
      if (type !== "kubernetes" && allowed !== undefined && !allowed.includes(type) && !force) {
        throw new ServerError(
          `cloud type ${JSON.stringify(type)} is not whitelisted for controller cloud type ${JSON.stringify(controllerType)}, current whitelist: [${allowed.join(" ")}]`,
          "incompatible clouds",
        );
      }
      if (type === "") throw new ServerError("empty cloud type not valid", "not valid");
      const st = stateOf(ctx.store);
      if (st.clouds.has(name)) {
        throw new ServerError(`cloud ${JSON.stringify(name)} already exists`, "already exists");
      }
      st.clouds.set(name, {
        type,
        "auth-types": c.strings("auth-types"),
        endpoint: c.string("endpoint"),
        "identity-endpoint": c.string("identity-endpoint"),
        "storage-endpoint": c.string("storage-endpoint"),
        regions: c.objects("regions", "params.CloudRegion").map((r) => {
          const ep = r.string("endpoint");
          return ep === "" ? { name: r.string("name") } : { name: r.string("name"), endpoint: ep };
        }),
        "ca-certificates": c.strings("ca-certificates"),
        config: c.map("config"),
        "is-controller-cloud": false,
      });
      return {};
    },
  }),
  method({
    facade: "Cloud",
    method: "RemoveClouds",
    params: "params.Entities",
    call: (ctx, p) =>
      errorResults(p.objects("entities", "params.Entity"), (e) => {
        if (!isSuperuser(ctx.store, ctx.user)) throw Errors.permissionDenied();
        const [name, c] = cloudByTag(ctx, e.string("tag"));
        if (c["is-controller-cloud"]) {
          throw new ServerError(`cloud is used by ${ctx.store.models.size} models`);
        }
        stateOf(ctx.store).clouds.delete(name);
      }),
  }),
  method({
    facade: "Cloud",
    method: "AddCredentials",
    params: "params.TaggedCredentials",
    call: (ctx, p) =>
      errorResults(p.objects("credentials", "params.TaggedCredential"), (t) => {
        const cred = readCredential(new Fields(t.raw("credential"), "params.CloudCredential"));
        storeCredential(ctx, t.string("tag"), cred);
      }),
  }),
  method({
    facade: "Cloud",
    method: "UpdateCredentialsCheckModels",
    params: "params.UpdateCredentialArgs",
    call: (ctx, p) => {
      p.optBool("force");
      return {
        results: p.objects("credentials", "params.TaggedCredential").map((t) => {
          const tag = t.string("tag");
          try {
            storeCredential(
              ctx,
              tag,
              readCredential(new Fields(t.raw("credential"), "params.CloudCredential")),
            );
            return { tag };
          } catch (e) {
            if (e instanceof ServerError) return { tag, error: e.toWire() };
            throw e;
          }
        }),
      };
    },
  }),
  method({
    facade: "Cloud",
    method: "UserCredentials",
    params: "params.UserClouds",
    call: (ctx, p) => ({
      results: bulk(p.objects("user-clouds", "params.UserCloud"), (uc) => {
        const user = parseTagOfKind(uc.string("user-tag"), "user");
        const cloud = parseTagOfKind(uc.string("cloud-tag"), "cloud");
        if (!isSuperuser(ctx.store, ctx.user) && localUserName(user) !== ctx.user)
          throw Errors.permissionDenied();
        const owner = localUserName(user) ?? user;
        const result = [...stateOf(ctx.store).credentials.keys()]
          .filter((id) => id.startsWith(`${cloud}_${owner}_`))
          .map((id) => `cloudcred-${id}`);
        return { result };
      }),
    }),
  }),
  method({
    facade: "Cloud",
    method: "Credential",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => {
        const parts = credentialParts(e.string("tag"));
        if (!canManageCredential(ctx, parts.owner)) throw Errors.permissionDenied();
        const cred = stateOf(ctx.store).credentials.get(parts.id);
        if (cred === undefined) {
          throw Errors.notFound(`cloud credential "${parts.cloud}/${parts.owner}/${parts.name}"`);
        }
        const attrs: Record<string, string> = {};
        const redacted: string[] = [];
        for (const [k, v] of Object.entries(cred.attrs)) {
          if (SECRET_ATTRS.has(k)) redacted.push(k);
          else attrs[k] = v;
        }
        const result: CloudFacade.CloudCredential = { "auth-type": cred["auth-type"] };
        if (Object.keys(attrs).length > 0) result.attrs = attrs;
        if (redacted.length > 0) result.redacted = redacted.sort();
        return { result };
      }),
    }),
  }),
];

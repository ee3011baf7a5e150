/**
 * Controller members of python-libjuju's `Controller`: clouds and
 * credentials (`Cloud` facade), controller access (`ModifyControllerAccess`),
 * password resets, API endpoints and model summaries
 * (`WatchModelSummaries` + `ModelSummaryWatcher.Next`).
 * @module
 */
import type { Cloud as CloudFacade } from "../facades/generated/index.js";
import { bulkResultsStrict } from "../rpc/bulk.js";
import type { Connection } from "../rpc/connection.js";
import { JujuError, LibjujuError } from "../rpc/errors.js";

const site = (f: { name: string; version: number }, method: string) => ({
  facade: f.name,
  version: f.version,
  method,
});

/** A cloud as the controller describes it (`params.Cloud`). */
export type CloudDefinition = CloudFacade.Cloud;

/** Every cloud of the controller, by name (`Cloud.Clouds`). */
export async function clouds(c: Connection): Promise<Record<string, CloudDefinition>> {
  const res = await c.facade("Cloud").call("Clouds", undefined);
  const out: Record<string, CloudDefinition> = {};
  for (const [tag, cloud] of Object.entries(res.clouds ?? {})) {
    out[tag.replace(/^cloud-/, "")] = cloud;
  }
  return out;
}

/** The name of the cloud the controller runs on (python-libjuju's `get_cloud`). */
export async function controllerCloudName(c: Connection): Promise<string> {
  const all = await clouds(c);
  const own = Object.entries(all).find(([, cl]) => cl["is-controller-cloud"]);
  const name = own?.[0] ?? Object.keys(all)[0];
  if (name === undefined) throw new JujuError("the controller reports no clouds", "not found");
  return name;
}

/** One cloud by name (`Cloud.Cloud`). */
export async function cloud(c: Connection, name: string): Promise<CloudDefinition> {
  const f = c.facade("Cloud");
  const res = await f.call("Cloud", { entities: [{ tag: `cloud-${name}` }] });
  const [r] = bulkResultsStrict(res, site(f, "Cloud"));
  if (r?.cloud === undefined)
    throw new JujuError(`cloud ${JSON.stringify(name)} not found`, "not found");
  return r.cloud;
}

/** Adds a cloud (`Cloud.AddCloud`, superusers) and returns it as the controller stores it. */
export async function addCloud(
  c: Connection,
  name: string,
  definition: CloudDefinition,
  force = false,
): Promise<CloudDefinition> {
  const args: CloudFacade.AddCloudArgs = { name, cloud: definition };
  if (force) args.force = true;
  await c.facade("Cloud").call("AddCloud", args);
  return cloud(c, name);
}

/** A cloud credential: its auth type and attributes. */
export interface CloudCredentialInput {
  /** The auth type, e.g. `userpass`, `access-key`, `certificate`. */
  authType: string;
  /** The credential's attributes (keys depend on the auth type). */
  attrs: Record<string, string>;
}

/** Options of {@link Controller.addCredential}. */
export interface AddCredentialOptions {
  /** The cloud; default the controller's. */
  cloud?: string;
  /** The owner; default the logged-in user. */
  owner?: string;
  /** Update even when models using the credential fail its check. */
  force?: boolean;
}

/**
 * Adds or updates a credential (`Cloud.UpdateCredentialsCheckModels`, as
 * python-libjuju's `add_credential`); returns its name.
 */
export async function addCredential(
  c: Connection,
  user: string,
  name: string,
  credential: CloudCredentialInput,
  options: AddCredentialOptions = {},
): Promise<string> {
  const cloudName = options.cloud ?? (await controllerCloudName(c));
  const owner = options.owner ?? user;
  const f = c.facade("Cloud");
  const res = await f.call("UpdateCredentialsCheckModels", {
    credentials: [
      {
        tag: `cloudcred-${cloudName}_${owner}_${name}`,
        credential: { "auth-type": credential.authType, attrs: { ...credential.attrs } },
      },
    ],
    force: options.force ?? false,
  });
  bulkResultsStrict(res, site(f, "UpdateCredentialsCheckModels"));
  return name;
}

/** A stored credential as the controller returns it: secrets are redacted. */
export interface CredentialInfo {
  /** `cloud/owner/name`. */
  id: string;
  /** The credential name. */
  name: string;
  /** The auth type, e.g. `userpass`. */
  authType: string;
  /** The attributes the controller returned (secrets withheld, see `redacted`). */
  attrs: Record<string, string>;
  /** Attribute names whose values the controller withheld. */
  redacted: string[];
}

/** The credentials `owner` has on a cloud (`Cloud.UserCredentials` then `Cloud.Credential`). */
export async function listCredentials(
  c: Connection,
  user: string,
  options: { cloud?: string; owner?: string } = {},
): Promise<CredentialInfo[]> {
  const cloudName = options.cloud ?? (await controllerCloudName(c));
  const owner = options.owner ?? user;
  const f = c.facade("Cloud");
  const res = await f.call("UserCredentials", {
    "user-clouds": [{ "user-tag": `user-${owner}`, "cloud-tag": `cloud-${cloudName}` }],
  });
  const [r] = bulkResultsStrict(res, site(f, "UserCredentials"));
  const tags = r?.result ?? [];
  if (tags.length === 0) return [];
  const creds = await f.call("Credential", { entities: tags.map((tag) => ({ tag })) });
  return bulkResultsStrict(creds, site(f, "Credential")).map((cr, i) => {
    const id = tags[i]!.replace(/^cloudcred-/, "");
    const [, , name = ""] = id.split("_");
    return {
      id: id.replaceAll("_", "/"),
      name,
      authType: cr.result?.["auth-type"] ?? "",
      attrs: { ...(cr.result?.attrs ?? {}) },
      redacted: [...(cr.result?.redacted ?? [])],
    };
  });
}

/** Controller access levels (Juju 3: `login`, `superuser`). */
export type ControllerAccessLevel = "login" | "superuser";

/**
 * Grants or revokes controller access (`Controller.ModifyControllerAccess`).
 * A grant the user already has (or exceeds) resolves to `false`, as
 * python-libjuju's `grant` does; otherwise `true`.
 */
export async function modifyControllerAccess(
  c: Connection,
  action: "grant" | "revoke",
  user: string,
  access: string,
): Promise<boolean> {
  const f = c.facade("Controller");
  const res = await f.call("ModifyControllerAccess", {
    changes: [{ "user-tag": `user-${user}`, action, access }],
  });
  try {
    bulkResultsStrict(res, site(f, "ModifyControllerAccess"));
  } catch (e) {
    // One change: the item's own error is thrown (JujuBulkError only for several).
    if (action === "grant" && e instanceof JujuError && e.message.includes("user already has")) {
      return false;
    }
    throw e;
  }
  return true;
}

/**
 * Resets a user's password (`UserManager.ResetPassword`, superusers, not
 * oneself): the old password stops working; returns the secret key the user
 * registers with again (`juju register`).
 */
export async function resetUserPassword(c: Connection, user: string): Promise<string> {
  const f = c.facade("UserManager");
  const res = await f.call("ResetPassword", { entities: [{ tag: `user-${user}` }] });
  const [r] = bulkResultsStrict(res, site(f, "ResetPassword"));
  return r?.["secret-key"] ?? "";
}

/** The controller's API addresses (`Controller.ControllerAPIInfoForModels` of the controller model). */
export async function apiEndpoints(c: Connection, controllerModelUuid: string): Promise<string[]> {
  const f = c.facade("Controller");
  const res = await f.call("ControllerAPIInfoForModels", {
    entities: [{ tag: `model-${controllerModelUuid}` }],
  });
  const [r] = bulkResultsStrict(res, site(f, "ControllerAPIInfoForModels"));
  return [...(r?.addresses ?? [])];
}

/** A model summary as the watcher reports it (`params.ModelAbstract`). */
export interface ModelAbstract {
  /** The model UUID. */
  uuid: string;
  /** True when the model has been removed (the last summary of it). */
  removed?: boolean;
  /** The controller UUID. */
  controller?: string;
  /** The model name. */
  name?: string;
  /** Users with admin access to the model. */
  admins?: string[];
  /** The model's cloud. */
  cloud?: string;
  /** The model's cloud region. */
  region?: string;
  /** The cloud credential the model uses. */
  credential?: string;
  /** How many of each entity the model has. */
  size?: {
    /** Machines. */
    machines?: number;
    /** Containers. */
    containers?: number;
    /** Applications. */
    applications?: number;
    /** Units. */
    units?: number;
    /** Relations. */
    relations?: number;
  };
  /** The model's status, e.g. `available`. */
  status?: string;
  /** Messages of entities that need attention (errors, blocked). */
  messages?: Array<{
    /** The agent the message is about, e.g. `mysql/0`. */
    agent: string;
    /** The message. */
    message: string;
  }>;
  /** The model's annotations. */
  annotations?: Record<string, string>;
}

/**
 * Model summaries as they change (`Controller.WatchModelSummaries`, or
 * `WatchAllModelSummaries` with `asAdmin`, then `ModelSummaryWatcher.Next`):
 * the first batch holds every model, later batches the changed ones. Ends
 * when `signal` aborts (the watcher is stopped) or the connection closes.
 */
export async function* watchModelSummaries(
  c: Connection,
  options: { asAdmin?: boolean; signal?: AbortSignal } = {},
): AsyncIterableIterator<ModelAbstract[]> {
  const ctrl = c.facade("Controller");
  const started = await ctrl.call(
    options.asAdmin ? "WatchAllModelSummaries" : "WatchModelSummaries",
    undefined,
  );
  const id = started["watcher-id"];
  const version = c.facadeVersion("ModelSummaryWatcher") ?? 1;
  const stop = () =>
    c.rpc({ type: "ModelSummaryWatcher", version, id, request: "Stop" }).catch(() => undefined);
  options.signal?.addEventListener("abort", () => void stop(), { once: true });
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      let res: { models?: ModelAbstract[] };
      try {
        res = await c.rpc<{ models?: ModelAbstract[] }>({
          type: "ModelSummaryWatcher",
          version,
          id,
          request: "Next",
        });
      } catch (e) {
        if (options.signal?.aborted) return;
        if (e instanceof LibjujuError && /watcher (was|has been) stopped/.test(e.message)) return;
        throw e;
      }
      yield res.models ?? [];
    }
  } finally {
    if (!options.signal?.aborted && !c.isClosed) await stop();
  }
}

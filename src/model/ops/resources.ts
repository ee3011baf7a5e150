/**
 * Application resources as the Juju 3.6 CLI handles them: pending resources
 * for a deploy or refresh (`Resources.AddPendingResources`: Charmhub
 * revisions, and uploads of local files or OCI image details followed by an
 * HTTPS `PUT /model/<uuid>/applications/<app>/resources/<name>?pendingid=…`
 * of the content, streamed, with Juju's headers), `juju attach-resource`
 * (the same PUT without a pending id, or a Charmhub revision through
 * `Application.SetCharm`), and `Resources.ListResources`.
 * @module
 */
import { parse as parseYaml } from "yaml";
import type { Charms, Resources } from "../../facades/generated/index.js";
import { JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError } from "../errors.js";
import type { HttpBody, HttpTarget, LocalEdge, UploadProgress } from "../http/edge.js";
import type { OpsContext } from "../ops-context.js";
import { applicationTag } from "../tags.js";
import { siteOf } from "./common.js";
import { httpError } from "./local-charm-errors.js";

/** What a model offers for HTTP uploads (a `Model` does; test fakes may not). */
export interface UploadAccess {
  /** The endpoint, CA and authentication headers of the model connection. */
  httpTarget(): Promise<HttpTarget>;
  /** The platform edge (Node: `node-edge.ts`). */
  localEdge(): Promise<LocalEdge>;
}

/** The upload access of a model context; a context without it cannot upload. */
export function uploadAccess(ctx: OpsContext): UploadAccess {
  const c = ctx as Partial<UploadAccess>;
  if (typeof c.httpTarget !== "function" || typeof c.localEdge !== "function") {
    throw new InvalidArgumentError(
      "model",
      "this model context cannot upload (it has no HTTP access to the controller)",
    );
  }
  return c as UploadAccess;
}

/** A resource of a charm as `CharmInfo` describes it. */
export type CharmResourceMeta = Pick<Charms.CharmResourceMeta, "name" | "type" | "path"> & {
  description?: string;
};

/** The resources of an application (`Resources.ListResources`). */
export interface ApplicationResources {
  /** The application's resources by name, as the controller has them. */
  resources: Record<string, Resources.Resource>;
  /** What Charmhub offers for each resource (revision, fingerprint). */
  charmhub: Record<string, Resources.CharmResource>;
  /** Per unit (`unit-mysql-0`), the resources the unit has downloaded. */
  units: Record<string, Resources.Resource[]>;
}

/** One resource upload: its body, digest and the file name sent. */
export interface UploadPlan {
  name: string;
  body: HttpBody;
  sha384: string;
  filename: string;
}

/** Options of an upload: cancellation and progress. */
export interface ResourceUploadOptions {
  /** Aborts the upload. */
  signal?: AbortSignal;
  /** Called as the content streams (bytes sent of the total). */
  onProgress?: (resource: string, progress: UploadProgress) => void;
}

// core/resources ValidateDockerRegistryPath: a docker image reference.
const REGISTRY_PATH_RE =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/**
 * The OCI image details to upload for `value`: a JSON or YAML file of
 * `{registrypath, username, password}` when `value` names a file, else
 * `value` itself as a registry path (`juju deploy --resource img=repo/image:tag`).
 */
async function ociDetails(edge: LocalEdge, name: string, value: string): Promise<Uint8Array> {
  const text = await edge.readTextIfExists(edge.resolve(value));
  let details: Record<string, string>;
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (e) {
      throw new InvalidArgumentError(
        "resources",
        `resource ${JSON.stringify(name)}: ${JSON.stringify(value)} is not valid JSON or YAML: ${(e as Error).message}`,
      );
    }
    const o = parsed as Record<string, unknown> | null;
    if (typeof o !== "object" || o === null || typeof o.registrypath !== "string") {
      throw new InvalidArgumentError(
        "resources",
        `resource ${JSON.stringify(name)}: docker image details file ${JSON.stringify(value)} has no "registrypath"`,
      );
    }
    details = { registrypath: o.registrypath };
    for (const k of ["username", "password", "email", "identitytoken", "registrytoken"]) {
      if (typeof o[k] === "string" && o[k] !== "") details[k] = o[k] as string;
    }
  } else if (REGISTRY_PATH_RE.test(value)) {
    details = { registrypath: value };
  } else {
    throw new InvalidArgumentError(
      "resources",
      `resource ${JSON.stringify(name)}: filepath or registry path: ${value} not valid`,
    );
  }
  return new TextEncoder().encode(JSON.stringify(details));
}

/** Reads what will be uploaded for one resource (before any RPC, so bad files fail first). */
async function planUpload(
  edge: LocalEdge,
  meta: CharmResourceMeta,
  value: string,
  signal: AbortSignal | undefined,
): Promise<UploadPlan> {
  if (meta.type === "oci-image") {
    const data = await ociDetails(edge, meta.name, value);
    return {
      name: meta.name,
      body: { data },
      sha384: await edge.bytesSha384(data),
      filename: value,
    };
  }
  const file = edge.resolve(value);
  const facts = await edge.fileSha384(file, signal);
  return {
    name: meta.name,
    body: { file, size: facts.size },
    sha384: facts.hex,
    filename: file.split(/[\\/]/).at(-1) ?? file,
  };
}

/** `mime.FormatMediaType("form-data", {filename})`, non-ASCII names as an RFC 2047 word. */
function contentDisposition(filename: string): string {
  const ascii = /^[\x20-\x7e]*$/.test(filename);
  const value = ascii
    ? filename.replace(/["\\]/g, "\\$&")
    : `=?utf-8?b?${btoa(String.fromCharCode(...new TextEncoder().encode(filename)))}?=`;
  return `form-data; filename="${value}"`;
}

/** The HTTPS PUT of one resource's content (`api/client/resources` UploadRequest). */
async function putResource(
  ctx: OpsContext,
  access: UploadAccess,
  edge: LocalEdge,
  application: string,
  plan: UploadPlan,
  pendingId: string,
  options: ResourceUploadOptions,
): Promise<Resources.Resource | undefined> {
  const target = await access.httpTarget();
  const path =
    `/model/${ctx.uuid}/applications/${encodeURIComponent(application)}/resources/` +
    `${encodeURIComponent(plan.name)}${pendingId ? `?pendingid=${encodeURIComponent(pendingId)}` : ""}`;
  const reply = await edge.http(target, {
    method: "PUT",
    path,
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Sha384": plan.sha384,
      "Content-Disposition": contentDisposition(plan.filename),
    },
    body: plan.body,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress
      ? { onProgress: (p: UploadProgress) => options.onProgress?.(plan.name, p) }
      : {}),
  });
  if (reply.status !== 200) throw httpError("PUT", path, reply);
  try {
    return (JSON.parse(reply.body) as { resource?: Resources.Resource }).resource;
  } catch {
    return undefined;
  }
}

/** Which resources to register and what to upload for them; see {@link planPendingResources}. */
export interface PendingResourcesPlan {
  /** The resources to register, in order. */
  resources: Resources.CharmResource[];
  /** What to upload, by resource name. */
  uploads: Map<string, UploadPlan>;
  access: UploadAccess | undefined;
  edge: LocalEdge | undefined;
}

/** Arguments of {@link planPendingResources}. */
export interface PendingResourcesRequest {
  /** The charm's resources. */
  metas: readonly CharmResourceMeta[];
  /** Requested values: a revision (Charmhub) or a file path / OCI image reference (upload). */
  values: Readonly<Record<string, number | string>>;
  /**
   * Every resource of the charm gets a pending id (Charmhub charms: the
   * channel's revision unless one is given), not only the requested ones.
   */
  allMetas: boolean;
  signal?: AbortSignal;
}

/**
 * Checks the requested resources against the charm's and reads what will
 * be uploaded (size and SHA-384 of each file, OCI image details), before
 * anything is sent: unknown names, missing files and bad image references
 * fail first. Undefined when there is nothing to register.
 */
export async function planPendingResources(
  ctx: OpsContext,
  req: PendingResourcesRequest,
): Promise<PendingResourcesPlan | undefined> {
  const unknown = Object.keys(req.values).filter((n) => !req.metas.some((m) => m.name === n));
  if (unknown.length)
    throw new InvalidArgumentError("resources", `unrecognized resources: ${unknown.join(", ")}`);
  const chosen = req.allMetas ? req.metas : req.metas.filter((m) => m.name in req.values);
  if (chosen.length === 0) return undefined;
  const toUpload = chosen.filter((m) => typeof req.values[m.name] === "string");
  let access: UploadAccess | undefined;
  let edge: LocalEdge | undefined;
  const uploads = new Map<string, UploadPlan>();
  if (toUpload.length > 0) {
    access = uploadAccess(ctx);
    edge = await access.localEdge();
    for (const m of toUpload) {
      uploads.set(m.name, await planUpload(edge, m, req.values[m.name] as string, req.signal));
    }
  }
  const resources: Resources.CharmResource[] = chosen.map((m) => {
    const v = req.values[m.name];
    return {
      name: m.name,
      type: m.type,
      path: m.path,
      description: m.description ?? "",
      origin: typeof v === "string" ? "upload" : "store",
      revision: typeof v === "number" ? v : typeof v === "string" ? 0 : -1,
      fingerprint: "",
      size: 0,
    };
  });
  return { resources, uploads, access, edge };
}

/** Where planned resources are registered: the application and its (new) charm. */
export interface PendingResourcesTarget extends ResourceUploadOptions {
  application: string;
  url: string;
  origin: Resources.CharmOrigin;
}

/**
 * Registers planned resources as pending for an application about to be
 * deployed or refreshed (`Resources.AddPendingResources`) and uploads the
 * local ones to their pending ids. Returns name → pending id.
 */
export async function registerPendingResources(
  ctx: OpsContext,
  plan: PendingResourcesPlan | undefined,
  target: PendingResourcesTarget,
): Promise<Record<string, string> | undefined> {
  if (plan === undefined) return undefined;
  const rf = ctx.connection.facade("Resources");
  const res = await rf.call(
    "AddPendingResources",
    {
      tag: applicationTag(target.application),
      url: target.url,
      "charm-origin": target.origin,
      resources: plan.resources,
    } as Resources.AddPendingResourcesArgsV2,
    target.signal ? { signal: target.signal } : {},
  );
  if (res.error?.message) throw JujuError.fromWire(res.error, siteOf(rf, "AddPendingResources"));
  const ids = res["pending-ids"] ?? [];
  const out: Record<string, string> = {};
  plan.resources.forEach((r, i) => {
    const id = ids[i];
    if (id) out[r.name] = id;
  });
  for (const [name, upload] of plan.uploads) {
    const id = out[name];
    if (id === undefined) {
      throw new JujuError(`the controller gave no pending id for resource ${JSON.stringify(name)}`);
    }
    await putResource(ctx, plan.access!, plan.edge!, target.application, upload, id, target);
  }
  return out;
}

/** The resources of an application (`Resources.ListResources`). */
export async function getResources(
  ctx: OpsContext,
  application: string,
  signal?: AbortSignal,
): Promise<ApplicationResources> {
  const rf = ctx.connection.facade("Resources");
  const res = await rf.call(
    "ListResources",
    { entities: [{ tag: applicationTag(application) }] },
    signal ? { signal } : {},
  );
  const r = res.results?.[0];
  if (r === undefined) throw new JujuError("ListResources returned no result");
  if (r.error?.message) throw JujuError.fromWire(r.error, siteOf(rf, "ListResources"));
  const out: ApplicationResources = { resources: {}, charmhub: {}, units: {} };
  for (const x of r.resources ?? []) out.resources[x.name] = x;
  for (const x of r["charm-store-resources"] ?? []) out.charmhub[x.name] = x;
  for (const u of r["unit-resources"] ?? []) out.units[u.tag] = u.resources ?? [];
  return out;
}

/**
 * `juju attach-resource`: a file path or OCI image reference is uploaded
 * to the application's resource (the PUT without a pending id); a revision
 * registers the Charmhub revision as pending and applies it with
 * `Application.SetCharm` on the current charm, as `juju refresh --resource`
 * does. Returns the resource as the controller reports it afterwards.
 */
export async function attachResource(
  ctx: OpsContext,
  application: string,
  name: string,
  value: string | number,
  options: ResourceUploadOptions = {},
): Promise<Resources.Resource | undefined> {
  if (typeof value === "number" ? !Number.isInteger(value) || value < 0 : value === "") {
    throw new InvalidArgumentError(
      "resource",
      `resource ${JSON.stringify(name)}: expected a revision number or a file path, got ${JSON.stringify(value)}`,
    );
  }
  const listed = await getResources(ctx, application, options.signal);
  const known = listed.resources[name] ?? listed.charmhub[name];
  if (known === undefined) {
    throw new InvalidArgumentError(
      "resource",
      `application ${JSON.stringify(application)} has no resource ${JSON.stringify(name)}`,
    );
  }
  const meta: CharmResourceMeta = {
    name,
    type: known.type,
    path: known.path,
    ...(known.description !== undefined ? { description: known.description } : {}),
  };
  if (typeof value === "string") {
    const access = uploadAccess(ctx);
    const edge = await access.localEdge();
    const plan = await planUpload(edge, meta, value, options.signal);
    return putResource(ctx, access, edge, application, plan, "", options);
  }
  const app = ctx.connection.facade("Application");
  const call = options.signal ? { signal: options.signal } : {};
  const current = await app.call("GetCharmURLOrigin", { application, branch: "" }, call);
  if (current.error?.message)
    throw JujuError.fromWire(current.error, siteOf(app, "GetCharmURLOrigin"));
  const plan = await planPendingResources(ctx, {
    metas: [meta],
    values: { [name]: value },
    allMetas: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const pending = await registerPendingResources(ctx, plan, {
    application,
    url: current.url,
    origin: current["charm-origin"] as Resources.CharmOrigin,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await app.call(
    "SetCharm",
    {
      application,
      "charm-url": current.url,
      "charm-origin": current["charm-origin"],
      channel: [current["charm-origin"].track, current["charm-origin"].risk]
        .filter((p) => p !== undefined && p !== "")
        .join("/"),
      force: false,
      "force-base": false,
      "force-units": false,
      generation: "",
      "resource-ids": pending ?? {},
    },
    call,
  );
  return (await getResources(ctx, application, options.signal)).resources[name];
}

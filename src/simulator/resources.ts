/**
 * Application resources of a simulated model (Juju's resources collection,
 * `state/resources*.go` and `core/resources`): pending resources added by
 * `Resources.AddPendingResources` or an upload with `?pendingid=`, the
 * resources an application uses once `Deploy` resolved them, and uploaded
 * blobs. Juju 3.6's AllWatcher has no resource kind, so nothing here is
 * published as a delta.
 * @module
 */
import { createHash } from "node:crypto";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { Resources as ResourcesFacade } from "../facades/generated/index.js";
import type { CharmResourceSpec } from "./charm-source.js";
import { Errors, ServerError } from "./errors.js";
import { goTime, type ModelRecord } from "./store.js";

/** Resource types (`charm/resource.Type`). */
const TYPES = new Set(["file", "oci-image"]);
/** Resource origins (`charm/resource.Origin`): `store` is Charmhub. */
const ORIGINS = new Set(["store", "upload"]);
/** Size of a SHA-384 fingerprint. */
const FINGERPRINT_BYTES = 48;

/** A charm resource (`charm/resource.Resource`): metadata plus origin, revision, fingerprint and size. */
export interface CharmResourceValue {
  name: string;
  type: string;
  path: string;
  description: string;
  origin: "store" | "upload";
  revision: number;
  /** Raw SHA-384 sum; empty when unknown (Go's zero fingerprint). */
  fingerprint: Buffer;
  size: number;
}

/** A resource of an application (`core/resources.Resource`). */
export interface ResourceRecord extends CharmResourceValue {
  application: string;
  /** Set while the resource is pending (before Deploy resolved it). */
  pendingId: string;
  /** Who uploaded it; `""` for Charmhub resources. */
  username: string;
  /** When it was uploaded; undefined (Go's zero time) for Charmhub resources. */
  timestamp: Date | undefined;
  /** The uploaded bytes; undefined until a client uploads (Charmhub blobs are never fetched here). */
  blob: Buffer | undefined;
  /** An `oci-image` upload's registry details (`resources.DockerImageDetails`). */
  docker?: DockerImageDetails;
}

/** Where an OCI image resource comes from (`resources.DockerImageDetails`: path plus basic auth). */
export interface DockerImageDetails {
  registrypath: string;
  username?: string;
  password?: string;
}

/**
 * `resources.UnmarshalDockerResource`: JSON (older clients) or YAML.
 * @throws ServerError when it is neither.
 */
export function parseDockerDetails(data: Buffer): DockerImageDetails {
  const text = data.toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new ServerError(
        `docker resource is neither valid json or yaml: ${(e as Error).message.split("\n")[0]}`,
      );
    }
  }
  const m = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : "");
  const out: DockerImageDetails = { registrypath: str("registrypath") };
  if (str("username") !== "") out.username = str("username");
  if (str("password") !== "") out.password = str("password");
  return out;
}

/** The stored details as the resource download serves them (Go's yaml.Marshal of the struct). */
export function dockerDetailsYaml(d: DockerImageDetails): Buffer {
  return Buffer.from(stringifyYaml(d));
}

/** Go's zero `time.Time` as JSON. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** `charm/resource.ParseType`. */
function parseType(t: string): string {
  if (!TYPES.has(t)) throw new ServerError(`unsupported resource type ${JSON.stringify(t)}`);
  return t;
}

/** `charm/resource.ParseOrigin`. */
function parseOrigin(o: string): "store" | "upload" {
  if (!ORIGINS.has(o)) throw new ServerError(`unknown origin ${JSON.stringify(o)}`);
  return o as "store" | "upload";
}

/** The SHA-384 length check of `utils/hash` (`invalid fingerprint (too small|too big)`). */
export function checkFingerprintLength(sum: Buffer): void {
  if (sum.length < FINGERPRINT_BYTES) {
    throw new ServerError("invalid fingerprint (too small)", "not valid");
  }
  if (sum.length > FINGERPRINT_BYTES) {
    throw new ServerError("invalid fingerprint (too big)", "not valid");
  }
}

/** `charm/resource.Resource.Validate`, with its `NotValid` errors. */
export function validateCharmResource(r: CharmResourceValue): void {
  const meta = (msg: string) =>
    new ServerError(`invalid resource (bad metadata): ${msg}`, "not valid");
  if (r.name === "") throw meta("resource missing name");
  if (r.type === "file") {
    if (r.path === "") throw meta("resource missing filename");
    if (r.path.includes("/")) {
      throw meta(`filename cannot contain "/" (got ${JSON.stringify(r.path)})`);
    }
  }
  // A negative revision asks for "whatever Charmhub has" and is only
  // allowed while nothing about the file is known yet.
  if (r.origin === "store" && r.revision < 0 && (r.fingerprint.length > 0 || r.size > 0)) {
    throw new ServerError("invalid resource (bad revision): must be non-negative", "not valid");
  }
  if (r.size < 0) throw new ServerError("negative size not valid", "not valid");
}

/** `API2CharmResource`: a `params.CharmResource` from the wire, checked like Go. */
export function charmResourceFromWire(raw: {
  name: string;
  type: string;
  path: string;
  description: string;
  origin: string;
  revision: number;
  fingerprint: string;
  size: number;
}): CharmResourceValue {
  const type = parseType(raw.type);
  const origin = parseOrigin(raw.origin);
  // `[]byte` travels as base64; an empty value is the zero fingerprint.
  const fingerprint = Buffer.from(raw.fingerprint, "base64");
  if (fingerprint.length > 0) checkFingerprintLength(fingerprint);
  const res: CharmResourceValue = {
    name: raw.name,
    type,
    path: raw.path,
    description: raw.description,
    origin,
    revision: raw.revision,
    fingerprint,
    size: raw.size,
  };
  validateCharmResource(res);
  return res;
}

/** The Charmhub resource a charm declares, as a charm resource of origin `store`. */
export function storeResource(name: string, spec: CharmResourceSpec): CharmResourceValue {
  return {
    name,
    type: spec.type,
    path: spec.filename ?? "",
    description: spec.description ?? "",
    origin: "store",
    revision: spec.revision,
    fingerprint: Buffer.from(spec.fingerprint, "hex"),
    size: spec.size,
  };
}

/** `CharmResource2API`. */
export function charmResourceWire(r: CharmResourceValue): ResourcesFacade.CharmResource {
  return {
    name: r.name,
    type: r.type,
    path: r.path,
    ...(r.description !== "" ? { description: r.description } : {}),
    origin: r.origin,
    revision: r.revision,
    fingerprint: r.fingerprint.toString("base64"),
    size: r.size,
  };
}

/** `Resource2API`: the charm resource plus id, pending id, application, user and time. */
export function resourceWire(r: ResourceRecord): ResourcesFacade.Resource {
  return {
    ...charmResourceWire(r),
    id: `${r.application}/${r.name}`,
    "pending-id": r.pendingId,
    application: r.application,
    username: r.username,
    timestamp: r.timestamp === undefined ? ZERO_TIME : goTime(r.timestamp),
  };
}

/** The resources of one model. */
export class ModelResources {
  /** Pending resources by pending id. */
  private readonly pending = new Map<string, ResourceRecord>();
  /** Resources in use, per application and resource name. */
  private readonly active = new Map<string, Map<string, ResourceRecord>>();

  constructor(private readonly model: ModelRecord) {}

  /** `AddPendingResource`: stores the resource as pending and returns its new pending id. */
  addPending(application: string, res: CharmResourceValue): string {
    const pendingId = this.model.controller.newUuid();
    this.pending.set(pendingId, {
      ...res,
      application,
      pendingId,
      username: "",
      timestamp: undefined,
      blob: undefined,
    });
    return pendingId;
  }

  /** `GetPendingResource`: the pending resource, or `NotFound`. */
  getPending(application: string, name: string, pendingId: string): ResourceRecord {
    const r = this.pending.get(pendingId);
    if (r === undefined || r.application !== application || r.name !== name) {
      throw Errors.notFound(`resource ${JSON.stringify(`${application}/${name}`)}`);
    }
    return r;
  }

  /** `GetResource`: the application's resource in use, or `NotFound`. */
  get(application: string, name: string): ResourceRecord {
    const r = this.active.get(application)?.get(name);
    if (r === undefined) throw Errors.notFound(`resource ${JSON.stringify(name)}`);
    return r;
  }

  /** The resources an application uses, in name order. */
  list(application: string): ResourceRecord[] {
    const m = this.active.get(application);
    if (m === undefined) return [];
    return [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Checks that every `name: pendingId` of a Deploy names a pending resource
   * of this application (`NewResolvePendingResourcesOps`); throws before
   * anything changes.
   */
  checkPending(application: string, ids: Readonly<Record<string, string>>): void {
    for (const [name, id] of Object.entries(ids)) {
      const r = this.pending.get(id);
      if (id === "") throw new ServerError("missing pending ID");
      if (r === undefined || r.application !== application || r.name !== name) {
        throw Errors.notFound(
          `pending resource ${JSON.stringify(`${application}/${name}`)} (${id})`,
        );
      }
    }
  }

  /**
   * A new application takes its resources: the named pending ones become
   * active, and anything left from an earlier application of that name goes.
   */
  activate(application: string, ids: Readonly<Record<string, string>>): void {
    this.checkPending(application, ids);
    const m = new Map<string, ResourceRecord>();
    for (const [name, id] of Object.entries(ids)) {
      const r = this.pending.get(id);
      if (r === undefined) continue;
      this.pending.delete(id);
      m.set(name, { ...r, pendingId: "" });
    }
    this.active.set(application, m);
  }

  /**
   * `SetCharm` with `resource-ids`: the named pending resources replace the
   * application's resources of those names; the others stay.
   */
  activateSome(application: string, ids: Readonly<Record<string, string>>): void {
    this.checkPending(application, ids);
    const m = this.active.get(application) ?? new Map<string, ResourceRecord>();
    for (const [name, id] of Object.entries(ids)) {
      const r = this.pending.get(id);
      if (r === undefined) continue;
      this.pending.delete(id);
      m.set(name, { ...r, pendingId: "" });
    }
    this.active.set(application, m);
  }

  /** Server-side deploys resolve Charmhub resources themselves: they become active at once. */
  activateStore(application: string, resources: readonly CharmResourceValue[]): void {
    const m = new Map<string, ResourceRecord>();
    for (const res of resources) {
      m.set(res.name, {
        ...res,
        application,
        pendingId: "",
        username: "",
        timestamp: undefined,
        blob: undefined,
      });
    }
    this.active.set(application, m);
  }

  /**
   * Stores an upload (`SetResource` / `UpdatePendingResource`): the blob must
   * match the fingerprint and size the request declared.
   */
  store(
    target: ResourceRecord,
    res: CharmResourceValue,
    blob: Buffer,
    user: string,
  ): ResourceRecord {
    // `storeResource`: files go through the blob store's hash check (the
    // first `size` bytes must hash to the fingerprint); image details are
    // parsed, not hashed.
    let docker: DockerImageDetails | undefined;
    if (res.type === "oci-image") {
      docker = parseDockerDetails(blob);
    } else {
      const sum = createHash("sha384").update(blob.subarray(0, res.size)).digest();
      if (!sum.equals(res.fingerprint) || blob.length < res.size) {
        throw new ServerError("hash mismatch");
      }
    }
    const stored: ResourceRecord = {
      ...res,
      application: target.application,
      pendingId: target.pendingId,
      username: user,
      timestamp: this.model.state.now(),
      blob,
      ...(docker === undefined ? {} : { docker }),
    };
    if (target.pendingId !== "") {
      this.pending.set(target.pendingId, stored);
    } else {
      const m = this.active.get(target.application) ?? new Map<string, ResourceRecord>();
      m.set(stored.name, stored);
      this.active.set(target.application, m);
    }
    return stored;
  }
}

const byModel = new WeakMap<ModelRecord, ModelResources>();

/** The resources of a model (created on first use). */
export function resourcesOf(model: ModelRecord): ModelResources {
  let r = byModel.get(model);
  if (r === undefined) {
    r = new ModelResources(model);
    byModel.set(model, r);
  }
  return r;
}

/**
 * Local charms, as the Juju 3.6 CLI deploys them: the archive (a `.charm`
 * file, or a charm directory archived with `CharmArchiveGenerator`) is
 * uploaded over HTTPS to the model, then deployed or refreshed to with a
 * `local` charm origin.
 *
 * The upload follows `api/client/charms/localcharmclient.go` and
 * `localcharmputters.go`: first the S3-style endpoint
 * `PUT /model-<uuid>/charms/<name>-<sha256[:7]>` with `Content-Type:
 * application/zip` and the requested URL in `Juju-Curl` (the controller
 * answers with the URL it chose, next revision included, in the same
 * header); when the controller has no such endpoint (404 or 405) the legacy
 * `POST /model/<uuid>/charms?series=…&schema=local&revision=…` that
 * python-libjuju uses (its JSON reply carries `charm-url`). The body streams
 * from disk; its progress is reported.
 *
 * An unchanged charm is not uploaded again. The controller exposes no
 * content hash of its charms (`Charms.CharmInfo`, `Charms.List` and the
 * watcher's charm entities have none, and it stores a repackaged archive
 * whose bytes differ from the upload), so: the archive's SHA-256 (the
 * archive of a directory is byte-for-byte reproducible) and the URL the
 * controller gave are remembered per model, and reused while the model
 * still lists that charm; otherwise the newest revision of the same charm
 * in the model is downloaded and compared entry by entry (see
 * `identicalInModel`), which also catches uploads of an earlier process.
 * @module
 */
import { type CharmInfo, parseCharmFiles } from "../../charm/metadata.js";
import {
  baseToSeries,
  DEFAULT_BASE,
  SUPPORTED_UBUNTU_CHANNELS,
  seriesToBase,
} from "../../charm/series.js";
import type { Application as ApplicationFacade, Resources } from "../../facades/generated/index.js";
import { JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError } from "../errors.js";
import type { CharmArchiveFacts, HttpTarget, LocalEdge, UploadProgress } from "../http/edge.js";
import type { OperationWaitOptions, OpsContext } from "../ops-context.js";
import { type Base, type BaseSpec, formatBase, parseBase, sameBase, trackOf } from "./bases.js";
import { siteOf } from "./common.js";
import {
  checkApplicationName,
  type DeployOptions,
  prepareDeploy,
  submitDeploy,
  unitsFor,
} from "./deploy.js";
import { httpError, LocalCharmError, LocalFileError } from "./local-charm-errors.js";
import { modelArchitecture, modelDefaultBase } from "./model-config.js";
import {
  type PendingResourcesPlan,
  planPendingResources,
  registerPendingResources,
  type UploadAccess,
  uploadAccess,
} from "./resources.js";

/** Options of `Model.addLocalCharm` and `Model.addLocalCharmDir`. */
export interface AddLocalCharmOptions {
  /** Series the charm is uploaded for (`jammy`); python-libjuju's spelling of `base`. */
  series?: string;
  /** Base the charm is uploaded for (`ubuntu@22.04`). Default: chosen as `juju deploy` does. */
  base?: BaseSpec;
  /** The archive's size in bytes, when the caller knows it (checked against the file). */
  size?: number;
  /** Upload for a base the charm does not declare. */
  force?: boolean;
  /** Aborts the upload. */
  signal?: AbortSignal;
  /** Called as the archive streams: bytes sent of the total. */
  onProgress?: (progress: UploadProgress) => void;
}

/** What an upload produced. */
export interface LocalCharmUpload {
  /** The `local:` URL the controller chose, e.g. `local:jammy/dummy-1`. */
  url: string;
  /** The charm's metadata, as read from the archive. */
  info: CharmInfo;
  /** The base the charm was uploaded for, when one was chosen. */
  base: Base | undefined;
  /** False when an identical archive was already in the model and its URL was reused. */
  uploaded: boolean;
}

// Per model UUID: "<sha256> <URL without revision>" → the URL the controller gave.
const uploads = new Map<string, Map<string, string>>();
const MAX_REMEMBERED = 256;

function remembered(modelUuid: string): Map<string, string> {
  let m = uploads.get(modelUuid);
  if (m === undefined) {
    m = new Map();
    uploads.set(modelUuid, m);
  }
  return m;
}

/** True for what `deploy` treats as a local charm: a path (`./x`, `../x`, `/x`, `~/x`) or `local:…`. */
export function isLocalCharmReference(ref: string): boolean {
  return (
    ref.startsWith("local:") ||
    ref.startsWith("./") ||
    ref.startsWith("../") ||
    ref === "." ||
    ref === ".." ||
    ref.startsWith("/") ||
    ref === "~" ||
    ref.startsWith("~/")
  );
}

// A charm URL of an uploaded local charm: local:[series/]name-revision.
const LOCAL_URL_RE =
  /^local:(?:([a-z0-9]+)\/)?([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)-(\d+)$/;

/**
 * The bases a charm declares, the way Juju's `ComputedBases` sees them: the
 * legacy `series:` of metadata.yaml first (python-libjuju's
 * `get_charm_series` takes its first entry), else the bases of
 * charmcraft.yaml / manifest.yaml.
 */
export function declaredBases(info: CharmInfo): Base[] {
  if (info.series.length > 0) {
    const out: Base[] = [];
    for (const s of info.series) {
      const b = seriesToBase(s);
      if (b !== undefined && !out.some((o) => sameBase(o, b))) out.push(b);
    }
    return out;
  }
  const out: Base[] = [];
  for (const b of info.bases) {
    const base = { name: b.name, channel: trackOf(b.channel) };
    if (!out.some((o) => sameBase(o, base))) out.push(base);
  }
  return out;
}

/**
 * The base to use for a local charm, in the order of Juju 3.6's
 * `BaseSelector.CharmBase`: the requested one (checked against the charm's
 * unless forced), the model's `default-base` when the charm supports it,
 * Juju's default LTS when the charm supports it, else the charm's first
 * base that Juju supports. A charm without bases → Juju's `charm does not
 * define any bases` (code `not valid`).
 */
export function selectLocalCharmBase(
  info: CharmInfo,
  requested: Base | undefined,
  modelDefault: Base | undefined,
  force: boolean,
): Base {
  const supported = declaredBases(info);
  const list = supported.map(formatBase).join(", ");
  if (requested !== undefined) {
    if (force || supported.some((b) => sameBase(b, requested))) {
      return { name: requested.name, channel: trackOf(requested.channel) };
    }
    throw new InvalidArgumentError(
      "base",
      supported.length === 0
        ? "charm does not define any bases, not valid"
        : `base ${JSON.stringify(formatBase(requested))} not supported by charm, the charm supported bases are: ${list}`,
    );
  }
  if (supported.length === 0) {
    throw new InvalidArgumentError("base", "charm does not define any bases, not valid");
  }
  if (modelDefault !== undefined) {
    const m = supported.find((b) => sameBase(b, modelDefault));
    if (m !== undefined) return m;
  }
  const juju = supported.filter(
    (b) =>
      b.name === "kubernetes" ||
      (b.name === "ubuntu" && SUPPORTED_UBUNTU_CHANNELS.includes(trackOf(b.channel))),
  );
  const def = juju.find((b) => sameBase(b, DEFAULT_BASE));
  if (def !== undefined) return def;
  if (juju.length > 0) return juju[0]!;
  throw new InvalidArgumentError(
    "base",
    `the charm defined bases "${list}" not supported by this Juju controller`,
  );
}

// charm.ValidateName: lower-case words of letters and digits, each with a letter.
const CHARM_NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

function checkCharmName(name: string, path: string): void {
  if (!CHARM_NAME_RE.test(name)) {
    throw new LocalCharmError(`charm name ${JSON.stringify(name)} not valid`, path);
  }
}

function charmInfoOf(files: CharmArchiveFacts["files"]): CharmInfo {
  return parseCharmFiles(files);
}

function revisionOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const token = text.trim().split(/\s+/)[0] ?? "";
  return /^\d+$/.test(token) ? Number(token) : 0;
}

/** Checks that the model still has `url` (a remembered upload could have been removed). */
async function modelHasCharm(
  ctx: OpsContext,
  name: string,
  url: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const charms = ctx.connection.facade("Charms");
  const res = await charms.call("List", { names: [name] }, signal ? { signal } : {});
  return (res["charm-urls"] ?? []).includes(url);
}

/**
 * The newest `local:` revision of this charm (same name and series) in the
 * model, when its content is the same as `file`'s: its archive is
 * downloaded (`GET /model/<uuid>/charms?url=…&file=*`) and both zip
 * directories are compared (names, CRC-32s, sizes, exec bits; the
 * `revision` entry the controller rewrites left out). Undefined when there
 * is none, it differs, or the controller does not serve it.
 */
async function identicalInModel(
  ctx: OpsContext,
  edge: LocalEdge,
  target: HttpTarget,
  name: string,
  curlNoRev: string,
  file: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const charms = ctx.connection.facade("Charms");
  const listed = await charms.call("List", { names: [name] }, signal ? { signal } : {});
  let newest: { url: string; rev: number } | undefined;
  for (const url of listed["charm-urls"] ?? []) {
    if (!url.startsWith(`${curlNoRev}-`)) continue;
    const rev = url.slice(curlNoRev.length + 1);
    if (!/^\d+$/.test(rev)) continue;
    if (newest === undefined || Number(rev) > newest.rev) newest = { url, rev: Number(rev) };
  }
  if (newest === undefined) return undefined;
  const got = await edge.download(
    target,
    `/model/${ctx.uuid}/charms?url=${encodeURIComponent(newest.url)}&file=*`,
    signal,
  );
  if ("reply" in got) return undefined;
  try {
    const [ours, theirs] = await Promise.all([
      edge.charmContentDigest(file),
      edge.charmContentDigest(got.file).catch(() => undefined),
    ]);
    return ours === theirs ? newest.url : undefined;
  } finally {
    await got.cleanup();
  }
}

/** Forgets the uploads remembered for a model (or every model), as a new process would. @internal */
export function forgetLocalCharmUploads(modelUuid?: string): void {
  if (modelUuid === undefined) uploads.clear();
  else uploads.delete(modelUuid);
}

/** Uploads an inspected archive (or reuses an identical earlier upload). */
async function uploadArchive(
  ctx: OpsContext,
  access: UploadAccess,
  edge: LocalEdge,
  file: string,
  facts: CharmArchiveFacts,
  info: CharmInfo,
  base: Base | undefined,
  options: AddLocalCharmOptions,
): Promise<LocalCharmUpload> {
  const name = info.name;
  checkCharmName(name, file);
  if (!facts.hasHooksOrDispatch) {
    throw new LocalCharmError(`invalid charm "${name}": has no hooks nor dispatch file`, file);
  }
  if (options.size !== undefined && options.size !== facts.size) {
    throw new InvalidArgumentError(
      "size",
      `size ${options.size} does not match the ${facts.size} bytes of "${file}"`,
    );
  }
  const series = base === undefined ? "" : (baseToSeries(base) ?? "");
  if (base !== undefined && series === "") {
    throw new InvalidArgumentError(
      "base",
      `base ${JSON.stringify(formatBase(base))} has no series`,
    );
  }
  const revision = revisionOf(facts.revision);
  const curlNoRev = `local:${series ? `${series}/` : ""}${name}`;
  const curl = `${curlNoRev}-${revision}`;
  const key = `${facts.sha256} ${curlNoRev}`;
  const memory = remembered(ctx.uuid);
  const known = memory.get(key);
  if (known !== undefined && (await modelHasCharm(ctx, name, known, options.signal))) {
    return { url: known, info, base, uploaded: false };
  }
  const target = await access.httpTarget();
  const same = await identicalInModel(ctx, edge, target, name, curlNoRev, file, options.signal);
  if (same !== undefined) {
    memory.set(key, same);
    return { url: same, info, base, uploaded: false };
  }

  const common = {
    body: { file, size: facts.size },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const s3Path = `/model-${ctx.uuid}/charms/${name}-${facts.sha256.slice(0, 7)}`;
  let reply = await edge.http(target, {
    method: "PUT",
    path: s3Path,
    headers: { "Content-Type": "application/zip", "Juju-Curl": curl },
    ...common,
  });
  let url: string | undefined;
  if (reply.status === 404 || reply.status === 405) {
    // fallbackPutter: a controller without the S3 endpoint takes the legacy POST.
    const q = new URLSearchParams({ series, schema: "local", revision: String(revision) });
    const legacyPath = `/model/${ctx.uuid}/charms?${q.toString()}`;
    reply = await edge.http(target, {
      method: "POST",
      path: legacyPath,
      headers: { "Content-Type": "application/zip" },
      ...common,
    });
    if (reply.status !== 200) throw httpError("POST", legacyPath, reply);
  } else if (reply.status !== 200) {
    throw httpError("PUT", s3Path, reply);
  } else {
    url = reply.headers["juju-curl"];
  }
  if (url === undefined || url === "") {
    try {
      url = (JSON.parse(reply.body) as { "charm-url"?: string })["charm-url"];
    } catch {
      url = undefined;
    }
  }
  if (typeof url !== "string" || !url.startsWith("local:")) {
    throw new JujuError(
      `the controller accepted the charm but did not say its URL (reply ${JSON.stringify(reply.body.slice(0, 200))})`,
    );
  }
  if (memory.size >= MAX_REMEMBERED) memory.delete(memory.keys().next().value as string);
  memory.set(key, url);
  return { url, info, base, uploaded: true };
}

function requestedBase(options: { series?: BaseSpec; base?: BaseSpec }): Base | undefined {
  const spec = options.base ?? options.series;
  return spec === undefined ? undefined : parseBase(spec);
}

/**
 * Uploads a charm archive (`.charm` zip) to the model and returns the
 * `local:` URL the controller chose (python-libjuju's `add_local_charm`);
 * an unchanged charm reuses its URL without an upload (`uploaded: false`).
 * Without a base or series the charm's own choice is used (as `juju
 * deploy` picks it); a charm without any uploads without a series.
 */
export async function addLocalCharm(
  ctx: OpsContext,
  file: string,
  options: AddLocalCharmOptions = {},
): Promise<LocalCharmUpload> {
  const access = uploadAccess(ctx);
  const edge = await access.localEdge();
  const path = edge.resolve(file);
  const facts = await edge.inspectCharmArchive(path, options.signal);
  const info = charmInfoOf(facts.files);
  const base = await uploadBase(ctx, info, options);
  return uploadArchive(ctx, access, edge, path, facts, info, base, options);
}

async function uploadBase(
  ctx: OpsContext,
  info: CharmInfo,
  options: AddLocalCharmOptions,
): Promise<Base | undefined> {
  const requested = requestedBase(options);
  if (requested === undefined && declaredBases(info).length === 0) return undefined;
  return selectLocalCharmBase(
    info,
    requested,
    requested === undefined ? await modelDefaultBase(ctx, options.signal) : undefined,
    options.force ?? false,
  );
}

/**
 * Archives a charm directory into a temporary file (removed afterwards)
 * and uploads it (python-libjuju's `add_local_charm_dir`). A `.charm`
 * path is uploaded as is.
 */
export async function addLocalCharmDir(
  ctx: OpsContext,
  dir: string,
  options: AddLocalCharmOptions = {},
): Promise<LocalCharmUpload> {
  const access = uploadAccess(ctx);
  const edge = await access.localEdge();
  const path = edge.resolve(dir);
  const kind = await edge.kind(path);
  if (kind === undefined) {
    throw new LocalFileError(`charm directory "${dir}" not found`, path, "ENOENT");
  }
  if (kind === "file") return addLocalCharm(ctx, path, options);
  const info = charmInfoOf(await edge.readCharmDirFiles(path));
  const base = await uploadBase(ctx, info, options);
  return uploadDirectory(ctx, access, edge, path, info, base, options);
}

/** Archives a charm directory into a temporary file, uploads it and removes the file. */
async function uploadDirectory(
  ctx: OpsContext,
  access: UploadAccess,
  edge: LocalEdge,
  dir: string,
  info: CharmInfo,
  base: Base | undefined,
  options: AddLocalCharmOptions,
): Promise<LocalCharmUpload> {
  const archive = await edge.archiveCharmDir(dir, options.signal);
  try {
    return await uploadArchive(ctx, access, edge, archive.path, archive.facts, info, base, options);
  } finally {
    await archive.cleanup();
  }
}

/** Uploads a local charm given as a directory or a `.charm` file, with a chosen base. */
async function uploadLocal(
  ctx: OpsContext,
  ref: string,
  options: {
    base: Base | undefined;
    force: boolean;
    signal?: AbortSignal;
    onProgress?: (p: UploadProgress) => void;
    /** Runs once the charm is read and before anything is sent (checks that depend on the charm). */
    beforeUpload?: (info: CharmInfo) => Promise<void>;
  },
): Promise<LocalCharmUpload> {
  const access = uploadAccess(ctx);
  const edge = await access.localEdge();
  const path = edge.resolve(ref.startsWith("local:") ? ref.slice("local:".length) : ref);
  const kind = await edge.kind(path);
  if (kind === undefined) {
    throw new LocalFileError(`charm or bundle at "${ref}" not found`, path, "ENOENT");
  }
  let info: CharmInfo;
  let facts: CharmArchiveFacts | undefined;
  if (kind === "directory") {
    info = charmInfoOf(await edge.readCharmDirFiles(path));
  } else {
    facts = await edge.inspectCharmArchive(path, options.signal);
    info = charmInfoOf(facts.files);
  }
  if (info.charmType === "bundle") {
    throw new LocalCharmError(`"${ref}" is a bundle, not a charm`, path);
  }
  checkCharmName(info.name, path);
  await options.beforeUpload?.(info);
  const base = selectLocalCharmBase(
    info,
    options.base,
    options.base === undefined ? await modelDefaultBase(ctx, options.signal) : undefined,
    options.force,
  );
  const upload: AddLocalCharmOptions = {
    force: options.force,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return facts === undefined
    ? uploadDirectory(ctx, access, edge, path, info, base, upload)
    : uploadArchive(ctx, access, edge, path, facts, info, base, upload);
}

/** The charm origin of a local charm (`utils.MakeOrigin(charm.Local, …)`). */
export function localOrigin(
  url: string,
  base: Base,
  architecture: string,
): ApplicationFacade.CharmOrigin {
  const m = /-(\d+)$/.exec(url);
  return {
    source: "local",
    type: "charm",
    id: "",
    revision: m ? Number(m[1]) : 0,
    base: { name: base.name, channel: trackOf(base.channel) },
    architecture,
  };
}

/**
 * Deploys a local charm: a charm directory (archived, then uploaded), a
 * `.charm` file, either prefixed with `local:` (as python-libjuju accepts),
 * or the `local:` URL of a charm the model already has
 * (`local:jammy/dummy-3`). Machine and Kubernetes charms alike; the base
 * comes from the options or the charm (see {@link selectLocalCharmBase}).
 * Resources: a path (or OCI image reference) is uploaded, a number is a
 * Charmhub revision; only the named resources are registered, as
 * python-libjuju does for local charms. Resolves with the application's
 * name once the model shows it.
 */
export async function deployLocalCharm(
  ctx: OpsContext,
  ref: string,
  options: DeployOptions = {},
): Promise<string> {
  const prepared = prepareDeploy(ctx, options);
  if (options.applicationName !== undefined) checkApplicationName(options.applicationName);
  if (prepared.channel !== undefined || options.revision !== undefined) {
    throw new InvalidArgumentError(
      options.revision !== undefined ? "revision" : "channel",
      "a local charm has no channel nor revision to choose",
    );
  }
  const signal = options.signal;
  const existing = LOCAL_URL_RE.exec(ref);
  let url: string;
  let info: Pick<CharmInfo, "name" | "subordinate" | "resources">;
  let base: Base;
  let plan: PendingResourcesPlan | undefined;
  const planFor = async (i: Pick<CharmInfo, "name" | "subordinate" | "resources">) => {
    checkApplicationName(options.applicationName ?? i.name);
    unitsFor(i.subordinate, prepared, options);
    plan = await planPendingResources(ctx, {
      metas: Object.values(i.resources).map((r) => ({
        name: r.name,
        type: r.type,
        path: r.filename ?? "",
        description: r.description ?? "",
      })),
      values: options.resources ?? {},
      allMetas: false,
      ...(signal ? { signal } : {}),
    });
  };
  if (existing !== null && !(await pathExists(ctx, ref.slice("local:".length)))) {
    // A charm already uploaded to the model, by URL.
    url = ref;
    const charms = ctx.connection.facade("Charms");
    const ci = await charms.call("CharmInfo", { url }, prepared.call);
    info = {
      name: ci.meta?.name ?? existing[2]!,
      subordinate: ci.meta?.subordinate ?? false,
      resources: Object.fromEntries(
        Object.values(ci.meta?.resources ?? {}).map((r) => [
          r.name,
          {
            name: r.name,
            type: r.type === "oci-image" ? "oci-image" : "file",
            filename: r.path,
            description: r.description ?? "",
          },
        ]),
      ),
    };
    await planFor(info);
    const fromUrl = existing[1] ? seriesToBase(existing[1]) : undefined;
    const b = prepared.base ?? fromUrl ?? (await modelDefaultBase(ctx, signal)) ?? DEFAULT_BASE;
    base = { name: b.name, channel: trackOf(b.channel) };
  } else {
    const up = await uploadLocal(ctx, ref, {
      base: prepared.base,
      force: options.force ?? false,
      ...(signal ? { signal } : {}),
      ...(options.onUploadProgress ? { onProgress: options.onUploadProgress } : {}),
      beforeUpload: planFor,
    });
    url = up.url;
    info = up.info;
    base = up.base!;
  }
  const appName = options.applicationName ?? info.name;
  const units = unitsFor(info.subordinate, prepared, options);
  const architecture = prepared.constraints.arch ?? (await modelArchitecture(ctx, signal));
  const origin = localOrigin(url, base, architecture);
  const pending = await registerPendingResources(ctx, plan, {
    application: appName,
    url,
    origin: origin as Resources.CharmOrigin,
    ...(signal ? { signal } : {}),
  });
  return submitDeploy(ctx, prepared, options, {
    appName,
    url,
    origin,
    units,
    resources: pending,
  });
}

async function pathExists(ctx: OpsContext, path: string): Promise<boolean> {
  const edge = await uploadAccess(ctx).localEdge();
  return (await edge.kind(edge.resolve(path))) !== undefined;
}

/** Options of a local refresh (`Application.refresh({path})`). */
export interface LocalRefreshOptions extends OperationWaitOptions {
  /** Resources to upload (paths) or pin (revisions) with the new charm. */
  resources?: Readonly<Record<string, number | string>>;
  /** Refresh even when the charm does not support the application's base. */
  forceBase?: boolean;
  /** Refresh even when units are in error. */
  forceUnits?: boolean;
  /** Skip compatibility checks. */
  force?: boolean;
  /** Called as the charm archive streams: bytes sent of the total. */
  onUploadProgress?: (progress: UploadProgress) => void;
}

/**
 * Refreshes an application to a local charm (python-libjuju's
 * `local_refresh`): uploads the charm for the application's base, then
 * `Application.SetCharm` with a `local` origin, and waits until the model
 * shows the new charm URL. An unchanged charm is not uploaded again and,
 * when the application already runs it, nothing is changed. Returns the URL.
 */
export async function refreshLocal(
  ctx: OpsContext,
  application: string,
  path: string,
  options: LocalRefreshOptions = {},
): Promise<string> {
  const signal = options.signal;
  const call = signal ? { signal } : {};
  const app = ctx.connection.facade("Application");
  const current = await app.call("GetCharmURLOrigin", { application, branch: "" }, call);
  if (current.error?.message)
    throw JujuError.fromWire(current.error, siteOf(app, "GetCharmURLOrigin"));
  const curOrigin = current["charm-origin"];
  const base = curOrigin.base?.name
    ? { name: curOrigin.base.name, channel: trackOf(curOrigin.base.channel ?? "") }
    : undefined;
  let plan: PendingResourcesPlan | undefined;
  const up = await uploadLocal(ctx, path, {
    base,
    force: options.forceBase ?? options.force ?? false,
    ...(signal ? { signal } : {}),
    ...(options.onUploadProgress ? { onProgress: options.onUploadProgress } : {}),
    beforeUpload: async (info) => {
      plan = await planPendingResources(ctx, {
        metas: Object.values(info.resources).map((r) => ({
          name: r.name,
          type: r.type,
          path: r.filename ?? "",
          description: r.description ?? "",
        })),
        values: options.resources ?? {},
        allMetas: false,
        ...(signal ? { signal } : {}),
      });
    },
  });
  if (up.url === current.url && plan === undefined) return up.url;
  const origin = localOrigin(up.url, up.base ?? base!, curOrigin.architecture ?? "amd64");
  const pending = await registerPendingResources(ctx, plan, {
    application,
    url: up.url,
    origin: origin as Resources.CharmOrigin,
    ...(signal ? { signal } : {}),
  });
  await app.call(
    "SetCharm",
    {
      application,
      "charm-url": up.url,
      "charm-origin": origin,
      channel: "",
      force: options.force ?? false,
      "force-base": options.forceBase ?? false,
      "force-units": options.forceUnits ?? false,
      generation: "",
      ...(pending ? { "resource-ids": pending } : {}),
    },
    call,
  );
  if (ctx.state.entityData("application", application) !== undefined) {
    await ctx.waitFor(
      `application ${application} to run ${up.url}`,
      () => ctx.state.entityData("application", application)?.["charm-url"] === up.url,
      options,
    );
  }
  return up.url;
}

/**
 * The simulator's Charmhub API, independent of HTTP: `info`, `find` and
 * `refresh` answered from a {@link CharmCatalog}, in the shapes of Juju
 * 3.6's Charmhub client (`charmhub/transport`) and the store's API
 * documentation. Channel, base and revision selection is the catalog's
 * `resolve`; this module only turns its answers (and its errors) into
 * Charmhub documents.
 *
 * What the catalog does not know is synthesised, deterministically:
 * release and creation dates (the epoch plus one minute per revision), the
 * publisher, resource revisions (1 unless the catalog publishes more) and
 * archive sizes (the size of the rebuilt charm files).
 * @module
 */
import { createHash } from "node:crypto";
import type {
  CharmhubApiError,
  CharmhubBase,
  CharmhubEntity,
  CharmhubInfo,
  CharmhubRefreshEntity,
  CharmhubRefreshResult,
  CharmhubRelease,
  CharmhubResource,
  CharmhubRevision,
} from "../../charm/charmhub.js";
import { seriesToBase } from "../../charm/series.js";
import {
  type CatalogBundle,
  type CatalogCharm,
  CatalogError,
  type CharmCatalog,
  formatChannel,
  type ResolvedBundle,
  type ResolvedCharm,
  type ResolveRequest,
} from "../catalog/index.js";
import { type FieldTree, parseFields, selectFields } from "./fields.js";
import { actionsYaml, configYaml, metadataYaml } from "./yaml-docs.js";

/** A response of the API: HTTP status and JSON body. */
export interface CharmhubApiResponse {
  /** The HTTP status. */
  status: number;
  /** The JSON body. */
  body: unknown;
}

/** Who the simulated store says published its charms. */
export interface CharmhubPublisher {
  /** The publisher's display name. */
  "display-name": string;
  /** The publisher's account id. */
  id: string;
  /** The publisher's user name. */
  username: string;
  /** The publisher's validation status. */
  validation: "unproven" | "verified" | "starred";
}

/** Options of {@link CharmhubApi}. */
export interface CharmhubApiOptions {
  /** Base URL the API is served at (download URLs point there). */
  baseUrl: string;
  /** Default: "libjuju simulator" (the catalog does not record publishers). */
  publisher?: CharmhubPublisher;
  /** Release dates are this plus one minute per revision. Default 2024-04-25T00:00:00Z. */
  epoch?: Date;
}

const RISKS = ["stable", "candidate", "beta", "edge"] as const;

/** Juju's `refresh` fields when a request names none: everything but the charm files. */
const DEFAULT_REFRESH_FIELDS = [
  "bases",
  "created-at",
  "download",
  "id",
  "license",
  "name",
  "publisher",
  "resources",
  "revision",
  "summary",
  "type",
  "version",
];

function apiError(status: number, code: string, message: string): CharmhubApiResponse {
  return { status, body: { "error-list": [{ code, message }] } };
}

function sha(alg: "sha256" | "sha384" | "sha512" | "sha3-384", s: string): string {
  return createHash(alg).update(s).digest("hex");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A base is "not known" when Juju sends the `NA` placeholder (or nothing). */
function unknownBase(base: { name?: unknown; channel?: unknown } | null | undefined): boolean {
  return (
    base === null ||
    base === undefined ||
    base.name === "NA" ||
    base.channel === "NA" ||
    base.name === "" ||
    base.channel === ""
  );
}

/** The simulated store: documents and resolution over a catalog. */
export class CharmhubApi {
  readonly #catalog: CharmCatalog;
  readonly #baseUrl: string;
  readonly #publisher: CharmhubPublisher;
  readonly #epoch: number;
  /** Charm ids by name (the catalog derives them from the name alone). */
  readonly #ids = new Map<string, string>();

  constructor(catalog: CharmCatalog, options: CharmhubApiOptions) {
    this.#catalog = catalog;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#publisher = options.publisher ?? {
      "display-name": "libjuju simulator",
      id: "libjujusimulatorpublisher0000000",
      username: "libjuju-simulator",
      validation: "unproven",
    };
    this.#epoch = (options.epoch ?? new Date("2024-04-25T00:00:00Z")).getTime();
  }

  // -------------------------------------------------------------------------
  // Endpoints.

  /** `GET /v2/charms/info/{name}?fields=…&channel=…`. */
  info(name: string, query: URLSearchParams): CharmhubApiResponse {
    const bundle = this.#catalog.getBundle(name);
    if (bundle) return this.#bundleInfo(bundle, query);
    const charm = this.#catalog.get(name);
    if (!charm) {
      return apiError(404, "resource-not-found", `No charm or bundle with name '${name}'.`);
    }
    const channel = query.get("channel");
    const defaultRelease = this.#defaultRelease(charm, channel ?? undefined);
    if (channel !== null && channel !== "" && defaultRelease === undefined) {
      return apiError(404, "revision-not-found", "No revision was found in the Store.");
    }
    const doc: CharmhubInfo = {
      type: charm.info.charmType,
      id: this.#idOf(charm),
      name: charm.name,
      result: this.#entity(charm),
      "channel-map": this.#channelMap(charm),
    };
    if (defaultRelease) doc["default-release"] = this.#release(defaultRelease, true);
    return {
      status: 200,
      body: this.#project(doc as unknown as Record<string, unknown>, query.get("fields")),
    };
  }

  /** `GET /v2/charms/find?q=…&category=…&type=…&publisher=…&relation-requires=…&relation-provides=…`. */
  find(query: URLSearchParams): CharmhubApiResponse {
    const q = (query.get("q") ?? "").trim().toLowerCase();
    const type = query.get("type");
    if (type !== null && type !== "" && type !== "charm" && type !== "bundle") {
      return apiError(400, "bad-argument", `Invalid type '${type}': expected 'charm' or 'bundle'.`);
    }
    const category = query.get("category");
    const publisher = query.get("publisher");
    const requires = query.get("relation-requires");
    const provides = query.get("relation-provides");
    const channel = query.get("channel");
    const list = (v: string | null) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    const platforms = list(query.get("platforms"));
    const scored: Array<{ charm: CatalogCharm; score: number }> = [];
    for (const charm of this.#catalog.list()) {
      const info = charm.info;
      if (type && info.charmType !== type) continue;
      if (category && !list(category).some((c) => info.categories.includes(c))) continue;
      if (
        publisher &&
        publisher !== this.#publisher.username &&
        publisher !== this.#publisher["display-name"]
      )
        continue;
      const ifaces = (m: Record<string, { interface: string }>) =>
        Object.values(m).map((r) => r.interface);
      if (requires && !list(requires).some((i) => ifaces(info.requires).includes(i))) continue;
      if (provides && !list(provides).some((i) => ifaces(info.provides).includes(i))) continue;
      if (
        platforms.length > 0 &&
        !charm.releases.some((r) => platforms.some((p) => r.revisions[p] !== undefined))
      )
        continue;
      if (channel && this.#defaultRelease(charm, channel) === undefined) continue;
      // Name matches rank above summary and description matches, as on charmhub.io.
      const name = charm.name.toLowerCase();
      let score: number;
      if (q === "") score = 0;
      else if (name === q) score = 0;
      else if (name.startsWith(q)) score = 1;
      else if (name.includes(q)) score = 2;
      else if (info.summary.toLowerCase().includes(q)) score = 3;
      else if (info.description.toLowerCase().includes(q)) score = 4;
      else continue;
      scored.push({ charm, score });
    }
    const bundles: Array<{ bundle: CatalogBundle; score: number }> = [];
    const wantBundles =
      (type === null || type === "" || type === "bundle") &&
      !category &&
      !requires &&
      !provides &&
      (!publisher ||
        publisher === this.#publisher.username ||
        publisher === this.#publisher["display-name"]);
    for (const bundle of wantBundles ? this.#catalog.listBundles() : []) {
      if (channel && this.#bundleRelease(bundle, channel) === undefined) continue;
      const name = bundle.name.toLowerCase();
      let score: number;
      if (q === "" || name === q) score = 0;
      else if (name.startsWith(q)) score = 1;
      else if (name.includes(q)) score = 2;
      else if (bundle.description.toLowerCase().includes(q)) score = 4;
      else continue;
      bundles.push({ bundle, score });
    }
    scored.sort((a, b) => a.score - b.score || (a.charm.name < b.charm.name ? -1 : 1));
    const fields = query.get("fields");
    const bundleResults = bundles.map(({ bundle, score }) => {
      const rel = this.#bundleRelease(bundle, channel || undefined);
      const doc: Record<string, unknown> = {
        type: "bundle",
        id: this.#bundleId(bundle),
        name: bundle.name,
        result: this.#bundleEntity(bundle),
      };
      if (rel) doc["default-release"] = this.#bundleReleaseDoc(rel, false);
      return { score, name: bundle.name, doc: this.#project(doc, fields) };
    });
    const charmResults = scored.map(({ charm, score }) => {
      const rel = this.#defaultRelease(charm, channel || undefined);
      const doc: Record<string, unknown> = {
        type: charm.info.charmType,
        id: this.#idOf(charm),
        name: charm.name,
        result: this.#entity(charm),
      };
      if (rel) doc["default-release"] = this.#release(rel, false);
      return { score, name: charm.name, doc: this.#project(doc, fields) };
    });
    const results = [...charmResults, ...bundleResults]
      .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1))
      .map((r) => r.doc);
    return { status: 200, body: { results } };
  }

  /** `POST /v2/charms/refresh` with a parsed JSON body. */
  refresh(body: unknown): CharmhubApiResponse {
    if (!isRecord(body)) return apiError(400, "bad-argument", "Request body must be an object.");
    if (!Array.isArray(body.context)) {
      return apiError(400, "missing-context", "The 'context' field is required.");
    }
    if (!Array.isArray(body.actions) || body.actions.length === 0) {
      return apiError(400, "bad-argument", "The 'actions' field must be a non-empty list.");
    }
    const keys = new Set<string>();
    for (const a of body.actions) {
      const key = isRecord(a) ? a["instance-key"] : undefined;
      if (typeof key !== "string" || key === "") {
        return apiError(400, "missing-instance-key", "Every action needs an 'instance-key'.");
      }
      if (keys.has(key)) {
        return apiError(400, "instance-key-not-unique", `Instance key '${key}' is not unique.`);
      }
      keys.add(key);
    }
    const fields =
      Array.isArray(body.fields) && body.fields.length > 0
        ? parseFields(body.fields.filter((f): f is string => typeof f === "string"))
        : parseFields(DEFAULT_REFRESH_FIELDS);
    const context = new Map<string, Record<string, unknown>>();
    for (const c of body.context) {
      if (isRecord(c) && typeof c["instance-key"] === "string") context.set(c["instance-key"], c);
    }
    const results = body.actions.map((a) =>
      this.#refreshAction(a as Record<string, unknown>, context, fields),
    );
    return { status: 200, body: { results, "error-list": [] } };
  }

  // -------------------------------------------------------------------------
  // Refresh.

  #refreshAction(
    a: Record<string, unknown>,
    context: Map<string, Record<string, unknown>>,
    fields: FieldTree,
  ): CharmhubRefreshResult {
    const key = a["instance-key"] as string;
    const kind = a.action;
    const fail = (
      error: CharmhubApiError,
      id = "",
      name = typeof a.name === "string" ? a.name : "",
    ): CharmhubRefreshResult => ({
      result: "error",
      "instance-key": key,
      id,
      name,
      charm: null,
      "effective-channel": "",
      error,
    });
    if (kind !== "install" && kind !== "download" && kind !== "refresh") {
      return fail({ code: "bad-argument", message: `Unknown action '${String(kind)}'.` });
    }
    // The charm: by name, or by id (download and refresh address charms by id).
    const bundle =
      typeof a.name === "string" && a.name !== ""
        ? this.#catalog.getBundle(a.name)
        : typeof a.id === "string" && a.id !== ""
          ? this.#catalog.listBundles().find((b) => this.#bundleId(b) === a.id)
          : undefined;
    if (bundle) return this.#refreshBundle(a, key, kind, bundle, fields, fail);
    let charm: CatalogCharm | undefined;
    if (typeof a.name === "string" && a.name !== "") {
      charm = this.#catalog.get(a.name);
      if (!charm) {
        return fail({
          code: "name-not-found",
          message: `No charm or bundle with name '${a.name}'.`,
        });
      }
    } else if (typeof a.id === "string" && a.id !== "") {
      charm = this.#byId(a.id);
      if (!charm) {
        return fail(
          { code: "id-not-found", message: `No charm or bundle with id '${a.id}'.` },
          a.id,
          "",
        );
      }
    } else {
      return fail({ code: "bad-argument", message: "An action needs a 'name' or an 'id'." });
    }
    const id = this.#idOf(charm);

    let channel = typeof a.channel === "string" && a.channel !== "" ? a.channel : undefined;
    let revision = typeof a.revision === "number" ? a.revision : undefined;
    let base = isRecord(a.base) ? a.base : undefined;
    if (kind === "refresh") {
      // A refresh moves an installed charm (its context entry) along its tracking channel.
      const ctx = context.get(key);
      if (!ctx) {
        return fail(
          { code: "missing-context", message: `No context for instance key '${key}'.` },
          id,
          charm.name,
        );
      }
      const tracking = ctx["tracking-channel"];
      channel ??= typeof tracking === "string" && tracking !== "" ? tracking : undefined;
      base = isRecord(ctx.base) ? ctx.base : base;
      revision = undefined;
    }
    const architecture =
      typeof base?.architecture === "string" &&
      base.architecture !== "" &&
      base.architecture !== "NA"
        ? base.architecture
        : "amd64";

    if (revision === undefined && unknownBase(base as Record<string, unknown> | undefined)) {
      // Charmhub cannot pick a revision without a base; it names the bases it would take.
      return fail(
        {
          code: "invalid-charm-base",
          message: "Invalid base: a base name and channel are required.",
          extra: { "default-bases": this.#defaultBases(charm, channel, architecture) },
        },
        id,
        charm.name,
      );
    }

    const req: ResolveRequest = { name: charm.name, architecture };
    if (!unknownBase(base as Record<string, unknown> | undefined)) {
      req.base = { name: String(base?.name), channel: this.#baseChannel(String(base?.channel)) };
    }
    if (revision !== undefined) {
      req.revision = revision;
      // The catalog keeps Juju's rule that a revision comes with a channel; Charmhub
      // itself needs none, so look up a channel holding the revision.
      req.channel =
        channel ??
        this.#channelOfRevision(charm, revision, architecture) ??
        formatChannel({ track: charm.defaultTrack, risk: "stable" });
    } else if (channel !== undefined) {
      req.channel = channel;
    }
    let resolved: ResolvedCharm;
    try {
      resolved = this.#catalog.resolve(req);
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      return fail(this.#refreshError(charm, e), id, charm.name);
    }
    const entity = this.#refreshEntity(resolved);
    return {
      result: kind,
      "instance-key": key,
      id,
      name: charm.name,
      charm: selectFields(entity as Record<string, unknown>, fields) as CharmhubRefreshEntity,
      "effective-channel": revision !== undefined && channel === undefined ? "" : resolved.channel,
      "released-at": this.#date(resolved.revision),
    };
  }

  /** Juju sends series names as base channels in places (`jammy`); the catalog wants versions. */
  #baseChannel(channel: string): string {
    const track = channel.split("/")[0] ?? channel;
    return seriesToBase(track)?.channel ?? track;
  }

  #channelOfRevision(charm: CatalogCharm, revision: number, arch: string): string | undefined {
    const r = charm.releases.find((x) => x.revisions[arch] === revision);
    return r ? formatChannel(r.channel) : undefined;
  }

  /** Charmhub's error for a failed catalog resolution. */
  #refreshError(charm: CatalogCharm, e: CatalogError): CharmhubApiError {
    switch (e.reason) {
      case "charm-not-found":
        return { code: "name-not-found", message: `No charm or bundle with name '${charm.name}'.` };
      case "channel-not-valid":
      case "revision-without-channel":
        return { code: "invalid-channel", message: e.message };
      default:
        return {
          code: "revision-not-found",
          message: "No revision was found in the Store.",
          extra: { releases: this.#allReleases(charm) },
        };
    }
  }

  /** Every (channel, base, architecture) the charm is released to, for `revision-not-found`. */
  #allReleases(charm: CatalogCharm): { base: CharmhubBase; channel: string }[] {
    const out: { base: CharmhubBase; channel: string }[] = [];
    for (const r of charm.releases) {
      for (const arch of Object.keys(r.revisions)) {
        for (const b of r.bases) {
          out.push({
            base: { architecture: arch, name: b.name, channel: b.channel },
            channel: formatChannel(r.channel),
          });
        }
      }
    }
    return out;
  }

  /**
   * The bases Charmhub offers when none was given: those of the channel for
   * the architecture, preferred first (the catalog's order); when the
   * architecture has none there, those of the other architectures (so that
   * Juju reports "bases matching architecture … not found").
   */
  #defaultBases(
    charm: CatalogCharm,
    channel: string | undefined,
    architecture: string,
  ): CharmhubBase[] {
    const req: ResolveRequest = { name: charm.name, architecture };
    if (channel !== undefined) req.channel = channel;
    try {
      const r = this.#catalog.resolve(req);
      return r.supportedBases.map((b) => ({ architecture, name: b.name, channel: b.channel }));
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      const track = channel?.split("/")[0];
      const out: CharmhubBase[] = [];
      for (const r of charm.releases) {
        const trackMatches =
          track === undefined ||
          (RISKS as readonly string[]).includes(track) ||
          r.channel.track === track;
        if (!trackMatches) continue;
        for (const arch of Object.keys(r.revisions)) {
          for (const b of r.bases) {
            if (
              !out.some(
                (x) => x.architecture === arch && x.name === b.name && x.channel === b.channel,
              )
            ) {
              out.push({ architecture: arch, name: b.name, channel: b.channel });
            }
          }
        }
      }
      return out;
    }
  }

  #refreshEntity(r: ResolvedCharm): Record<string, unknown> {
    return {
      type: r.info.charmType,
      id: r.id,
      name: r.name,
      revision: r.revision,
      version: this.#version(r),
      summary: r.info.summary,
      license: "",
      publisher: { ...this.#publisher },
      bases: this.#bases(r),
      download: this.#download(r),
      resources: this.#resources(r),
      "created-at": this.#date(r.revision),
      "metadata-yaml": metadataYaml(r.info),
      "config-yaml": configYaml(r.info),
    };
  }

  // -------------------------------------------------------------------------
  // Bundles: no bases or architectures of their own (Charmhub lists them as
  // "all"), a bundle.yaml instead of charm metadata, no resources.

  /** The archive of a bundle revision, by `<id>_<revision>` as download URLs name it. */
  bundleArchive(file: string):
    | {
        /** The archive file name, `<bundle>.bundle`. */
        name: string;
        /** The archive's files. */
        files: {
          /** Path inside the archive. */
          path: string;
          /** File contents. */
          data: string;
        }[];
      }
    | undefined {
    const m = /^([A-Za-z0-9]+)_(\d+)\.(?:charm|bundle)$/.exec(file);
    if (!m) return undefined;
    const bundle = this.#catalog.listBundles().find((b) => this.#bundleId(b) === m[1]);
    if (!bundle?.releases.some((r) => r.revision === Number(m[2]))) return undefined;
    const readme = `# ${bundle.name}\n\n${bundle.description || bundle.name}\n`;
    return {
      name: `${bundle.name}.bundle`,
      files: [
        { path: "bundle.yaml", data: bundle.yaml },
        { path: "README.md", data: readme },
      ],
    };
  }

  #bundleId(bundle: CatalogBundle): string {
    return this.#catalog.resolveBundle({
      name: bundle.name,
      revision: bundle.releases[0]?.revision ?? 0,
      channel: formatChannel(bundle.releases[0]?.channel ?? { track: "latest", risk: "stable" }),
    }).id;
  }

  #bundleRelease(bundle: CatalogBundle, channel?: string): ResolvedBundle | undefined {
    try {
      return this.#catalog.resolveBundle(
        channel === undefined || channel === ""
          ? { name: bundle.name }
          : { name: bundle.name, channel },
      );
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      return undefined;
    }
  }

  #bundleEntity(bundle: CatalogBundle): CharmhubEntity {
    return {
      categories: [],
      "contains-charms": bundle.charms.map((name) => ({
        name,
        "package-id": this.#catalog.get(name)
          ? (this.#anyResolution(this.#catalog.get(name) as CatalogCharm)?.id ?? "")
          : "",
        "store-url": `https://charmhub.io/${name}`,
      })),
      description: bundle.description,
      license: "",
      publisher: { ...this.#publisher },
      summary: bundle.description.split("\n")[0] ?? "",
      title: bundle.name,
      "store-url": `https://charmhub.io/${bundle.name}`,
      "deployable-on": [bundle.type === "kubernetes" ? "kubernetes" : "vm"],
    };
  }

  #bundleBases(): CharmhubBase[] {
    return [{ architecture: "all", name: "all", channel: "all" }];
  }

  #bundleDownload(r: ResolvedBundle): Required<Pick<CharmhubRevision, "download">>["download"] {
    return {
      "hash-sha-256": r.hash,
      "hash-sha-384": sha("sha384", r.hash),
      size: Buffer.byteLength(r.bundle.yaml),
      url: `${this.#baseUrl}/api/v1/charms/download/${r.id}_${r.revision}.charm`,
    };
  }

  #bundleReleaseDoc(r: ResolvedBundle, full: boolean): CharmhubRelease {
    const revision: CharmhubRevision = {
      revision: r.revision,
      version: String(r.revision),
      "created-at": this.#date(r.revision),
      bases: this.#bundleBases(),
      download: this.#bundleDownload(r),
    };
    if (full) revision["bundle-yaml"] = r.bundle.yaml;
    return {
      channel: {
        name: r.channel,
        track: r.track,
        risk: r.risk,
        base: { architecture: "all", name: "all", channel: "all" },
        "released-at": this.#date(r.revision),
      },
      revision,
      resources: [],
    };
  }

  #bundleInfo(bundle: CatalogBundle, query: URLSearchParams): CharmhubApiResponse {
    const channel = query.get("channel");
    const def = this.#bundleRelease(bundle, channel ?? undefined);
    if (channel !== null && channel !== "" && def === undefined) {
      return apiError(404, "revision-not-found", "No revision was found in the Store.");
    }
    const map = bundle.releases.flatMap((r) => {
      const resolved = this.#bundleRelease(bundle, formatChannel(r.channel));
      return resolved && resolved.revision === r.revision
        ? [this.#bundleReleaseDoc(resolved, false)]
        : [];
    });
    const doc: Record<string, unknown> = {
      type: "bundle",
      id: this.#bundleId(bundle),
      name: bundle.name,
      result: this.#bundleEntity(bundle),
      "channel-map": map,
    };
    if (def) doc["default-release"] = this.#bundleReleaseDoc(def, true);
    return { status: 200, body: this.#project(doc, query.get("fields")) };
  }

  #refreshBundle(
    a: Record<string, unknown>,
    key: string,
    kind: "install" | "download" | "refresh",
    bundle: CatalogBundle,
    fields: FieldTree,
    fail: (error: CharmhubApiError, id?: string, name?: string) => CharmhubRefreshResult,
  ): CharmhubRefreshResult {
    const id = this.#bundleId(bundle);
    const req: { name: string; channel?: string; revision?: number } = { name: bundle.name };
    if (typeof a.channel === "string" && a.channel !== "") req.channel = a.channel;
    if (typeof a.revision === "number" && kind !== "refresh") req.revision = a.revision;
    let r: ResolvedBundle;
    try {
      r = this.#catalog.resolveBundle(req);
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      return fail(
        e.reason === "channel-not-valid"
          ? { code: "invalid-channel", message: e.message }
          : { code: "revision-not-found", message: "No revision was found in the Store." },
        id,
        bundle.name,
      );
    }
    const entity: Record<string, unknown> = {
      type: "bundle",
      id,
      name: bundle.name,
      revision: r.revision,
      version: String(r.revision),
      summary: bundle.description.split("\n")[0] ?? "",
      license: "",
      publisher: { ...this.#publisher },
      bases: this.#bundleBases(),
      download: this.#bundleDownload(r),
      resources: [],
      "created-at": this.#date(r.revision),
      "bundle-yaml": bundle.yaml,
    };
    return {
      result: kind,
      "instance-key": key,
      id,
      name: bundle.name,
      charm: selectFields(entity, fields) as CharmhubRefreshEntity,
      "effective-channel": r.channel,
      "released-at": this.#date(r.revision),
    };
  }

  // -------------------------------------------------------------------------
  // Documents.

  #project(doc: Record<string, unknown>, fields: string | null): Record<string, unknown> {
    return selectFields(doc, parseFields(fields ?? ""), ["type", "id", "name"]);
  }

  /** The charm's Charmhub id (the catalog's, stable per name). */
  #idOf(charm: CatalogCharm): string {
    const known = this.#ids.get(charm.name);
    if (known !== undefined) return known;
    const id = this.#anyResolution(charm)?.id ?? "";
    this.#ids.set(charm.name, id);
    return id;
  }

  #byId(id: string): CatalogCharm | undefined {
    return this.#catalog.list().find((c) => this.#idOf(c) === id);
  }

  #anyResolution(charm: CatalogCharm): ResolvedCharm | undefined {
    const d = this.#defaultRelease(charm);
    if (d) return d;
    for (const r of charm.releases) {
      const arch = Object.keys(r.revisions)[0];
      if (arch === undefined) continue;
      try {
        return this.#catalog.resolve({
          name: charm.name,
          channel: formatChannel(r.channel),
          architecture: arch,
        });
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
      }
    }
    return undefined;
  }

  /** Architectures to try for a default release: amd64 first, then the charm's others. */
  #arches(charm: CatalogCharm): string[] {
    const all = new Set<string>();
    for (const r of charm.releases) for (const a of Object.keys(r.revisions)) all.add(a);
    return ["amd64", ...[...all].filter((a) => a !== "amd64")].filter((a) => all.has(a));
  }

  /**
   * The default release: the most stable risk on the default track (or in
   * the given channel), for amd64 when the charm has it.
   */
  #defaultRelease(charm: CatalogCharm, channel?: string): ResolvedCharm | undefined {
    const channels =
      channel !== undefined && channel !== ""
        ? [channel]
        : RISKS.map((risk) => formatChannel({ track: charm.defaultTrack, risk }));
    for (const ch of channels) {
      for (const architecture of this.#arches(charm)) {
        try {
          return this.#catalog.resolve({ name: charm.name, channel: ch, architecture });
        } catch (e) {
          if (!(e instanceof CatalogError)) throw e;
        }
      }
    }
    return undefined;
  }

  #entity(charm: CatalogCharm): CharmhubEntity {
    return {
      categories: charm.info.categories.map((name) => ({ featured: false, name })),
      "contains-charms": [],
      description: charm.info.description,
      license: "",
      publisher: { ...this.#publisher },
      summary: charm.info.summary,
      title: charm.name,
      "store-url": `https://charmhub.io/${charm.name}`,
      "deployable-on": [
        charm.info.bases.some((b) => b.name === "kubernetes") ||
        Object.keys(charm.info.containers).length > 0
          ? "kubernetes"
          : "vm",
      ],
    };
  }

  /** One channel-map entry per release, base and architecture, as Charmhub lists them. */
  #channelMap(charm: CatalogCharm): CharmhubRelease[] {
    const out: CharmhubRelease[] = [];
    for (const r of charm.releases) {
      const channel = formatChannel(r.channel);
      for (const [arch, revision] of Object.entries(r.revisions)) {
        for (const b of r.bases) {
          let resolved: ResolvedCharm;
          try {
            resolved = this.#catalog.resolve({
              name: charm.name,
              channel,
              revision,
              base: b,
              architecture: arch,
            });
          } catch (e) {
            if (!(e instanceof CatalogError)) throw e;
            continue;
          }
          out.push({
            channel: {
              name: channel,
              track: r.channel.track,
              risk: r.channel.risk,
              base: { architecture: arch, name: b.name, channel: b.channel },
              "released-at": this.#date(revision),
            },
            revision: this.#revision(resolved, false),
            resources: this.#resources(resolved),
          });
        }
      }
    }
    return out;
  }

  #release(r: ResolvedCharm, full: boolean): CharmhubRelease {
    return {
      channel: {
        name: r.channel,
        track: r.track,
        risk: r.risk,
        base: { architecture: r.architecture, name: r.base.name, channel: r.base.channel },
        "released-at": this.#date(r.revision),
      },
      revision: this.#revision(r, full),
      resources: this.#resources(r),
    };
  }

  /** A revision; `full` adds the charm files and flags only the default release carries. */
  #revision(r: ResolvedCharm, full: boolean): CharmhubRevision {
    const rev: CharmhubRevision = {
      revision: r.revision,
      version: this.#version(r),
      "created-at": this.#date(r.revision),
      bases: this.#bases(r),
      download: this.#download(r),
    };
    if (full) {
      rev["metadata-yaml"] = metadataYaml(r.info);
      rev["config-yaml"] = configYaml(r.info);
      rev["actions-yaml"] = actionsYaml(r.info);
      rev["bundle-yaml"] = "";
      rev.subordinate = r.info.subordinate;
    }
    return rev;
  }

  #version(r: ResolvedCharm): string {
    return r.workload.workloadVersion ?? String(r.revision);
  }

  #bases(r: ResolvedCharm): CharmhubBase[] {
    return r.supportedBases.map((b) => ({
      architecture: r.architecture,
      name: b.name,
      channel: b.channel,
    }));
  }

  #download(r: ResolvedCharm): Required<Pick<CharmhubRevision, "download">>["download"] {
    const files = metadataYaml(r.info) + configYaml(r.info) + actionsYaml(r.info);
    return {
      "hash-sha-256": r.hash,
      "hash-sha-384": sha("sha384", r.hash),
      size: Buffer.byteLength(files),
      url: `${this.#baseUrl}/api/v1/charms/download/${r.id}_${r.revision}.charm`,
    };
  }

  #resources(r: ResolvedCharm): CharmhubResource[] {
    return Object.values(r.info.resources).map((res) => {
      const rev = r.resourceRevisions[res.name] ?? 1;
      const seed = `${r.id}/${res.name}/${rev}`;
      const out: CharmhubResource = {
        name: res.name,
        type: res.type,
        description: res.description ?? "",
        filename: res.filename ?? "",
        revision: rev,
        "created-at": this.#date(r.revision),
        download: {
          "hash-sha256": sha("sha256", seed),
          "hash-sha384": sha("sha384", seed),
          "hash-sha3-384": sha("sha3-384", seed),
          "hash-sha512": sha("sha512", seed),
          size: 0,
          url: `${this.#baseUrl}/api/v1/resources/download/charm_${r.id}.${res.name}_${rev}`,
        },
      };
      return out;
    });
  }

  #date(revision: number): string {
    return new Date(this.#epoch + revision * 60_000).toISOString().replace(/\.000Z$/, "Z");
  }
}

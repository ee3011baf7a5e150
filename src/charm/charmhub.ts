/**
 * A client of the Charmhub HTTP API (the CharmStore's successor): `info`,
 * `find` and `resolve` (through `POST /v2/charms/refresh`, as Juju's
 * controller resolves charms), plus the two look-ups python-libjuju makes
 * during deploy and refresh (`isSubordinate`, `listResources`).
 *
 * The wire shapes follow Juju 3.6's Charmhub client
 * (`charmhub/transport/*.go`) and the store's API documentation: a field of
 * `info`/`find` is only present when it was asked for in `fields` (`type`,
 * `id` and `name` always are), errors come as `{"error-list": [{code,
 * message}]}`. The client is browser-capable: it needs only a `fetch`-like
 * function (default: the global `fetch`).
 * @module
 */
import { LibjujuError, type LibjujuErrorCode } from "../protocol/libjuju-error.js";

/** Charmhub's production API. */
export const CHARMHUB_DEFAULT_URL = "https://api.charmhub.io";

// ---------------------------------------------------------------------------
// Wire shapes (transport).

/** A platform a revision is built for: `{architecture: "amd64", name: "ubuntu", channel: "22.04"}`. */
export interface CharmhubBase {
  /** CPU architecture, e.g. `amd64`. */
  architecture: string;
  /** OS name, e.g. `ubuntu`. */
  name: string;
  /** OS version, e.g. `22.04`. */
  channel: string;
}

/** A channel of a release (`transport.Channel`). */
export interface CharmhubChannel {
  /** Full name, `track/risk[/branch]`: `8.0/stable`. */
  name: string;
  /** The track, e.g. `8.0` or `latest`. */
  track: string;
  /** The risk: `stable`, `candidate`, `beta` or `edge`. */
  risk: string;
  /** The platform this channel-map entry is for. */
  base: CharmhubBase;
  /** RFC 3339. */
  "released-at": string;
}

/** Where and how to download a charm archive. */
export interface CharmhubDownload {
  /** SHA-256 of the archive (hex). */
  "hash-sha-256"?: string;
  /** SHA-384 of the archive (hex). */
  "hash-sha-384"?: string;
  /** Archive size in bytes. */
  size?: number;
  /** The download URL. */
  url?: string;
}

/** Where and how to download a resource revision (Juju's `transport.ResourceDownload`). */
export interface CharmhubResourceDownload {
  /** SHA-256 of the resource (hex). */
  "hash-sha256"?: string;
  /** SHA-384 of the resource (hex). */
  "hash-sha384"?: string;
  /** SHA3-384 of the resource (hex). */
  "hash-sha3-384"?: string;
  /** SHA-512 of the resource (hex). */
  "hash-sha512"?: string;
  /** Resource size in bytes. */
  size?: number;
  /** The download URL. */
  url?: string;
}

/** A resource revision released with a charm revision (`transport.ResourceRevision`). */
export interface CharmhubResource {
  /** The resource name the charm declares. */
  name: string;
  /** `file` or `oci-image`. */
  type: string;
  /** The resource's description. */
  description?: string;
  /** The file name of a `file` resource. */
  filename?: string;
  /** The resource revision. */
  revision: number;
  /** When the revision was uploaded (RFC 3339). */
  "created-at"?: string;
  /** Where to download it. */
  download?: CharmhubResourceDownload;
}

/** A charm revision as `info` and `find` describe it; every field is optional under `fields`. */
export interface CharmhubRevision {
  /** The revision number. */
  revision?: number;
  /** The charm's version string. */
  version?: string;
  /** When it was uploaded (RFC 3339). */
  "created-at"?: string;
  /** The platforms it is built for. */
  bases?: CharmhubBase[];
  /** Where to download it. */
  download?: CharmhubDownload;
  /** Its `metadata.yaml`, as text. */
  "metadata-yaml"?: string;
  /** Its `config.yaml`, as text. */
  "config-yaml"?: string;
  /** Its `actions.yaml`, as text. */
  "actions-yaml"?: string;
  /** A bundle's `bundle.yaml`, as text. */
  "bundle-yaml"?: string;
  /** Whether the charm is a subordinate. */
  subordinate?: boolean;
}

/** One channel-map entry, or the default release. */
export interface CharmhubRelease {
  /** The channel of this entry. */
  channel?: CharmhubChannel;
  /** The revision released there. */
  revision?: CharmhubRevision;
  /** The resource revisions released with it. */
  resources?: CharmhubResource[];
}

/** The charm-wide fields (`result`, Juju's `transport.Entity`). */
export interface CharmhubEntity {
  /** Charmhub categories the charm is in. */
  categories?: {
    /** Whether the charm is featured in this category. */
    featured: boolean;
    /** The category name. */
    name: string;
  }[];
  /** For a bundle: the charms it deploys. */
  "contains-charms"?: {
    /** The charm's name. */
    name: string;
    /** The charm's package id. */
    "package-id": string;
    /** The charm's page on charmhub.io. */
    "store-url": string;
  }[];
  /** The long description. */
  description?: string;
  /** SPDX license expression. */
  license?: string;
  /** Who published it. */
  publisher?: {
    /** The publisher's display name. */
    "display-name"?: string;
    /** The publisher's account id. */
    id?: string;
    /** The publisher's user name. */
    username?: string;
    /** The publisher's validation status, e.g. `verified`. */
    validation?: string;
  };
  /** One-line summary. */
  summary?: string;
  /** Display title. */
  title?: string;
  /** The charm's page on charmhub.io. */
  "store-url"?: string;
  /** The project's website. */
  website?: string;
  /** Where to report bugs. */
  "bugs-url"?: string;
  /** Substrates it deploys on, e.g. `machines`, `kubernetes`. */
  "deployable-on"?: string[];
}

/** `GET /v2/charms/info/{name}` (`transport.InfoResponse`). */
export interface CharmhubInfo {
  /** Whether the name is a charm or a bundle. */
  type: "charm" | "bundle";
  /** Charmhub's package id. */
  id: string;
  /** The package name. */
  name: string;
  /** The charm-wide fields asked for. */
  result?: CharmhubEntity;
  /** Every channel and platform with its release. */
  "channel-map"?: CharmhubRelease[];
  /** The release Juju deploys when no channel is given. */
  "default-release"?: CharmhubRelease;
}

/** One result of `GET /v2/charms/find` (`transport.FindResponse`). */
export interface CharmhubFindResult {
  /** Whether it is a charm or a bundle. */
  type: "charm" | "bundle";
  /** Charmhub's package id. */
  id: string;
  /** The package name. */
  name: string;
  /** The charm-wide fields asked for. */
  result?: CharmhubEntity;
  /** Its default release. */
  "default-release"?: CharmhubRelease;
}

/** `GET /v2/charms/find` (`transport.FindResponses`). */
export interface CharmhubFindResponse {
  results: CharmhubFindResult[];
  "error-list"?: CharmhubApiError[];
}

/** An error of the Charmhub API (`transport.APIError`). */
export interface CharmhubApiError {
  /** Charmhub's error code, e.g. `revision-not-found`. */
  code: string;
  /** The human-readable message. */
  message: string;
  /** Details some errors carry. */
  extra?: {
    /** Releases that would match with another channel or base (`revision-not-found`). */
    releases?: {
      /** The platform of a matching release. */
      base: CharmhubBase;
      /** The channel of a matching release. */
      channel: string;
    }[];
    /** The bases to use when none was given (`invalid-charm-base`). */
    "default-bases"?: CharmhubBase[];
  };
}

/** A base in a refresh action; `NA` stands for "not known" in `name` and `channel`. */
export interface CharmhubRefreshBase {
  /** CPU architecture, e.g. `amd64`. */
  architecture: string;
  /** OS name, e.g. `ubuntu`, or `NA`. */
  name: string;
  /** OS version, e.g. `22.04`, or `NA`. */
  channel: string;
}

/** One action of `POST /v2/charms/refresh` (`transport.RefreshRequestAction`). */
export interface CharmhubRefreshAction {
  /** `install` a new charm, `download` one, or `refresh` an installed one. */
  action: "install" | "download" | "refresh";
  /** Matches the action to its result (and to a context entry for `refresh`). */
  "instance-key": string;
  /** The package id (instead of `name`). */
  id?: string;
  /** The package name (instead of `id`). */
  name?: string;
  /** The channel to take the revision from. */
  channel?: string;
  /** A revision asked for by number. */
  revision?: number;
  /** The platform to resolve for. */
  base?: CharmhubRefreshBase | null;
  /** Resource revisions to pin. */
  "resource-revisions"?: {
    /** The resource name. */
    name: string;
    /** The revision to use. */
    revision: number;
  }[];
}

/** One context entry (an installed charm) of a refresh request. */
export interface CharmhubRefreshContext {
  /** Matches the context entry to its `refresh` action. */
  "instance-key": string;
  /** The installed package's id. */
  id: string;
  /** The installed revision. */
  revision: number;
  /** The platform it is installed on. */
  base?: CharmhubRefreshBase;
  /** The channel it tracks. */
  "tracking-channel"?: string;
  /** When it was last refreshed (RFC 3339). */
  "refresh-date"?: string;
}

/** `POST /v2/charms/refresh` body (`transport.RefreshRequest`). */
export interface CharmhubRefreshRequest {
  /** The installed charms (`refresh` actions refer to them). */
  context: CharmhubRefreshContext[];
  /** What to resolve. */
  actions: CharmhubRefreshAction[];
  /** Extra fields of the charm to return. */
  fields?: string[];
}

/** The charm of a refresh result (`transport.RefreshEntity`). */
export interface CharmhubRefreshEntity {
  /** Whether it is a charm or a bundle. */
  type?: "charm" | "bundle";
  /** Charmhub's package id. */
  id?: string;
  /** The package name. */
  name?: string;
  /** The resolved revision. */
  revision?: number;
  /** The charm's version string. */
  version?: string;
  /** One-line summary. */
  summary?: string;
  /** SPDX license expression. */
  license?: string;
  /** The publisher's fields. */
  publisher?: Record<string, string>;
  /** The platforms the revision is built for. */
  bases?: CharmhubBase[];
  /** Where to download it. */
  download?: CharmhubDownload;
  /** The resource revisions released with it. */
  resources?: CharmhubResource[];
  /** When it was uploaded (RFC 3339). */
  "created-at"?: string;
  /** Its `metadata.yaml`, as text. */
  "metadata-yaml"?: string;
  /** Its `config.yaml`, as text. */
  "config-yaml"?: string;
}

/** One result of a refresh (`transport.RefreshResponse`). */
export interface CharmhubRefreshResult {
  /** What was done for the action, or `error`. */
  result: "install" | "download" | "refresh" | "error";
  /** The `instance-key` of the action answered. */
  "instance-key": string;
  /** The package id. */
  id: string;
  /** The package name. */
  name: string;
  /** The resolved charm, `null` on error. */
  charm: CharmhubRefreshEntity | null;
  /** The channel the revision was resolved from. */
  "effective-channel": string;
  /** A channel to move to, when the store redirects. */
  "redirect-channel"?: string;
  /** When the revision was released there (RFC 3339). */
  "released-at"?: string;
  /** Why the action failed (`result: "error"`). */
  error?: CharmhubApiError;
}

/** `POST /v2/charms/refresh` answer (`transport.RefreshResponses`). */
export interface CharmhubRefreshResponse {
  /** One result per action. */
  results: CharmhubRefreshResult[];
  /** Request-wide errors. */
  "error-list": CharmhubApiError[];
}

// ---------------------------------------------------------------------------
// Errors.

/** libjuju codes of {@link CharmhubError}s that Charmhub itself did not send. */
export const CharmhubErrorCodes = {
  /** The request never got an HTTP answer (DNS, refused, reset, TLS). */
  network: "ERR_CHARMHUB_NETWORK",
  /** The answer was not the JSON document the endpoint promises. */
  badResponse: "ERR_CHARMHUB_BAD_RESPONSE",
  /** The request took longer than its timeout. */
  timeout: "ERR_TIMEOUT",
  /** The caller's `AbortSignal` fired. */
  aborted: "ERR_ABORTED",
} as const;

const LOCAL_CHARMHUB_CODES: ReadonlySet<string> = new Set(Object.values(CharmhubErrorCodes));

/**
 * A failed Charmhub request. `code` is one of {@link CharmhubErrorCodes}
 * for a local failure, otherwise `ERR_CHARMHUB`, with Charmhub's own code
 * from the `error-list` (`resource-not-found`, `revision-not-found`, …, or
 * `http <status>` when it listed none) in `charmhubCode`; `status` is the
 * HTTP status when there was an answer; `url` names the request.
 */
export class CharmhubError extends LibjujuError {
  /** Charmhub's error code (`""` for a local failure). */
  readonly charmhubCode: string;
  /** The request URL. */
  readonly url: string;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Every error Charmhub listed (the first one gives `code` and `message`). */
  readonly errors: CharmhubApiError[];
  constructor(
    message: string,
    code: string,
    url: string,
    status?: number,
    errors: CharmhubApiError[] = [],
    options?: ErrorOptions,
  ) {
    const local = LOCAL_CHARMHUB_CODES.has(code);
    super(message, local ? (code as LibjujuErrorCode) : "ERR_CHARMHUB", options);
    this.charmhubCode = local ? "" : code;
    this.url = url;
    this.status = status;
    this.errors = errors;
  }

  /** True when the charm (or the requested release of it) does not exist. */
  get notFound(): boolean {
    return (
      this.status === 404 ||
      ["not-found", "resource-not-found", "name-not-found", "id-not-found"].includes(
        this.charmhubCode,
      )
    );
  }
}

// ---------------------------------------------------------------------------
// The client.

/** The part of the Fetch API the client uses (Node 20's and browsers' `fetch` qualify). */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  },
) => Promise<{
  /** The HTTP status. */
  status: number;
  /** Reads the body as text. */
  text(): Promise<string>;
}>;

/** Options of {@link Charmhub}. */
export interface CharmhubOptions {
  /** API root. Default {@link CHARMHUB_DEFAULT_URL}. */
  url?: string;
  /** The fetch implementation. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Per-request timeout in ms; 0 disables it. Default 30 000. */
  timeout?: number;
  /** Cancels every request of this client. */
  signal?: AbortSignal;
}

/** Per-call options. */
export interface CharmhubCallOptions {
  /** Per-request timeout in ms (overrides the client's); 0 disables it. */
  timeout?: number;
  /** Cancels this request. */
  signal?: AbortSignal;
}

/** Options of {@link Charmhub.info}. */
export interface CharmhubInfoOptions extends CharmhubCallOptions {
  /** The channel the default release is taken from. */
  channel?: string;
  /** Fields to ask for; default {@link INFO_FIELDS}. */
  fields?: readonly string[];
}

/** Options of {@link Charmhub.find}. */
export interface CharmhubFindOptions extends CharmhubCallOptions {
  /** Only charms in this category. */
  category?: string;
  /** Only charms or only bundles. */
  type?: "charm" | "bundle";
  /** Only packages released in this channel. */
  channel?: string;
  /** Only packages of this publisher. */
  publisher?: string;
  /** Only charms that require this interface. */
  relationRequires?: string;
  /** Only charms that provide this interface. */
  relationProvides?: string;
  /** Fields to ask for; default {@link FIND_FIELDS}. */
  fields?: readonly string[];
}

/** Options of {@link Charmhub.resolve}. */
export interface CharmhubResolveOptions extends CharmhubCallOptions {
  /** `track/risk[/branch]`, a risk, or a track; default: the charm's default channel. */
  channel?: string;
  /** A revision by number (with or without a channel). */
  revision?: number;
  /** The base; `channel` may carry a risk (`22.04/stable`). Default: Charmhub's preferred base. */
  base?: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04` or `22.04/stable`. */
    channel: string;
  };
  /** Default `amd64`. */
  architecture?: string;
}

/** What {@link Charmhub.resolve} settles on. */
export interface CharmhubResolved {
  /** Charmhub's package id. */
  id: string;
  /** The package name. */
  name: string;
  /** The resolved revision. */
  revision: number;
  /** The charm's version string. */
  version: string;
  /** The channel the revision came from (empty for a revision asked for by number without channel). */
  channel: string;
  /** The base the request was resolved for. */
  base: CharmhubBase;
  /** Every base the revision supports. */
  bases: CharmhubBase[];
  /** Where to download the archive. */
  download: CharmhubDownload;
  /** The resource revisions released with it. */
  resources: CharmhubResource[];
  /** The whole refresh result, for fields not lifted out here. */
  raw: CharmhubRefreshResult;
}

const DEFAULT_CHANNEL_FIELDS = [
  "channel.name",
  "channel.base.architecture",
  "channel.base.name",
  "channel.base.channel",
  "channel.released-at",
  "channel.risk",
  "channel.track",
];

/**
 * The fields {@link Charmhub.info} asks for by default: what Juju 3.6's
 * `defaultInfoFilter` asks for, plus the resources and subordinate flag of
 * the default release.
 */
export const INFO_FIELDS: readonly string[] = [
  "result.categories.featured",
  "result.categories.name",
  "result.contains-charms.name",
  "result.contains-charms.package-id",
  "result.contains-charms.store-url",
  "result.description",
  "result.license",
  "result.publisher.display-name",
  "result.store-url",
  "result.summary",
  "default-release.revision.download.size",
  "default-release.revision.config-yaml",
  "default-release.revision.metadata-yaml",
  "default-release.revision.bundle-yaml",
  "default-release.revision.bases.architecture",
  "default-release.revision.bases.name",
  "default-release.revision.bases.channel",
  "default-release.revision.revision",
  "default-release.revision.version",
  "default-release.revision.subordinate",
  "default-release.resources",
  ...DEFAULT_CHANNEL_FIELDS.map((f) => `default-release.${f}`),
  "channel-map.revision.download.size",
  "channel-map.revision.created-at",
  "channel-map.revision.bases.architecture",
  "channel-map.revision.bases.name",
  "channel-map.revision.bases.channel",
  "channel-map.revision.revision",
  "channel-map.revision.version",
  ...DEFAULT_CHANNEL_FIELDS.map((f) => `channel-map.${f}`),
];

/** The fields {@link Charmhub.find} asks for by default (Juju 3.6's `defaultFindFilter`). */
export const FIND_FIELDS: readonly string[] = [
  "result.publisher.display-name",
  "result.summary",
  "result.store-url",
  "default-release.revision.bases.architecture",
  "default-release.revision.bases.name",
  "default-release.revision.bases.channel",
  "default-release.revision.version",
];

/** The charm fields a refresh asks for (Juju's `requiredRefreshFields`). */
export const REFRESH_FIELDS: readonly string[] = [
  "bases",
  "config-yaml",
  "download",
  "id",
  "license",
  "metadata-yaml",
  "name",
  "publisher",
  "resources",
  "revision",
  "summary",
  "type",
  "version",
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a Charmhub `error-list`, tolerating junk (a malformed entry becomes a generic one). */
function errorList(body: unknown): CharmhubApiError[] {
  if (!isRecord(body) || !Array.isArray(body["error-list"])) return [];
  return body["error-list"].map((e): CharmhubApiError => {
    if (!isRecord(e)) return { code: "", message: String(e) };
    const out: CharmhubApiError = {
      code: typeof e.code === "string" ? e.code : "",
      message: typeof e.message === "string" ? e.message : "",
    };
    if (isRecord(e.extra)) out.extra = e.extra as NonNullable<CharmhubApiError["extra"]>;
    return out;
  });
}

function randomKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A Charmhub API client.
 *
 * ```ts
 * const hub = Charmhub.fromModelConfig(await model.getConfig());
 * const r = await hub.resolve("mysql", { channel: "8.0/stable", base: { name: "ubuntu", channel: "22.04" } });
 * ```
 */
export class Charmhub {
  /** The API root, without a trailing slash. */
  readonly url: string;
  readonly #fetch: FetchLike;
  readonly #timeout: number;
  readonly #signal: AbortSignal | undefined;

  constructor(options: CharmhubOptions = {}) {
    this.url = (options.url ?? CHARMHUB_DEFAULT_URL).replace(/\/+$/, "");
    const f = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (f === undefined) throw new TypeError("Charmhub: no fetch implementation available");
    this.#fetch = f;
    this.#timeout = options.timeout ?? 30_000;
    this.#signal = options.signal;
  }

  /**
   * A client for the Charmhub a model uses: its `charmhub-url` config.
   * Accepts plain values (`{"charmhub-url": "https://…"}`) and ModelGet's
   * `{value, source}` entries.
   */
  static fromModelConfig(
    config: Record<string, unknown>,
    options: Omit<CharmhubOptions, "url"> = {},
  ): Charmhub {
    let v = config["charmhub-url"];
    if (isRecord(v) && "value" in v) v = v.value;
    const url = typeof v === "string" && v !== "" ? v : CHARMHUB_DEFAULT_URL;
    return new Charmhub({ ...options, url });
  }

  /**
   * Information about a charm or bundle: `GET /v2/charms/info/{name}`.
   * @throws CharmhubError (`resource-not-found`, status 404, for an unknown name).
   */
  async info(name: string, options: CharmhubInfoOptions = {}): Promise<CharmhubInfo> {
    const q = new URLSearchParams();
    q.set("fields", (options.fields ?? INFO_FIELDS).join(","));
    if (options.channel !== undefined) q.set("channel", options.channel);
    const body = await this.#request(
      "GET",
      `/v2/charms/info/${encodeURIComponent(name)}?${q}`,
      undefined,
      options,
    );
    return this.#expectEntity(body.json, body.url) as unknown as CharmhubInfo;
  }

  /** Searches charms and bundles: `GET /v2/charms/find`. */
  async find(query: string, options: CharmhubFindOptions = {}): Promise<CharmhubFindResult[]> {
    const q = new URLSearchParams();
    q.set("q", query);
    q.set("fields", (options.fields ?? FIND_FIELDS).join(","));
    if (options.category !== undefined) q.set("category", options.category);
    if (options.channel !== undefined) q.set("channel", options.channel);
    if (options.type !== undefined) q.set("type", options.type);
    if (options.publisher !== undefined) q.set("publisher", options.publisher);
    if (options.relationRequires !== undefined)
      q.set("relation-requires", options.relationRequires);
    if (options.relationProvides !== undefined)
      q.set("relation-provides", options.relationProvides);
    const { json, url } = await this.#request("GET", `/v2/charms/find?${q}`, undefined, options);
    if (!isRecord(json) || !Array.isArray(json.results ?? [])) {
      throw new CharmhubError(
        `unexpected find response from ${url}`,
        CharmhubErrorCodes.badResponse,
        url,
      );
    }
    const results = (json.results ?? []) as unknown[];
    return results.map((r) => this.#expectEntity(r, url) as unknown as CharmhubFindResult);
  }

  /**
   * Sends a raw refresh request: `POST /v2/charms/refresh`. Per-action
   * errors stay in the results; only request-level errors throw.
   */
  async refresh(
    request: CharmhubRefreshRequest,
    options: CharmhubCallOptions = {},
  ): Promise<CharmhubRefreshResponse> {
    const { json, url } = await this.#request(
      "POST",
      "/v2/charms/refresh",
      JSON.stringify(request),
      options,
    );
    if (!isRecord(json) || !Array.isArray(json.results ?? [])) {
      throw new CharmhubError(
        `unexpected refresh response from ${url}`,
        CharmhubErrorCodes.badResponse,
        url,
      );
    }
    return {
      results: (json.results ?? []) as CharmhubRefreshResult[],
      "error-list": errorList(json),
    };
  }

  /**
   * Resolves a charm to one revision like Juju's controller does: an
   * `install` refresh action by channel (or revision) and base. Without a
   * base it first asks with an unknown (`NA`) base, and retries with the
   * first of Charmhub's default bases for the architecture.
   * @throws CharmhubError with Charmhub's code (`name-not-found`,
   *   `revision-not-found` with the available releases in `errors[0].extra`, …).
   */
  async resolve(name: string, options: CharmhubResolveOptions = {}): Promise<CharmhubResolved> {
    const architecture = options.architecture ?? "amd64";
    const base: CharmhubRefreshBase = options.base
      ? {
          architecture,
          name: options.base.name,
          channel: options.base.channel.split("/")[0] ?? options.base.channel,
        }
      : { architecture, name: "NA", channel: "NA" };
    let result = await this.#install(name, options, base);
    if (result.error?.code === "invalid-charm-base" && options.base === undefined) {
      const next = (result.error.extra?.["default-bases"] ?? []).find(
        (b) => b.architecture === architecture,
      );
      if (next !== undefined) result = await this.#install(name, options, { ...next });
    }
    const url = `${this.url}/v2/charms/refresh`;
    if (result.error) {
      throw new CharmhubError(result.error.message, result.error.code, url, 200, [result.error]);
    }
    const charm = result.charm;
    if (charm === null || typeof charm.revision !== "number") {
      throw new CharmhubError(
        `refresh result for ${JSON.stringify(name)} has no charm revision`,
        CharmhubErrorCodes.badResponse,
        url,
        200,
      );
    }
    const bases = charm.bases ?? [];
    return {
      id: result.id,
      name: result.name || name,
      revision: charm.revision,
      version: charm.version ?? "",
      channel: result["effective-channel"] ?? "",
      base:
        bases.find((b) => b.name === base.name && b.channel === base.channel) ??
        bases.find((b) => b.architecture === architecture) ??
        base,
      bases,
      download: charm.download ?? {},
      resources: charm.resources ?? [],
      raw: result,
    };
  }

  /** The resources of the charm's default release (what python-libjuju's `list_resources` reads). */
  async listResources(
    name: string,
    options: CharmhubCallOptions = {},
  ): Promise<CharmhubResource[]> {
    const info = await this.info(name, { ...options, fields: ["default-release.resources"] });
    return info["default-release"]?.resources ?? [];
  }

  /** Whether the charm's default release is a subordinate (python-libjuju's `is_subordinate`). */
  async isSubordinate(name: string, options: CharmhubCallOptions = {}): Promise<boolean> {
    const info = await this.info(name, {
      ...options,
      fields: ["default-release.revision.subordinate"],
    });
    return info["default-release"]?.revision?.subordinate === true;
  }

  async #install(
    name: string,
    options: CharmhubResolveOptions,
    base: CharmhubRefreshBase,
  ): Promise<CharmhubRefreshResult> {
    const key = randomKey();
    const action: CharmhubRefreshAction = { action: "install", "instance-key": key, name, base };
    if (options.channel !== undefined) action.channel = options.channel;
    if (options.revision !== undefined) action.revision = options.revision;
    const resp = await this.refresh(
      { context: [], actions: [action], fields: [...REFRESH_FIELDS] },
      options,
    );
    const first = resp["error-list"][0];
    const url = `${this.url}/v2/charms/refresh`;
    if (first !== undefined) {
      throw new CharmhubError(first.message, first.code, url, 200, resp["error-list"]);
    }
    const result = resp.results.find((r) => r?.["instance-key"] === key);
    if (result === undefined) {
      throw new CharmhubError(
        `refresh response from ${url} has no result for the install action`,
        CharmhubErrorCodes.badResponse,
        url,
        200,
      );
    }
    return result;
  }

  #expectEntity(v: unknown, url: string): Record<string, unknown> {
    if (!isRecord(v) || typeof v.id !== "string" || typeof v.name !== "string") {
      throw new CharmhubError(
        `unexpected response from ${url}: not a charm or bundle`,
        CharmhubErrorCodes.badResponse,
        url,
      );
    }
    return v;
  }

  /** Sends one request; maps transport failures, HTTP errors and bad JSON to {@link CharmhubError}. */
  async #request(
    method: "GET" | "POST",
    path: string,
    body: string | undefined,
    options: CharmhubCallOptions,
  ): Promise<{ json: unknown; url: string }> {
    const url = `${this.url}${path}`;
    const timeout = options.timeout ?? this.#timeout;
    const signals = [this.#signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeout)
        : undefined;
    const onAbort = () => controller.abort();
    for (const s of signals) {
      if (s.aborted) controller.abort();
      else s.addEventListener("abort", onAbort, { once: true });
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      if (controller.signal.aborted) {
        throw new CharmhubError(`request to ${url} was aborted`, CharmhubErrorCodes.aborted, url);
      }
      let res: { status: number; text(): Promise<string> };
      let text: string;
      try {
        res = await this.#fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: controller.signal,
        });
        text = await res.text();
      } catch (e) {
        if (timedOut) {
          throw new CharmhubError(
            `request to ${url} timed out after ${timeout} ms`,
            CharmhubErrorCodes.timeout,
            url,
            undefined,
            [],
            { cause: e },
          );
        }
        if (controller.signal.aborted) {
          throw new CharmhubError(
            `request to ${url} was aborted`,
            CharmhubErrorCodes.aborted,
            url,
            undefined,
            [],
            { cause: e },
          );
        }
        const why = e instanceof Error ? e.message : String(e);
        throw new CharmhubError(
          `cannot reach Charmhub at ${url}: ${why}`,
          CharmhubErrorCodes.network,
          url,
          undefined,
          [],
          { cause: e },
        );
      }
      let json: unknown;
      try {
        json = text === "" ? undefined : JSON.parse(text);
      } catch (e) {
        // A proxy's HTML error page is the usual reason: report the HTTP
        // failure when there was one, the unreadable body otherwise.
        const ok = res.status >= 200 && res.status < 300;
        throw new CharmhubError(
          ok
            ? `invalid JSON from ${url} (HTTP ${res.status})`
            : `Charmhub answered HTTP ${res.status} for ${url}`,
          ok ? CharmhubErrorCodes.badResponse : `http ${res.status}`,
          url,
          res.status,
          [],
          { cause: e },
        );
      }
      const errors = errorList(json);
      if (res.status < 200 || res.status >= 300) {
        const first = errors[0];
        throw new CharmhubError(
          first?.message || `Charmhub answered HTTP ${res.status} for ${url}`,
          first?.code || `http ${res.status}`,
          url,
          res.status,
          errors,
        );
      }
      return { json, url };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
    }
  }
}

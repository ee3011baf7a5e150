/**
 * The simulator's Charmhub stand-in: a catalog of charms with channels,
 * revisions per base and architecture, and resolution with Charmhub's
 * semantics as Juju 3.6 sees them through `CharmHubRepository.
 * ResolveWithPreferredChannel` (internal/charm/repository/charmhub.go) and
 * the Charms facade's `ResolveCharms`.
 *
 * Resolution rules:
 * - an empty channel means `stable` on the charm's default track; a
 *   risk-only channel (`edge`) uses the default track; a track-only channel
 *   (`8.0`) means `8.0/stable`;
 * - a risk with no release follows the next more stable risk (edge → beta →
 *   candidate → stable), as Charmhub's channel map does; stable never falls
 *   back to a riskier channel;
 * - a revision needs a channel (Juju keeps it for refreshes) and ignores it
 *   for the lookup;
 * - without a requested base the newest LTS base Juju 3.6 supports wins,
 *   then the newest LTS, then the newest base.
 * @module
 */
import { createHash } from "node:crypto";
import { readCharmDir } from "../../charm/charm-dir.js";
import type { CharmInfo } from "../../charm/metadata.js";
import {
  baseToSeries,
  compareBaseChannels,
  formatBase,
  isLtsBase,
  normaliseArch,
  parseBaseString,
  SUPPORTED_UBUNTU_CHANNELS,
} from "../../charm/series.js";
import { LibjujuError } from "../../protocol/libjuju-error.js";
import {
  CHARM_CHANNELS,
  type ChannelRelease,
  type CharmOverlay,
  type WorkloadBehaviour,
} from "./charm-channels.js";
import { GENERATED_BUNDLES } from "./generated/bundles.js";
import { GENERATED_CHARMS } from "./generated/charms.js";

/** Why a resolution failed, for callers that branch (the wire code alone may be empty, as in Juju). */
export type CatalogErrorReason =
  | "charm-not-found"
  | "channel-not-valid"
  | "channel-not-found"
  | "base-not-supported"
  | "architecture-not-supported"
  | "revision-not-found"
  | "revision-without-channel";

/**
 * A resolution error with the message and Juju error code a real 3.6
 * controller returns. Juju builds most of these with `errors.Errorf`, so
 * their `jujuCode` is empty, exactly as on the wire; `reason` classifies them.
 */
export class CatalogError extends LibjujuError {
  /** Why resolution failed, for callers that branch on it. */
  readonly reason: CatalogErrorReason;
  /** The `error-code` a real controller sends with this error (`""` for most). */
  readonly jujuCode: string;
  constructor(message: string, jujuCode: string, reason: CatalogErrorReason) {
    super(message, "ERR_CATALOG");
    this.jujuCode = jujuCode;
    this.reason = reason;
  }
}

/** Risks from most to least stable. */
const RISKS = ["stable", "candidate", "beta", "edge"] as const;
type Risk = (typeof RISKS)[number];

/** Every architecture Juju deploys to; charms without declared architectures run on all. */
const ALL_ARCHES = ["amd64", "arm64", "ppc64el", "s390x", "riscv64"];

/** A charm channel split into its parts. */
export interface Channel {
  /** The track, `""` when the channel named only a risk. */
  track: string;
  /** `stable`, `candidate`, `beta` or `edge`. */
  risk: Risk;
  /** The branch, when given. */
  branch?: string;
}

/** Formats a channel as Juju does: `track/risk[/branch]`, or `risk[/branch]` without a track. */
export function formatChannel(ch: { track: string; risk: string; branch?: string }): string {
  const base = ch.track === "" ? ch.risk : `${ch.track}/${ch.risk}`;
  return ch.branch ? `${base}/${ch.branch}` : base;
}

/**
 * Parses a channel like Juju's `charm.ParseChannelNormalize`: `stable`,
 * `8.0`, `8.0/edge`, `edge/hotfix`, `8.0/stable/hotfix`. The track may come
 * back empty (meaning the charm's default track).
 * @throws CatalogError (`not valid`) for a malformed channel.
 */
export function parseChannel(s: string): Channel {
  const isRisk = (x: string): x is Risk => (RISKS as readonly string[]).includes(x);
  const invalid = (what: string): never => {
    throw new CatalogError(`${what} in channel "${s}" not valid`, "not valid", "channel-not-valid");
  };
  if (s === "") {
    throw new CatalogError("empty channel not valid", "not valid", "channel-not-valid");
  }
  const p = s.split("/");
  let track = "";
  let risk = "";
  let branch: string | undefined;
  if (p.length === 1) {
    if (isRisk(p[0] ?? "")) risk = p[0] ?? "";
    else track = p[0] ?? "";
  } else if (p.length === 2) {
    if (isRisk(p[0] ?? "")) [risk, branch] = [p[0] ?? "", p[1]];
    else [track, risk] = [p[0] ?? "", p[1] ?? ""];
  } else if (p.length === 3) {
    [track, risk, branch] = [p[0] ?? "", p[1] ?? "", p[2]];
  } else {
    throw new CatalogError(
      `channel is malformed and has too many components "${s}"`,
      "",
      "channel-not-valid",
    );
  }
  if (p.length > 1 && !isRisk(risk)) invalid("risk");
  if (p.length > 1 && track === "" && !isRisk(p[0] ?? "")) invalid("track");
  if (branch === "") invalid("branch");
  const out: Channel = { track, risk: isRisk(risk) ? risk : "stable" };
  if (branch !== undefined) out.branch = branch;
  return out;
}

/** One release of a catalog charm, with its metadata and bases resolved. */
export interface CatalogRelease {
  /** The channel of the release. */
  channel: Channel;
  /** Bases of the release (architectures are those of `revisions`). */
  bases: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  }[];
  /** Revision per architecture. */
  revisions: Readonly<Record<string, number>>;
  /** The metadata this release carries. */
  info: CharmInfo;
  /** The workload version its units report. */
  workloadVersion?: string;
}

/** A charm in the catalog. */
export interface CatalogCharm {
  /** The charm name. */
  name: string;
  /** Where it came from: the generated Charmhub catalog, or a directory / `addCharm` call. */
  origin: "charmhub" | "added";
  /** The track used when a request names none. */
  defaultTrack: string;
  /** The metadata of the newest release in the default track's stable risk (or of the charm as added). */
  info: CharmInfo;
  /** Every release, by channel. */
  releases: CatalogRelease[];
  /** How its simulated units behave. */
  workload: WorkloadBehaviour;
  /** Ports its units open, e.g. `3306/tcp`. */
  ports: string[];
  /** Newest published revision per resource name (1 when absent). */
  resourceRevisions: Readonly<Record<string, number>>;
}

/** Channels and behaviour for {@link CharmCatalog.addCharm}; everything is optional. */
export interface CharmChannels {
  /** The track used when a request names none; default `latest`. */
  defaultTrack?: string;
  /** Releases; default: `latest/stable` revision 1 on the charm's bases. */
  releases?: readonly Omit<ChannelRelease, "source">[];
  /** How its simulated units behave. */
  workload?: WorkloadBehaviour;
  /** Ports its units open, e.g. `3306/tcp`. */
  ports?: readonly string[];
}

/** What to resolve, as `ResolveCharms` / `DeployFromRepository` receive it. */
export interface ResolveRequest {
  /** The charm name. */
  name: string;
  /** `track/risk[/branch]`, a risk (`edge`) or a track (`8.0`); default: stable on the default track. */
  channel?: string;
  /** A revision by number. */
  revision?: number;
  /** The requested base; its channel may carry a risk (`22.04/stable`). */
  base?: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  };
  /** Default `amd64`. */
  architecture?: string;
}

/** A resolved charm: what Charmhub and Juju agree on for a request. */
export interface ResolvedCharm {
  /** The charm name. */
  name: string;
  /** The resolved revision. */
  revision: number;
  /** The effective channel, normalized: `8.0/stable`. */
  channel: string;
  /** The track of the effective channel. */
  track: string;
  /** The risk of the effective channel. */
  risk: Risk;
  /** The branch of the effective channel, if any. */
  branch?: string;
  /** The chosen architecture. */
  architecture: string;
  /** The chosen base. */
  base: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  };
  /** Bases available for this channel and architecture, the chosen one first. */
  supportedBases: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  }[];
  /** Charms facade v7 URL: `ch:amd64/mysql-313`. */
  charmUrl: string;
  /** Charms facade v6 URL with the series: `ch:amd64/jammy/mysql-313` (absent when the base has no series name). */
  charmUrlWithSeries?: string;
  /** Charmhub's charm id: fake, 32 characters, stable per charm name. */
  id: string;
  /** SHA-256 of the "archive": fake, stable per name, revision, base and architecture. */
  hash: string;
  /** The revision's metadata. */
  info: CharmInfo;
  /** How its simulated units behave. */
  workload: WorkloadBehaviour;
  /** Ports its units open, e.g. `3306/tcp`. */
  ports: string[];
  /** Newest published revision per resource name (1 when absent). */
  resourceRevisions: Readonly<Record<string, number>>;
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A Charmhub-like charm id (32 alphanumerics), stable per name. */
function charmId(name: string): string {
  const digest = createHash("sha256").update(`charmhub-id:${name}`).digest();
  let id = "";
  for (let i = 0; i < 32; i++) id += ID_ALPHABET[(digest[i] ?? 0) % ID_ALPHABET.length];
  return id;
}

/** Base preference: newest Juju-supported LTS, then newest LTS, then newest. */
function basePreference(
  a: { name: string; channel: string },
  b: { name: string; channel: string },
) {
  const rank = (x: { name: string; channel: string }) =>
    x.name === "ubuntu" && SUPPORTED_UBUNTU_CHANNELS.includes(x.channel) ? 0 : isLtsBase(x) ? 1 : 2;
  const r = rank(a) - rank(b);
  return r !== 0 ? r : compareBaseChannels(b.channel, a.channel);
}

function sameBase(a: { name: string; channel: string }, b: { name: string; channel: string }) {
  return a.name === b.name && a.channel === b.channel;
}

function uniqueBases(
  list: { name: string; channel: string }[],
): { name: string; channel: string }[] {
  const out: { name: string; channel: string }[] = [];
  for (const b of list) if (!out.some((x) => sameBase(x, b))) out.push({ ...b });
  return out;
}

/** Juju's `corecharm.Platform.String()`: `amd64/ubuntu/22.04`, or `amd64` without a base. */
function platformString(arch: string, base?: { name: string; channel: string }): string {
  return base ? `${arch}/${base.name}/${base.channel}` : arch;
}

function archesOf(info: CharmInfo): string[] {
  const arches = new Set<string>();
  for (const b of info.bases) for (const a of b.architectures ?? ALL_ARCHES) arches.add(a);
  return arches.size === 0 ? ["amd64"] : [...arches];
}

/** A bundle in the catalog: published on one channel per release. */
export interface CatalogBundle {
  /** The bundle name. */
  name: string;
  /** The track used when a request names none. */
  defaultTrack: string;
  /** `kubernetes` for a Kubernetes bundle, "" for a machine bundle. */
  type: string;
  /** The bundle's description. */
  description: string;
  /** Names of the charms it deploys. */
  charms: string[];
  /** Bases it deploys to, `{name: "ubuntu", channel: "24.04"}`. */
  bases: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  }[];
  /** bundle.yaml as published. */
  yaml: string;
  /** Its releases, by channel. */
  releases: {
    /** The channel it is released in. */
    channel: Channel;
    /** The bundle revision released there. */
    revision: number;
  }[];
}

/** A resolved bundle: what Charmhub answers for a bundle request. */
export interface ResolvedBundle {
  /** The bundle name. */
  name: string;
  /** The resolved revision. */
  revision: number;
  /** The effective channel, normalized: `latest/stable`. */
  channel: string;
  /** The track of the effective channel. */
  track: string;
  /** The risk of the effective channel. */
  risk: Risk;
  /** Charmhub's id (the same derivation as a charm's). */
  id: string;
  /** SHA-256 of the archive: fake, stable per name and revision. */
  hash: string;
  /** The catalog entry. */
  bundle: CatalogBundle;
}

/** The simulator's Charmhub: charms, channels, revisions, and resolution. */
export class CharmCatalog {
  readonly #charms = new Map<string, CatalogCharm>();
  readonly #bundles = new Map<string, CatalogBundle>();

  /** The catalog of the real charms from the generated data merged with the channel overlay. */
  static default(): CharmCatalog {
    const catalog = new CharmCatalog();
    for (const [name, overlay] of Object.entries(CHARM_CHANNELS)) {
      catalog.#add(name, overlay, "charmhub", (source) => {
        const info = GENERATED_CHARMS[source];
        if (!info) throw new Error(`charm-channels: ${name} refers to unknown charm "${source}"`);
        return info;
      });
    }
    for (const [name, b] of Object.entries(GENERATED_BUNDLES)) {
      catalog.addBundle(name, b.yaml, {
        type: b.type,
        description: b.description,
        charms: b.charms,
        bases: b.bases,
      });
    }
    return catalog;
  }

  /**
   * Adds (or replaces) a bundle, released to `latest/stable` at revision 1
   * unless `releases` says otherwise. A name cannot be both a charm and a bundle.
   */
  addBundle(
    name: string,
    yaml: string,
    opts: {
      type?: string;
      description?: string;
      charms?: readonly string[];
      /** Bases as `ubuntu@24.04`. */
      bases?: readonly string[];
      defaultTrack?: string;
      releases?: readonly { channel: string; revision: number }[];
    } = {},
  ): CatalogBundle {
    if (this.#charms.has(name)) throw new Error(`catalog: ${name} is already a charm`);
    const defaultTrack = opts.defaultTrack ?? "latest";
    const bundle: CatalogBundle = {
      name,
      defaultTrack,
      type: opts.type ?? "",
      description: opts.description ?? "",
      charms: [...(opts.charms ?? [])],
      bases: (opts.bases ?? []).map((s) => {
        const b = parseBaseString(s);
        if (!b) throw new Error(`bundle ${name}: bad base "${s}"`);
        return b;
      }),
      yaml,
      releases: (opts.releases ?? [{ channel: "latest/stable", revision: 1 }]).map((r) => {
        const channel = parseChannel(r.channel);
        if (channel.track === "") channel.track = defaultTrack;
        return { channel, revision: r.revision };
      }),
    };
    this.#bundles.set(name, bundle);
    return bundle;
  }

  /** The bundle named `name`, if the catalog has it. */
  getBundle(name: string): CatalogBundle | undefined {
    return this.#bundles.get(name);
  }

  /** Every bundle, sorted by name. */
  listBundles(): CatalogBundle[] {
    return [...this.#bundles.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * Resolves a bundle as Charmhub does: channel with the charm's risk
   * fallback, or an exact revision. Bundles have no base or architecture.
   * @throws CatalogError as {@link CharmCatalog.resolve} does.
   */
  resolveBundle(req: { name: string; channel?: string; revision?: number }): ResolvedBundle {
    const bundle = this.#bundles.get(req.name);
    if (!bundle) {
      throw new CatalogError(
        `resolving error: No charm or bundle with name '${req.name}'.`,
        "",
        "charm-not-found",
      );
    }
    const requested = req.channel ? parseChannel(req.channel) : undefined;
    const track = requested?.track || bundle.defaultTrack;
    const risk = requested?.risk ?? "stable";
    const found = (() => {
      if (req.revision !== undefined && req.revision >= 0) {
        return bundle.releases.find((r) => r.revision === req.revision);
      }
      for (let i = RISKS.indexOf(risk); i >= 0; i--) {
        const r = bundle.releases.find(
          (x) => x.channel.track === track && x.channel.risk === RISKS[i] && !x.channel.branch,
        );
        if (r) return r;
      }
      return undefined;
    })();
    if (!found) {
      const where = requested
        ? `for channel "${formatChannel(requested)}"`
        : "in the default channel";
      const what =
        req.revision !== undefined && req.revision >= 0 ? `revision ${req.revision} ` : "";
      throw new CatalogError(
        `selecting releases: charm or bundle ${what}not found ${where}`,
        "",
        req.revision !== undefined ? "revision-not-found" : "channel-not-found",
      );
    }
    const channel: Channel =
      req.revision !== undefined && req.revision >= 0 && requested
        ? { ...requested, track }
        : found.channel;
    return {
      name: bundle.name,
      revision: found.revision,
      channel: formatChannel(channel),
      track: channel.track,
      risk: channel.risk,
      id: charmId(bundle.name),
      hash: sha256(`bundle:${bundle.name}-${found.revision}:${bundle.yaml}`),
      bundle,
    };
  }

  /**
   * Adds (or replaces) a charm read from a directory, released to
   * `latest/stable` with the revision of its `revision` file (or 1).
   * @throws CharmDirError / CharmMetadataError when the directory is not a valid charm.
   */
  addCharmDir(path: string): CatalogCharm {
    const dir = readCharmDir(path);
    return this.addCharm(dir.info, {
      releases: [
        { channel: "latest/stable", revisions: this.#revisionsFor(dir.info, dir.revision ?? 1) },
      ],
    });
  }

  /** Adds (or replaces) a charm with the given channels (default: `latest/stable` revision 1). */
  addCharm(info: CharmInfo, channels: CharmChannels = {}): CatalogCharm {
    if (this.#bundles.has(info.name)) throw new Error(`catalog: ${info.name} is already a bundle`);
    const overlay: CharmOverlay = {
      defaultTrack: channels.defaultTrack ?? "latest",
      releases: channels.releases ?? [
        { channel: "latest/stable", revisions: this.#revisionsFor(info, 1) },
      ],
      workload: channels.workload ?? { status: "active", message: "" },
      ports: channels.ports ?? [],
    };
    return this.#add(info.name, overlay, "added", () => info);
  }

  /** The charm named `name`, if the catalog has it. */
  get(name: string): CatalogCharm | undefined {
    return this.#charms.get(name);
  }

  /** Every charm, sorted by name. */
  list(): CatalogCharm[] {
    return [...this.#charms.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  #revisionsFor(info: CharmInfo, revision: number): Record<string, number> {
    return Object.fromEntries(archesOf(info).map((a) => [a, revision]));
  }

  #add(
    name: string,
    overlay: CharmOverlay,
    origin: CatalogCharm["origin"],
    infoFor: (source: string) => CharmInfo,
  ): CatalogCharm {
    const built = Object.entries(overlay.builtRequires ?? {});
    const withBuilt = (info: CharmInfo): CharmInfo =>
      built.length === 0
        ? info
        : {
            ...info,
            requires: {
              ...info.requires,
              ...Object.fromEntries(
                built.map(([n, r]) => [
                  n,
                  {
                    name: n,
                    role: "requirer",
                    interface: r.interface,
                    optional: false,
                    limit: 1,
                    scope: "global",
                  } as const,
                ]),
              ),
            },
          };
    const releases: CatalogRelease[] = overlay.releases.map((r) => {
      const info = withBuilt(infoFor(r.source ?? name));
      const bases = r.bases
        ? r.bases.map((s) => {
            const b = parseBaseString(s);
            if (!b) throw new Error(`charm ${name}: bad base "${s}" in release ${r.channel}`);
            return b;
          })
        : info.bases.map((b) => ({ name: b.name, channel: b.channel }));
      const rel: CatalogRelease = {
        channel: parseChannel(r.channel),
        bases,
        revisions: Object.fromEntries(
          Object.entries(r.revisions).map(([a, rev]) => [normaliseArch(a), rev]),
        ),
        info,
      };
      if (rel.channel.track === "") rel.channel.track = overlay.defaultTrack;
      if (r.workloadVersion !== undefined) rel.workloadVersion = r.workloadVersion;
      return rel;
    });
    const primary =
      releases.find(
        (r) => r.channel.track === overlay.defaultTrack && r.channel.risk === "stable",
      ) ?? releases[0];
    const info = primary?.info ?? withBuilt(infoFor(name));
    const endpoints = new Set([
      ...Object.keys(info.provides),
      ...Object.keys(info.requires),
      ...Object.keys(info.peers),
    ]);
    for (const rel of overlay.workload.blockedUntil?.relations ?? []) {
      if (!endpoints.has(rel))
        throw new Error(`charm ${name}: blockedUntil names unknown endpoint "${rel}"`);
    }
    const charm: CatalogCharm = {
      name,
      origin,
      defaultTrack: overlay.defaultTrack,
      info,
      releases,
      workload: overlay.workload,
      ports: [...(overlay.ports ?? [])],
      resourceRevisions: { ...(overlay.resourceRevisions ?? {}) },
    };
    this.#charms.set(name, charm);
    return charm;
  }

  /**
   * Resolves a charm like Charmhub's refresh API behind Juju's
   * `ResolveWithPreferredChannel`.
   * @throws CatalogError with Juju's message and code.
   */
  resolve(req: ResolveRequest): ResolvedCharm {
    const charm = this.#charms.get(req.name);
    if (!charm) {
      throw new CatalogError(
        `resolving error: No charm or bundle with name '${req.name}'.`,
        "",
        "charm-not-found",
      );
    }
    const arch = normaliseArch(req.architecture ?? "amd64");
    const requested = req.channel ? parseChannel(req.channel) : undefined;
    const base = req.base
      ? { name: req.base.name, channel: req.base.channel.split("/")[0] ?? req.base.channel }
      : undefined;

    if (req.revision !== undefined && req.revision >= 0) {
      return this.#resolveRevision(charm, req.revision, arch, requested, base);
    }

    const track = requested?.track || charm.defaultTrack;
    const risk = requested?.risk ?? "stable";
    const candidates: Channel[] = [];
    if (requested?.branch) candidates.push({ track, risk, branch: requested.branch });
    for (let i = RISKS.indexOf(risk); i >= 0; i--)
      candidates.push({ track, risk: RISKS[i] as Risk });

    for (const ch of candidates) {
      const inChannel = charm.releases.filter(
        (r) =>
          r.channel.track === ch.track &&
          r.channel.risk === ch.risk &&
          r.channel.branch === ch.branch &&
          r.revisions[arch] !== undefined,
      );
      if (inChannel.length === 0) continue;
      const available = uniqueBases(inChannel.flatMap((r) => r.bases)).sort(basePreference);
      const chosen = base ? available.find((b) => sameBase(b, base)) : available[0];
      // Charmhub's channel map is per platform: a risk without a release for
      // this base follows the next more stable risk, like an empty risk does.
      if (!chosen) continue;
      const release = inChannel.find((r) => r.bases.some((b) => sameBase(b, chosen)));
      if (!release) continue;
      const supported = base ? [chosen] : available;
      return this.#result(charm, release, ch, arch, chosen, supported);
    }
    // Nothing for this architecture at all in the channel, and no base asked for:
    // Juju's selectNextBases finds no compatible default base.
    if (!base) {
      const anyArch = charm.releases.some(
        (r) => r.channel.track === track && candidates.some((c) => c.risk === r.channel.risk),
      );
      if (anyArch) {
        throw new CatalogError(
          `selecting next bases: bases matching architecture "${arch}" not found`,
          "not found",
          "architecture-not-supported",
        );
      }
    }
    throw this.#notFound(charm, arch, requested, base, "channel");
  }

  #resolveRevision(
    charm: CatalogCharm,
    revision: number,
    arch: string,
    requested: Channel | undefined,
    base: { name: string; channel: string } | undefined,
  ): ResolvedCharm {
    if (!requested) {
      // Entities installed by revision carry no effective channel; Juju then fails to parse "".
      throw new CatalogError(
        `invalid channel for "${charm.name}": empty channel not valid`,
        "not valid",
        "revision-without-channel",
      );
    }
    const releases = charm.releases.filter((r) => r.revisions[arch] === revision);
    if (releases.length === 0) throw this.#notFound(charm, arch, requested, base, "revision");
    const available = uniqueBases(releases.flatMap((r) => r.bases)).sort(basePreference);
    const chosen = base ? available.find((b) => sameBase(b, base)) : available[0];
    if (!chosen) throw this.#notFound(charm, arch, requested, base, "revision");
    const release = releases.find((r) => r.bases.some((b) => sameBase(b, chosen))) ?? releases[0];
    if (!release) throw this.#notFound(charm, arch, requested, base, "revision");
    // The user's channel is kept (with the default track filled in) for later refreshes.
    const channel: Channel = { ...requested, track: requested.track || charm.defaultTrack };
    return this.#result(charm, release, channel, arch, chosen, available, revision);
  }

  #result(
    charm: CatalogCharm,
    release: CatalogRelease,
    channel: Channel,
    arch: string,
    base: { name: string; channel: string },
    supported: { name: string; channel: string }[],
    revision = release.revisions[arch] ?? 0,
  ): ResolvedCharm {
    const series = baseToSeries(base);
    const workload: WorkloadBehaviour = { ...charm.workload };
    if (release.workloadVersion !== undefined) workload.workloadVersion = release.workloadVersion;
    const out: ResolvedCharm = {
      name: charm.name,
      revision,
      channel: formatChannel(channel),
      track: channel.track,
      risk: channel.risk,
      architecture: arch,
      base: { ...base },
      supportedBases: [{ ...base }, ...supported.filter((b) => !sameBase(b, base))],
      charmUrl: `ch:${arch}/${charm.name}-${revision}`,
      id: charmId(charm.name),
      hash: sha256(`${charm.name}-${revision}-${arch}-${formatBase(base)}`),
      info: release.info,
      workload,
      ports: [...charm.ports],
      resourceRevisions: { ...charm.resourceRevisions },
    };
    if (channel.branch) out.branch = channel.branch;
    if (series) out.charmUrlWithSeries = `ch:${arch}/${series}/${charm.name}-${revision}`;
    return out;
  }

  /** Juju's `handleRevisionNotFound` message, with Charmhub's suggestions for the architecture. */
  #notFound(
    charm: CatalogCharm,
    arch: string,
    requested: Channel | undefined,
    base: { name: string; channel: string } | undefined,
    what: "channel" | "revision",
  ): CatalogError {
    const byChannel = new Map<string, string[]>();
    for (const r of charm.releases) {
      if (r.revisions[arch] === undefined) continue;
      const key = formatChannel(r.channel);
      const list = byChannel.get(key) ?? [];
      for (const b of r.bases) if (!list.includes(formatBase(b))) list.push(formatBase(b));
      byChannel.set(key, list);
    }
    const suggestions = [...byChannel].map(
      ([ch, bases]) => `channel "${ch}": available bases are: ${bases.join(", ")}`,
    );
    const tail =
      suggestions.length > 0 ? `\navailable releases are:\n  ${suggestions.join("\n  ")}` : "";
    const channelString = requested
      ? `for channel "${formatChannel(requested)}"`
      : "in the charm's default channel";
    const channelKnown =
      requested === undefined ||
      charm.releases.some(
        (r) =>
          r.channel.track === (requested.track || charm.defaultTrack) &&
          r.revisions[arch] !== undefined,
      );
    const reason: CatalogErrorReason =
      what === "revision"
        ? "revision-not-found"
        : base && channelKnown
          ? "base-not-supported"
          : "channel-not-found";
    return new CatalogError(
      `selecting releases: charm or bundle not found ${channelString}, base "${platformString(arch, base)}"${tail}`,
      "",
      reason,
    );
  }
}

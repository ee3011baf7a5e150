/**
 * What the simulated controller needs to know about charms it can deploy,
 * and a Charmhub-style resolver over a list of them: name, channel
 * (`track/risk`), revision, base and architecture select one revision, with
 * Charmhub's errors when nothing matches.
 * @module
 */
import type { CharmStorage } from "../charm/metadata.js";
import { ServerError } from "./errors.js";

/** A relation endpoint declared in a charm's metadata. */
export interface CharmEndpointSpec {
  /** The interface name, e.g. `mysql`. */
  interface: string;
  /** `0` means no limit. Default: 1 for requirers, 0 otherwise. */
  limit?: number;
  /** The charm's `optional` flag (informational). */
  optional?: boolean;
  /** `global` (default) or `container`. */
  scope?: "global" | "container";
}

/** One charm config option. */
export interface CharmOptionSpec {
  /** The option's value type. */
  type: "string" | "int" | "float" | "boolean" | "secret";
  /** What the option does. */
  description?: string;
  /** The default value, if any. */
  default?: unknown;
}

/** How the charm's workload behaves once installed. */
export interface WorkloadBehaviour {
  /** Status after the start hook when nothing blocks it. Default `active`. */
  status?: "active" | "unknown" | "waiting" | "maintenance" | "blocked";
  /** Its message. Default `""`. */
  message?: string;
  /** The workload stays `blocked` with `message` until a relation exists on one of these endpoints. */
  blockedUntil?: {
    /** The endpoints that must all be related. */
    endpoints: string[];
    /** The blocked status message until then. */
    message: string;
  };
  /** Ports the unit opens once started, e.g. `80/tcp`. */
  ports?: string[];
  /** The workload version the charm reports. */
  version?: string;
}

/**
 * A resource a charm declares, with what Charmhub publishes for it in the
 * charm's channel (revision, SHA-384 and size of the blob).
 */
export interface CharmResourceSpec {
  /** A file or an OCI image. */
  type: "file" | "oci-image";
  /** The file name under the resource directory (file resources). */
  filename?: string;
  /** What the resource is for. */
  description?: string;
  /** Charmhub's resource revision. */
  revision: number;
  /** Hex SHA-384 of the blob. */
  fingerprint: string;
  /** Size of the blob in bytes. */
  size: number;
  /** Earlier published revisions (Charmhub keeps them all) → hex SHA-384 of each blob. */
  older?: Readonly<Record<number, string>>;
}

/** One charm revision the controller can resolve and deploy. */
export interface CharmSpec {
  /** The charm name. */
  name: string;
  /** The revision this spec describes. */
  revision: number;
  /** Channels this revision is released to, e.g. `["latest/stable", "8.0/stable"]`. */
  channels: string[];
  /** Bases, e.g. `[{name: "ubuntu", channel: "22.04"}]`. */
  bases: Array<{
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  }>;
  /** Default `["amd64"]`. */
  architectures?: string[];
  /** One-line summary. */
  summary?: string;
  /** Long description. */
  description?: string;
  /** Whether it is a subordinate charm. */
  subordinate?: boolean;
  /** Provided endpoints by name. */
  provides?: Record<string, CharmEndpointSpec>;
  /** Required endpoints by name. */
  requires?: Record<string, CharmEndpointSpec>;
  /** Peer endpoints by name. */
  peers?: Record<string, CharmEndpointSpec>;
  /** Config options by name. */
  config?: Record<string, CharmOptionSpec>;
  /**
   * Actions: `params` are the JSON-schema `properties` of the parameters;
   * `schema`, when given, is the whole schema as Juju stores it (with
   * `required`, `additionalProperties`…) and wins over `params`.
   */
  actions?: Record<
    string,
    {
      /** What the action does. */
      description?: string;
      /** The parameters' JSON-schema `properties`. */
      params?: Record<string, unknown>;
      /** The whole parameter schema; wins over `params`. */
      schema?: Record<string, unknown>;
    }
  >;
  /** Declared resources by name. */
  resources?: Record<string, CharmResourceSpec>;
  /** Declared storage by name (`storage:` in metadata.yaml). */
  storage?: Record<string, CharmStorage>;
  /** The `assumes:` expression of metadata.yaml, as written. */
  assumes?: unknown[];
  /** How its simulated units behave. */
  workload?: WorkloadBehaviour;
}

/** What a client asks Charmhub for. */
export interface ResolveRequest {
  /** The charm name. */
  name: string;
  /** `risk`, `track/risk` or `track/risk/branch`; default `stable` of the default track. */
  channel?: string;
  /** A revision by number. */
  revision?: number;
  /** The requested base. */
  base?: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  };
  /** The architecture; default `amd64`. */
  architecture?: string;
}

/** One resolved charm revision. */
export interface ResolvedCharm {
  /** The resolved charm revision. */
  charm: CharmSpec;
  /** The track it was resolved from. */
  track: string;
  /** The risk it was resolved from. */
  risk: string;
  /** The base picked: the requested one, or the newest the revision supports. */
  base: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  };
  /** The chosen architecture. */
  architecture: string;
}

/** A Charmhub bundle as `ResolveCharms` and `GetDownloadInfos` describe it. */
export interface ResolvedBundleSpec {
  /** The bundle name. */
  name: string;
  /** The resolved revision. */
  revision: number;
  /** The track it was resolved from. */
  track: string;
  /** The risk it was resolved from. */
  risk: string;
  /** Charmhub id. */
  id: string;
  /** SHA-256 of the archive. */
  hash: string;
  /** Bases its applications deploy to (for `supported-bases`/`supported-series`). */
  bases: {
    /** OS name, e.g. `ubuntu`. */
    name: string;
    /** OS version, e.g. `22.04`. */
    channel: string;
  }[];
}

/** The source of charms: resolves names to revisions like Charmhub's refresh API. */
export interface CharmSource {
  /** Resolves a charm request to one revision, or throws Juju's resolution error. */
  resolve(req: ResolveRequest): ResolvedCharm;
  /**
   * Resolves a Charmhub bundle; undefined when `name` is not a bundle (the
   * source then resolves it as a charm). Sources without bundles omit it.
   */
  resolveBundle?(req: {
    name: string;
    channel?: string;
    revision?: number;
  }): ResolvedBundleSpec | undefined;
}

const RISKS = ["stable", "candidate", "beta", "edge"] as const;

/** Splits a channel string like Charmhub (`charm.ParseChannel`). */
export function parseChannel(channel: string): { track: string; risk: string } {
  const parts = channel.split("/");
  if (parts.length === 1 && (RISKS as readonly string[]).includes(parts[0] ?? "")) {
    return { track: "latest", risk: parts[0] ?? "stable" };
  }
  const [track = "", risk = ""] = parts;
  if (parts.length > 3 || track === "" || !(RISKS as readonly string[]).includes(risk)) {
    throw new ServerError(`invalid channel ${JSON.stringify(channel)}`, "not valid");
  }
  return { track, risk };
}

function compareBase(a: { channel: string }, b: { channel: string }): number {
  return Number.parseFloat(a.channel) - Number.parseFloat(b.channel);
}

/** Resolves against a fixed list of charm revisions. */
export class StaticCharmSource implements CharmSource {
  constructor(private readonly charms: readonly CharmSpec[]) {}

  /** Resolves among the given specs: the newest revision in the requested channel and base. */
  resolve(req: ResolveRequest): ResolvedCharm {
    const all = this.charms.filter((c) => c.name === req.name);
    if (all.length === 0) {
      throw new ServerError(
        `resolving with preferred channel: refresh: charm or bundle not found for channel "stable", platform "amd64"`,
        "not found",
      );
    }
    const wanted = parseChannel(req.channel ?? "stable");
    const arch = req.architecture || "amd64";
    let candidates = all.filter((c) => (c.architectures ?? ["amd64"]).includes(arch));
    if (req.revision !== undefined) {
      candidates = candidates.filter((c) => c.revision === req.revision);
    } else {
      candidates = candidates.filter((c) =>
        c.channels.some((ch) => {
          const p = parseChannel(ch);
          return p.track === wanted.track && p.risk === wanted.risk;
        }),
      );
    }
    if (req.base !== undefined && req.base.channel !== "") {
      const want = req.base.channel.replace(/\/.*$/, "");
      const withBase = candidates.filter((c) =>
        c.bases.some((b) => b.name === req.base?.name && b.channel === want),
      );
      if (withBase.length === 0 && candidates.length > 0) {
        const supported = [
          ...new Set(candidates.flatMap((c) => c.bases.map((b) => `${b.name}@${b.channel}`))),
        ];
        throw new ServerError(
          `charm ${JSON.stringify(req.name)} does not support base ${JSON.stringify(`${req.base.name}@${want}`)}, supported bases are: ${supported.join(", ")}`,
          "incompatible base",
        );
      }
      candidates = withBase;
    }
    const best = candidates.sort((a, b) => b.revision - a.revision)[0];
    if (best === undefined) {
      const ch = `${wanted.track === "latest" ? "" : `${wanted.track}/`}${wanted.risk}`;
      throw new ServerError(
        `resolving with preferred channel: refresh: charm or bundle not found for channel ${JSON.stringify(ch)}, platform ${JSON.stringify(arch)}`,
        "not found",
      );
    }
    const bases = [...best.bases].sort(compareBase);
    const base =
      req.base !== undefined && req.base.channel !== ""
        ? { name: req.base.name, channel: req.base.channel.replace(/\/.*$/, "") }
        : (bases.at(-1) ?? { name: "ubuntu", channel: "22.04" });
    return { charm: best, track: wanted.track, risk: wanted.risk, base, architecture: arch };
  }
}

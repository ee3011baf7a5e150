/**
 * The simulator's default {@link CharmSource}: the charm catalog
 * (`./catalog`, ~28 real charms with Charmhub-style channels and simulated
 * workload behaviour) seen through the shape the facades use. Catalog
 * errors become RPC errors with the same message and code.
 * @module
 */
import { createHash } from "node:crypto";
import type { CharmInfo } from "../charm/metadata.js";
import { CatalogError, type CharmCatalog } from "./catalog/index.js";
import type { CharmEndpointSpec, CharmSource, CharmSpec, ResolvedCharm } from "./charm-source.js";
import { ServerError } from "./errors.js";

function endpoints(
  rels: Record<string, { interface: string; optional: boolean; limit: number; scope: string }>,
): Record<string, CharmEndpointSpec> {
  const out: Record<string, CharmEndpointSpec> = {};
  for (const [name, r] of Object.entries(rels)) {
    out[name] = {
      interface: r.interface,
      optional: r.optional,
      limit: r.limit,
      scope: r.scope === "container" ? "container" : "global",
    };
  }
  return out;
}

/**
 * The parts of a {@link CharmSpec} that come from a charm's files: name,
 * summary, endpoints, config and actions (catalog charms and uploaded
 * local charms alike).
 */
export function specFromInfo(
  info: CharmInfo,
): Pick<
  CharmSpec,
  | "name"
  | "summary"
  | "description"
  | "subordinate"
  | "provides"
  | "requires"
  | "peers"
  | "storage"
  | "assumes"
  | "config"
  | "actions"
> {
  return {
    name: info.name,
    summary: info.summary,
    description: info.description,
    subordinate: info.subordinate,
    provides: endpoints(info.provides),
    requires: endpoints(info.requires),
    peers: endpoints(info.peers),
    ...(Object.keys(info.storage ?? {}).length > 0 ? { storage: { ...info.storage } } : {}),
    ...(info.assumes === undefined ? {} : { assumes: structuredClone(info.assumes) }),
    config: Object.fromEntries(
      Object.entries(info.config).map(([k, o]) => [
        k,
        {
          type: o.type,
          ...(o.description === undefined ? {} : { description: o.description }),
          ...(o.default === undefined ? {} : { default: o.default }),
        },
      ]),
    ),
    actions: Object.fromEntries(
      Object.entries(info.actions).map(([k, a]) => [
        k,
        {
          description: a.description,
          params: (a.params.properties ?? {}) as Record<string, unknown>,
          schema: a.params,
        },
      ]),
    ),
  };
}

/** The placeholder SHA-384 of a resource revision, as the simulated Charmhub API publishes it. */
export function fingerprint(charmId: string, resource: string, revision: number): string {
  return createHash("sha384").update(`${charmId}/${resource}/${revision}`).digest("hex");
}

/** Wraps a {@link CharmCatalog} as a {@link CharmSource}. */
export function catalogSource(catalog: CharmCatalog): CharmSource {
  return {
    resolveBundle(req) {
      if (catalog.getBundle(req.name) === undefined) return undefined;
      try {
        const r = catalog.resolveBundle(req);
        return {
          name: r.name,
          revision: r.revision,
          track: r.track,
          risk: r.risk,
          id: r.id,
          hash: r.hash,
          bases: r.bundle.bases.map((b) => ({ ...b })),
        };
      } catch (e) {
        if (e instanceof CatalogError) throw new ServerError(e.message, e.jujuCode);
        throw e;
      }
    },
    resolve(req): ResolvedCharm {
      let r: ReturnType<CharmCatalog["resolve"]>;
      try {
        r = catalog.resolve(req);
      } catch (e) {
        if (e instanceof CatalogError) throw new ServerError(e.message, e.jujuCode);
        throw e;
      }
      const info = r.info;
      const newest = (name: string) => r.resourceRevisions[name] ?? 1;
      const charm: CharmSpec = {
        ...specFromInfo(info),
        name: r.name,
        revision: r.revision,
        channels: [r.channel],
        bases: r.supportedBases.map((b) => ({ ...b })),
        architectures: [r.architecture],
        resources: Object.fromEntries(
          Object.values(info.resources).map((res) => [
            res.name,
            {
              type: res.type,
              ...(res.filename === undefined ? {} : { filename: res.filename }),
              ...(res.description === undefined ? {} : { description: res.description }),
              // The catalog knows no resource blobs: like the simulated
              // Charmhub API, every resource revision has size 0 and a
              // placeholder SHA-384 derived from charm id, name and revision
              // (the value that API publishes as the resource's hash-sha384).
              revision: newest(res.name),
              fingerprint: fingerprint(r.id, res.name, newest(res.name)),
              size: 0,
              ...(newest(res.name) > 1
                ? {
                    older: Object.fromEntries(
                      Array.from({ length: newest(res.name) - 1 }, (_, i) => [
                        i + 1,
                        fingerprint(r.id, res.name, i + 1),
                      ]),
                    ),
                  }
                : {}),
            },
          ]),
        ),
        workload: {
          status: r.workload.status,
          message: r.workload.message,
          ...(r.workload.blockedUntil === undefined
            ? {}
            : {
                blockedUntil: {
                  endpoints: [...r.workload.blockedUntil.relations],
                  message: r.workload.blockedUntil.message,
                },
              }),
          ports: [...r.ports],
          ...(r.workload.workloadVersion === undefined
            ? {}
            : { version: r.workload.workloadVersion }),
        },
      };
      return {
        charm,
        track: r.track,
        risk: r.risk,
        base: { ...r.base },
        architecture: r.architecture,
      };
    },
  };
}

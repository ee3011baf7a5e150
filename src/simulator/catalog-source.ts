/**
 * The simulator's default {@link CharmSource}: the charm catalog
 * (`./catalog`, ~28 real charms with Charmhub-style channels and simulated
 * workload behaviour) seen through the shape the facades use. Catalog
 * errors become RPC errors with the same message and code.
 * @module
 */
import { createHash } from "node:crypto";
import { LibjujuError } from "../rpc/errors.js";
import type { CharmCatalog } from "./catalog/index.js";
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

/** Wraps a {@link CharmCatalog} as a {@link CharmSource}. */
export function catalogSource(catalog: CharmCatalog): CharmSource {
  return {
    resolve(req): ResolvedCharm {
      let r: ReturnType<CharmCatalog["resolve"]>;
      try {
        r = catalog.resolve(req);
      } catch (e) {
        if (e instanceof LibjujuError) throw new ServerError(e.message, e.code);
        throw e;
      }
      const info = r.info;
      const charm: CharmSpec = {
        name: r.name,
        revision: r.revision,
        channels: [r.channel],
        bases: r.supportedBases.map((b) => ({ ...b })),
        architectures: [r.architecture],
        summary: info.summary,
        description: info.description,
        subordinate: info.subordinate,
        provides: endpoints(info.provides),
        requires: endpoints(info.requires),
        peers: endpoints(info.peers),
        ...(Object.keys(info.storage ?? {}).length > 0 ? { storage: { ...info.storage } } : {}),
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
        resources: Object.fromEntries(
          Object.values(info.resources).map((res) => [
            res.name,
            {
              type: res.type,
              ...(res.filename === undefined ? {} : { filename: res.filename }),
              ...(res.description === undefined ? {} : { description: res.description }),
              // The catalog knows no resource blobs: like the simulated
              // Charmhub API, every resource is at revision 1 with size 0 and
              // a placeholder SHA-384 derived from charm id, name and revision
              // (the value that API publishes as the resource's hash-sha384).
              revision: 1,
              fingerprint: createHash("sha384").update(`${r.id}/${res.name}/1`).digest("hex"),
              size: 0,
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

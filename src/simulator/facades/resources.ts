/**
 * `Resources(3)` (`apiserver/facades/client/resources/facade.go`):
 * `AddPendingResources` resolves the requested charm resources against the
 * charm's Charmhub resources (`internal/charm/repository` `ResolveResources`)
 * and stores them pending; `ListResources` reports an application's
 * resources, the Charmhub view of them and one entry per unit.
 * @module
 */

import type { Resources as ResourcesFacade } from "../../facades/generated/index.js";
import type { CharmResourceSpec } from "../charm-source.js";
import { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import {
  type CharmResourceValue,
  charmResourceFromWire,
  charmResourceWire,
  resourcesOf,
  resourceWire,
  storeResource,
} from "../resources.js";
import type { ModelRecord } from "../store.js";
import { parseTagOfKind } from "../tags.js";
import { parseCharmRef, readOrigin, resolveRef } from "./charms.js";
import type { MethodSpec } from "./registry.js";
import { method, type Params, type Reply } from "./typed.js";

/** `parseApplicationTag`: tag errors carry code `bad request`. */
function applicationName(tag: string): string {
  try {
    return parseTagOfKind(tag, "application");
  } catch (e) {
    if (e instanceof ServerError) throw new ServerError(e.message, "bad request");
    throw e;
  }
}

/** Every published revision of the Charmhub resources of the charm a URL and origin name (added to the model, or resolved), newest first. */
function charmhubResources(
  model: ModelRecord,
  url: string,
  originRaw: unknown,
): Map<string, CharmResourceValue[]> {
  const added = model.state.findCharm(url);
  const spec =
    added?.spec ??
    resolveRef(model, url, readOrigin(new Fields(originRaw, "params.CharmOrigin"))).charm;
  const out = new Map<string, CharmResourceValue[]>();
  for (const [name, r] of Object.entries(spec.resources ?? {}))
    out.set(name, storeRevisions(name, r));
  return out;
}

/** Every revision Charmhub publishes of one charm resource, newest first. */
export function storeRevisions(name: string, r: CharmResourceSpec): CharmResourceValue[] {
  const newest = storeResource(name, r);
  const older = Object.entries(r.older ?? {})
    .map(([rev, fp]) => ({
      ...newest,
      revision: Number(rev),
      fingerprint: Buffer.from(fp, "hex"),
    }))
    .sort((a, b) => b.revision - a.revision);
  return [newest, ...older];
}

/** `resolveRepositoryResources`: which info a requested `store` resource ends up with. */
export function resolveStore(
  res: CharmResourceValue,
  store: Map<string, CharmResourceValue[]>,
): CharmResourceValue {
  const published = store.get(res.name);
  // A resource Charmhub does not know for this charm is kept as given.
  if (published === undefined || published.length === 0) return res;
  if (res.revision < 0) return published[0] as CharmResourceValue;
  const known = published.find((p) => p.revision === res.revision);
  if (known !== undefined) return known;
  if (res.fingerprint.length === 0) {
    throw Errors.notFound(`charm resource ${JSON.stringify(res.name)} at revision ${res.revision}`);
  }
  return res;
}

function addPendingResources(
  model: ModelRecord,
  p: Params<ResourcesFacade.AddPendingResourcesArgsV2>,
): Reply<ResourcesFacade.AddPendingResourcesResult> {
  let app: string;
  try {
    app = applicationName(p.string("tag"));
  } catch (e) {
    if (e instanceof ServerError) return { "pending-ids": null, error: e.toWire() };
    throw e;
  }
  const url = p.string("url");
  const originRaw = p.raw("charm-origin");
  p.raw("macaroon");
  try {
    let resources = p.objects("resources", "params.CharmResource").map((r) => {
      const name = r.string("name");
      try {
        return charmResourceFromWire({
          name,
          type: r.string("type"),
          path: r.string("path"),
          description: r.string("description"),
          origin: r.string("origin"),
          revision: r.optInt("revision") ?? 0,
          fingerprint: r.string("fingerprint"),
          size: r.optInt("size", "int64") ?? 0,
        });
      } catch (e) {
        if (e instanceof ServerError)
          throw e.annotate(`bad resource info for ${JSON.stringify(name)}`);
        throw e;
      }
    });
    // Local charms (and calls without a URL) keep the resources as given.
    if (url !== "" && parseSchema(url) === "ch") {
      const store = charmhubResources(model, url, originRaw);
      resources = resources.map((r) => (r.origin === "store" ? resolveStore(r, store) : r));
    }
    const registry = resourcesOf(model);
    return { "pending-ids": resources.map((r) => registry.addPending(app, r)) };
  } catch (e) {
    if (e instanceof ServerError) return { "pending-ids": null, error: e.toWire() };
    throw e;
  }
}

/** The schema of a charm URL (`ch` when none is given, as `charm.ParseURL` defaults). */
function parseSchema(url: string): string {
  parseCharmRef(url);
  const colon = url.indexOf(":");
  return colon === -1 ? "ch" : url.slice(0, colon);
}

function listResources(model: ModelRecord, tag: string): Reply<ResourcesFacade.ResourcesResult> {
  const name = applicationName(tag);
  const a = model.state.applications.get(name);
  if (a === undefined) throw Errors.notFound(`application ${JSON.stringify(name)}`);
  const registry = resourcesOf(model);
  const resources = registry.list(name);
  // A local charm has no Charmhub resources: its resources stand for themselves.
  const charmhub = a.origin.source === "local" ? {} : (a.charm.resources ?? {});
  // The Charmhub view: the revision updater's latest info where Charmhub
  // has the resource, else the resource itself (`listResources` in state).
  const storeView = resources.map((r) => {
    const spec = charmhub[r.name];
    return charmResourceWire(spec === undefined ? r : storeResource(r.name, spec));
  });
  const units = model.state.unitsOf(name).map((u) => ({
    tag: `unit-${u.name.replace("/", "-")}`,
    // Units list what they downloaded; the simulated agents fetch nothing.
    resources: null,
    "download-progress": null,
  }));
  return {
    resources: resources.length === 0 ? null : resources.map(resourceWire),
    "charm-store-resources": storeView,
    "unit-resources": units.length === 0 ? null : units,
  };
}

/** The Resources methods. */
export const resourcesMethods: readonly MethodSpec[] = [
  method({
    facade: "Resources",
    method: "AddPendingResources",
    params: "params.AddPendingResourcesArgsV2",
    call: (ctx, p) => addPendingResources(ctx.model(), p),
  }),
  method({
    facade: "Resources",
    method: "ListResources",
    params: "params.ListResourcesArgs",
    call: (ctx, p) => ({
      results: p.objects("entities", "params.Entity").map((e) => {
        try {
          return listResources(ctx.model(), e.string("tag"));
        } catch (err) {
          if (!(err instanceof ServerError)) throw err;
          return {
            resources: null,
            "charm-store-resources": null,
            "unit-resources": null,
            error: err.toWire(),
          };
        }
      }),
    }),
  }),
];

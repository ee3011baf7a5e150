/**
 * `Charms(5, 6, 7)`: Charmhub resolution and charms added to the model
 * (`apiserver/facades/client/charms`). Backed by the controller's
 * {@link CharmSource}. Version differences: v5 origins carry `series`,
 * v5/v6 `ResolveCharms` return `supported-series` and URLs with a series,
 * v7 returns `supported-bases` and series-less URLs.
 * @module
 */
import { createHash } from "node:crypto";
import type { Charms as CharmsFacade, Juju4 } from "../../facades/generated/index.js";
import type { CharmSpec, ResolvedBundleSpec, ResolvedCharm } from "../charm-source.js";
import { Fields } from "../decode.js";
import {
  type BaseValue,
  baseOfSeries,
  type CharmOriginValue,
  charmNameRevision,
  seriesOf,
} from "../entities.js";
import { Errors, ServerError } from "../errors.js";
import { charmResourceWire, storeResource } from "../resources.js";
import type { ModelRecord } from "../store.js";
import { bulk, type ErrorItem } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, type Params, type Reply } from "./typed.js";

/** Charmhub's id for a charm (32 characters, stable per name). */
export function charmhubId(name: string): string {
  return createHash("sha256")
    .update(`charm:${name}`)
    .digest("base64url")
    .replace(/[-_]/g, "x")
    .slice(0, 32);
}

/** The charm URL form a facade version uses: `ch:amd64/jammy/mysql-58` (v5, v6) or `ch:amd64/mysql-58` (v7). */
export function charmUrl(r: ResolvedCharm, version: number): string {
  const series = seriesOf(r.base);
  return version >= 7 || series === ""
    ? `ch:${r.architecture}/${r.charm.name}-${r.charm.revision}`
    : `ch:${r.architecture}/${series}/${r.charm.name}-${r.charm.revision}`;
}

/** The origin of a resolved charm. */
export function originOf(r: ResolvedCharm, withRevision: boolean): CharmOriginValue {
  const o: CharmOriginValue = {
    source: "charm-hub",
    type: "charm",
    id: withRevision ? charmhubId(r.charm.name) : "",
    risk: r.risk,
    architecture: r.architecture,
    base: { ...r.base },
  };
  if (r.track !== "latest") o.track = r.track;
  if (withRevision) o.revision = r.charm.revision;
  return o;
}

/** An origin in the shape of facade version `version` (v5 adds `series` and `os`). */
export function wireOrigin(o: CharmOriginValue, charmsV5?: false): CharmsFacade.CharmOrigin;
export function wireOrigin(o: CharmOriginValue, charmsV5: boolean): CharmsFacade.CharmOriginV5;
export function wireOrigin(o: CharmOriginValue, charmsV5 = false): CharmsFacade.CharmOriginV5 {
  const out: CharmsFacade.CharmOriginV5 = { ...o, base: { ...o.base } };
  if (charmsV5) {
    const series = seriesOf(o.base);
    if (series !== "") out.series = series;
    out.os = o.base.name;
  }
  return out;
}

/** Reads a `params.CharmOrigin` (any version). */
export function readOrigin(f: Fields): {
  source: string;
  type: string;
  risk: string;
  track: string;
  revision: number | undefined;
  architecture: string;
  base: { name: string; channel: string };
} {
  let base = { name: "", channel: "" };
  const rawBase = f.raw("base");
  if (rawBase !== undefined && rawBase !== null) {
    const b = new Fields(rawBase, "params.Base");
    base = { name: b.string("name"), channel: b.string("channel").replace(/\/.*$/, "") };
  }
  const series = f.string("series");
  if (base.name === "" && series !== "") base = baseOfSeries(series) ?? base;
  f.string("id");
  f.string("hash");
  f.string("branch");
  f.string("instance-key");
  return {
    source: f.string("source"),
    type: f.string("type"),
    risk: f.string("risk"),
    track: f.string("track"),
    revision: f.optInt("revision"),
    architecture: f.string("architecture"),
    base,
  };
}

/** Parses `ch:mysql`, `mysql`, `ch:amd64/jammy/mysql-58`: name, and revision if present. */
export function parseCharmRef(ref: string): {
  name: string;
  revision: number | undefined;
  series: string;
} {
  let rest = ref;
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    const schema = rest.slice(0, colon);
    if (schema !== "ch" && schema !== "local" && schema !== "cs") {
      throw new ServerError(`unknown schema for charm URL ${JSON.stringify(ref)}`);
    }
    rest = rest.slice(colon + 1);
  }
  const parts = rest.split("/");
  const last = parts.at(-1) ?? "";
  const series = parts.length >= 2 ? (parts.at(-2) ?? "") : "";
  const nr = charmNameRevision(last);
  if (nr !== undefined) return { name: nr.name, revision: nr.revision, series };
  if (!/^[a-z0-9][a-z0-9-]*$/.test(last)) {
    throw new ServerError(
      `cannot parse name and/or revision in URL ${JSON.stringify(ref)}: name ${JSON.stringify(last)} not valid`,
    );
  }
  return { name: last, revision: undefined, series };
}

function channelOf(track: string, risk: string): string | undefined {
  if (risk === "") return undefined;
  return track === "" ? risk : `${track}/${risk}`;
}

/** Resolves a reference plus origin with the controller's charm source. */
export function resolveRef(
  model: ModelRecord,
  ref: string,
  origin: ReturnType<typeof readOrigin>,
): ResolvedCharm {
  const parsed = parseCharmRef(ref);
  const seriesBase = parsed.series === "" ? undefined : baseOfSeries(parsed.series);
  const base = origin.base.name !== "" ? origin.base : seriesBase;
  const channel = channelOf(origin.track, origin.risk);
  return model.controller.charms.resolve({
    name: parsed.name,
    ...(channel === undefined ? {} : { channel }),
    ...((parsed.revision ?? origin.revision) === undefined
      ? {}
      : { revision: parsed.revision ?? origin.revision }),
    ...(base === undefined || base.channel === "" ? {} : { base }),
    architecture: origin.architecture || "amd64",
  });
}

/** A charm reference without its revision: `ch:amd64/jammy/mysql-58` → `ch:amd64/jammy/mysql`. */
function withoutRevision(ref: string): string {
  return parseCharmRef(ref).revision === undefined ? ref : ref.replace(/-\d+$/, "");
}

/**
 * A Charmhub bundle named by `ref`, resolved on the origin's channel or
 * revision; undefined when the name is not a bundle.
 */
export function resolveBundleRef(
  model: ModelRecord,
  ref: string,
  origin: ReturnType<typeof readOrigin>,
): ResolvedBundleSpec | undefined {
  const source = model.controller.charms;
  if (source.resolveBundle === undefined) return undefined;
  const parsed = parseCharmRef(ref);
  const channel = channelOf(origin.track, origin.risk);
  const revision = parsed.revision ?? origin.revision;
  return source.resolveBundle({
    name: parsed.name,
    ...(channel === undefined ? {} : { channel }),
    ...(revision === undefined ? {} : { revision }),
  });
}

/** The origin Juju records for a bundle: type `bundle`, Charmhub's id, the requested platform. */
function bundleOrigin(
  b: ResolvedBundleSpec,
  origin: ReturnType<typeof readOrigin>,
  withHash: boolean,
): CharmOriginValue {
  const o: CharmOriginValue = {
    source: "charm-hub",
    type: "bundle",
    id: b.id,
    risk: b.risk,
    revision: b.revision,
    architecture: origin.architecture || "amd64",
    base: { ...origin.base },
  };
  if (withHash) o.hash = b.hash;
  if (b.track !== "latest") o.track = b.track;
  return o;
}

/** `ResolveCharms`' answer for a bundle: its URL, a `bundle` origin and the bases its applications use. */
function bundleResolution(
  b: ResolvedBundleSpec,
  origin: ReturnType<typeof readOrigin>,
  version: number,
): ResolveResult {
  const arch = origin.architecture || "amd64";
  return resolveResult(
    version,
    `ch:${arch}/${b.name}-${b.revision}`,
    wireOrigin(bundleOrigin(b, origin, false), version === 5),
    b.bases,
  );
}

/** One `ResolveCharms` result of any version: v7 lists bases, v5 and v6 series. */
type ResolveResult = Reply<
  | CharmsFacade.ResolveCharmWithChannelResult
  | CharmsFacade.ResolveCharmWithChannelResultV6
  | CharmsFacade.ResolveCharmWithChannelResultV5
>;

/** A `ResolveCharms` result; `bases` undefined (a failed item) is Go's nil list. */
function resolveResult(
  version: number,
  url: string,
  origin: CharmsFacade.CharmOriginV5,
  bases: readonly BaseValue[] | undefined,
  error?: ErrorItem["error"],
): ResolveResult {
  const out = { url, "charm-origin": origin, ...(error === undefined ? {} : { error }) };
  if (version >= 7) {
    return { ...out, "supported-bases": bases === undefined ? null : bases.map((x) => ({ ...x })) };
  }
  return {
    ...out,
    "supported-series": bases === undefined ? null : bases.map(seriesOf).filter((s) => s !== ""),
  };
}

/** `params.CharmRelation` map of one role. */
function relations(
  specs: CharmSpec["provides"],
  role: string,
): Record<string, CharmsFacade.CharmRelation> | undefined {
  if (specs === undefined || Object.keys(specs).length === 0) return undefined;
  const out: Record<string, CharmsFacade.CharmRelation> = {};
  for (const [name, e] of Object.entries(specs)) {
    out[name] = {
      name,
      role,
      interface: e.interface,
      optional: e.optional ?? false,
      limit: e.limit ?? (role === "requirer" ? 1 : 0),
      scope: e.scope ?? "global",
    };
  }
  return out;
}

/** The `params.Charm` of an added charm. */
export function charmInfo(url: string, spec: CharmSpec): CharmsFacade.Charm {
  const config: Record<string, CharmsFacade.CharmOption> = {};
  for (const [k, o] of Object.entries(spec.config ?? {})) {
    const opt: CharmsFacade.CharmOption = { type: o.type };
    if (o.description !== undefined) opt.description = o.description;
    if (o.default !== undefined) opt.default = o.default;
    config[k] = opt;
  }
  const meta: CharmsFacade.CharmMeta = {
    name: spec.name,
    summary: spec.summary ?? "",
    description: spec.description ?? "",
    subordinate: spec.subordinate ?? false,
  };
  const provides = relations(spec.provides, "provider");
  const requires = relations(spec.requires, "requirer");
  const peers = relations(spec.peers, "peer");
  if (provides !== undefined) meta.provides = provides;
  if (requires !== undefined) meta.requires = requires;
  if (peers !== undefined) meta.peers = peers;
  if (spec.resources !== undefined && Object.keys(spec.resources).length > 0) {
    meta.resources = Object.fromEntries(
      Object.entries(spec.resources).map(([name, r]) => [
        name,
        { name, type: r.type, path: r.filename ?? "", description: r.description ?? "" },
      ]),
    );
  }
  const info: CharmsFacade.Charm = { revision: spec.revision, url, config, meta };
  if (spec.actions !== undefined && Object.keys(spec.actions).length > 0) {
    const specs: Record<string, CharmsFacade.CharmActionSpec> = {};
    for (const [name, a] of Object.entries(spec.actions)) {
      specs[name] = {
        description: a.description ?? "",
        params: {
          type: "object",
          title: name,
          description: a.description ?? "",
          properties: a.params ?? {},
        },
      };
    }
    info.actions = { specs };
  }
  return info;
}

function findCharm(ctx: CallContext, url: string) {
  const c = ctx.model().state.findCharm(url);
  if (c === undefined) throw new ServerError(`charm ${JSON.stringify(url)} not found`, "not found");
  return c;
}

/** `Charms.AddCharm`: Charmhub only, base required; records the charm (metadata only). */
function addCharm(
  ctx: CallContext,
  p: Params<CharmsFacade.AddCharmWithOrigin> | Params<CharmsFacade.AddCharmWithAuth>,
): { "charm-origin": CharmsFacade.CharmOriginV5 } {
  const url = p.string("url");
  p.optBool("force");
  const origin = readOrigin(new Fields(p.raw("charm-origin"), "params.CharmOrigin"));
  if (origin.source !== "charm-hub") {
    throw new ServerError(`unknown schema for charm URL ${JSON.stringify(url)}`);
  }
  if (origin.base.name === "" || origin.base.channel === "") {
    throw new ServerError("base required for Charmhub charms", "bad request");
  }
  const model = ctx.model();
  const parsed = parseCharmRef(url);
  const resolved = resolveRef(model, url, {
    ...origin,
    revision: parsed.revision ?? origin.revision,
  });
  const o = originOf(resolved, true);
  const rec = model.state.addCharm(url, resolved.charm, o);
  return { "charm-origin": wireOrigin(rec.origin, ctx.version === 5) };
}

/** The Charms methods. */
export const charmsMethods: readonly MethodSpec[] = [
  method({
    facade: "Charms",
    method: "ResolveCharms",
    params: "params.ResolveCharmsWithChannel",
    call: (ctx, p) => {
      // A macaroon is an object (`macaroon.Macaroon`); the simulator does not check it.
      p.raw("macaroon");
      const model = ctx.model();
      return {
        Results: p.objects("resolve", "params.ResolveCharmWithChannel").map((item) => {
          const ref = item.string("reference");
          item.optBool("switch-charm");
          const origin = readOrigin(new Fields(item.raw("charm-origin"), "params.CharmOrigin"));
          try {
            const bundle = resolveBundleRef(model, ref, origin);
            if (bundle !== undefined) return bundleResolution(bundle, origin, ctx.version);
            // Juju resolves by the URL's name and the origin only
            // (`repo.ResolveWithPreferredChannel(ctx, curl.Name, requestedOrigin)`
            // in apiserver/facades/client/charms/client.go): a refresh names
            // the current URL, revision included, and asks for another
            // revision or channel through the origin.
            const r = resolveRef(model, withoutRevision(ref), origin);
            return resolveResult(
              ctx.version,
              charmUrl(r, ctx.version),
              wireOrigin(originOf(r, true), ctx.version === 5),
              r.charm.bases,
            );
          } catch (e) {
            if (!(e instanceof ServerError)) throw e;
            return resolveResult(
              ctx.version,
              "",
              wireOrigin(
                { source: origin.source, type: origin.type, id: "", base: origin.base },
                ctx.version === 5,
              ),
              undefined,
              e.toWire(),
            );
          }
        }),
      };
    },
  }),
  method({
    facade: "Charms",
    method: "AddCharm",
    params: "params.AddCharmWithOrigin",
    call: (ctx, p) => addCharm(ctx, p),
  }),
  method({
    facade: "Charms",
    method: "AddCharmWithAuthorization",
    versions: [5],
    params: "params.AddCharmWithAuth",
    call: (ctx, p) => addCharm(ctx, p),
  }),
  method({
    facade: "Charms",
    method: "CharmInfo",
    params: "params.CharmURL",
    call: (ctx, p) => {
      const url = p.string("url");
      const c = findCharm(ctx, url);
      const info = charmInfo(c.url, c.spec);
      // Juju 4's params.Charm carries the charm's version (`version,omitempty`); 3.6's has none.
      if (ctx.store.profile.major === 4 && c.charmVersion) {
        const info4: Juju4.Charms.Charm = { ...info, version: c.charmVersion };
        return info4;
      }
      return info;
    },
  }),
  method({
    facade: "Charms",
    method: "List",
    params: "params.CharmsList",
    call: (ctx, p) => {
      const names = p.strings("names");
      const urls = [...ctx.model().state.charms.values()]
        .filter((c) => names.length === 0 || names.includes(c.spec.name))
        .map((c) => c.url);
      return { "charm-urls": urls };
    },
  }),
  method({
    facade: "Charms",
    method: "IsMetered",
    // Juju 4 dropped metering: its Charms 7 has no IsMetered.
    onlyMajor: 3,
    params: "params.CharmURL",
    call: (ctx, p) => {
      findCharm(ctx, p.string("url"));
      return { metered: false };
    },
  }),
  method({
    facade: "Charms",
    method: "CheckCharmPlacement",
    params: "params.ApplicationCharmPlacements",
    call: (ctx, p) => ({
      results: bulk(p.objects("placements", "params.ApplicationCharmPlacement"), (item) => {
        const app = item.string("application");
        const a = ctx.model().state.applications.get(app);
        if (a === undefined)
          throw new ServerError(`application ${JSON.stringify(app)} not found`, "not found");
        findCharm(ctx, item.string("charm-url"));
        return {};
      }),
    }),
  }),
  method({
    facade: "Charms",
    method: "GetDownloadInfos",
    params: "params.CharmURLAndOrigins",
    call: (ctx, p) => ({
      results: p.objects("entities", "params.CharmURLAndOrigin").map((item) => {
        const url = item.string("charm-url");
        const model = ctx.model();
        const rawOrigin = item.raw("charm-origin");
        const asked =
          rawOrigin === undefined || rawOrigin === null
            ? undefined
            : readOrigin(new Fields(rawOrigin, "params.CharmOrigin"));
        // Bundles are never added to the model: their archive comes from Charmhub.
        if (asked?.type === "bundle") {
          const b = resolveBundleRef(model, url, asked);
          if (b === undefined) throw Errors.notFound(`bundle ${JSON.stringify(url)}`);
          const store = String(model.configValues()["charmhub-url"] ?? "").replace(/\/+$/, "");
          return {
            url: `${store}/api/v1/charms/download/${b.id}_${b.revision}.charm`,
            "charm-origin": wireOrigin(bundleOrigin(b, asked, true), ctx.version === 5),
          };
        }
        const c = model.state.findCharm(url);
        const origin = c?.origin ?? {
          source: "charm-hub",
          type: "charm",
          id: "",
          base: { name: "", channel: "" },
        };
        return {
          url:
            c === undefined
              ? url
              : `https://api.charmhub.io/api/v2/charms/download/${origin.id}_${c.spec.revision}.charm`,
          "charm-origin": wireOrigin(origin, ctx.version === 5),
        };
      }),
    }),
  }),
  method({
    facade: "Charms",
    method: "ListCharmResources",
    params: "params.CharmURLAndOrigins",
    // `[][]CharmResourceResult`: one list per charm; an unknown charm fails
    // the whole call (listOneCharmResources' error is returned).
    call: (ctx, p) => ({
      results: p.objects("entities", "params.CharmURLAndOrigin").map((item) => {
        const { spec } = findCharm(ctx, item.string("charm-url"));
        return Object.entries(spec.resources ?? {}).map(([name, r]) =>
          charmResourceWire(storeResource(name, r)),
        );
      }),
    }),
  }),
];

/**
 * `Bundle.ExportBundle`: the model as a bundle, built and written the way
 * Juju 3.6 does it (`apiserver/facades/client/bundle` `fillBundleData`,
 * `charm.ExtractBaseAndOverlayParts`, yaml.v2): `default-base` (or none when
 * the model mixes bases the default is not among), applications with
 * charm/channel/revision, units as `num_units` and `to`, options set by the
 * user, constraints in Juju's order, machines that host units, relations
 * without peers; the overlay-only parts (`exposed-endpoints`, offers) in a
 * second `--- # overlay.yaml` document.
 * @module
 */
import type { Constraints } from "../parse/constraints.js";
import { type GoYamlValue, goYamlDocument } from "../protocol/go-yaml.js";
import type { ApplicationRecord, BaseValue } from "./entities.js";
import { charmEndpoints, charmNameRevision, seriesOf } from "./entities.js";
import { ServerError } from "./errors.js";
import { resourcesOf } from "./resources.js";
import type { ModelRecord } from "./store.js";

/** `version.DefaultSupportedLTSBase()` of Juju 3.6. */
const DEFAULT_SUPPORTED_LTS_BASE = "ubuntu@24.04/stable";

/** `corebase.Base.String()`: `ubuntu@22.04/stable` (the risk is always there). */
export function baseString(b: BaseValue): string {
  const [track, risk] = b.channel.split("/");
  return `${b.name}@${track}/${risk || "stable"}`;
}

/** `corebase.ParseBaseFromString` normalised: `ubuntu@22.04` and `ubuntu@22.04/stable` are one base. */
function normaliseBase(s: string): string {
  const at = s.indexOf("@");
  if (at <= 0)
    throw new ServerError(
      `base string must be of the form <name>@<channel>, got ${JSON.stringify(s)}`,
    );
  return baseString({ name: s.slice(0, at), channel: s.slice(at + 1) });
}

/** The bundle's constraints string, in the order and spelling of the facade's `constraints()`. */
export function exportConstraints(c: Constraints): string {
  const out: string[] = [];
  if (c.arch) out.push(`arch=${c.arch}`);
  if (c.cores) out.push(`cpu-cores=${c.cores}`);
  if (c["cpu-power"]) out.push(`cpu-power=${c["cpu-power"]}`);
  if (c.mem) out.push(`mem=${c.mem}`);
  if (c["root-disk"]) out.push(`root-disk=${c["root-disk"]}`);
  if (c["instance-type"]) out.push(`instance-type=${c["instance-type"]}`);
  if (c["image-id"]) out.push(`image-id=${c["image-id"]}`);
  if (c.container) out.push(`container=${c.container}`);
  if (c["virt-type"]) out.push(`virt-type=${c["virt-type"]}`);
  if (c.tags?.length) out.push(`tags=${c.tags.join(",")}`);
  if (c.spaces?.length) out.push(`spaces=${c.spaces.join(",")}`);
  if (c.zones?.length) out.push(`zones=${c.zones.join(",")}`);
  if (c["root-disk-source"]) out.push(`root-disk-source=${c["root-disk-source"]}`);
  return out.join(" ");
}

/** What a facade's `mapExposedEndpoints` keeps: nothing for a plain `expose` (everything to the world). */
function exportedEndpoints(a: ApplicationRecord): Map<string, GoYamlValue> | undefined {
  const eps = Object.entries(a.exposedEndpoints);
  if (eps.length === 0) return undefined;
  const wildcard = a.exposedEndpoints[""];
  if (eps.length === 1 && wildcard !== undefined) {
    const cidrs = wildcard["expose-to-cidrs"] ?? [];
    const world = cidrs.filter((c) => c === "0.0.0.0/0" || c === "::/0").length;
    if ((wildcard["expose-to-spaces"] ?? []).length === 0 && cidrs.length === world)
      return undefined;
  }
  const out = new Map<string, GoYamlValue>();
  for (const [ep, e] of eps) {
    const spaces = [...(e["expose-to-spaces"] ?? [])].sort();
    const cidrs = [...(e["expose-to-cidrs"] ?? [])].sort();
    out.set(ep, {
      "expose-to-spaces": spaces.length ? spaces : undefined,
      "expose-to-cidrs": cidrs.length ? cidrs : undefined,
    });
  }
  return out;
}

function charmOf(a: ApplicationRecord): { charm: string; revision?: number } {
  const nr = charmNameRevision(a.charmUrl);
  if (a.charmUrl.startsWith("local:")) {
    const name = nr?.name ?? a.charmUrl.replace(/^local:(?:[^/]*\/)*/, "");
    return { charm: nr ? `local:${nr.name}-${nr.revision}` : `local:${name}` };
  }
  if (!a.charmUrl.startsWith("ch:")) throw schemaNotValid(a.charmUrl);
  const name = nr?.name ?? a.charmUrl.replace(/^ch:(?:[^/]*\/)*/, "");
  return nr ? { charm: name, revision: nr.revision } : { charm: name };
}

function schemaNotValid(url: string): ServerError {
  const schema = url.includes(":") ? url.slice(0, url.indexOf(":")) : "";
  return new ServerError(`charm schema ${JSON.stringify(schema)} not valid`, "not valid");
}

function channelOf(a: ApplicationRecord): string {
  if (a.origin.source === "local") return "";
  const risk = a.origin.risk ?? "";
  if (risk === "") return a.channel;
  const track = a.origin.track ?? "";
  const base = track === "" ? risk : `${track}/${risk}`;
  return a.origin.branch ? `${base}/${a.origin.branch}` : base;
}

const emptyToUndef = <T extends object>(m: T | undefined): T | undefined =>
  m === undefined || (m instanceof Map ? m.size === 0 : Object.keys(m).length === 0)
    ? undefined
    : m;

const sortedMap = (o: Readonly<Record<string, unknown>>): Map<string, GoYamlValue> =>
  new Map(Object.entries(o) as Array<[string, GoYamlValue]>);

/** Options of {@link exportBundle}: `ExportBundleParams`. */
export interface ExportBundleOptions {
  /** Add the charm's defaults for options the user did not set. */
  includeCharmDefaults?: boolean;
  /** Also write `series` beside the bases (3.6 compatibility option). */
  includeSeries?: boolean;
}

/**
 * The model as bundle YAML, exactly as `Bundle.ExportBundle` returns it.
 * @throws ServerError `nothing to export as there are no applications` for an empty model.
 */
export function exportBundle(model: ModelRecord, opts: ExportBundleOptions = {}): string {
  const st = model.state;
  const cfgBase = String(model.configValues()["default-base"] ?? "");
  const defaultBase = cfgBase === "" ? DEFAULT_SUPPORTED_LTS_BASE : normaliseBase(cfgBase);
  const isCaas = model.type === "caas";
  const apps = [...st.applications.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  if (apps.length === 0) {
    throw new ServerError("nothing to export as there are no applications");
  }

  const spaces = new Set<string>();
  for (const a of apps) for (const s of Object.values(a.bindings)) spaces.add(s);
  const printBindings = spaces.size > 1;

  const usedBases = new Set<string>();
  const machineIds = new Set<string>();
  const applications = new Map<string, Record<string, GoYamlValue>>();
  const overlayApps = new Map<string, Record<string, GoYamlValue>>();
  for (const a of apps) {
    const appBase = baseString(a.base);
    usedBases.add(appBase);
    const { charm, revision } = charmOf(a);
    const options: Record<string, unknown> = { ...a.config };
    if (opts.includeCharmDefaults) {
      for (const [k, o] of Object.entries(a.charm.config ?? {})) {
        if (!Object.hasOwn(options, k)) options[k] = o.default ?? null;
      }
    }
    let bindings: Map<string, GoYamlValue> | undefined;
    if (printBindings) {
      const def = a.bindings[""] ?? "alpha";
      bindings = new Map<string, GoYamlValue>([["", def]]);
      for (const e of charmEndpoints(a.name, a.charm))
        bindings.set(e.name, a.bindings[e.name] ?? def);
    }
    const exposed = exportedEndpoints(a);
    const units = st
      .unitsOf(a.name)
      .filter((u) => u.principal === "")
      .sort((x, y) => Number(x.name.split("/")[1]) - Number(y.name.split("/")[1]));
    const to: string[] = [];
    if (!isCaas) {
      for (const u of units) {
        const m = st.machines.get(u.machineId);
        if (m === undefined) continue;
        if (m.parentId !== "") {
          machineIds.add(m.parentId);
          to.push(`${m.containerType}:${m.parentId}`);
        } else {
          machineIds.add(m.id);
          to.push(m.id);
        }
      }
    }
    const subordinate = a.charm.subordinate === true;
    const resources = new Map<string, GoYamlValue>();
    for (const r of resourcesOf(model).list(a.name)) {
      if (r.origin === "store" && r.pendingId === "") resources.set(r.name, r.revision);
    }
    const spec: Record<string, GoYamlValue> = {
      charm,
      channel: channelOf(a) || undefined,
      revision,
      series: undefined,
      base: appBase !== defaultBase ? appBase : undefined,
      resources: emptyToUndef(resources),
      num_units: !subordinate && !isCaas && units.length > 0 ? units.length : undefined,
      scale: !subordinate && isCaas && units.length > 0 ? units.length : undefined,
      to: to.length > 0 ? to : undefined,
      expose: a.exposed && exposed === undefined ? true : undefined,
      options: emptyToUndef(sortedMap(options)),
      annotations: emptyToUndef(sortedMap(st.annotations.get(`application-${a.name}`) ?? {})),
      constraints: exportConstraints(a.constraints) || undefined,
      bindings: emptyToUndef(bindings),
      // An application the operator trusted exports `trust: true` (RequiresTrust).
      trust: a.appConfig?.trust === true ? true : undefined,
    };
    applications.set(a.name, spec);
    if (exposed !== undefined) overlayApps.set(a.name, { "exposed-endpoints": exposed });
  }

  const machines = new Map<string, Record<string, GoYamlValue>>();
  const machineBases = new Set<string>();
  for (const id of machineIds) {
    const m = st.machines.get(id);
    if (m === undefined) continue;
    const b = baseString(m.base);
    machineBases.add(b);
    machines.set(id, {
      constraints: exportConstraints(m.constraints) || undefined,
      annotations: emptyToUndef(sortedMap(st.annotations.get(`machine-${id}`) ?? {})),
      series: undefined,
      base: b !== defaultBase ? b : undefined,
    });
  }
  for (const b of machineBases) usedBases.add(b);

  const relations: string[][] = [];
  for (const r of [...st.relations.values()].sort((x, y) => x.id - y.id)) {
    const eps = r.endpoints
      .filter((e) => e.role !== "peer")
      .map((e) => `${e.application}:${e.name}`);
    if (eps.length > 0) relations.push(eps);
  }

  // One base in use: it becomes the default and nobody repeats it.
  let topBase: string | undefined = isCaas ? undefined : defaultBase;
  if (usedBases.size === 1) {
    const used = [...usedBases][0] as string;
    if (used !== defaultBase) {
      topBase = used;
      for (const a of applications.values()) a.base = undefined;
      for (const m of machines.values()) m.base = undefined;
    }
  } else if (usedBases.size > 1 && !usedBases.has(defaultBase)) {
    topBase = undefined;
  }
  if (isCaas) topBase = undefined;

  let topSeries: string | undefined;
  if (opts.includeSeries) {
    const seriesOfBase = (b: string | undefined): string | undefined => {
      if (b === undefined) return undefined;
      const at = b.indexOf("@");
      return seriesOf({ name: b.slice(0, at), channel: b.slice(at + 1) }) || undefined;
    };
    topSeries = seriesOfBase(topBase);
    for (const a of applications.values()) a.series = seriesOfBase(a.base as string | undefined);
    for (const m of machines.values()) m.series = seriesOfBase(m.base as string | undefined);
  }

  const base: Record<string, GoYamlValue> = {
    bundle: isCaas ? "kubernetes" : undefined,
    "default-base": topBase,
    series: topSeries,
    applications,
    machines: emptyToUndef(machines),
    relations: relations.length > 0 ? relations : undefined,
  };
  let out = goYamlDocument(base);
  if (overlayApps.size > 0) {
    out += `--- # overlay.yaml\n${goYamlDocument({ applications: overlayApps })}`;
  }
  return out;
}

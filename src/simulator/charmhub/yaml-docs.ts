/**
 * The charm files Charmhub hands out as strings (`metadata-yaml`,
 * `config-yaml`, `actions-yaml`), rebuilt from the catalog's parsed
 * {@link CharmInfo}: the catalog keeps parsed metadata, not the original
 * files, so these are equivalent documents (same keys and values in the
 * metadata v1/v2 schema Juju reads), not byte copies.
 * @module
 */
import { stringify } from "yaml";
import type { CharmInfo, CharmRelation, CharmStorage } from "../../charm/metadata.js";

function relations(map: Record<string, CharmRelation>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(map)) {
    const spec: Record<string, unknown> = { interface: r.interface };
    // Only what differs from Juju's defaults is written, as charm authors do.
    if (r.limit !== 0) spec.limit = r.limit;
    if (r.optional) spec.optional = true;
    if (r.scope !== "global") spec.scope = r.scope;
    out[name] = spec;
  }
  return out;
}

function storage(s: CharmStorage): Record<string, unknown> {
  const out: Record<string, unknown> = { type: s.type };
  if (s.description !== undefined) out.description = s.description;
  if (s.shared) out.shared = true;
  if (s.readOnly) out["read-only"] = true;
  if (s.multiple) {
    const max = s.countMax === -1 ? "" : String(s.countMax);
    out.multiple = { range: s.countMin === s.countMax ? max : `${s.countMin}-${max}` };
  }
  if (s.minimumSize !== undefined) out["minimum-size"] = `${s.minimumSize}M`;
  if (s.location !== undefined) out.location = s.location;
  if (s.properties !== undefined && s.properties.length > 0) out.properties = s.properties;
  return out;
}

/** metadata.yaml of a charm. */
export function metadataYaml(info: CharmInfo): string {
  const doc: Record<string, unknown> = {
    name: info.name,
    summary: info.summary,
    description: info.description,
  };
  if (info.subordinate) doc.subordinate = true;
  if (info.series.length > 0 && info.format === 1) doc.series = info.series;
  if (info.minJujuVersion !== undefined) doc["min-juju-version"] = info.minJujuVersion;
  if (info.assumes !== undefined) doc.assumes = info.assumes;
  if (info.charmUser !== undefined) doc["charm-user"] = info.charmUser;
  if (info.tags.length > 0) doc.tags = info.tags;
  if (info.categories.length > 0) doc.categories = info.categories;
  if (info.terms.length > 0) doc.terms = info.terms;
  if (Object.keys(info.provides).length > 0) doc.provides = relations(info.provides);
  if (Object.keys(info.requires).length > 0) doc.requires = relations(info.requires);
  if (Object.keys(info.peers).length > 0) doc.peers = relations(info.peers);
  if (info.extraBindings.length > 0) {
    doc["extra-bindings"] = Object.fromEntries(info.extraBindings.map((b) => [b, null]));
  }
  if (Object.keys(info.storage).length > 0) {
    doc.storage = Object.fromEntries(Object.entries(info.storage).map(([n, s]) => [n, storage(s)]));
  }
  if (Object.keys(info.devices).length > 0) {
    doc.devices = Object.fromEntries(
      Object.entries(info.devices).map(([n, d]) => {
        const spec: Record<string, unknown> = { type: d.type, countmin: d.countMin };
        if (d.countMax !== d.countMin) spec.countmax = d.countMax;
        if (d.description !== undefined) spec.description = d.description;
        return [n, spec];
      }),
    );
  }
  if (Object.keys(info.resources).length > 0) {
    doc.resources = Object.fromEntries(
      Object.entries(info.resources).map(([n, r]) => {
        const spec: Record<string, unknown> = { type: r.type };
        if (r.filename !== undefined) spec.filename = r.filename;
        if (r.description !== undefined) spec.description = r.description;
        return [n, spec];
      }),
    );
  }
  if (Object.keys(info.containers).length > 0) {
    doc.containers = Object.fromEntries(
      Object.entries(info.containers).map(([n, c]) => {
        const spec: Record<string, unknown> = {};
        if (c.resource !== undefined) spec.resource = c.resource;
        if (c.mounts.length > 0) spec.mounts = c.mounts.map((m) => ({ ...m }));
        if (c.uid !== undefined) spec.uid = c.uid;
        if (c.gid !== undefined) spec.gid = c.gid;
        return [n, spec];
      }),
    );
  }
  return stringify(doc, { lineWidth: 0 });
}

/** config.yaml of a charm; empty when it has no options (Charmhub sends `""` then too). */
export function configYaml(info: CharmInfo): string {
  const options = Object.entries(info.config);
  if (options.length === 0) return "";
  const doc = {
    options: Object.fromEntries(
      options.map(([n, o]) => {
        const spec: Record<string, unknown> = { type: o.type };
        if (o.description !== undefined) spec.description = o.description;
        if (o.default !== undefined) spec.default = o.default;
        return [n, spec];
      }),
    ),
  };
  return stringify(doc, { lineWidth: 0 });
}

/** actions.yaml of a charm, turned back from the JSON schemas Juju keeps; empty without actions. */
export function actionsYaml(info: CharmInfo): string {
  const actions = Object.entries(info.actions);
  if (actions.length === 0) return "";
  const doc: Record<string, unknown> = {};
  for (const [name, a] of actions) {
    const spec: Record<string, unknown> = { description: a.description };
    for (const [k, v] of Object.entries(a.params)) {
      // Juju's parser adds `type: object`, `title: <name>` and moves `params` to `properties`.
      if (k === "type" || k === "description") continue;
      if (k === "title" && v === name) continue;
      if (k === "properties") {
        if (v && typeof v === "object" && Object.keys(v).length > 0) spec.params = v;
        continue;
      }
      spec[k] = v;
    }
    if (a.parallel) spec.parallel = true;
    if (a.executionGroup !== "") spec["execution-group"] = a.executionGroup;
    doc[name] = spec;
  }
  return stringify(doc, { lineWidth: 0 });
}

/**
 * The model as the bundle planner sees it ({@link BundleModelView}), built
 * from the watcher's live state, with the charm channels and bases that
 * only `FullStatus` carries when a status is given (the Juju CLI builds its
 * model representation from the status too).
 * @module
 */
import type {
  BundleModelView,
  ModelApplicationView,
  ModelExposedEndpointView,
} from "../bundle/model-view.js";
import type { Client } from "../facades/generated/index.js";
import { type Constraints, formatConstraints } from "../parse/constraints.js";
import type { ModelContext } from "./context.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** `ch:amd64/jammy/mysql-58` → 58; -1 when the URL has no revision. */
function revisionOf(url: string): number {
  const m = /-(\d+)$/.exec(url);
  return m ? Number(m[1]) : -1;
}

/** `{name: "ubuntu", channel: "22.04/stable"}` → `ubuntu@22.04/stable`. */
function baseString(b: { name?: string; channel?: string } | undefined): string | undefined {
  return b?.name && b.channel ? `${b.name}@${b.channel}` : undefined;
}

/**
 * Builds the planner's view of the model from `ctx.state` (applications,
 * units, machines, relations, annotations, offers); `status` adds what the
 * watcher does not carry (charm channel, application base).
 */
export function buildBundleView(ctx: ModelContext, status?: Client.FullStatus): BundleModelView {
  const annotations = new Map<string, Record<string, string>>();
  for (const r of ctx.state.live("annotation")) {
    const a = r.current?.annotations;
    if (a && typeof a === "object") annotations.set(r.id, { ...(a as Record<string, string>) });
  }
  const applications: Record<string, ModelApplicationView> = {};
  for (const r of ctx.state.live("application")) {
    const d = r.current ?? {};
    const url = str(d["charm-url"]);
    const view: ModelApplicationView = { charm: url, revision: revisionOf(url), units: [] };
    if (d.config && typeof d.config === "object" && Object.keys(d.config).length)
      view.options = { ...(d.config as Record<string, unknown>) };
    const cons = d.constraints as Constraints | undefined;
    if (cons && Object.keys(cons).length) view.constraints = formatConstraints(cons);
    if (d.exposed === true) view.exposed = true;
    const eps = d["exposed-endpoints"];
    if (eps && typeof eps === "object") {
      const out: Record<string, ModelExposedEndpointView> = {};
      for (const [ep, e] of Object.entries(eps as Record<string, Record<string, string[]>>)) {
        out[ep] = {
          ...(e["expose-to-spaces"] ? { exposeToSpaces: [...e["expose-to-spaces"]] } : {}),
          ...(e["expose-to-cidrs"] ? { exposeToCidrs: [...e["expose-to-cidrs"]] } : {}),
        };
      }
      if (Object.keys(out).length) view.exposedEndpoints = out;
    }
    const ann = annotations.get(`application-${r.id}`);
    if (ann) view.annotations = ann;
    const st = status?.applications?.[r.id];
    if (st?.["charm-channel"]) view.channel = st["charm-channel"];
    const base = baseString(st?.base);
    if (base) view.base = base;
    applications[r.id] = view;
  }
  const subordinateTo = new Map<string, Set<string>>();
  for (const r of ctx.state.live("unit")) {
    const d = r.current ?? {};
    const app = applications[str(d.application)];
    if (!app) continue;
    app.units!.push({ name: r.id, machine: str(d["machine-id"]) });
    if (d.subordinate === true && str(d.principal)) {
      const principalApp = str(d.principal).split("/")[0]!;
      const set = subordinateTo.get(str(d.application)) ?? new Set<string>();
      set.add(principalApp);
      subordinateTo.set(str(d.application), set);
    }
    if (!app.base) {
      const b = d.base;
      if (typeof b === "string" && b) app.base = b;
      else if (b && typeof b === "object") {
        const s = baseString(b as { name?: string; channel?: string });
        if (s) app.base = s;
      }
    }
  }
  for (const [name, app] of Object.entries(applications)) {
    app.units!.sort((a, b) => unitNumber(a.name) - unitNumber(b.name));
    app.scale = app.units!.length;
    const subs = subordinateTo.get(name);
    if (subs) app.subordinateTo = [...subs].sort();
  }
  for (const r of ctx.state.live("applicationOffer")) {
    const app = applications[str(r.current?.["application-name"])];
    if (app) app.offers = [...(app.offers ?? []), r.id];
  }
  const machines: BundleModelView["machines"] = {};
  for (const r of ctx.state.live("machine")) {
    const d = r.current ?? {};
    const m: { base?: string; annotations?: Record<string, string> } = {};
    const b = d.base;
    if (typeof b === "string" && b) m.base = b;
    const ann = annotations.get(`machine-${r.id.replaceAll("/", "-")}`);
    if (ann) m.annotations = ann;
    machines[r.id] = m;
  }
  const relations: NonNullable<BundleModelView["relations"]> = [];
  for (const r of ctx.state.live("relation")) {
    const eps = (r.current?.endpoints ?? []) as {
      "application-name": string;
      relation: { name: string };
    }[];
    if (eps.length !== 2) continue;
    const [a, b] = eps as [(typeof eps)[0], (typeof eps)[0]];
    relations.push({
      app1: a["application-name"],
      endpoint1: a.relation.name,
      app2: b["application-name"],
      endpoint2: b.relation.name,
    });
  }
  const remoteApplications: NonNullable<BundleModelView["remoteApplications"]> = {};
  for (const r of ctx.state.live("remoteApplication")) {
    const url = str(r.current?.["offer-url"]);
    remoteApplications[r.id] = url ? { url } : {};
  }
  return { applications, machines, relations, remoteApplications };
}

const unitNumber = (name: string) => Number(name.split("/")[1] ?? 0);

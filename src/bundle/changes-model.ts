/**
 * The existing model as the planner consults it (Juju's bundlechanges
 * Model): sequences for new unit and machine numbers, the inferred map
 * from bundle machines to model machines, and the lookups diffing needs.
 * @module
 */
import {
  byteCompare,
  machineContainerType,
  machineParent,
  naturalSorted,
  parseCharmURL,
  parsePlacement,
  topLevelMachine,
} from "./changes-util.js";
import type { BundleModelView, ModelApplicationView, ModelRelationView } from "./model-view.js";
import type { BundleData } from "./types.js";

/** Juju's channel normalisation: the `latest` track is implied. */
export function normaliseChannel(channel: string): string {
  return channel.startsWith("latest/") ? channel.slice("latest/".length) : channel;
}

/** Charms compare by name for Charmhub and as written otherwise. */
const charmURLCache = new Map<string, ReturnType<typeof parseCharmURL>>();

/** parseCharmURL, remembered: the diff compares every bundle charm with every model charm. */
function cachedCharmURL(url: string): ReturnType<typeof parseCharmURL> {
  if (!charmURLCache.has(url)) {
    if (charmURLCache.size > 10_000) charmURLCache.clear();
    charmURLCache.set(url, parseCharmURL(url));
  }
  return charmURLCache.get(url);
}

/** What makes two charm references the same charm (see sameCharm). */
export function charmIdentity(charm: string): string {
  const url = cachedCharmURL(charm);
  return url?.schema === "ch" ? `ch:${url.name}` : charm;
}

export function sameCharm(a: string, b: string): boolean {
  if (a === b) return true;
  const ua = cachedCharmURL(a);
  const ub = cachedCharmURL(b);
  if (!ua || !ub || ua.schema !== ub.schema) return false;
  if (ua.schema === "ch") return ua.name === ub.name;
  return false;
}

export function constraintsTerms(s: string | undefined): string {
  return (s ?? "")
    .split(/\s+/)
    .filter((t) => t !== "")
    .sort()
    .join(" ");
}

export function equalValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" || typeof b === "number")
    return Number(a) === Number(b) && a !== "" && b !== "";
  return false;
}

/** The existing model with the sequences and machine map Juju infers. */
export class ModelState {
  readonly applications: Record<string, ModelApplicationView>;
  readonly machines: Record<string, { annotations?: Record<string, string> }>;
  readonly machineMap: Record<string, string>;
  private readonly sequence = new Map<string, number>();

  constructor(readonly view: BundleModelView) {
    this.applications = view.applications ?? {};
    this.machines = view.machines ?? {};
    this.machineMap = { ...(view.machineMap ?? {}) };
    if (view.sequence) {
      for (const [k, v] of Object.entries(view.sequence)) this.sequence.set(k, v);
      return;
    }
    for (const [appName, app] of Object.entries(this.applications)) {
      for (const unit of app.units ?? []) {
        const m = /^[a-z][a-z0-9-]*\/(\d+)$/.exec(unit.name);
        if (!m) continue;
        const n = Number(m[1]);
        const key = `application-${appName}`;
        if ((this.sequence.get(key) ?? 0) <= n) this.sequence.set(key, n + 1);
      }
    }
    for (const id of Object.keys(this.machines)) {
      if (!/^\d+(?:\/[a-z]+\/\d+)*$/.test(id)) continue;
      const parts = id.split("/");
      const n = Number(parts[parts.length - 1]);
      const key =
        parts.length === 1 ? "machine" : `machine-${machineParent(id)}/${machineContainerType(id)}`;
      if ((this.sequence.get(key) ?? 0) <= n) this.sequence.set(key, n + 1);
    }
  }

  app(name: string): ModelApplicationView | undefined {
    return Object.hasOwn(this.applications, name) ? this.applications[name] : undefined;
  }

  /** Whether the model already consumes an offer under this name. */
  isRemote(name: string): boolean {
    return Object.hasOwn(this.view.remoteApplications ?? {}, name);
  }

  nextMachine(): string {
    const v = this.sequence.get("machine") ?? 0;
    this.sequence.set("machine", v + 1);
    return String(v);
  }

  nextContainer(parent: string, containerType: string): string {
    const key = `machine-${parent}/${containerType}`;
    const v = this.sequence.get(key) ?? 0;
    this.sequence.set(key, v + 1);
    return `${parent}/${containerType}/${v}`;
  }

  nextUnit(app: string): string {
    const key = `application-${app}`;
    const v = this.sequence.get(key) ?? 0;
    this.sequence.set(key, v + 1);
    return `${app}/${v}`;
  }

  /** The existing machine a bundle machine maps to. */
  bundleMachine(id: string): string | undefined {
    const mapped = this.machineMap[id];
    return mapped !== undefined && Object.hasOwn(this.machines, mapped) ? mapped : undefined;
  }

  unitMachine(app: string, index: number): string {
    const target = `${app}/${index}`;
    for (const u of this.app(app)?.units ?? []) if (u.name === target) return u.machine;
    return "";
  }

  /** Whether the relation exists; an endpoint the bundle leaves out matches any. */
  hasRelation(app1: string, ep1: string, app2: string, ep2: string): boolean {
    const match = (e: string, re: string) => e === "" || e === re;
    for (const r of this.relationsOf(app1)) {
      if (r.app1 === app1 && r.app2 === app2 && match(ep1, r.endpoint1) && match(ep2, r.endpoint2))
        return true;
      if (r.app2 === app1 && r.app1 === app2 && match(ep1, r.endpoint2) && match(ep2, r.endpoint1))
        return true;
    }
    return false;
  }

  private relationIndex: Map<string, ModelRelationView[]> | undefined;

  /** The model's relations an application takes part in (indexed once). */
  private relationsOf(app: string): ModelRelationView[] {
    if (!this.relationIndex) {
      this.relationIndex = new Map();
      for (const r of this.view.relations ?? []) {
        for (const a of r.app1 === r.app2 ? [r.app1] : [r.app1, r.app2]) {
          const list = this.relationIndex.get(a) ?? [];
          list.push(r);
          this.relationIndex.set(a, list);
        }
      }
    }
    return this.relationIndex.get(app) ?? [];
  }

  appUnitOnMachine(machine: string, appName: string, containerType: string): string {
    const mapped = this.machineMap[machine];
    const m = mapped ?? machine;
    for (const u of this.app(appName)?.units ?? []) {
      const ct = machineContainerType(u.machine);
      if (containerType === "") {
        if (ct === "" && u.machine === m) return u.name;
      } else if (ct === containerType && machineParent(u.machine) === m) {
        return u.name;
      }
    }
    return "";
  }

  unitMachinesWithoutApp(sourceApp: string, targetApp: string, container: string): string[] {
    const source = this.app(sourceApp);
    if (!source) return [];
    const machines = new Set<string>();
    for (const u of source.units ?? []) machines.add(topLevelMachine(u.machine));
    for (const u of this.app(targetApp)?.units ?? []) {
      if (container === "") machines.delete(u.machine);
      else if (machineContainerType(u.machine) === container)
        machines.delete(topLevelMachine(u.machine));
    }
    return naturalSorted(machines);
  }

  unsatisfiedPlacements(sourceApp: string, placements: string[]): string[] {
    if (!this.app(sourceApp)) return [...placements];
    const out: string[] = [];
    for (const value of placements) {
      const p = parsePlacement(value);
      if (!p) continue;
      if (p.machine === "new") out.push(value);
      else if (p.machine !== "") {
        if (this.appUnitOnMachine(p.machine, sourceApp, p.containerType) === "") out.push(value);
      } else if (p.application !== "" && p.unit < 0) out.push(value);
      else if (p.application !== "") {
        const machine = this.unitMachine(p.application, p.unit);
        if (machine === "" || this.appUnitOnMachine(machine, sourceApp, p.containerType) === "")
          out.push(value);
      }
    }
    return out;
  }

  /** Juju's InferMachineMap: bundle machines already realised by placed units. */
  inferMachineMap(bundle: BundleData): void {
    const initial = new Set(Object.values(this.machineMap));
    const appUnits = new Map<string, { name: string; machine: string }[]>();
    for (const [name, app] of Object.entries(this.applications)) {
      appUnits.set(
        name,
        (app.units ?? []).filter((u) => !initial.has(topLevelMachine(u.machine))),
      );
    }
    const markUsed = (app: string, unit: string) => {
      const units = appUnits.get(app);
      if (!units) return;
      const i = units.findIndex((u) => u.name === unit);
      if (i >= 0) units.splice(i, 1);
    };
    const appPlacements = new Map<string, string[]>();
    for (const [appName, app] of Object.entries(bundle.applications)) {
      const unused: string[] = [];
      for (const to of app.to ?? []) {
        unused.push(to);
        const p = parsePlacement(to);
        if (!p || p.machine === "") continue;
        if (Object.hasOwn(this.machineMap, p.machine)) continue;
        const unit = this.appUnitOnMachine(p.machine, appName, p.containerType);
        if (unit !== "") {
          this.machineMap[p.machine] = p.machine;
          initial.add(p.machine);
          markUsed(appName, unit);
          unused.pop();
        }
      }
      unused.sort(byteCompare);
      appPlacements.set(appName, unused);
    }
    // Which applications (in name order) place units on each bundle machine.
    const appsByMachine = new Map<string, string[]>();
    for (const appName of Object.keys(bundle.applications).sort(byteCompare)) {
      for (const to of appPlacements.get(appName) ?? []) {
        const machine = parsePlacement(to)?.machine;
        if (!machine) continue;
        const list = appsByMachine.get(machine) ?? [];
        list.push(appName);
        appsByMachine.set(machine, list);
      }
    }
    for (const id of naturalSorted(Object.keys(bundle.machines ?? {}))) {
      if (Object.hasOwn(this.machineMap, id)) continue;
      for (const appName of appsByMachine.get(id) ?? []) {
        const deployed = appUnits.get(appName) ?? [];
        const unit = deployed[0];
        if (!unit) continue;
        const machine = topLevelMachine(unit.machine);
        if (initial.has(machine)) continue;
        this.machineMap[id] = machine;
        appUnits.set(appName, deployed.slice(1));
        break;
      }
    }
  }
}

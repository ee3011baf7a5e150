/**
 * The lines `juju deploy --dry-run` prints for each bundle change (the
 * Description() methods of Juju 3.6's bundlechanges), and the dry-run text.
 * @module
 */
import { goQuote, parseCharmURL, storeLocation } from "./changes-util.js";
import type { BundlePlan } from "./types.js";

/** `upload charm mysql from charm-hub for base ubuntu@22.04/stable from channel 8.0/stable`. */
export function describeAddCharm(p: {
  charm: string;
  base: string;
  channel: string;
  revision: number | undefined;
  architecture: string;
}): string {
  const base = p.base ? ` for base ${p.base}` : "";
  let channel = "";
  if (p.revision !== undefined && p.revision >= 0) channel = ` with revision ${p.revision}`;
  else if (p.channel) channel = ` from channel ${p.channel}`;
  let name = p.charm;
  let location = "";
  const url = parseCharmURL(p.charm);
  if (url) {
    name = url.name;
    const where = storeLocation(url.schema);
    if (where) location = ` from ${where}`;
  }
  const arch = p.architecture ? ` with architecture=${p.architecture}` : "";
  return `upload charm ${name}${location}${base}${channel}${arch}`;
}

/** `deploy application wordpress from charm-hub on ubuntu@22.04/stable with stable`. */
export function describeDeploy(p: {
  application: string;
  charmURL: string;
  numUnits: number;
  base: string;
  channel: string;
}): string {
  const base = p.base ? ` on ${p.base}` : "";
  const channel = p.channel ? ` with ${p.channel}` : "";
  const units = p.numUnits > 0 ? ` with ${p.numUnits} unit${p.numUnits > 1 ? "s" : ""}` : "";
  let location = "";
  let using = "";
  const url = parseCharmURL(p.charmURL);
  if (url) {
    const where = storeLocation(url.schema);
    if (where) location = ` from ${where}`;
    if (p.application !== url.name) using = ` using ${url.name}`;
  }
  return `deploy application ${p.application}${location}${units}${base}${channel}${using}`;
}

/** `upgrade mysql from charm-hub using charm mysql for base … from channel …`. */
export function describeUpgradeCharm(p: {
  application: string;
  charmURL: string;
  base: string;
  channel: string;
}): string {
  const base = p.base ? ` for base ${p.base}` : "";
  const channel = p.channel ? ` from channel ${p.channel}` : "";
  let name = p.charmURL;
  let location = "";
  const url = parseCharmURL(p.charmURL);
  if (url) {
    name = url.name;
    const where = storeLocation(url.schema);
    if (where) location = ` from ${where} `;
  }
  return `upgrade ${p.application}${location}using charm ${name}${base}${channel}`;
}

/** `add new machine 0`, `add lxd container 0/lxd/0 on new machine 0`. */
export function describeAddMachine(p: {
  existing: boolean;
  machineID: string;
  bundleMachineID: string;
  containerType: string;
  containerMachineID: string;
}): string {
  let machine = `${p.existing ? "existing machine" : "new machine"} ${p.machineID}`;
  if (p.bundleMachineID !== "" && p.bundleMachineID !== p.machineID) {
    machine += ` (bundle machine ${p.bundleMachineID})`;
  }
  if (p.containerType !== "") {
    machine = `${p.containerType} container ${p.containerMachineID} on ${machine}`;
  }
  return `add ${machine}`;
}

/** `add unit django/0 to new machine 0`. */
export function describeAddUnit(p: {
  unitName: string;
  baseMachine: string;
  placementDescription: string;
  directive: string;
}): string {
  let placement = "new machine";
  if (p.baseMachine !== "") placement += ` ${p.baseMachine}`;
  if (p.placementDescription !== "") placement = p.placementDescription;
  if (p.directive !== "") placement += ` to satisfy [${p.directive}]`;
  return `add unit ${p.unitName} to ${placement}`;
}

/** Expose settings of one endpoint, as the planner holds them. */
export interface ExposeSettings {
  spaces: string[];
  cidrs: string[];
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

/**
 * The expose lines: one per group of endpoints sharing the same settings,
 * the wildcard ("") group apart, ordered by first endpoint name.
 */
export function describeExpose(
  appName: string,
  endpoints: Record<string, ExposeSettings> | undefined,
): string[] {
  if (!endpoints || Object.keys(endpoints).length === 0) {
    return [`expose all endpoints of ${appName} and allow access from CIDRs 0.0.0.0/0 and ::/0`];
  }
  const groups: { names: string[]; settings: ExposeSettings }[] = [];
  for (const [name, settings] of Object.entries(endpoints)) {
    if (name === "") continue;
    const group = groups.find(
      (g) =>
        sameSet(g.settings.spaces, settings.spaces) && sameSet(g.settings.cidrs, settings.cidrs),
    );
    if (group) group.names.push(name);
    else groups.push({ names: [name], settings });
  }
  const wildcard = endpoints[""];
  if (wildcard) groups.push({ names: [""], settings: wildcard });
  for (const g of groups) g.names.sort();
  groups.sort((a, b) => ((a.names[0] as string) < (b.names[0] as string) ? -1 : 1));
  return groups.map((g) => {
    let line =
      g.names[0] === ""
        ? "expose all endpoints"
        : `override expose settings for endpoint${g.names.length > 1 ? "s" : ""} ${g.names.join(",")}`;
    line += ` of ${appName} and allow access from `;
    const spaces = [...g.settings.spaces].sort();
    const cidrs = [...g.settings.cidrs].sort();
    if (spaces.length + cidrs.length === 0) return `${line}CIDRs 0.0.0.0/0 and ::/0`;
    if (spaces.length) line += `space${spaces.length > 1 ? "s" : ""} ${spaces.join(",")}`;
    if (spaces.length && cidrs.length) line += " and ";
    if (cidrs.length) line += `CIDR${cidrs.length > 1 ? "s" : ""} ${cidrs.join(",")}`;
    return line;
  });
}

/** `set constraints for mysql to "mem=4G"`. */
export function describeSetConstraints(application: string, constraints: string): string {
  return `set constraints for ${application} to ${goQuote(constraints)}`;
}

/**
 * The text `juju deploy --dry-run` prints for a plan: a header and one
 * `- ` line per description line, or Juju's message when there is nothing
 * to do.
 */
export function formatDryRun(plan: BundlePlan): string[] {
  if (plan.changes.length === 0) return ["No changes to apply."];
  const out = ["Changes to deploy bundle:"];
  for (const change of plan.changes) {
    for (const line of change.description.split("\n")) out.push(`- ${line}`);
  }
  return out;
}

/**
 * Bundle verification as Juju 3.6 does it before deploying
 * (charm.BundleData.Verify plus the CLI's series/base and image-id checks),
 * without charms: placements, machines, relations, SAAS, offers, storage,
 * devices, constraints, expose, resources, charm URLs, Kubernetes rules.
 * Messages are Juju's; each problem also names its YAML path.
 * @module
 */
import { parseConstraints } from "../parse/constraints.js";
import { parseDeviceConstraint } from "../parse/devices.js";
import { ParseError } from "../parse/errors.js";
import { childPath, type DecodedBundle } from "./decode.js";
import type { BundleProblem } from "./errors.js";
import { parseBaseString, seriesForBase } from "./series.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const q = (s: string) => JSON.stringify(s);
/** Go's %q of a []string: `["a" "b"]`. */
const qList = (l: readonly string[]) => `[${l.map(q).join(" ")}]`;

// juju/names v5 snippets.
const NUMBER = "(?:0|[1-9][0-9]*)";
const APPLICATION = "(?:[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)";
const RELATION = "[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*";
const VALID_MACHINE_ID = new RegExp(`^${NUMBER}$`);
const VALID_APPLICATION = new RegExp(`^${APPLICATION}$`);
const VALID_STORAGE_NAME = new RegExp(`^${APPLICATION}$`);
const VALID_DEVICE_NAME = /^(?:[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)$/;
const VALID_OFFER_ENDPOINT = new RegExp(`^${RELATION}$`);
const VALID_APP_RELATION = new RegExp(`^(${APPLICATION}):(${RELATION})$`);
const VALID_PLACEMENT = new RegExp(
  `^(?:([a-z]+):)?(?:(${APPLICATION})(?:/(${NUMBER}))?|(${NUMBER}))$`,
);
const VALID_SERIES = /^[a-z]+([a-z0-9]+)?$/;
const VALID_ARCH = /^[a-z]+([a-z0-9]+)?$/;
const SUPPORTED_ARCHES = ["amd64", "arm64", "ppc64el", "s390x", "riscv64"];
const VALID_CHARM_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$/;
// Container types a machine can host (instance.ParseContainerType).
const CONTAINER_TYPES = ["lxd", "kvm"];

/** A unit placement directive (`lxd:mysql/1`), as charm.ParsePlacement splits it. */
export interface UnitPlacement {
  /** `lxd`, `kvm`, or "" for no container. */
  containerType: string;
  /** A machine id, `new`, or "" when the placement names an application. */
  machine: string;
  /** The application placed next to, or "". */
  application: string;
  /** The unit number of `application`, or -1 when unspecified. */
  unit: number;
}

/** Parses one `to:` entry as Juju's charm.ParsePlacement does; an error message for a bad one. */
export function parseUnitPlacement(p: string):
  | UnitPlacement
  | {
      /** Why the text did not parse. */
      error: string;
    } {
  const m = VALID_PLACEMENT.exec(p);
  if (!m) return { error: `invalid placement syntax ${q(p)}` };
  const up: UnitPlacement = {
    containerType: m[1] ?? "",
    application: m[2] ?? "",
    machine: m[4] ?? "",
    unit: m[3] !== undefined ? Number(m[3]) : -1,
  };
  if (up.application === "new") {
    if (up.unit !== -1) return { error: `invalid placement syntax ${q(p)}` };
    up.machine = "new";
    up.application = "";
  }
  return up;
}

/** A charm URL (`ch:amd64/jammy/mysql-3`) split as Juju's charm.ParseURL does. */
export interface CharmURL {
  /** `ch` (Charmhub), `local`, or the retired charm store's `cs` (legacy bundles). */
  schema: "ch" | "local" | "cs";
  /** The charm name. */
  name: string;
  /** -1 when the URL has no revision. */
  revision: number;
  /** The series, `""` when the URL has none. */
  series: string;
  /** The architecture, `""` when the URL has none. */
  architecture: string;
}

function extractRevision(nameRev: string): [string, number] {
  const m = /^(.+?)-(\d+)$/.exec(nameRev);
  return m ? [m[1] as string, Number(m[2])] : [nameRev, -1];
}

/** The string form Juju prints for a charm URL (`ch:amd64/jammy/mysql-3`). */
export function formatCharmURL(u: CharmURL): string {
  const parts = [u.architecture, u.series].filter((s) => s !== "");
  parts.push(u.revision >= 0 ? `${u.name}-${u.revision}` : u.name);
  return `${u.schema}:${parts.join("/")}`;
}

/** Parses a charm URL as Juju's charm.ParseURL does; an error message for a bad one. */
export function parseCharmURL(url: string):
  | CharmURL
  | {
      /** Why the text did not parse. */
      error: string;
    } {
  const fail = (error: string) => ({ error });
  // net/url.Parse: a scheme is letters, digits, + - . after a leading letter.
  const sm = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (url.startsWith(":")) return fail(`cannot parse charm or bundle URL: ${q(url)}`);
  let scheme = "";
  let rest = url;
  if (sm) {
    scheme = (sm[1] as string).toLowerCase();
    rest = url.slice(sm[0].length);
  } else {
    const firstSeg = url.split("/")[0] as string;
    if (firstSeg.includes(":")) return fail(`cannot parse charm or bundle URL: ${q(url)}`);
  }
  if ([...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return fail(`cannot parse charm or bundle URL: ${q(url)}`);
  if (
    rest.includes("?") ||
    rest.includes("#") ||
    (rest.startsWith("//") && rest.slice(2).split("/")[0]?.includes("@"))
  ) {
    return fail(`charm or bundle URL ${q(url)} has unrecognized parts`);
  }
  const opaque = scheme !== "" && !rest.startsWith("/");
  if (scheme === "ch" || scheme === "") {
    const parts = rest.replace(/^\/+|\/+$/g, "").split("/");
    if (parts.length > 3) return fail(`charm or bundle URL ${q(url)} malformed`);
    if ((parts[0] as string).startsWith("~")) {
      return fail(`charmhub charm or bundle URL with user name: ${q(url)} not valid`);
    }
    const u: CharmURL = { schema: "ch", name: "", revision: -1, series: "", architecture: "" };
    let nameRev: string;
    const isArch = (a: string) => VALID_ARCH.test(a) && SUPPORTED_ARCHES.includes(a);
    if (parts.length === 3) {
      [u.architecture, u.series, nameRev] = parts as [string, string, string];
      if (!isArch(u.architecture))
        return fail(`in URL ${q(url)}: architecture name ${q(u.architecture)} not valid`);
    } else if (parts.length === 2) {
      if (isArch(parts[0] as string)) [u.architecture, nameRev] = parts as [string, string];
      else [u.series, nameRev] = parts as [string, string];
    } else {
      nameRev = parts[0] as string;
    }
    [u.name, u.revision] = extractRevision(nameRev);
    if (!VALID_CHARM_NAME.test(u.name)) {
      return fail(
        `cannot parse name and/or revision in URL ${q(url)}: name ${q(u.name)} not valid`,
      );
    }
    if (u.series !== "" && !VALID_SERIES.test(u.series)) {
      return fail(`in URL ${q(url)}: series name ${q(u.series)} not valid`);
    }
    return u;
  }
  if (!opaque) return fail(`expected schema for charm or bundle URL: ${q(url)}`);
  if (scheme === "cs") return parseCharmStoreURL(url, rest);
  if (scheme !== "local") return fail(`cannot parse URL ${q(url)}: schema ${q(scheme)} not valid`);
  const parts = rest.split("/");
  if (parts.length > 2) return fail(`charm or bundle URL has invalid form: ${q(url)}`);
  if ((parts[0] as string).startsWith("~"))
    return fail(`local charm or bundle URL with user name: ${q(url)}`);
  const u: CharmURL = { schema: "local", name: "", revision: -1, series: "", architecture: "" };
  if (parts.length === 2) {
    u.series = parts[0] as string;
    if (!VALID_SERIES.test(u.series))
      return fail(`cannot parse URL ${q(url)}: series name ${q(u.series)} not valid`);
  }
  [u.name, u.revision] = extractRevision(parts[parts.length - 1] as string);
  if (!VALID_CHARM_NAME.test(u.name))
    return fail(`cannot parse URL ${q(url)}: name ${q(u.name)} not valid`);
  return u;
}

/**
 * A retired charm store URL (`cs:[~user/][series/]name[-rev]`), read as Juju
 * 2.9 read it so that legacy bundles still parse; deploying one needs a
 * Charmhub equivalent.
 */
function parseCharmStoreURL(url: string, path: string): CharmURL | { error: string } {
  const parts = path.split("/");
  if (parts[0]?.startsWith("~")) {
    const user = parts.shift()?.slice(1) ?? "";
    if (!VALID_USER.test(user))
      return { error: `charm or bundle URL has invalid user name: ${q(url)}` };
  }
  if (parts.length < 1 || parts.length > 2)
    return { error: `charm or bundle URL has invalid form: ${q(url)}` };
  const u: CharmURL = { schema: "cs", name: "", revision: -1, series: "", architecture: "" };
  if (parts.length === 2) {
    u.series = parts[0] as string;
    if (!VALID_SERIES.test(u.series))
      return { error: `charm or bundle URL has invalid series: ${q(url)}` };
  }
  [u.name, u.revision] = extractRevision(parts[parts.length - 1] as string);
  if (!VALID_CHARM_NAME.test(u.name))
    return { error: `URL has invalid charm or bundle name: ${q(url)}` };
  return u;
}

/** True for a charm given as a local path (`./mysql`, `/srv/charms/mysql`), as Juju tells them apart. */
export function isLocalCharmPath(charm: string): boolean {
  return charm.startsWith(".") || charm.startsWith("/") || /^[A-Za-z]:[\\/]/.test(charm);
}

// Juju's charm.IsValidOfferURL (names.IsValidUser / IsValidModelName / IsValidApplication).
const USER_NAME = "[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]";
const VALID_USER = new RegExp(`^${USER_NAME}(?:@${USER_NAME})?$`);
const VALID_MODEL = /^[a-z0-9]+[a-z0-9-]*$/;

/** True when `url` is a valid offer URL (`[controller:][user/]model.application`). */
export function isValidOfferURL(url: string): boolean {
  if (url.startsWith(":")) return false;
  let rest = url;
  const colon = url.split(":");
  if (colon.length === 3) rest = `${colon[1]}:${colon[2]}`;
  else if (colon.length === 2 && !/^[a-zA-Z0-9]+$/.test(colon[1] as string))
    rest = colon[1] as string;
  const m = /^\/?(?:([^/]+)\/)?([^.]*)(?:\.([^:]*(?::.*)?))?$/.exec(rest);
  if (!m) return false;
  const user = m[1] ?? "";
  const model = m[2] ?? "";
  const application = m[3] ?? "";
  if (model.includes("/") || application.includes("/")) return false;
  if (model === "" || application === "") return false;
  const appName = application.split(":")[0] as string;
  if (user !== "" && !VALID_USER.test(user)) return false;
  if (!VALID_MODEL.test(model)) return false;
  return appName === "" || VALID_APPLICATION.test(appName);
}

/** Go's net.ParseCIDR, as a yes/no. */
export function isValidCIDR(cidr: string): boolean {
  const slash = cidr.indexOf("/");
  if (slash < 0) return false;
  const ip = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (isIPv4(ip)) return n <= 32;
  return isIPv6(ip) && n <= 128;
}

function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (s === "") return false;
  let body = s;
  let extra = 0;
  const lastColon = body.lastIndexOf(":");
  if (lastColon >= 0 && body.slice(lastColon + 1).includes(".")) {
    if (!isIPv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    extra = 1;
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = all.length + extra;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Juju's storage.ParseConstraints (`pool,count,size`); an error message for a bad one. */
export function storageDirectiveError(s: string): string | undefined {
  let pool = "";
  let count = 0;
  let size = 0;
  for (const field of s.split(",")) {
    if (field === "") continue;
    if (/^[a-zA-Z]+[-?a-zA-Z0-9]*$/.test(field)) {
      if (pool !== "")
        return `pool name is already set to ${q(pool)}, new value ${q(field)} not valid`;
      pool = field;
      continue;
    }
    if (/^-?[0-9]+$/.test(field)) {
      const n = Number(field);
      if (field.startsWith("-") || n <= 0) {
        return `cannot parse count: count must be greater than zero, got ${q(field)}`;
      }
      count = n;
      continue;
    }
    if (/^-?[0-9]+(?:\.[0-9]+)?[MGTPEZY](?:i?B)?$/.test(field)) {
      if (field.startsWith("-"))
        return `cannot parse size: expected a non-negative number, got ${q(field.replace(/[MGTPEZY](?:i?B)?$/, ""))}`;
      size = Number.parseFloat(field);
      continue;
    }
    return `unrecognized storage constraint ${q(field)} not valid`;
  }
  if (count === 0 && size === 0 && pool === "") {
    return "storage constraints require at least one field to be specified";
  }
  return undefined;
}

/** Juju's devices.ParseConstraints (`[<count>,]<device-class>[,<key>=<value>;...]`); an error message for a bad one. */
export function deviceDirectiveError(s: string): string | undefined {
  const parsed = parseDeviceConstraint(s);
  return "error" in parsed ? parsed.error : undefined;
}

/** Juju's keyvalues.Parse of a Kubernetes placement (`key=value,…`); an error message for a bad one. */
function keyValuesError(items: string[]): string | undefined {
  const seen = new Set<string>();
  for (const kv of items) {
    const eq = kv.indexOf("=");
    if (eq < 0) return `expected "key=value", got ${q(kv)}`;
    const key = kv.slice(0, eq).trim();
    const value = kv.slice(eq + 1).trim();
    if (key === "" || value === "") return `expected "key=value", got "${key}=${value}"`;
    if (seen.has(key)) return `key ${q(key)} specified more than once`;
    seen.add(key);
  }
  return undefined;
}

function constraintsError(c: string, base: boolean): string | undefined {
  try {
    const parsed = parseConstraints(c);
    if (base && parsed["image-id"] !== undefined)
      return "'image-id' constraint in a base bundle not supported";
    return undefined;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const prefix = `invalid constraints ${q(e.input)}: `;
    return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  }
}

/** Options of {@link verifyBundle}. */
export interface VerifyOptions {
  /**
   * Verifying the base bundle alone (before overlays): Juju then also refuses
   * an `image-id` constraint.
   */
  baseBundle?: boolean;
  /**
   * Check that a series and a base given together name the same release
   * (the Juju CLI does; the controller does not). Default true.
   */
  seriesBaseMatch?: boolean;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/**
 * Verifies decoded bundle data as Juju does and returns every problem (empty
 * when valid). Order: series/base agreement, bundle type, SAAS, machines,
 * applications, relations, unreferenced machines.
 */
export function verifyBundle(bd: DecodedBundle, opts: VerifyOptions = {}): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const type = str(bd.bundle);
  const kubernetes = type === "kubernetes";
  const apps: Obj = isObj(bd.applications) ? bd.applications : {};
  const saas: Obj = isObj(bd.saas) ? bd.saas : {};
  let machines: Obj = isObj(bd.machines) ? bd.machines : {};
  const refCounts = new Map<string, number>();

  if (opts.seriesBaseMatch !== false) verifySeriesBases(bd, add);

  if (type !== "" && !kubernetes) add("bundle", `bundle has an invalid type ${q(type)}`);
  if (kubernetes) {
    if (Object.keys(machines).length > 0)
      add("machines", "bundle machines not valid for Kubernetes bundles");
    machines = {};
  }
  for (const id of Object.keys(machines)) refCounts.set(id, 0);
  const series = str(bd.series);
  if (series !== "" && !VALID_SERIES.test(series))
    add("series", `bundle declares an invalid series ${q(series)}`);
  const defaultBase = str(bd["default-base"]);
  if (defaultBase !== "" && "error" in parseBaseString(defaultBase)) {
    add("default-base", `bundle declares an invalid base ${q(defaultBase)}`);
  }

  // SAAS.
  for (const [name, spec] of Object.entries(saas)) {
    const path = childPath("saas", name);
    if (Object.hasOwn(apps, name))
      add(path, `application ${q(name)} already exists with SAAS ${q(name)} name`);
    if (!VALID_APPLICATION.test(name)) add(path, `invalid SAAS name ${q(name)} found`);
    if (!isObj(spec)) continue;
    const url = str(spec.url);
    if (url !== "" && !isValidOfferURL(url))
      add(childPath(path, "url"), `invalid offer URL ${q(url)} for SAAS ${name}`);
  }

  // Machines.
  for (const [id, m] of Object.entries(machines)) {
    const path = childPath("machines", id);
    if (!VALID_MACHINE_ID.test(id)) add(path, `invalid machine id ${q(id)} found in machines`);
    if (!isObj(m)) continue;
    const cons = str(m.constraints);
    if (cons !== "") {
      const err = constraintsError(cons, opts.baseBundle === true);
      if (err)
        add(
          childPath(path, "constraints"),
          `invalid constraints ${q(cons)} in machine ${q(id)}: ${err}`,
        );
    }
    const ms = str(m.series);
    if (ms !== "" && !VALID_SERIES.test(ms))
      add(childPath(path, "series"), `invalid series ${q(ms)} for machine ${q(id)}`);
    const mb = str(m.base);
    if (mb !== "" && "error" in parseBaseString(mb))
      add(childPath(path, "base"), `invalid base ${q(mb)} for machine ${q(id)}`);
  }

  // Applications.
  if (Object.keys(apps).length === 0)
    add("applications", "at least one application must be specified");
  for (const [name, app] of Object.entries(apps)) {
    const path = childPath("applications", name);
    if (!isObj(app)) {
      add(path, `bundle application for key ${q(name)} is undefined`);
      continue;
    }
    verifyApplication(name, app, path, { apps, saas, machines, refCounts, kubernetes, opts, add });
  }

  verifyRelations(bd.relations, apps, saas, add);

  for (const [id, count] of refCounts) {
    if (count === 0)
      add(
        childPath("machines", id),
        `machine ${q(id)} is not referred to by a placement directive`,
      );
  }
  return problems;
}

interface AppContext {
  apps: Obj;
  saas: Obj;
  machines: Obj;
  refCounts: Map<string, number>;
  kubernetes: boolean;
  opts: VerifyOptions;
  add: (path: string, message: string) => void;
}

function verifyApplication(name: string, app: Obj, path: string, ctx: AppContext): void {
  const { add } = ctx;
  const charm = str(app.charm);
  const charmPath = childPath(path, "charm");
  if (charm === "") add(charmPath, "empty charm path");
  if (Object.hasOwn(ctx.saas, name))
    add(path, `SAAS ${q(name)} already exists with application ${q(name)} name`);
  let curl: CharmURL | undefined;
  if (charm !== "" && !isLocalCharmPath(charm)) {
    const parsed = parseCharmURL(charm);
    if ("error" in parsed)
      add(charmPath, `invalid charm URL in application ${q(name)}: ${parsed.error}`);
    else curl = parsed;
  }
  const channel = str(app.channel);
  if (curl) {
    if (curl.schema === "ch" && curl.revision !== -1) {
      add(charmPath, `cannot specify revision in ${q(formatCharmURL(curl))}, please use revision`);
    }
    if (typeof app.revision === "number") {
      if (curl.schema === "ch" && channel === "") {
        add(
          childPath(path, "revision"),
          `application ${q(name)} with a revision requires a channel for future upgrades, please use channel`,
        );
      }
      if (app.revision < 0)
        add(
          childPath(path, "revision"),
          `the revision for application ${q(name)} must be zero or greater`,
        );
    }
  }
  const series = str(app.series);
  if (curl && curl.series !== "" && series !== "" && curl.series !== series) {
    add(
      childPath(path, "series"),
      `the charm URL for application ${q(name)} has a series which does not match, please remove the series from the URL`,
    );
  }
  if (series !== "" && !VALID_SERIES.test(series)) {
    add(
      childPath(path, "series"),
      `application ${q(name)} declares an invalid series ${q(series)}`,
    );
  }
  const base = str(app.base);
  if (base !== "" && "error" in parseBaseString(base)) {
    add(childPath(path, "base"), `application ${q(name)} declares an invalid base ${q(base)}`);
  }
  const cons = str(app.constraints);
  const consErr = cons === "" ? undefined : constraintsError(cons, ctx.opts.baseBundle === true);
  if (consErr)
    add(
      childPath(path, "constraints"),
      `invalid constraints ${q(cons)} in application ${q(name)}: ${consErr}`,
    );

  for (const [storageName, directive] of Object.entries(isObj(app.storage) ? app.storage : {})) {
    const p = childPath(childPath(path, "storage"), storageName);
    if (!VALID_STORAGE_NAME.test(storageName))
      add(p, `invalid storage name ${q(storageName)} in application ${q(name)}`);
    const err = storageDirectiveError(str(directive));
    if (err) add(p, `invalid storage ${q(storageName)} in application ${q(name)}: ${err}`);
  }
  for (const [deviceName, directive] of Object.entries(isObj(app.devices) ? app.devices : {})) {
    const p = childPath(childPath(path, "devices"), deviceName);
    if (!VALID_DEVICE_NAME.test(deviceName))
      add(p, `invalid device name ${q(deviceName)} in application ${q(name)}`);
    const err = deviceDirectiveError(str(directive));
    if (err) add(p, `invalid device ${q(deviceName)} in application ${q(name)}: ${err}`);
  }
  for (const [offerName, spec] of Object.entries(isObj(app.offers) ? app.offers : {})) {
    const p = childPath(childPath(path, "offers"), offerName);
    if (!VALID_APPLICATION.test(offerName))
      add(p, `invalid offer name ${q(offerName)} in application ${q(name)}`);
    if (!isObj(spec)) continue;
    strList(spec.endpoints).forEach((ep, i) => {
      if (!VALID_OFFER_ENDPOINT.test(ep)) {
        add(
          `${childPath(p, "endpoints")}[${i}]`,
          `invalid endpoint name ${q(ep)} for offer ${q(offerName)} in application ${q(name)}`,
        );
      }
    });
  }
  for (const [resName, rev] of Object.entries(isObj(app.resources) ? app.resources : {})) {
    const p = childPath(childPath(path, "resources"), resName);
    if (resName === "") add(p, `missing resource name on application ${q(name)}`);
    const isInt = typeof rev === "number" && Number.isInteger(rev);
    // Juju's message names the application, not the resource.
    if (!isInt && typeof rev !== "string")
      add(p, `resource revision ${q(name)} is not int or string`);
  }
  const numUnits = num(app.num_units);
  if (numUnits < 0)
    add(
      childPath(path, "num_units"),
      `negative number of units specified on application ${q(name)}`,
    );
  const to = Array.isArray(app.to) ? (app.to as unknown[]) : [];
  if (ctx.kubernetes) verifyKubernetesPlacement(name, to, path, add);
  else verifyPlacement(name, numUnits, to, path, ctx);

  const exposed = isObj(app["exposed-endpoints"]) ? (app["exposed-endpoints"] as Obj) : {};
  if (Object.keys(exposed).length > 0) {
    if (app.expose === true) {
      add(
        childPath(path, "exposed-endpoints"),
        `exposed-endpoints cannot be specified together with "exposed:true" in application ${q(name)} as this poses a security risk when deploying bundles to older controllers`,
      );
    } else {
      for (const [ep, details] of Object.entries(exposed)) {
        if (!isObj(details)) continue;
        const p = childPath(childPath(childPath(path, "exposed-endpoints"), ep), "expose-to-cidrs");
        strList(details["expose-to-cidrs"]).forEach((cidr, i) => {
          if (!isValidCIDR(cidr)) {
            add(
              `${p}[${i}]`,
              `invalid CIDR ${q(cidr)} for expose to CIDRs field for endpoint ${q(ep)} in application ${q(name)}`,
            );
          }
        });
      }
    }
  }
}

function verifyPlacement(
  name: string,
  numUnits: number,
  to: unknown[],
  path: string,
  ctx: AppContext,
): void {
  const { add } = ctx;
  const toPath = childPath(path, "to");
  if (numUnits >= 0 && to.length > numUnits) {
    add(toPath, `too many units specified in unit placement for application ${q(name)}`);
  }
  to.forEach((entry, i) => {
    const p = str(entry);
    const at = `${toPath}[${i}]`;
    const up = parseUnitPlacement(p);
    if ("error" in up) {
      add(at, up.error);
      return;
    }
    // Juju checks the container type only when it adds the machine.
    if (up.containerType !== "" && !CONTAINER_TYPES.includes(up.containerType)) {
      add(at, `invalid container type ${q(up.containerType)}`);
    }
    if (up.application !== "") {
      if (!Object.hasOwn(ctx.apps, up.application)) {
        add(at, `placement ${q(p)} refers to an application not defined in this bundle`);
        return;
      }
      const target = ctx.apps[up.application];
      const targetUnits = isObj(target) ? num(target.num_units) : 0;
      if (up.unit >= 0 && up.unit >= targetUnits) {
        add(
          at,
          `placement ${q(p)} specifies a unit greater than the ${targetUnits} unit(s) started by the target application`,
        );
      }
      return;
    }
    if (up.machine === "new") return;
    if (!Object.hasOwn(ctx.machines, up.machine)) {
      add(at, `placement ${q(p)} refers to a machine not defined in this bundle`);
      return;
    }
    ctx.refCounts.set(up.machine, (ctx.refCounts.get(up.machine) ?? 0) + 1);
  });
}

function verifyKubernetesPlacement(
  name: string,
  to: unknown[],
  path: string,
  add: (path: string, message: string) => void,
): void {
  if (to.length > 1) {
    add(childPath(path, "to"), `too many placement directives for application ${q(name)}`);
    return;
  }
  if (to.length === 0) return;
  const err = keyValuesError(str(to[0]).split(","));
  if (err) add(`${childPath(path, "to")}[0]`, `${err} for application ${q(name)}`);
}

function verifyRelations(
  relations: unknown,
  apps: Obj,
  saas: Obj,
  add: (path: string, message: string) => void,
): void {
  if (!Array.isArray(relations)) return;
  const seen = new Set<string>();
  relations.forEach((rel, i) => {
    const path = `relations[${i}]`;
    const pair = strList(rel);
    if (pair.length !== 2) {
      add(path, `relation ${qList(pair)} has ${pair.length} endpoint(s), not 2`);
      return;
    }
    const eps: { application: string; relation: string }[] = [];
    let parseErr = false;
    pair.forEach((ep, j) => {
      const m = VALID_APP_RELATION.exec(ep);
      let parsed: { application: string; relation: string } | undefined;
      if (m) parsed = { application: m[1] as string, relation: m[2] as string };
      else if (VALID_APPLICATION.test(ep)) parsed = { application: ep, relation: "" };
      if (!parsed) {
        add(`${path}[${j}]`, `invalid relation syntax ${q(ep)}`);
        parseErr = true;
        return;
      }
      const foundApp = Object.hasOwn(apps, parsed.application);
      const foundSaas = Object.hasOwn(saas, parsed.application);
      if (!foundApp && !foundSaas) {
        add(
          `${path}[${j}]`,
          `relation ${qList(pair)} refers to application ${q(parsed.application)} not defined in this bundle`,
        );
      }
      if (foundApp && foundSaas) {
        add(
          `${path}[${j}]`,
          `ambiguous relation ${q(parsed.application)} refers to a application and a SAAS in this bundle`,
        );
      }
      eps.push(parsed);
    });
    if (parseErr) return;
    const [a, b] = eps as [
      { application: string; relation: string },
      { application: string; relation: string },
    ];
    if (a.application === b.application)
      add(path, `relation ${qList(pair)} relates an application to itself`);
    const key = [a, b]
      .map((e) => `${e.application}:${e.relation}`)
      .sort()
      .join(" ");
    if (seen.has(key)) add(path, `relation ${qList(pair)} is defined more than once`);
    seen.add(key);
  });
}

/** The Juju CLI's check that a series and a base given together name the same release. */
function verifySeriesBases(bd: DecodedBundle, add: (path: string, message: string) => void): void {
  const mismatch = (series: string, base: string): string | undefined => {
    // An unparsable base is reported by the base check itself.
    if ("error" in parseBaseString(base)) return undefined;
    const s = seriesForBase(base);
    if (s === undefined) return `series for base ${q(base)} not found`;
    return s === series ? undefined : "";
  };
  const series = str(bd.series);
  const defaultBase = str(bd["default-base"]);
  if (series !== "" && defaultBase !== "") {
    const m = mismatch(series, defaultBase);
    if (m !== undefined) {
      add(
        "series",
        m || `bundle series ${q(series)} and base ${q(defaultBase)} must match if both supplied`,
      );
    }
  }
  for (const [id, m] of Object.entries(isObj(bd.machines) ? bd.machines : {})) {
    if (!isObj(m) || str(m.series) === "" || str(m.base) === "") continue;
    const e = mismatch(str(m.series), str(m.base));
    if (e !== undefined) {
      add(
        childPath(childPath("machines", id), "series"),
        e ||
          `machine ${q(id)} series ${q(str(m.series))} and base ${q(str(m.base))} must match if both supplied`,
      );
    }
  }
  for (const [name, app] of Object.entries(isObj(bd.applications) ? bd.applications : {})) {
    if (!isObj(app) || str(app.series) === "" || str(app.base) === "") continue;
    const e = mismatch(str(app.series), str(app.base));
    if (e !== undefined) {
      add(
        childPath(childPath("applications", name), "series"),
        e ||
          `application ${q(name)} series ${q(str(app.series))} and base ${q(str(app.base))} must match if both supplied`,
      );
    }
  }
}

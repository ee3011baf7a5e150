/**
 * Charmhub references, channels and origins, and resolving a charm the
 * way the Juju 3.6 CLI does: `Charms.ResolveCharms`, base selection,
 * `Charms.AddCharm`.
 * @module
 */
import type { Charms } from "../../facades/generated/index.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import { name as nonEmptyName, str } from "../arg-check.js";
import { CharmIsBundleError } from "../bundle-errors.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { type Base, formatBase, sameBase, trackOf } from "./bases.js";
import { single, siteOf } from "./common.js";

/** A charm channel: `[track/]risk[/branch]`. */
export interface Channel {
  /** The track, e.g. `8.0`; none for the default track. */
  track?: string;
  /** `stable`, `candidate`, `beta` or `edge`. */
  risk: string;
  /** A branch of the risk, if any. */
  branch?: string;
}

const RISKS = ["stable", "candidate", "beta", "edge"];

/**
 * Parses a channel as Juju's `charm.ParseChannelNormalize`: `edge`,
 * `8.0/edge`, `8.0` (risk stable), `latest/stable/hotfix`; the `latest`
 * track is dropped.
 */
export function parseChannel(s: string, argument = "channel"): Channel {
  str(s, argument);
  const parts = s.split("/");
  const bad = (why: string): never => {
    throw new InvalidArgumentError(argument, `invalid channel ${JSON.stringify(s)}: ${why}`);
  };
  if (parts.some((p) => p === "")) bad("empty part");
  let ch: Channel;
  if (parts.length === 1) {
    const [p] = parts as [string];
    ch = RISKS.includes(p) ? { risk: p } : { track: p, risk: "stable" };
  } else if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    if (RISKS.includes(a)) ch = { risk: a, branch: b };
    else if (RISKS.includes(b)) ch = { track: a, risk: b };
    else return bad(`risk must be one of ${RISKS.join(", ")}`);
  } else if (parts.length === 3) {
    const [a, b, c] = parts as [string, string, string];
    if (!RISKS.includes(b)) return bad(`risk must be one of ${RISKS.join(", ")}`);
    ch = { track: a, risk: b, branch: c };
  } else return bad("too many parts");
  if (ch.track === "latest") delete ch.track;
  return ch;
}

/** `8.0/stable`, `edge`, `stable/hotfix`. */
export function formatChannel(c: Channel): string {
  return [c.track, c.risk, c.branch].filter((p) => p !== undefined).join("/");
}

/**
 * The charm name of a Charmhub reference: `mysql`, `ch:mysql`,
 * `ch:amd64/jammy/mysql-58`. Local charms and the retired charm store
 * throw {@link NotSupportedError}.
 */
export function charmNameOf(reference: string): string {
  nonEmptyName(reference, "charm");
  let ref = reference;
  if (ref.startsWith("cs:")) {
    throw new NotSupportedError(
      `deploy(${JSON.stringify(reference)})`,
      "the charm store (cs:) was shut down; use a Charmhub name",
    );
  }
  if (
    ref.startsWith("local:") ||
    ref.startsWith(".") ||
    ref.startsWith("/") ||
    ref.startsWith("~")
  ) {
    throw new NotSupportedError(
      `deploy(${JSON.stringify(reference)})`,
      "local charms need an HTTPS upload of the archive (addLocalCharm), which this version does not do",
    );
  }
  if (ref.startsWith("ch:")) ref = ref.slice(3);
  const name = ref.split("/").at(-1) ?? "";
  const withoutRev = name.replace(/-\d+$/, "");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(withoutRev))
    throw new InvalidArgumentError("charm", `invalid charm name ${JSON.stringify(reference)}`);
  return withoutRev;
}

/** What {@link resolveCharm} found. */
export interface ResolvedCharm {
  /** The charm URL to add and deploy, e.g. `ch:amd64/mysql-58`. */
  url: string;
  /** The origin returned by `AddCharm`, with the selected base. */
  origin: Charms.CharmOrigin;
  /** The base chosen for the application. */
  base: Base;
}

/** Options of {@link resolveCharm}. */
export interface ResolveOptions {
  channel?: Channel;
  revision?: number;
  architecture: string;
  /** The base the user asked for, if any. */
  base?: Base;
  /** The model's `default-base`, when set explicitly. */
  modelDefaultBase?: Base;
  /** Deploy on a base the charm does not declare. */
  force?: boolean;
  /** `Charms.ResolveCharms` switch-charm (refresh to another charm). */
  switchCharm?: boolean;
  signal?: AbortSignal;
}

// core/base: the newest LTS, then Juju 3.6's default supported LTS.
const LATEST_LTS: Base = { name: "ubuntu", channel: "24.04" };
const DEFAULT_LTS: Base = { name: "ubuntu", channel: "22.04" };

/**
 * Picks a base as `corecharm.BaseSelector.CharmBase` does (3.6): the
 * requested base, else the model's explicit default base, else the latest
 * LTS, else Juju's default LTS, else the charm's first base. A requested
 * base the charm does not support is an error unless `force`.
 */
export function selectBase(
  supported: readonly Base[],
  requested: Base | undefined,
  modelDefault: Base | undefined,
  force: boolean,
): Base {
  const wanted = requested ?? modelDefault;
  if (wanted) {
    if (force || supported.length === 0 || supported.some((b) => sameBase(b, wanted)))
      return { name: wanted.name, channel: trackOf(wanted.channel) };
    throw new InvalidArgumentError(
      "base",
      `base ${JSON.stringify(formatBase(wanted))} is not supported by the charm; ` +
        `supported bases: ${supported.map(formatBase).join(", ")}`,
    );
  }
  for (const pref of [LATEST_LTS, DEFAULT_LTS]) {
    if (supported.some((b) => sameBase(b, pref))) return pref;
  }
  const first = supported[0];
  if (!first)
    throw new InvalidArgumentError(
      "base",
      "the charm declares no base; give one with the base option",
    );
  return { name: first.name, channel: trackOf(first.channel) };
}

/**
 * Resolves a Charmhub charm (`Charms.ResolveCharms`), selects its base and
 * adds it to the model (`Charms.AddCharm`). Errors from the controller
 * (unknown charm, channel without a release…) are thrown as {@link JujuError}.
 */
export async function resolveCharm(
  ctx: OpsContext,
  charmName: string,
  options: ResolveOptions,
): Promise<ResolvedCharm> {
  const charms = ctx.connection.facade("Charms");
  const call = options.signal ? { signal: options.signal } : {};
  const origin: Charms.CharmOrigin = {
    source: "charm-hub",
    type: "charm",
    id: "",
    risk: options.channel?.risk ?? "stable",
    architecture: options.architecture,
  };
  if (options.channel?.track) origin.track = options.channel.track;
  if (options.channel?.branch) origin.branch = options.channel.branch;
  if (options.revision !== undefined) origin.revision = options.revision;
  if (options.base) origin.base = { ...options.base };
  const item: Charms.ResolveCharmWithChannel = {
    reference: `ch:${charmName}`,
    "charm-origin": origin,
  };
  if (options.switchCharm) item["switch-charm"] = true;
  const [resolved] = await single(`cannot resolve charm ${JSON.stringify(charmName)}`, async () => {
    const res = await charms.call("ResolveCharms", { resolve: [item] }, call);
    return bulkResultsStrict({ results: res.Results }, siteOf(charms, "ResolveCharms"));
  });
  if (!resolved) throw new JujuError(`ResolveCharms returned no result for ${charmName}`, "");
  if (resolved["charm-origin"].type === "bundle") {
    // Model.deploy catches this and deploys the bundle instead.
    throw new CharmIsBundleError(charmName);
  }
  const base = selectBase(
    resolved["supported-bases"] ?? [],
    options.base,
    options.modelDefaultBase,
    options.force ?? false,
  );
  const toAdd: Charms.CharmOrigin = { ...resolved["charm-origin"], base };
  const added = await charms.call(
    "AddCharm",
    { url: resolved.url, "charm-origin": toAdd, force: options.force ?? false },
    call,
  );
  if (added.error?.message)
    throw JujuError.fromWire(
      {
        ...added.error,
        message: `cannot add charm ${JSON.stringify(resolved.url)}: ${added.error.message}`,
      },
      siteOf(charms, "AddCharm"),
    );
  return { url: resolved.url, origin: added["charm-origin"] ?? toAdd, base };
}

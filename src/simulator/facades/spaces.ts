/**
 * `Spaces(6)` (`apiserver/facades/client/spaces`) and the per-model network
 * state it shares with `Subnets(5)`.
 *
 * Simulated: every model starts as a fresh LXD (loopback cloud) model does,
 * with the `alpha` space (id "0") holding the provider's subnets. Here those
 * are the IPv4 bridge subnet the model's machines take addresses from
 * (`10.x.y.0/24`, as `lxdbr0` gives) and an IPv6 ULA `/64` on the same
 * bridge, both in the one simulated availability zone.
 *
 * `ReloadSpaces`: LXD is a networking provider without space discovery, so
 * Juju falls back to reloading the provider's subnets and answers `{}`;
 * the simulated subnets never change, so nothing else happens.
 * @module
 */
import type {
  Spaces as SpacesFacade,
  Subnets as SubnetsFacade,
} from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import type { ModelRecord } from "../store.js";
import type { MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

/** `network.AlphaSpaceName` and its id. */
export const ALPHA = "alpha";
/** The simulated LXD server's availability zone. */
export const SIM_ZONE = "juju-sim";

/** A subnet as the simulator keeps it. */
export interface SubnetRecord {
  id: string;
  cidr: string;
  providerId: string;
  spaceId: string;
}

/** A space as the simulator keeps it. */
export interface SpaceRecord {
  id: string;
  name: string;
}

/** A model's spaces and subnets. */
export interface NetworkState {
  spaces: SpaceRecord[];
  subnets: SubnetRecord[];
  nextSpaceId: number;
}

const STATES = new WeakMap<ModelRecord, NetworkState>();

/** The model's simulated IPv4 bridge subnet (derived from its uuid). */
function bridgeCidr(model: ModelRecord): string {
  const hex = Buffer.from(model.uuid.replace(/-/g, ""), "hex");
  return `10.${(hex[0] ?? 0) % 250}.${(hex[1] ?? 0) % 250}.0/24`;
}

/** The model's network state, created on first use. */
export function networkOf(model: ModelRecord): NetworkState {
  let s = STATES.get(model);
  if (s === undefined) {
    const hex = model.uuid.replace(/-/g, "");
    s = {
      spaces: [{ id: "0", name: ALPHA }],
      subnets: [
        { id: "0", cidr: bridgeCidr(model), providerId: "subnet-lxdbr0-0", spaceId: "0" },
        {
          id: "1",
          cidr: `fd42:${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}::/64`,
          providerId: "subnet-lxdbr0-1",
          spaceId: "0",
        },
      ],
      nextSpaceId: 1,
    };
    STATES.set(model, s);
  }
  return s;
}

/** `network.IsValidCIDR`: a CIDR in canonical form (the network address). */
export function isValidCidr(cidr: string): boolean {
  const m4 = cidr.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/);
  if (m4) {
    const o = m4.slice(1, 5).map(Number);
    const bits = Number(m4[5]);
    if (o.some((x) => x > 255) || bits > 32) return false;
    const n = (((o[0] ?? 0) << 24) | ((o[1] ?? 0) << 16) | ((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (n & mask) >>> 0 === n;
  }
  const m6 = cidr.match(/^([0-9a-fA-F:]+)\/(\d{1,3})$/);
  if (!m6 || Number(m6[2]) > 128) return false;
  const addr = m6[1] ?? "";
  const halves = addr.split("::");
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")));
  if (groups.flat().some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = groups.flat().length;
  return halves.length === 2 ? count < 8 : count === 8;
}

/** `names.IsValidSpace`. */
export const isValidSpaceName = (name: string): boolean => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name);

/** `names.ParseSpaceTag` with Go's messages. */
export function parseSpaceTag(tag: string): string {
  const dash = tag.indexOf("-");
  if (dash <= 0) throw new ServerError(`${JSON.stringify(tag)} is not a valid tag`);
  const id = tag.slice(dash + 1);
  if (tag.slice(0, dash) !== "space" || !isValidSpaceName(id)) {
    throw new ServerError(`${JSON.stringify(tag)} is not a valid space tag`);
  }
  return id;
}

/** The space named `name`, or Go's `space "x" not found`. */
export function spaceByName(net: NetworkState, name: string): SpaceRecord {
  const s = net.spaces.find((x) => x.name === name);
  if (s === undefined) throw Errors.notFound(`space ${JSON.stringify(name)}`);
  return s;
}

/** A subnet on the wire (`params.Subnet`); with `id` for `SubnetV2`. */
export function subnetWire(net: NetworkState, s: SubnetRecord, withId?: false): SpacesFacade.Subnet;
export function subnetWire(
  net: NetworkState,
  s: SubnetRecord,
  withId: true,
): SubnetsFacade.SubnetV2;
export function subnetWire(
  net: NetworkState,
  s: SubnetRecord,
  withId = false,
): SubnetsFacade.SubnetV2 {
  const space = net.spaces.find((x) => x.id === s.spaceId)?.name ?? ALPHA;
  return {
    ...(withId ? { id: s.id } : {}),
    cidr: s.cidr,
    life: "alive",
    "provider-id": s.providerId,
    "space-tag": `space-${space}`,
    status: "in-use",
    "vlan-tag": 0,
    zones: [SIM_ZONE],
  };
}

function spaceWire(net: NetworkState, s: SpaceRecord): SpacesFacade.Space {
  return {
    id: s.id,
    name: s.name,
    subnets: net.subnets.filter((x) => x.spaceId === s.id).map((x) => subnetWire(net, x)),
  };
}

/** Applications bound to or constrained to a space: `[bindings, constraints]` tags. */
function usersOf(model: ModelRecord, name: string): [string[], string[]] {
  const bindings: string[] = [];
  const constraints: string[] = [];
  for (const [app, rec] of model.state.applications) {
    if (Object.values(rec.bindings ?? {}).includes(name)) bindings.push(`application-${app}`);
    if ((rec.constraints.spaces ?? []).some((s) => s.replace(/^\^/, "") === name)) {
      constraints.push(`application-${app}`);
    }
  }
  if ((model.state.modelConstraints.spaces ?? []).some((s) => s.replace(/^\^/, "") === name)) {
    constraints.push(`model-${model.uuid}`);
  }
  return [bindings, constraints];
}

const wireErr = (e: unknown) => ({
  error: (e instanceof ServerError ? e : new ServerError(String(e))).toWire(),
});

/** Runs `f` for one item of a bulk call: `{}` or `{error}`. */
function item(f: () => void): SpacesFacade.ErrorResult {
  try {
    f();
    return {};
  } catch (e) {
    return wireErr(e);
  }
}

/** The Spaces methods. */
export const spacesMethods: readonly MethodSpec[] = [
  method({
    facade: "Spaces",
    method: "CreateSpaces",
    params: "params.CreateSpacesParams",
    call: (ctx, p) => {
      const net = networkOf(ctx.model());
      const results = p.objects("spaces", "params.CreateSpaceParams").map((s) =>
        item(() => {
          const name = parseSpaceTag(s.string("space-tag"));
          const ids: string[] = [];
          for (const cidr of s.strings("cidrs")) {
            if (!isValidCidr(cidr)) {
              throw new ServerError(`${JSON.stringify(cidr)} is not a valid CIDR`);
            }
            for (const sub of net.subnets) if (sub.cidr === cidr) ids.push(sub.id);
          }
          if (net.spaces.some((x) => x.name === name)) {
            const e = Errors.alreadyExists(`space ${JSON.stringify(name)}`);
            throw new ServerError(`adding space ${JSON.stringify(name)}: ${e.message}`, e.code);
          }
          const id = String(net.nextSpaceId++);
          net.spaces.push({ id, name });
          for (const sub of net.subnets) if (ids.includes(sub.id)) sub.spaceId = id;
        }),
      );
      return { results };
    },
  }),
  method({
    facade: "Spaces",
    method: "ListSpaces",
    call: (ctx) => {
      const net = networkOf(ctx.model());
      return { results: net.spaces.map((s) => spaceWire(net, s)) };
    },
  }),
  method({
    facade: "Spaces",
    method: "ShowSpace",
    params: "params.Entities",
    call: (ctx, p) => {
      const model = ctx.model();
      const net = networkOf(model);
      const results = p.objects("entities", "params.Entity").map((e) => {
        try {
          const space = spaceByName(net, parseSpaceTag(e.string("tag")));
          const [bindings] = usersOf(model, space.name);
          return {
            space: spaceWire(net, space),
            applications: bindings.map((t) => t.slice("application-".length)),
            "machine-count": 0,
          };
        } catch (err) {
          return {
            space: { id: "", name: "", subnets: null },
            applications: null,
            "machine-count": 0,
            ...wireErr(err),
          };
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Spaces",
    method: "RenameSpace",
    params: "params.RenameSpacesParams",
    call: (ctx, p) => {
      const net = networkOf(ctx.model());
      const results = p.objects("changes", "params.RenameSpaceParams").map((c) =>
        item(() => {
          const from = parseSpaceTag(c.string("from-space-tag"));
          const to = parseSpaceTag(c.string("to-space-tag"));
          if (from === ALPHA) throw new ServerError("the alpha space cannot be renamed");
          if (net.spaces.some((x) => x.name === to)) {
            throw Errors.alreadyExists(`space ${JSON.stringify(to)}`);
          }
          spaceByName(net, from).name = to;
        }),
      );
      return { results };
    },
  }),
  method({
    facade: "Spaces",
    method: "RemoveSpace",
    params: "params.RemoveSpaceParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const net = networkOf(model);
      const results = p.objects("space-param", "params.RemoveSpaceParam").map((r) => {
        try {
          const entity: Params<SpacesFacade.Entity> = new Fields(
            r.raw("space"),
            "params.Entity",
            "space",
            "RemoveSpace",
          );
          const name = parseSpaceTag(entity.string("tag"));
          if (name === ALPHA) throw new ServerError("the alpha space cannot be removed");
          const space = spaceByName(net, name);
          const [bindings, constraints] = usersOf(model, name);
          const out: SpacesFacade.RemoveSpaceResult = {};
          if (bindings.length > 0) out.bindings = bindings.map((tag) => ({ tag }));
          if (constraints.length > 0) out.constraints = constraints.map((tag) => ({ tag }));
          const inUse = bindings.length > 0 || constraints.length > 0;
          if ((inUse && r.optBool("force") !== true) || r.optBool("dry-run") === true) return out;
          for (const sub of net.subnets) if (sub.spaceId === space.id) sub.spaceId = "0";
          net.spaces = net.spaces.filter((x) => x !== space);
          return out;
        } catch (err) {
          return wireErr(err);
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Spaces",
    method: "MoveSubnets",
    params: "params.MoveSubnetsParams",
    call: (ctx, p) => {
      const net = networkOf(ctx.model());
      const results = p.objects("args", "params.MoveSubnetsParam").map((a) => {
        const spaceTag = a.string("space-tag");
        try {
          const space = spaceByName(net, parseSpaceTag(spaceTag));
          const subs = a.strings("subnets").map((t) => {
            const id = t.startsWith("subnet-") ? t.slice(7) : undefined;
            if (id === undefined)
              throw new ServerError(`${JSON.stringify(t)} is not a valid subnet tag`);
            const sub = net.subnets.find((x) => x.id === id);
            if (sub === undefined) throw Errors.notFound(`subnet ${JSON.stringify(id)}`);
            return sub;
          });
          const moved = subs.map((sub) => {
            const old = net.spaces.find((x) => x.id === sub.spaceId)?.name ?? ALPHA;
            sub.spaceId = space.id;
            return { subnet: `subnet-${sub.id}`, "old-space": old, cidr: sub.cidr };
          });
          return { "moved-subnets": moved, "new-space": spaceTag };
        } catch (err) {
          return { "new-space": spaceTag, ...wireErr(err) };
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Spaces",
    method: "ReloadSpaces",
    call: (ctx) => {
      // LXD cannot discover spaces: Juju reloads the provider's subnets instead.
      networkOf(ctx.model());
      return {};
    },
  }),
];

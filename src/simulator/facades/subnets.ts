/**
 * `Subnets(5)` (`apiserver/facades/client/subnets`): `ListSubnets`,
 * `AllZones` and `SubnetsByCIDR` over the model's simulated network (see
 * `spaces.ts`). Juju 3.x has no `AddSubnets`: a call to it gets the
 * registry's `not implemented` error like any unknown method.
 * @module
 */
import { ServerError } from "../errors.js";
import type { MethodSpec } from "./registry.js";
import {
  isValidCidr,
  networkOf,
  parseSpaceTag,
  SIM_ZONE,
  spaceByName,
  subnetWire,
} from "./spaces.js";
import { method } from "./typed.js";

/** The Subnets methods. */
export const subnetsMethods: readonly MethodSpec[] = [
  method({
    facade: "Subnets",
    method: "ListSubnets",
    params: "params.SubnetsFilters",
    call: (ctx, p) => {
      const net = networkOf(ctx.model());
      const str = (k: "space-tag" | "zone") => {
        const v = p.raw(k);
        return typeof v === "string" ? v : "";
      };
      const spaceTag = str("space-tag");
      const zone = str("zone");
      let spaceId: string | undefined;
      if (spaceTag !== "") spaceId = spaceByName(net, parseSpaceTag(spaceTag)).id;
      const results = net.subnets
        .filter((s) => spaceId === undefined || s.spaceId === spaceId)
        .filter(() => zone === "" || zone === SIM_ZONE)
        .map((s) => subnetWire(net, s));
      return { results };
    },
  }),
  method({
    facade: "Subnets",
    method: "AllZones",
    call: () => ({ results: [{ name: SIM_ZONE, available: true }] }),
  }),
  method({
    facade: "Subnets",
    method: "SubnetsByCIDR",
    params: "params.CIDRParams",
    call: (ctx, p) => {
      const net = networkOf(ctx.model());
      const results = p.strings("cidrs").map((cidr) => {
        if (!isValidCidr(cidr)) {
          return {
            error: new ServerError(`CIDR ${JSON.stringify(cidr)} not valid`, "not valid").toWire(),
          };
        }
        const subs = net.subnets
          .filter((s) => s.cidr === cidr)
          .map((s) => subnetWire(net, s, true));
        return subs.length > 0 ? { subnets: subs } : {};
      });
      return { results };
    },
  }),
];

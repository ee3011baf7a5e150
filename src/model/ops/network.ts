/**
 * Network spaces and subnets (`Spaces` and `Subnets` facades), as
 * python-libjuju's `add_space`, `get_spaces`, `add_subnet` and
 * `get_subnets`.
 * @module
 */
import type { Space } from "../../facades/generated/spaces.js";
import type { Subnet } from "../../facades/generated/subnets.js";
import { bulkResultsStrict, rethrowSingleFailure } from "../../rpc/bulk.js";
import * as ac from "../arg-check.js";
import type { OpsContext } from "../ops-context.js";
import { siteOf } from "./common.js";

export type { Space, Subnet };

/** Filters of {@link Model.getSubnets}. */
export interface GetSubnetsOptions {
  /** Only subnets in this space (a name, e.g. `alpha`). */
  space?: string;
  /** Only subnets in this availability zone. */
  zone?: string;
}

/**
 * Adds the space `name`, moving the existing subnets with the given CIDRs
 * into it (`Spaces.CreateSpaces`). A refusal (invalid name or CIDR, existing
 * space) throws its `JujuError`.
 */
export async function addSpace(
  ctx: OpsContext,
  name: string,
  cidrs: readonly string[],
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkArg("cidrs", cidrs, ac.arrayOf(ac.name));
  const f = ctx.connection.facade("Spaces");
  const res = await f.call("CreateSpaces", {
    spaces: [{ cidrs: [...cidrs], "space-tag": `space-${name}`, public: true }],
  });
  try {
    bulkResultsStrict(res, siteOf(f, "CreateSpaces"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Every space of the model with its subnets (`Spaces.ListSpaces`). */
export async function getSpaces(ctx: OpsContext): Promise<Space[]> {
  const f = ctx.connection.facade("Spaces");
  const res = await f.call("ListSpaces");
  return bulkResultsStrict(res, siteOf(f, "ListSpaces"));
}

/** The model's subnets, optionally only those of a space and/or zone (`Subnets.ListSubnets`). */
export async function getSubnets(
  ctx: OpsContext,
  options: GetSubnetsOptions = {},
): Promise<Subnet[]> {
  ac.checkOptions("getSubnets", options, { space: ac.str, zone: ac.str });
  const f = ctx.connection.facade("Subnets");
  const params: { "space-tag"?: string; zone?: string } = {};
  if (options.space !== undefined) params["space-tag"] = `space-${options.space}`;
  if (options.zone !== undefined) params.zone = options.zone;
  const res = await f.call("ListSubnets", params);
  return [...(res.results ?? [])];
}

/**
 * Adds an existing provider subnet, by CIDR or provider id, to `space`
 * (`Subnets.AddSubnets`, as python-libjuju sends it). Juju 3.x controllers
 * no longer have that method: they answer `not implemented`, which is
 * thrown as a `JujuError`.
 */
export async function addSubnet(
  ctx: OpsContext,
  cidrOrId: string,
  space: string,
  zones: readonly string[],
): Promise<void> {
  ac.checkArg("cidrOrId", cidrOrId, ac.name);
  ac.checkArg("space", space, ac.name);
  ac.checkArg("zones", zones, ac.arrayOf(ac.name));
  const f = ctx.connection.facade("Subnets");
  const isCidr = /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidrOrId);
  const subnet = {
    ...(isCidr ? { cidr: cidrOrId } : { "subnet-provider-id": cidrOrId }),
    "space-tag": `space-${space}`,
    zones: [...zones],
  };
  const res = await ctx.connection.rpc<{ results?: { error?: unknown }[] | null }>({
    type: f.name,
    version: f.version,
    request: "AddSubnets",
    params: { subnets: [subnet] },
  });
  try {
    bulkResultsStrict(res, siteOf(f, "AddSubnets"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

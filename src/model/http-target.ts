/**
 * Where a model's HTTPS uploads go (charms, resources): the endpoint that
 * answered, its CA, and the connection's credentials as Juju's HTTP
 * handlers take them (Basic auth with the password, else the login
 * macaroons as cookies).
 * @module
 */

import type { ConnectApiOptions, ConnectedApi } from "../rpc/connect.js";
import { authHeaders, type HttpTarget } from "./http/edge.js";

/** The upload target of `api`, authenticated with `dial`'s credentials (or macaroons for its host). */
export async function httpTargetOf(
  api: ConnectedApi,
  dial: ConnectApiOptions | undefined,
): Promise<HttpTarget> {
  let credentials = dial?.credentials;
  const macaroonsFor = dial?.macaroonsFor;
  if (credentials?.password === undefined && macaroonsFor !== undefined) {
    const ep = api.endpoint;
    const host = ep.startsWith("[") ? ep.slice(1, ep.indexOf("]")) : ep.replace(/:\d+$/, "");
    credentials = await macaroonsFor(host);
  }
  return {
    endpoint: api.endpoint,
    caCert: api.caCert,
    insecureSkipVerify: dial?.insecureSkipVerify,
    headers: authHeaders(credentials),
  };
}

/**
 * `Model.getStatus`: `Client.FullStatus`, filtered by patterns, with
 * timestamps in UTC on request.
 * @module
 */

import type { Client } from "../../facades/generated/index.js";
import type { CallOptions } from "../../rpc/connection.js";
import * as ac from "../arg-check.js";
import type { OpsContext } from "../ops-context.js";
import { withUtcTimestamps } from "./status-utc.js";

/** Options of `Model.getStatus`. */
export interface GetStatusOptions extends CallOptions {
  /** Only show entities matching these patterns (as `juju status <patterns>`; python-libjuju's `filters`). */
  filters?: readonly string[];
  /**
   * More patterns, sent with those of `filters` (Juju's own name for them).
   * @deprecated Use `filters`; kept for code written against earlier versions.
   */
  patterns?: readonly string[];
  /** Include storage details (Client v7+). */
  includeStorage?: boolean;
  /**
   * Timestamps in UTC (`…Z`), as `juju status --utc` shows them; by
   * default they are as the controller sent them (with its zone offset).
   */
  utc?: boolean;
}

/** The status of a model, as `Client.FullStatus` returns it. */
export type FullStatus = Client.FullStatus;

const STATUS_OPTIONS: ac.OptionSpec = {
  ...ac.CALL_OPTIONS,
  patterns: ac.arrayOf(ac.name),
  filters: ac.arrayOf(ac.name),
  includeStorage: ac.bool,
};

/** The model's status (`Client.FullStatus`), optionally filtered by patterns. */
export async function getStatus(
  ctx: OpsContext,
  options: GetStatusOptions = {},
): Promise<FullStatus> {
  ac.checkOptions("getStatus", options, STATUS_OPTIONS);
  const client = ctx.connection.facade("Client");
  const params: Client.StatusParams = {
    patterns: [...(options.patterns ?? []), ...(options.filters ?? [])],
  };
  if (options.includeStorage !== undefined) params["include-storage"] = options.includeStorage;
  const call: CallOptions = {};
  if (options.signal) call.signal = options.signal;
  if (options.timeout !== undefined) call.timeout = options.timeout;
  const status = await client.call("FullStatus", params, call);
  return options.utc ? withUtcTimestamps(status) : status;
}

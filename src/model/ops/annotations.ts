/**
 * Annotations of the model and its entities (`Annotations` facade).
 * @module
 */
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import type { OpsContext } from "../ops-context.js";
import { siteOf } from "./common.js";

/** The annotations of an entity given by tag (`model-…`, `application-…`, `unit-…`, `machine-…`). */
export async function getAnnotations(
  ctx: OpsContext,
  tag: string,
): Promise<Record<string, string>> {
  const f = ctx.connection.facade("Annotations");
  const res = await f.call("Get", { entities: [{ tag }] });
  const [r] = res.results ?? [];
  // The error of Annotations.Get is nested one level deeper than usual.
  const err = r?.error?.error;
  if (err?.message) throw JujuError.fromWire(err, siteOf(f, "Get"));
  return { ...(r?.annotations ?? {}) };
}

/** Sets annotations of an entity given by tag; an empty string value removes a key. */
export async function setAnnotations(
  ctx: OpsContext,
  tag: string,
  annotations: Readonly<Record<string, string>>,
): Promise<void> {
  ac.checkArg("annotations", annotations, ac.recordOf(ac.text));
  const f = ctx.connection.facade("Annotations");
  const res = await f.call("Set", {
    annotations: [{ entity: tag, annotations: { ...annotations } }],
  });
  bulkResultsStrict(res, siteOf(f, "Set"));
}

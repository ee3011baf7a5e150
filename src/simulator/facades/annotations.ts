/**
 * `Annotations(2)`: `Get` and `Set` on model entities
 * (`apiserver/facades/client/annotations`). Get's error sits one level
 * deeper than usual (`{error: {error: {…}}}`).
 * @module
 */
import { Errors, ServerError } from "../errors.js";
import { hasModelGrant } from "../permissions.js";
import type { ModelRecord } from "../store.js";
import { parseTag } from "../tags.js";
import { errorResults } from "./bulk.js";
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** Checks that an annotatable tag names an existing entity; returns the tag. */
function checkEntity(model: ModelRecord, tag: string): string {
  const t = parseTag(tag);
  const st = model.state;
  const exists = (() => {
    switch (t.kind) {
      case "model":
        return t.id === model.uuid;
      case "machine":
        return st.machines.has(t.id.replace(/-/g, "/"));
      case "application":
        return st.applications.has(t.id);
      case "unit":
        return st.units.has(t.id.replace(/-(\d+)$/, "/$1"));
      case "charm":
        return st.findCharm(t.id) !== undefined;
      default:
        throw new ServerError(`${JSON.stringify(tag)} is not a valid annotation entity tag`);
    }
  })();
  if (!exists) throw Errors.notFound(`${t.kind} ${JSON.stringify(t.id)}`);
  return tag;
}

/** The Annotations methods. */
export const annotationsMethods: readonly MethodSpec[] = [
  method({
    facade: "Annotations",
    method: "Get",
    params: "params.Entities",
    call: (ctx, p) => {
      const model = ctx.model();
      const items = p.objects("entities", "params.Entity");
      // checkCanRead failing gives every item the error, not the call (3.x client.go).
      if (!hasModelGrant(model, ctx.user, "read")) {
        const error = { error: Errors.permissionDenied().toWire() };
        return { results: items.map(() => ({ entity: "", annotations: null, error })) };
      }
      return {
        results: items.map((e) => {
          const tag = e.string("tag");
          try {
            checkEntity(model, tag);
            return { entity: tag, annotations: { ...(model.state.annotations.get(tag) ?? {}) } };
          } catch (err) {
            if (!(err instanceof ServerError)) throw err;
            return { entity: tag, annotations: null, error: { error: err.toWire() } };
          }
        }),
      };
    },
  }),
  method({
    facade: "Annotations",
    method: "Set",
    params: "params.AnnotationsSet",
    call: (ctx, p) => {
      const items = p.objects("annotations", "params.EntityAnnotations");
      // checkCanWrite failing gives every item the error, not the call (3.x client.go).
      if (!hasModelGrant(ctx.model(), ctx.user, "write")) {
        return { results: items.map(() => ({ error: Errors.permissionDenied().toWire() })) };
      }
      return errorResults(items, (a) => {
        const model = ctx.model();
        const tag = checkEntity(model, a.string("entity"));
        const values: Record<string, string> = {};
        for (const [k, v] of Object.entries(a.map("annotations"))) {
          if (typeof v !== "string")
            throw new ServerError(`annotation value for ${JSON.stringify(k)} is not a string`);
          if (k.includes(".")) throw new ServerError(`invalid key ${JSON.stringify(k)}`);
          values[k] = v;
        }
        model.state.setAnnotations(tag, values);
      });
    },
  }),
];

/**
 * `Secrets(1, 2)` (`apiserver/facades/client/secrets`): user secrets owned
 * by the model. v1 has only `ListSecrets` (without label filter, grants or
 * checksum); v2 adds `CreateSecrets`, `UpdateSecrets`, `RemoveSecrets`,
 * `GrantSecret` and `RevokeSecret`. Permission checks follow 3.6: read to
 * list, admin to reveal values, write to change.
 * @module
 */

import type { Secrets as SecretsFacade } from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import {
  createSecret,
  grantSecret,
  INTERNAL_BACKEND,
  parseSecretUri,
  removeSecret,
  revokeSecret,
  type SecretRecord,
  secretById,
  secretByLabel,
  secretsOf,
  secretUri,
  updateSecret,
} from "../secrets.js";
import { goTime, type ModelRecord } from "../store.js";
import { parseTag } from "../tags.js";
import { effectiveModelAccess, type ModelAccess } from "../users.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, optString, type Params, type ParamsOfMethod, type ReplyOf } from "./typed.js";

const RANK: Record<ModelAccess, number> = { read: 1, write: 2, admin: 3 };

/** `authorizer.HasPermission` on the model (superusers are admins). */
function requireAccess(ctx: CallContext, model: ModelRecord, need: ModelAccess): void {
  const have = effectiveModelAccess(ctx.store, model, ctx.user);
  if (have === undefined || RANK[have] < RANK[need]) throw Errors.permissionDenied();
}

const wireErr = (e: unknown) =>
  (e instanceof ServerError ? e : new ServerError(String(e))).toWire();

/** The `content.data` of an upsert argument (`map[string]string`), with Go's unmarshal messages. */
function contentData(rawContent: unknown, root: string): Record<string, string> {
  const content = new Fields(rawContent, "params.SecretContentParams", "args.content", root);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(content.map("data"))) {
    if (typeof v !== "string") {
      const kind =
        typeof v === "number"
          ? `number ${v}`
          : v === null
            ? "null"
            : typeof v === "boolean"
              ? "bool"
              : Array.isArray(v)
                ? "array"
                : "object";
      throw new ServerError(
        `json: cannot unmarshal ${kind} into Go struct field ${root}.args.content.data of type string`,
      );
    }
    out[k] = v;
  }
  return out;
}

/** `s.secretURI`/`getSecretURI`: a secret by URI or by label (name). */
function resolve(model: ModelRecord, uri: string, label: string): SecretRecord {
  if (uri !== "") return secretById(secretsOf(model), parseSecretUri(uri));
  return secretByLabel(model, label);
}

/** One `ListSecretResult`. */
function listResult(
  model: ModelRecord,
  s: SecretRecord,
  v2: boolean,
  revision: number | undefined,
  reveal: boolean,
): SecretsFacade.ListSecretResult | SecretsFacade.ListSecretResultV1 {
  const revs =
    revision === undefined ? s.revisions : s.revisions.filter((r) => r.revision === revision);
  const out: SecretsFacade.ListSecretResultV1 = {
    uri: secretUri(s),
    version: 1,
    "owner-tag": s.ownerTag,
    "latest-revision": s.latestRevision,
    "create-time": goTime(s.createTime),
    "update-time": goTime(s.updateTime),
    ...(s.description !== "" ? { description: s.description } : {}),
    ...(s.label !== "" ? { label: s.label } : {}),
    revisions: revs.map((r) => ({
      revision: r.revision,
      "create-time": goTime(r.createTime),
      "update-time": goTime(r.updateTime),
      // Revisions without a value reference list under the internal backend.
      "backend-name": INTERNAL_BACKEND,
    })),
  };
  if (reveal) {
    const want = revision ?? s.latestRevision;
    const r = s.revisions.find((x) => x.revision === want);
    out.value =
      r === undefined
        ? {
            error: wireErr(Errors.notFound(`secret revision ${JSON.stringify(`${s.id}/${want}`)}`)),
          }
        : { data: { ...r.data } };
  }
  if (!v2) return out;
  // v2 adds the checksum, after the value, and who the secret is granted to.
  const v2Out: SecretsFacade.ListSecretResult = {
    ...out,
    "latest-revision-checksum": s.latestChecksum,
  };
  if (s.grants.length > 0) {
    v2Out.access = s.grants.map((app) => ({
      "target-tag": `application-${app}`,
      "scope-tag": `model-${model.uuid}`,
      role: "view",
    }));
  }
  return v2Out;
}

function listSecrets(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"Secrets", "ListSecrets">>,
): ReplyOf<"Secrets", "ListSecrets"> {
  const model = ctx.model();
  const v2 = ctx.version >= 2;
  const reveal = p.optBool("show-secrets") === true;
  requireAccess(ctx, model, reveal ? "admin" : "read");
  const f: Params<SecretsFacade.SecretsFilter | SecretsFacade.SecretsFilterV1> = new Fields(
    p.raw("filter"),
    "params.SecretsFilter",
    "filter",
    "ListSecretsArgs",
  );
  const uriStr = optString(f, "uri");
  const id = uriStr === undefined ? undefined : parseSecretUri(uriStr);
  const label = v2 ? optString(f, "label") : undefined;
  const ownerStr = optString(f, "owner-tag");
  const owner = ownerStr === undefined ? undefined : parseTag(ownerStr);
  const revision = f.optInt("revision");
  const matches = secretsOf(model).secrets.filter(
    (s) =>
      (id === undefined || s.id === id) &&
      (label === undefined || s.label === label) &&
      (owner === undefined || s.ownerTag === `${owner.kind}-${owner.id}`),
  );
  if (revision !== undefined) {
    for (const s of matches) {
      if (!s.revisions.some((r) => r.revision === revision)) {
        throw Errors.notFound(
          // Juju's own spelling (state.GetSecretRevision).
          `revison ${revision} for secret ${JSON.stringify(secretUri(s))}`,
        );
      }
    }
  }
  return { results: matches.map((s) => listResult(model, s, v2, revision, reveal)) };
}

/** The Secrets methods. */
export const secretsMethods: readonly MethodSpec[] = [
  method({
    facade: "Secrets",
    method: "ListSecrets",
    params: "params.ListSecretsArgs",
    call: listSecrets,
  }),
  method({
    facade: "Secrets",
    method: "CreateSecrets",
    versions: [2],
    params: "params.CreateSecretArgs",
    call: (ctx, p) => {
      const model = ctx.model();
      const args = p.objects("args", "params.CreateSecretArg");
      requireAccess(ctx, model, "write");
      const results = args.map((a) => {
        try {
          const owner = a.string("owner-tag");
          if (owner !== "" && owner !== model.uuid) {
            throw Errors.notValid(`owner tag ${JSON.stringify(owner)}`);
          }
          const uri = optString(a, "uri");
          if (uri !== undefined) parseSecretUri(uri);
          const data = contentData(a.raw("content"), "CreateSecretArgs");
          const label = optString(a, "label");
          const description = optString(a, "description");
          const rec = createSecret(model, {
            data,
            ...(label === undefined ? {} : { label }),
            ...(description === undefined ? {} : { description }),
          });
          return { result: secretUri(rec) };
        } catch (e) {
          return { result: "", error: wireErr(e) };
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Secrets",
    method: "UpdateSecrets",
    versions: [2],
    params: "params.UpdateUserSecretArgs",
    call: (ctx, p) => {
      const model = ctx.model();
      const args = p.objects("args", "params.UpdateUserSecretArg");
      requireAccess(ctx, model, "write");
      const results = args.map((a) => {
        try {
          const data = contentData(a.raw("content"), "UpdateUserSecretArgs");
          const label = optString(a, "label");
          const description = optString(a, "description");
          const autoPrune = a.optBool("auto-prune");
          const uri = a.string("uri");
          const existing = a.string("existing-label");
          // params.UpdateUserSecretArg.Validate
          if (
            autoPrune === undefined &&
            description === undefined &&
            label === undefined &&
            Object.keys(data).length === 0
          ) {
            throw new ServerError("at least one attribute to update must be specified");
          }
          if (uri === "" && existing === "")
            throw new ServerError("must specify either URI or label");
          if (uri !== "" && existing !== "") {
            throw new ServerError("must specify either URI or label but not both");
          }
          const rec = resolve(model, uri, existing);
          updateSecret(model, rec, {
            data,
            ...(label === undefined ? {} : { label }),
            ...(description === undefined ? {} : { description }),
            ...(autoPrune === undefined ? {} : { autoPrune }),
          });
          return {};
        } catch (e) {
          return { error: wireErr(e) };
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Secrets",
    method: "RemoveSecrets",
    versions: [2],
    params: "params.DeleteSecretArgs",
    call: (ctx, p) => {
      const model = ctx.model();
      const args = p.objects("args", "params.DeleteSecretArg");
      const results = args.map((a) => {
        try {
          const uri = a.string("uri");
          const label = a.string("label");
          if (uri === "" && label === "") throw new ServerError("must specify either URI or label");
          const revisions = intList(a, "revisions");
          const rec = resolve(model, uri, label);
          requireAccess(ctx, model, "write");
          if (rec.ownerTag !== `model-${model.uuid}`) throw Errors.permissionDenied();
          removeSecret(model, rec, revisions);
          return {};
        } catch (e) {
          return { error: wireErr(e) };
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Secrets",
    method: "GrantSecret",
    versions: [2],
    params: "params.GrantRevokeUserSecretArg",
    call: (ctx, p) => grantRevoke(ctx, p, true),
  }),
  method({
    facade: "Secrets",
    method: "RevokeSecret",
    versions: [2],
    params: "params.GrantRevokeUserSecretArg",
    call: (ctx, p) => grantRevoke(ctx, p, false),
  }),
];

/** A `[]int` field. */
function intList(f: Params<SecretsFacade.DeleteSecretArg>, name: "revisions"): number[] {
  const v = f.raw(name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((n) => typeof n !== "number" || !Number.isInteger(n))) {
    throw new ServerError(
      `json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v} into Go struct field DeleteSecretArgs.args.${name} of type int`,
    );
  }
  return v as number[];
}

/** `secretsGrantRevoke`: call-level errors for the secret, per-application results. */
function grantRevoke(
  ctx: CallContext,
  p: Params<SecretsFacade.GrantRevokeUserSecretArg>,
  grant: boolean,
): { results: SecretsFacade.ErrorResult[] } {
  const model = ctx.model();
  const apps = p.strings("applications");
  const uri = p.string("uri");
  const label = p.string("label");
  if (uri === "" && label === "") throw new ServerError("must specify either URI or name");
  requireAccess(ctx, model, "write");
  const id = uri !== "" ? parseSecretUri(uri) : secretByLabel(model, label).id;
  const where = JSON.stringify(`secret:${id}`);
  const results = apps.map((app) => {
    try {
      if (grant) grantSecret(model, id, app);
      else revokeSecret(model, id, app);
      return {};
    } catch (e) {
      const err = e instanceof ServerError ? e : new ServerError(String(e));
      return {
        error: err.annotate(`cannot change access to ${where} for ${JSON.stringify(app)}`).toWire(),
      };
    }
  });
  return { results };
}

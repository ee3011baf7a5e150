/**
 * User secrets of a simulated model, kept as a Juju 3.6 controller keeps them
 * in state (`state/secrets.go`): metadata per secret (owner, label,
 * description, latest revision and its checksum, auto-prune), revisions with
 * their content, and view grants to applications.
 *
 * Content is stored as Juju stores it: the base64-encoded values the client
 * sent, in the controller's `internal` backend (no value reference), where an
 * IAAS model with the default `secret-backend: auto` puts it. The simulator
 * only makes IAAS (LXD) models, so the built-in Kubernetes backend of CAAS
 * models never comes into play.
 *
 * Juju 3.6's user-secret path ignores `rotate-policy` and `expire-time`
 * (`fromUpsertParams` passes neither), so user secrets never carry rotation
 * or expiry metadata; the fields exist for the wire shape only.
 *
 * The AllWatcher carries no secret deltas in 3.6 (its entity kinds are model,
 * machine, application, remote application, offer, unit, relation,
 * annotation, block, action and charm), so nothing is published here.
 * @module
 */
import { createHash } from "node:crypto";
import { Errors, ServerError } from "./errors.js";
import type { ControllerStore, ModelRecord } from "./store.js";

/** `juju.BackendName`, the controller's built-in backend. */
export const INTERNAL_BACKEND = "internal";
/** `juju.BackendType`. */
export const INTERNAL_BACKEND_TYPE = "controller";

/** One revision of a secret. */
export interface SecretRevisionRecord {
  revision: number;
  createTime: Date;
  updateTime: Date;
  /** The encoded (base64) values, as the client sent them. */
  data: Record<string, string>;
  /** Where the content lives: the backend id (the controller uuid for `internal`). */
  backendId: string;
}

/** A user secret's metadata and revisions. */
export interface SecretRecord {
  /** The 20-character xid of `secret:<id>`. */
  id: string;
  ownerTag: string;
  label: string;
  description: string;
  latestRevision: number;
  latestChecksum: string;
  autoPrune: boolean;
  createTime: Date;
  updateTime: Date;
  revisions: SecretRevisionRecord[];
  /** Application names with `view` access. */
  grants: string[];
}

/** A model's user secrets, in creation order. */
export interface SecretsState {
  secrets: SecretRecord[];
}

const STATES = new WeakMap<ModelRecord, SecretsState>();

/** The model's secrets, created on first use. */
export function secretsOf(model: ModelRecord): SecretsState {
  let s = STATES.get(model);
  if (s === undefined) {
    s = { secrets: [] };
    STATES.set(model, s);
  }
  return s;
}

/** The URI string of a secret (`URI.String()` with no source model). */
export const secretUri = (s: SecretRecord): string => `secret:${s.id}`;

const XID_ALPHABET = "0123456789abcdefghijklmnopqrstuv";

/** A new secret id shaped like Juju's (an xid: 20 characters of base32hex, lower case). */
export function newSecretId(store: ControllerStore): string {
  let out = "c";
  for (let i = 1; i < 20; i++) out += XID_ALPHABET[store.rng.int(0, 31)];
  return out;
}

/** `coresecrets.ParseURI` with Go's messages; returns the id. */
export function parseSecretUri(str: string): string {
  let rest = str;
  const colon = str.indexOf(":");
  if (colon >= 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(str.slice(0, colon))) {
    const scheme = str.slice(0, colon);
    if (scheme !== "secret") {
      throw Errors.notValid(`secret URI scheme ${JSON.stringify(scheme)}`);
    }
    rest = str.slice(colon + 1);
  }
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(host)) {
      throw Errors.notValid(`host controller UUID ${JSON.stringify(host)}`);
    }
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  const id = rest.replace(/^\/+/, "");
  if (!/^[0-9a-z]{20}$/.test(id)) throw Errors.notValid(`secret URI ${JSON.stringify(str)}`);
  return id;
}

/** Go's `json.Marshal` of a string (HTML-safe escapes included). */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
    return `\\u${hex}`;
  });
}

/** `SecretValue.Checksum`: sha256 of the JSON of the encoded values, keys sorted as Go does. */
export function secretChecksum(data: Record<string, string>): string {
  const body = Object.keys(data)
    .sort()
    .map((k) => `${goJsonString(k)}:${goJsonString(data[k] ?? "")}`)
    .join(",");
  return createHash("sha256").update(`{${body}}`).digest("hex");
}

/** The secret with this id, or Go's `secret "secret:<id>" not found`. */
export function secretById(state: SecretsState, id: string): SecretRecord {
  const s = state.secrets.find((x) => x.id === id);
  if (s === undefined) throw Errors.notFound(`secret ${JSON.stringify(`secret:${id}`)}`);
  return s;
}

/** `getSecretURI`: the model-owned secret with this label (its name), or `secret "x" not found`. */
export function secretByLabel(model: ModelRecord, label: string): SecretRecord {
  const owner = `model-${model.uuid}`;
  const found = secretsOf(model).secrets.filter((s) => s.label === label && s.ownerTag === owner);
  if (found.length === 0) throw Errors.notFound(`secret ${JSON.stringify(label)}`);
  if (found.length > 1)
    throw Errors.notFound(`more than 1 secret with label ${JSON.stringify(label)}`);
  return found[0] as SecretRecord;
}

/** `state.LabelExists`, as the facade reports it. */
function labelTaken(label: string): ServerError {
  return Errors.alreadyExists(`secret with name ${JSON.stringify(label)}`);
}

function checkLabelFree(state: SecretsState, owner: string, label: string, except?: SecretRecord) {
  if (state.secrets.some((s) => s !== except && s.ownerTag === owner && s.label === label)) {
    throw labelTaken(label);
  }
}

/** The backend a new revision of this model goes to (`internal`, on IAAS models). */
function backendIdFor(model: ModelRecord): string {
  return model.controller.controllerUuid;
}

/** The wall-clock time rounded down to the second, as state stores times. */
function nowToTheSecond(model: ModelRecord): Date {
  const t = model.controller.clock.now().getTime();
  return new Date(t - (t % 1000));
}

/** What creating a secret takes. */
export interface CreateSecretParams {
  label?: string;
  description?: string;
  data: Record<string, string>;
}

/** `createSecret` of the facade and `CreateSecret` of state. */
export function createSecret(model: ModelRecord, p: CreateSecretParams): SecretRecord {
  const state = secretsOf(model);
  const owner = `model-${model.uuid}`;
  if (Object.keys(p.data).length === 0) throw Errors.notValid("empty secret value");
  if (p.label !== undefined) checkLabelFree(state, owner, p.label);
  const now = nowToTheSecond(model);
  const rec: SecretRecord = {
    id: newSecretId(model.controller),
    ownerTag: owner,
    label: p.label ?? "",
    description: p.description ?? "",
    latestRevision: 1,
    latestChecksum: secretChecksum(p.data),
    autoPrune: false,
    createTime: now,
    updateTime: now,
    revisions: [
      {
        revision: 1,
        createTime: now,
        updateTime: now,
        data: { ...p.data },
        backendId: backendIdFor(model),
      },
    ],
    grants: [],
  };
  state.secrets.push(rec);
  return rec;
}

/** What updating a secret takes; absent fields stay as they are. */
export interface UpdateSecretParams {
  label?: string;
  description?: string;
  autoPrune?: boolean;
  data?: Record<string, string>;
}

/**
 * `updateSecret` of the facade: new content with the latest checksum makes
 * no revision; label uniqueness as in state; auto-prune drops revisions no
 * consumer uses (no application reads secrets here, so every one but the latest).
 */
export function updateSecret(model: ModelRecord, rec: SecretRecord, p: UpdateSecretParams): void {
  const state = secretsOf(model);
  let data = p.data !== undefined && Object.keys(p.data).length > 0 ? p.data : undefined;
  let checksum: string | undefined;
  if (data !== undefined) {
    checksum = secretChecksum(data);
    if (checksum === rec.latestChecksum) data = undefined;
  }
  const hasUpdate =
    data !== undefined ||
    p.label !== undefined ||
    p.description !== undefined ||
    p.autoPrune !== undefined;
  if (!hasUpdate) return;
  if (p.label !== undefined && p.label !== rec.label)
    checkLabelFree(state, rec.ownerTag, p.label, rec);
  const now = nowToTheSecond(model);
  if (p.label !== undefined) rec.label = p.label;
  if (p.description !== undefined) rec.description = p.description;
  if (p.autoPrune !== undefined) rec.autoPrune = p.autoPrune;
  if (data !== undefined && checksum !== undefined) {
    rec.latestRevision++;
    rec.latestChecksum = checksum;
    rec.revisions.push({
      revision: rec.latestRevision,
      createTime: now,
      updateTime: now,
      data: { ...data },
      backendId: backendIdFor(model),
    });
  }
  rec.updateTime = now;
  if (rec.autoPrune) {
    rec.revisions = rec.revisions.filter((r) => r.revision === rec.latestRevision);
  }
}

/**
 * `RemoveUserSecrets` after its preflight: the given revisions (the whole
 * secret when none, or when none would remain).
 */
export function removeSecret(model: ModelRecord, rec: SecretRecord, revisions: number[]): void {
  const state = secretsOf(model);
  if (revisions.length > 0) {
    const existing = revisions.filter((n) => rec.revisions.some((r) => r.revision === n));
    if (existing.length === 0) {
      throw Errors.notFound(`cannot delete any of revisions [${revisions.join(" ")}] - revisions`);
    }
    rec.revisions = rec.revisions.filter((r) => !existing.includes(r.revision));
    if (rec.revisions.length > 0) return;
  }
  state.secrets = state.secrets.filter((s) => s !== rec);
}

/**
 * `GrantSecretAccess` for an application subject with the `view` role: the
 * subject is checked before the secret, as in state.
 */
export function grantSecret(model: ModelRecord, id: string, app: string): void {
  const a = model.state.applications.get(app);
  if (a === undefined) {
    // Juju looks for a remote application before giving up.
    throw Errors.notFound(`remote application ${JSON.stringify(app)}`).annotate(
      "invalid subject reference",
    );
  }
  if (a.life !== "alive") {
    throw new ServerError(
      `cannot grant dying ${JSON.stringify(`application-${app}`)} access to secret`,
    );
  }
  const rec = secretById(secretsOf(model), id);
  if (!rec.grants.includes(app)) rec.grants.push(app);
}

/** `RevokeSecretAccess`: a grant or secret that does not exist is no error. */
export function revokeSecret(model: ModelRecord, id: string, app: string): void {
  const rec = secretsOf(model).secrets.find((s) => s.id === id);
  if (rec !== undefined) rec.grants = rec.grants.filter((g) => g !== app);
}

/** Secrets per backend id across the controller's models (`ListModelSecrets(all)`). */
export function secretsPerBackend(store: ControllerStore): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of store.models.values()) {
    for (const s of secretsOf(m).secrets) {
      for (const id of new Set(s.revisions.map((r) => r.backendId))) {
        out.set(id, (out.get(id) ?? 0) + 1);
      }
    }
  }
  return out;
}

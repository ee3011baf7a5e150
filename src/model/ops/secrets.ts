/**
 * User secrets (`Secrets` facade v2), as python-libjuju's `add_secret`,
 * `update_secret`, `list_secrets`, `remove_secret`, `grant_secret` and
 * `revoke_secret`, and the `juju add-secret` data arguments
 * (`key=value`, `key#base64=…`, `key#file=path`) encoded as Juju's
 * `secrets.CreateSecretData` encodes them: every value base64 of its UTF-8
 * bytes unless the key says it already is.
 *
 * Secret values never reach an error message, `inspect` or `toJSON`: errors
 * name keys and argument positions only, and revealed values come wrapped in
 * {@link SecretValue}.
 * @module
 */
import type {
  ListSecretResult,
  ListSecretResultV1,
  SecretRevision,
} from "../../facades/generated/secrets.js";
import { bulkResultsStrict, rethrowSingleFailure } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { callOptions, siteOf } from "./common.js";

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** `keyRegExp` of Juju's `core/secrets`: lower case, 3+ characters, single dashes inside. */
const KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;
const FILE_SUFFIX = "#file";
const BASE64_SUFFIX = "#base64";
/** Juju 3.6's limits: one value read from a file, and the whole content. */
export const MAX_SECRET_VALUE_BYTES = 8 * 1024;
export const MAX_SECRET_CONTENT_BYTES = 64 * 1024;

/**
 * Secret content: `juju add-secret` arguments (`key=value`,
 * `key#base64=<base64>`, `key#file=<path>`) or a map of keys to plain values
 * (a key ending in `#base64` holds an already encoded value).
 */
export type SecretDataInput = readonly string[] | Readonly<Record<string, string>>;

/** Reads files named by `key#file=path` arguments and the `file` option (Node's fs by default). */
export interface SecretFileReader {
  /** The file's size in bytes, checked before reading. */
  size(path: string): Promise<number>;
  /** The file's text (UTF-8). */
  readText(path: string): Promise<string>;
  /** Key values of a YAML or JSON file (`secrets.ReadSecretData`). */
  readKeyValues(path: string): Promise<Record<string, string>>;
}

/** Options shared by the calls that take secret content. */
export interface SecretContentOptions {
  /** A YAML or JSON file of key values; its keys override those of the data arguments. */
  file?: string;
  /** How `#file` arguments and `file` are read; default: the local file system (Node only). */
  reader?: SecretFileReader;
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Per-call timeout in milliseconds. */
  callTimeout?: number;
}

/** Options of {@link Model.addSecret}. */
export interface AddSecretOptions extends SecretContentOptions {
  /** The secret's description (python-libjuju's `info`). */
  info?: string;
  /** Same as `info`. */
  description?: string;
}

/** Options of {@link Model.updateSecret}; what is absent stays as it is. */
export interface UpdateSecretOptions extends SecretContentOptions {
  /** New content (a new revision unless it equals the latest one). */
  data?: SecretDataInput;
  /** A new name (label). */
  newName?: string;
  /** A new description (python-libjuju's `info`). */
  info?: string;
  /** Same as `info`. */
  description?: string;
  /** Remove revisions no consumer uses any more, now and after later updates. */
  autoPrune?: boolean;
}

/** Options of {@link Model.listSecrets}. */
export interface ListSecretsOptions {
  /** Only secrets matching these. */
  filter?: {
    /** The secret's URI, `secret:<id>`. */
    uri?: string;
    /** The secret's name (label). */
    label?: string;
    /** The owner, e.g. `model-<uuid>`. */
    ownerTag?: string;
    /** A revision the secret has. */
    revision?: number;
  };
  /** Also fetch the values (model admin only); python-libjuju's `show_secrets`. */
  reveal?: boolean;
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Milliseconds each call may take. */
  callTimeout?: number;
}

/** Options of {@link Model.removeSecret}. */
export interface RemoveSecretOptions {
  /** Only this revision (the whole secret goes when its last revision goes). */
  revision?: number;
  /** Only these revisions. */
  revisions?: readonly number[];
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Milliseconds each call may take. */
  callTimeout?: number;
}

/** Per-call options of grant and revoke. */
export interface SecretCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Milliseconds each call may take. */
  callTimeout?: number;
}

/** Decodes base64 to UTF-8 text without Node's Buffer. */
function fromBase64(b64: string): string {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** Encodes UTF-8 text as base64 without Node's Buffer. */
function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/**
 * A revealed secret value. Holds the encoded values privately: `inspect`,
 * `toJSON` and `String()` show the keys only.
 */
export class SecretValue {
  readonly #encoded: Readonly<Record<string, string>>;

  constructor(encoded: Readonly<Record<string, string>>) {
    this.#encoded = { ...encoded };
  }

  /** The keys, sorted. */
  get keys(): string[] {
    return Object.keys(this.#encoded).sort();
  }

  /** The decoded (UTF-8) value of `key`, or undefined. */
  get(key: string): string | undefined {
    const v = this.#encoded[key];
    return v === undefined ? undefined : fromBase64(v);
  }

  /** The value of `key` as Juju stores it (base64), or undefined. */
  getBase64(key: string): string | undefined {
    return this.#encoded[key];
  }

  /** Every key with its decoded value. Never log the result. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#encoded)) out[k] = fromBase64(v);
    return out;
  }

  /** Redacted JSON form: the keys only. */
  toJSON(): Record<string, unknown> {
    return { keys: this.keys, values: "<redacted>" };
  }

  /** `SecretValue(key, …)`: the keys only. */
  toString(): string {
    return `SecretValue(${this.keys.join(", ")})`;
  }

  /** What `util.inspect` shows: the keys only. */
  [inspectSymbol](): string {
    return this.toString();
  }
}

/** One revision of a listed secret. */
export interface SecretRevisionInfo {
  /** The revision number. */
  revision: number;
  /** When it was created (RFC 3339). */
  createTime: string | undefined;
  /** When it last changed (RFC 3339). */
  updateTime: string | undefined;
  /** When it expires (RFC 3339), if it does. */
  expireTime: string | undefined;
  /** Where the content lives, e.g. `internal`. */
  backendName: string | undefined;
}

/** An application's access to a secret. */
export interface SecretAccessInfo {
  /** Who has access, e.g. `application-mysql`. */
  targetTag: string;
  /** What the access is bound to, e.g. the relation or model. */
  scopeTag: string;
  /** `view` or `manage`. */
  role: string;
}

/** A secret as `listSecrets` gives it. */
export interface SecretInfo {
  /** `secret:<id>`. */
  uri: string;
  /** The secret's name (label), if any. */
  label: string | undefined;
  /** The secret's description, if any. */
  description: string | undefined;
  /** `model-<uuid>` for user secrets. */
  ownerTag: string;
  /** The secret format version. */
  version: number;
  /** How often it rotates, e.g. `monthly`, if set. */
  rotatePolicy: string | undefined;
  /** When it rotates next (RFC 3339), if it rotates. */
  nextRotateTime: string | undefined;
  /** The newest revision number. */
  latestRevision: number;
  /** Checksum of the latest revision's content (Secrets v2). */
  latestRevisionChecksum: string | undefined;
  /** When the newest revision expires (RFC 3339), if it does. */
  latestExpireTime: string | undefined;
  /** When the secret was created (RFC 3339). */
  createTime: string;
  /** When it last changed (RFC 3339). */
  updateTime: string;
  /** Its revisions. */
  revisions: SecretRevisionInfo[];
  /** Grants to applications (Secrets v2). */
  access: SecretAccessInfo[];
  /** With `reveal`: the value of the latest (or filtered) revision. */
  value?: SecretValue;
  /** With `reveal`: why the value could not be read. */
  valueError?: JujuError;
}

function checkKey(key: string, arg: string): void {
  if (!KEY_RE.test(key))
    throw new InvalidArgumentError(arg, `key ${JSON.stringify(key)} not valid`);
}

/** Loads the Node file reader only when a file is named (it is the one Node-only piece). */
async function nodeReader(): Promise<SecretFileReader> {
  return (await import("./secret-files.js")).nodeSecretFileReader;
}

/**
 * `secrets.encodeBase64`: validates keys and limits and encodes plain values;
 * `#base64` keys are taken as they are.
 */
export function encodeSecretValues(
  plain: Readonly<Record<string, string>>,
  arg = "data",
): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(plain)) {
    if (typeof v !== "string") {
      throw new InvalidArgumentError(
        arg,
        `value of secret key ${JSON.stringify(k)} is not a string`,
      );
    }
    size += byteLength(v);
    if (size > MAX_SECRET_CONTENT_BYTES) {
      throw new InvalidArgumentError(arg, `secret content too large: ${size} bytes`);
    }
    if (k.endsWith(BASE64_SUFFIX)) {
      const key = k.slice(0, -BASE64_SUFFIX.length);
      checkKey(key, arg);
      out[key] = v;
      continue;
    }
    checkKey(k, arg);
    out[k] = toBase64(v);
  }
  return out;
}

/**
 * `secrets.CreateSecretData` (plus python-libjuju's `file` merge): the
 * encoded content of data arguments or a key-value map and an optional
 * YAML/JSON file. Errors name keys or argument positions, never values.
 */
export async function createSecretData(
  data: SecretDataInput | undefined,
  options: { file?: string; reader?: SecretFileReader } = {},
): Promise<Record<string, string>> {
  let out: Record<string, string> = {};
  if (data !== undefined && !Array.isArray(data)) {
    if (typeof data !== "object" || data === null) {
      throw new InvalidArgumentError("data", "secret data must be key=value strings or an object");
    }
    out = encodeSecretValues(data as Record<string, string>);
  } else if (data !== undefined) {
    const plain: Record<string, string> = {};
    const args = data as readonly string[];
    for (const [i, val] of args.entries()) {
      if (typeof val !== "string") {
        throw new InvalidArgumentError("data", `data argument ${i + 1} is not a string`);
      }
      // Base64 padding at the end is not a separator.
      const idx = val.replace(/=+$/, "").indexOf("=");
      if (idx < 1) {
        throw new InvalidArgumentError(
          "data",
          `data argument ${i + 1} is not key=value: not valid`,
        );
      }
      const key = val.slice(0, idx);
      const value = val.slice(idx + 1);
      if (!key.endsWith(FILE_SUFFIX)) {
        plain[key] = value;
        continue;
      }
      const k = key.slice(0, -FILE_SUFFIX.length);
      const reader = options.reader ?? (await nodeReader());
      let size: number;
      let text: string;
      try {
        size = await reader.size(value);
        if (size > MAX_SECRET_VALUE_BYTES) {
          throw new InvalidArgumentError(
            "data",
            `secret content in file ${JSON.stringify(value)} too large: ${size} bytes`,
          );
        }
        text = await reader.readText(value);
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw e;
        const why = (e as { code?: unknown }).code ?? "unreadable";
        throw new InvalidArgumentError(
          "data",
          `reading content for secret key ${JSON.stringify(k)}: ${String(why)}`,
        );
      }
      plain[k] = text;
    }
    out = encodeSecretValues(plain);
  }
  if (options.file !== undefined) {
    const reader = options.reader ?? (await nodeReader());
    const fromFile = encodeSecretValues(await reader.readKeyValues(options.file), "file");
    out = { ...out, ...fromFile };
  }
  return out;
}

/** A Juju secret URI (`secret:<id>`, `secret://<uuid>/<id>` or a bare 20-character id). */
const SECRET_URI_RE = /^(secret:(\/\/[0-9a-f-]{36}\/)?)?[0-9a-v]{20}$/;

/** `{uri}` when `name` is a secret URI or id, `{label}` otherwise (as `juju` resolves names). */
function secretRef(name: string): { uri: string; label: string } {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError("name", "a secret name or URI is required");
  }
  return SECRET_URI_RE.test(name) ? { uri: name, label: "" } : { uri: "", label: name };
}

/** The Secrets facade at v2+, or `NotSupportedError` (user secrets need Juju 3.3+). */
function secretsV2(ctx: OpsContext, operation: string) {
  const f = ctx.connection.facade("Secrets");
  if (f.version < 2) {
    throw new NotSupportedError(
      operation,
      `the controller serves Secrets v${f.version}; user secrets need v2`,
    );
  }
  return f.as(2);
}

const CONTENT_SPEC: ac.OptionSpec = {
  file: ac.name,
  reader: ac.check("a SecretFileReader", (v) => typeof v === "object" && v !== null),
  signal: ac.signal,
  callTimeout: ac.num(0),
};

/** Adds a user secret named `name`; resolves with its URI (`secret:<id>`). */
export async function addSecret(
  ctx: OpsContext,
  name: string,
  data: SecretDataInput,
  options: AddSecretOptions = {},
): Promise<string> {
  ac.checkArg("name", name, ac.name);
  ac.checkOptions("addSecret", options, { ...CONTENT_SPEC, info: ac.text, description: ac.text });
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError("name", "a secret name is required");
  }
  const content = await createSecretData(data, options);
  const f = secretsV2(ctx, "addSecret");
  const description = options.description ?? options.info;
  const res = await f.call(
    "CreateSecrets",
    {
      args: [
        {
          content: { data: content },
          label: name,
          "owner-tag": "",
          ...(description === undefined ? {} : { description }),
        },
      ],
    },
    callOptions(options),
  );
  try {
    const [item] = bulkResultsStrict(res, siteOf(f, "CreateSecrets"));
    return item?.result ?? "";
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/**
 * Updates the secret `name` (label or URI): new content makes a new revision
 * (unless it equals the latest), and name, description and auto-prune change
 * when given. Unlike python-libjuju, absent options are left unchanged
 * rather than cleared.
 */
export async function updateSecret(
  ctx: OpsContext,
  name: string,
  options: UpdateSecretOptions = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkOptions("updateSecret", options, {
    ...CONTENT_SPEC,
    newName: ac.name,
    info: ac.text,
    description: ac.text,
    autoPrune: ac.bool,
  });
  const ref = secretRef(name);
  const content =
    options.data === undefined && options.file === undefined
      ? undefined
      : await createSecretData(options.data, options);
  const f = secretsV2(ctx, "updateSecret");
  const description = options.description ?? options.info;
  const res = await f.call(
    "UpdateSecrets",
    {
      args: [
        {
          uri: ref.uri,
          "existing-label": ref.label,
          ...(content === undefined ? {} : { content: { data: content } }),
          ...(options.newName === undefined ? {} : { label: options.newName }),
          ...(description === undefined ? {} : { description }),
          ...(options.autoPrune === undefined ? {} : { "auto-prune": options.autoPrune }),
        },
      ],
    },
    callOptions(options),
  );
  try {
    bulkResultsStrict(res, siteOf(f, "UpdateSecrets"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

function toInfo(
  r: ListSecretResult | ListSecretResultV1,
  site: ReturnType<typeof siteOf>,
): SecretInfo {
  const v2 = r as Partial<ListSecretResult>;
  const info: SecretInfo = {
    uri: r.uri,
    label: r.label || undefined,
    description: r.description || undefined,
    ownerTag: r["owner-tag"],
    version: r.version,
    rotatePolicy: r["rotate-policy"] || undefined,
    nextRotateTime: r["next-rotate-time"] ?? undefined,
    latestRevision: r["latest-revision"],
    latestRevisionChecksum: v2["latest-revision-checksum"] || undefined,
    latestExpireTime: r["latest-expire-time"] ?? undefined,
    createTime: r["create-time"],
    updateTime: r["update-time"],
    revisions: (r.revisions ?? []).map((x: SecretRevision) => ({
      revision: x.revision,
      createTime: x["create-time"] ?? undefined,
      updateTime: x["update-time"] ?? undefined,
      expireTime: x["expire-time"] ?? undefined,
      backendName: x["backend-name"] ?? undefined,
    })),
    access: (v2.access ?? []).map((a) => ({
      targetTag: a["target-tag"],
      scopeTag: a["scope-tag"],
      role: a.role,
    })),
  };
  if (r.value) {
    if (r.value.error?.message) info.valueError = JujuError.fromWire(r.value.error, site);
    else info.value = new SecretValue(r.value.data ?? {});
  }
  return info;
}

/** The model's secrets, optionally filtered; with `reveal`, with their values. */
export async function listSecrets(
  ctx: OpsContext,
  options: ListSecretsOptions = {},
): Promise<SecretInfo[]> {
  ac.checkOptions("listSecrets", options, {
    filter: ac.check("a filter object", ac.isPlainObject),
    reveal: ac.bool,
    signal: ac.signal,
    callTimeout: ac.num(0),
  });
  if (options.filter !== undefined)
    ac.checkOptions("listSecrets filter", options.filter, {
      uri: ac.name,
      label: ac.name,
      ownerTag: ac.name,
      revision: ac.int(1),
    });
  const f = ctx.connection.facade("Secrets");
  const flt = options.filter ?? {};
  const filter: Record<string, unknown> = {};
  if (flt.uri !== undefined) filter.uri = flt.uri;
  if (flt.ownerTag !== undefined) filter["owner-tag"] = flt.ownerTag;
  if (flt.revision !== undefined) filter.revision = flt.revision;
  if (flt.label !== undefined) {
    if (f.version < 2) {
      throw new NotSupportedError(
        "listSecrets with filter.label",
        "Secrets v1 has no label filter",
      );
    }
    filter.label = flt.label;
  }
  const res = await f.call(
    "ListSecrets",
    { filter, "show-secrets": options.reveal === true },
    callOptions(options),
  );
  const site = siteOf(f, "ListSecrets");
  return (res.results ?? []).map((r) => toInfo(r, site));
}

/** Removes the secret `name` (label or URI), or only some of its revisions. */
export async function removeSecret(
  ctx: OpsContext,
  name: string,
  options: RemoveSecretOptions = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkOptions("removeSecret", options, {
    revision: ac.int(1),
    revisions: ac.arrayOf(ac.int(1)),
    signal: ac.signal,
    callTimeout: ac.num(0),
  });
  const ref = secretRef(name);
  const revisions = [
    ...(options.revision === undefined ? [] : [options.revision]),
    ...(options.revisions ?? []),
  ];
  for (const r of revisions) {
    if (!Number.isInteger(r) || r < 1) {
      throw new InvalidArgumentError(
        "revision",
        `secret revision ${String(r)} is not a positive integer`,
      );
    }
  }
  const f = secretsV2(ctx, "removeSecret");
  const res = await f.call(
    "RemoveSecrets",
    { args: [{ ...ref, ...(revisions.length > 0 ? { revisions } : {}) }] },
    callOptions(options),
  );
  try {
    bulkResultsStrict(res, siteOf(f, "RemoveSecrets"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

async function grantRevoke(
  ctx: OpsContext,
  method: "GrantSecret" | "RevokeSecret",
  name: string,
  applications: readonly string[],
  options: SecretCallOptions,
): Promise<void> {
  const ref = secretRef(name);
  if (applications.length === 0) {
    throw new InvalidArgumentError("applications", "at least one application is required");
  }
  const f = secretsV2(ctx, method === "GrantSecret" ? "grantSecret" : "revokeSecret");
  const res = await f.call(
    method,
    { ...ref, applications: [...applications] },
    callOptions(options),
  );
  try {
    bulkResultsStrict(res, siteOf(f, method));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Grants applications `view` access to the secret `name` (label or URI). */
export async function grantSecret(
  ctx: OpsContext,
  name: string,
  applications: readonly string[],
  options: SecretCallOptions = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkArg("applications", applications, ac.arrayOf(ac.name));
  ac.checkOptions("grantSecret", options, { signal: ac.signal, callTimeout: ac.num(0) });
  return grantRevoke(ctx, "GrantSecret", name, applications, options);
}

/** Revokes applications' access to the secret `name` (revoking access never granted is no error). */
export async function revokeSecret(
  ctx: OpsContext,
  name: string,
  applications: readonly string[],
  options: SecretCallOptions = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkArg("applications", applications, ac.arrayOf(ac.name));
  ac.checkOptions("revokeSecret", options, { signal: ac.signal, callTimeout: ac.num(0) });
  return grantRevoke(ctx, "RevokeSecret", name, applications, options);
}

/**
 * The model's authorized SSH keys (`KeyManager` facade): list, add, remove
 * and import, as python-libjuju's `add_ssh_key`, `get_ssh_keys`,
 * `remove_ssh_key` and `import_ssh_key` do. In Juju 3.6 the keys are global
 * to the model; the user named in a call is only checked, not used to
 * separate keys.
 * @module
 */
import { createHash } from "node:crypto";
import { bulkResultsStrict, rethrowSingleFailure } from "../../rpc/bulk.js";
import { JujuBulkError, JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import type { OpsContext } from "../ops-context.js";
import { siteOf } from "./common.js";

/** Options of {@link Model.getSshKeys}. */
export interface GetSshKeysOptions {
  /** Return the full `authorized_keys` lines instead of `fingerprint (comment)`. Default false. */
  raw?: boolean;
}

/** Options of {@link Model.importSshKeys}. */
export interface ImportSshKeysOptions {
  /** The Juju user the keys are for. Default: the logged-in user. */
  user?: string;
}

/**
 * The MD5 fingerprint (colon-separated hex) of an OpenSSH public key line
 * such as `ssh-ed25519 AAAA… comment`, the form Juju lists and accepts for
 * removal; undefined when the line holds no base64 key blob.
 */
export function sshKeyFingerprint(key: string): string | undefined {
  const b64 = key.trim().split(/\s+/)[1];
  if (b64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const blob = Buffer.from(b64, "base64");
  if (blob.length < 4) return undefined;
  return createHash("md5")
    .update(blob)
    .digest("hex")
    .replace(/(..)(?!$)/g, "$1:");
}

/** The logged-in user's name (`admin` for `user-admin`), `admin` when unknown. */
function currentUser(ctx: OpsContext): string {
  const identity = ctx.connection.loginInfo?.userInfo?.identity ?? "";
  return identity.startsWith("user-") ? identity.slice(5) : "admin";
}

/** A single-item call's failure as the item's own error instead of a bulk error. */
function single(p: Promise<void>): Promise<void> {
  return p.catch(rethrowSingleFailure);
}

async function modify(
  ctx: OpsContext,
  method: "AddKeys" | "DeleteKeys" | "ImportKeys",
  user: string,
  keys: readonly string[],
): Promise<void> {
  const f = ctx.connection.facade("KeyManager");
  const res = await f.call(method, { user, "ssh-keys": [...keys] });
  bulkResultsStrict(res, siteOf(f, method));
}

/**
 * The model's SSH keys: `fingerprint (comment)` strings, or the full key
 * lines with `raw: true`. Juju's own keys are not listed.
 */
export async function getSshKeys(
  ctx: OpsContext,
  options: GetSshKeysOptions = {},
): Promise<string[]> {
  ac.checkOptions("getSshKeys", options, { raw: ac.bool });
  const f = ctx.connection.facade("KeyManager");
  const res = await f.call("ListKeys", {
    entities: { entities: [{ tag: `user-${currentUser(ctx)}` }] },
    mode: options.raw ?? false,
  });
  const [r] = res.results ?? [];
  if (r?.error?.message) throw JujuError.fromWire(r.error, siteOf(f, "ListKeys"));
  return [...(r?.result ?? [])];
}

/**
 * Adds public keys for `user`. When any key is refused (invalid, duplicate,
 * reserved comment) throws a {@link JujuBulkError} naming each; the others
 * are added.
 */
export async function addSshKeys(
  ctx: OpsContext,
  user: string,
  keys: readonly string[],
): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("keys", keys, ac.arrayOf(ac.text));
  return modify(ctx, "AddKeys", user, keys);
}

/** Adds one public key for `user`; a refused key throws its {@link JujuError}. */
export async function addSshKey(ctx: OpsContext, user: string, key: string): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("key", key, ac.text);
  return single(addSshKeys(ctx, user, [key]));
}

/**
 * Removes keys of `user`, each given as a full public key line (sent as its
 * fingerprint, like python-libjuju), a fingerprint or a comment. Unknown
 * keys throw a {@link JujuBulkError} naming each; the others are removed.
 */
export async function removeSshKeys(
  ctx: OpsContext,
  user: string,
  keys: readonly string[],
): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("keys", keys, ac.arrayOf(ac.text));
  return modify(
    ctx,
    "DeleteKeys",
    user,
    keys.map((k) => (/\s/.test(k.trim()) ? (sshKeyFingerprint(k) ?? k) : k)),
  );
}

/** Removes one key (full line, fingerprint or comment); a failure throws its {@link JujuError}. */
export async function removeSshKey(ctx: OpsContext, user: string, key: string): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("key", key, ac.text);
  return single(removeSshKeys(ctx, user, [key]));
}

/**
 * Imports keys from `gh:<user>` (GitHub) or `lp:<user>` (Launchpad)
 * identities; the controller fetches them. Failed identities throw a
 * {@link JujuBulkError} naming each.
 */
export async function importSshKeys(
  ctx: OpsContext,
  identities: readonly string[],
  options: ImportSshKeysOptions = {},
): Promise<void> {
  ac.checkArg("identities", identities, ac.arrayOf(ac.name));
  ac.checkOptions("importSshKeys", options, { user: ac.name });
  return modify(ctx, "ImportKeys", options.user ?? currentUser(ctx), identities);
}

/** Imports the keys of one identity; a failure throws its {@link JujuError}. */
export async function importSshKey(
  ctx: OpsContext,
  identity: string,
  options: ImportSshKeysOptions = {},
): Promise<void> {
  ac.checkArg("identity", identity, ac.name);
  ac.checkOptions("importSshKey", options, { user: ac.name });
  return single(importSshKeys(ctx, [identity], options));
}

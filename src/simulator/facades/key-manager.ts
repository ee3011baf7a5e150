/**
 * `KeyManager(1)`: `ListKeys`, `AddKeys`, `DeleteKeys` and `ImportKeys` on
 * the connection's model (`apiserver/facades/client/keymanager`). As in 3.6
 * the keys are global to the model: they live in its `authorized-keys`
 * config (hidden from `ModelGet`), one OpenSSH public key per line; the
 * user named in a request only matters when it is `juju-system-key`.
 *
 * Keys are validated and fingerprinted as `utils/ssh.KeyFingerprint` does
 * (MD5 of the key blob, colon-separated hex). Keys commented
 * `juju-client-key` or `juju-system-key` are internal: never listed, never
 * added, not deletable by comment.
 *
 * `ImportKeys`: a real controller runs `ssh-import-id -o - <id>` for each
 * id, which fetches from GitHub (`gh:`) or Launchpad (`lp:`, the default).
 * The simulator never goes to the network. It answers like a controller
 * that cannot reach those sites: `ssh-import-id` exits 1, and
 * `utils.RunCommand` reports that exit as the error `exit status 1`
 * (code `""`), once for each id. Nothing is added.
 * @module
 */
import { createHash } from "node:crypto";
import type { KeyManager as KeyManagerFacade } from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import type { ModelRecord } from "../store.js";
import type { MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

/** Comments of Juju's own keys (`internalComments` in keymanager.go). */
const INTERNAL_COMMENTS = new Set(["juju-client-key", "juju-system-key"]);
/** `config.JujuSystemKey`: the user whose keys no client may see or change. */
const SYSTEM_USER = "juju-system-key";

/** Number of SSH wire strings after the algorithm name, per public key algorithm. */
const KEY_FIELDS: Record<string, number> = {
  "ssh-rsa": 2,
  "ssh-dss": 4,
  "ssh-ed25519": 1,
  "ecdsa-sha2-nistp256": 2,
  "ecdsa-sha2-nistp384": 2,
  "ecdsa-sha2-nistp521": 2,
  "sk-ecdsa-sha2-nistp256@openssh.com": 3,
  "sk-ssh-ed25519@openssh.com": 2,
};

/** Reads the SSH wire strings of a key blob; undefined when malformed. */
function wireStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return undefined;
    out.push(blob.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** Decodes a public key blob as `ssh.ParsePublicKey` would accept it; undefined when it would not. */
function parseBlob(b64: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const blob = Buffer.from(b64, "base64");
  const parts = wireStrings(blob);
  const algo = parts?.[0]?.toString("latin1");
  if (parts === undefined || algo === undefined) return undefined;
  const n = KEY_FIELDS[algo];
  if (n === undefined || parts.length !== n + 1) return undefined;
  if (algo.includes("ed25519") && parts[1]?.length !== 32) return undefined;
  if (algo.includes("ecdsa")) {
    const curve = algo.match(/nistp\d+/)?.[0];
    if (parts[1]?.toString("latin1") !== curve) return undefined;
  }
  return blob;
}

/** Splits off the first whitespace-separated field. */
function firstField(s: string): [string, string] {
  const m = s.match(/^(\S+)\s*([\s\S]*)$/);
  return m ? [m[1] ?? "", m[2] ?? ""] : ["", ""];
}

/** Skips an `authorized_keys` options field (commas and quoted strings allowed). */
function skipOptions(s: string): string {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === " " || c === "\t")) return s.slice(i).trimStart();
  }
  return "";
}

/**
 * The MD5 fingerprint and comment of an `authorized_keys` line, as
 * `utils/ssh.KeyFingerprint` gives them; undefined for an invalid key.
 */
export function keyFingerprint(line: string): { fingerprint: string; comment: string } | undefined {
  const tryLine = (s: string) => {
    const [, rest] = firstField(s);
    const [b64, comment] = firstField(rest);
    const blob = parseBlob(b64);
    if (blob === undefined) return undefined;
    const hex = createHash("md5").update(blob).digest("hex");
    return { fingerprint: hex.replace(/(..)(?!$)/g, "$1:"), comment: comment.trim() };
  };
  const s = line.trim();
  if (s === "" || s.startsWith("#")) return undefined;
  return tryLine(s) ?? tryLine(skipOptions(s));
}

/** `ssh.SplitAuthorisedKeys`: non-empty, non-comment lines, trimmed. */
function splitKeys(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function currentKeys(model: ModelRecord): string[] {
  const v = model.config.get("authorized-keys")?.value;
  return splitKeys(typeof v === "string" ? v : "");
}

function writeKeys(model: ModelRecord, keys: string[]): void {
  model.setConfig({ "authorized-keys": keys.join("\n") });
}

/** `checkCanWrite`: only the system key's user is refused (the caller is a model admin). */
function checkCanWrite(user: string): void {
  if (user === SYSTEM_USER) throw Errors.permissionDenied();
}

/** The `ModifyUserSSHKeys` params: user and keys. */
function modifyArgs(p: Params<KeyManagerFacade.ModifyUserSSHKeys>): {
  user: string;
  keys: string[];
} {
  return { user: p.string("user"), keys: p.strings("ssh-keys") };
}

/** Fingerprints of the current keys (invalid ones count as `""`, as in Go). */
function fingerprints(keys: string[]): Set<string> {
  return new Set(keys.map((k) => keyFingerprint(k)?.fingerprint ?? ""));
}

const wire = (message: string) => ({ error: new ServerError(message).toWire() });

/** The KeyManager methods. */
export const keyManagerMethods: readonly MethodSpec[] = [
  method({
    facade: "KeyManager",
    method: "ListKeys",
    params: "params.ListSSHKeys",
    call: (ctx, p) => {
      const list: Params<KeyManagerFacade.Entities> = new Fields(
        p.raw("entities"),
        "params.Entities",
        "entities",
        "ListSSHKeys",
      );
      const entities = list.objects("entities", "params.Entity");
      if (entities.length === 0) return { results: null };
      const full = p.optBool("mode") ?? false;
      const info: string[] = [];
      for (const key of currentKeys(ctx.model())) {
        const fp = keyFingerprint(key);
        if (fp === undefined) {
          info.push(`Invalid key: ${key}`);
          continue;
        }
        if (INTERNAL_COMMENTS.has(fp.comment)) continue;
        if (full) info.push(key);
        else info.push(fp.comment === "" ? fp.fingerprint : `${fp.fingerprint} (${fp.comment})`);
      }
      return {
        results: entities.map((e) =>
          // The "tag" is read as a user name; only the system key's is refused.
          e.string("tag") === SYSTEM_USER
            ? { error: Errors.permissionDenied().toWire() }
            : info.length === 0
              ? {}
              : { result: [...info] },
        ),
      };
    },
  }),
  method({
    facade: "KeyManager",
    method: "AddKeys",
    params: "params.ModifyUserSSHKeys",
    call: (ctx, p) => {
      const { user, keys } = modifyArgs(p);
      checkCanWrite(user);
      if (keys.length === 0) return { results: null };
      const model = ctx.model();
      const all = currentKeys(model);
      const seen = fingerprints(all);
      const results = keys.map((key) => {
        const fp = keyFingerprint(key);
        if (fp === undefined) return wire(`invalid ssh key: ${key}`);
        if (INTERNAL_COMMENTS.has(fp.comment)) {
          return wire(`may not add key with comment ${fp.comment}: ${key}`);
        }
        if (seen.has(fp.fingerprint)) return wire(`duplicate ssh key: ${key}`);
        seen.add(fp.fingerprint);
        all.push(key);
        return {};
      });
      writeKeys(model, all);
      return { results };
    },
  }),
  method({
    facade: "KeyManager",
    method: "ImportKeys",
    params: "params.ModifyUserSSHKeys",
    call: (ctx, p) => {
      const { user, keys } = modifyArgs(p);
      checkCanWrite(user);
      if (keys.length === 0) return { results: null };
      const model = ctx.model();
      // ssh-import-id cannot reach GitHub or Launchpad: it exits 1 for every id.
      const results = keys.map(() => wire("exit status 1"));
      writeKeys(model, currentKeys(model));
      return { results };
    },
  }),
  method({
    facade: "KeyManager",
    method: "DeleteKeys",
    params: "params.ModifyUserSSHKeys",
    call: (ctx, p) => {
      const { user, keys } = modifyArgs(p);
      checkCanWrite(user);
      if (keys.length === 0) return { results: null };
      const model = ctx.model();
      const all = currentKeys(model);
      const byFingerprint = new Map<string, string>();
      const byComment = new Map<string, string>();
      for (const key of all) {
        const fp = keyFingerprint(key);
        if (fp === undefined) continue;
        byFingerprint.set(fp.fingerprint, key);
        if (fp.comment !== "") byComment.set(fp.comment, key);
      }
      const doomed = new Set<string>();
      const results = keys.map((id) => {
        const byFp = byFingerprint.get(id);
        if (byFp !== undefined) {
          doomed.add(byFp);
          return {};
        }
        const byC = byComment.get(id);
        if (byC !== undefined) {
          if (INTERNAL_COMMENTS.has(id)) return wire(`may not delete internal key: ${id}`);
          doomed.add(byC);
          return {};
        }
        return wire(`invalid ssh key: ${id}`);
      });
      const kept = all.filter((k) => !doomed.has(k));
      if (kept.length === 0) throw new ServerError("cannot delete all keys");
      writeKeys(model, kept);
      return { results };
    },
  }),
];

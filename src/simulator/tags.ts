/**
 * Juju entity tags (`github.com/juju/names`): parsing with Go's error messages.
 * @module
 */
import { ServerError } from "./errors.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_NAME_RE = /^(?:[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]|[a-zA-Z0-9])$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]|[a-zA-Z0-9])$/;
const CLOUD_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Whether `s` is a UUID in the lowercase form Juju generates and accepts (`utils.IsValidUUIDString`). */
export function isValidUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** A parsed tag: its kind (`user`, `model`, …) and id (`admin`, a UUID, …). */
export interface Tag {
  kind: string;
  id: string;
}

function validId(kind: string, id: string): boolean {
  switch (kind) {
    case "user": {
      const [name, domain, ...rest] = id.split("@");
      return (
        rest.length === 0 &&
        name !== undefined &&
        USER_NAME_RE.test(name) &&
        (domain === undefined || DOMAIN_RE.test(domain))
      );
    }
    case "model":
    case "controller":
      return isValidUuid(id);
    case "cloud":
      return CLOUD_RE.test(id);
    case "machine":
      return /^(?:0|[1-9][0-9]*)(?:-[a-z]+-(?:0|[1-9][0-9]*))*$/.test(id);
    case "application":
      return /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/.test(id);
    case "unit":
      return /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*-(?:0|[1-9][0-9]*)$/.test(id);
    case "cloudcred":
      return id.split("_").length === 3 && id.split("_").every((p) => p !== "");
    default:
      return id !== "";
  }
}

const KINDS = new Set([
  "user",
  "model",
  "controller",
  "cloud",
  "cloudcred",
  "machine",
  "application",
  "unit",
  "action",
  "operation",
  "relation",
  "storage",
  "volume",
  "filesystem",
  "space",
  "subnet",
  "charm",
  "applicationoffer",
  "remoteapplication",
]);

/** `names.ParseTag`: fails with `"x" is not a valid tag`. */
export function parseTag(s: string): Tag {
  const dash = s.indexOf("-");
  const kind = dash > 0 ? s.slice(0, dash) : "";
  const id = dash > 0 ? s.slice(dash + 1) : "";
  if (!KINDS.has(kind)) throw new ServerError(`${JSON.stringify(s)} is not a valid tag`);
  // juju/names ParseTag: a known kind with a bad id is `invalidTagError(tag, kind)`.
  if (!validId(kind, id)) throw new ServerError(`${JSON.stringify(s)} is not a valid ${kind} tag`);
  return { kind, id };
}

/** Parses a tag of one kind (`names.ParseUserTag`, `ParseModelTag`, …) with Go's messages. */
export function parseTagOfKind(s: string, kind: string): string {
  const tag = parseTag(s);
  if (tag.kind !== kind) {
    throw new ServerError(`${JSON.stringify(s)} is not a valid ${kind} tag`);
  }
  return tag.id;
}

/** The local user name of a user tag id: `admin@local` and `admin` are the same user. */
export function localUserName(id: string): string | undefined {
  const [name, domain] = id.split("@");
  if (domain !== undefined && domain !== "local") return undefined;
  return name;
}

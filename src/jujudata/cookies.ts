/**
 * Juju CLI cookie jars (`$JUJU_DATA/cookies/<controller>.json`), in the JSON
 * format of Go's `github.com/juju/persistent-cookiejar`: an array of
 * `{Name, Value, Domain, Path, Secure, HostOnly, Expires, …}`. Macaroons are
 * stored in cookies named `macaroon-…` whose value is the base64 of a JSON
 * array of macaroons (one bound macaroon and its discharges).
 * @module
 */
import type { MacaroonJson } from "../rpc/credentials.js";
import { JujuDataError } from "../rpc/errors.js";

/** One cookie of a persistent-cookiejar file. */
export interface Cookie {
  /** The cookie name (for Juju, `macaroon-<id>`). */
  name: string;
  /** The cookie value (for Juju, base64 JSON macaroons). */
  value: string;
  /** The domain it is sent to. */
  domain: string;
  /** The path it is sent under. */
  path: string;
  /** Whether it is sent over HTTPS only. */
  secure: boolean;
  /** Whether it is sent to `domain` only, not its subdomains. */
  hostOnly: boolean;
  /** Expiry; undefined for no (or the zero) expiry time. */
  expires: Date | undefined;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Parses a persistent-cookiejar JSON file; {@link JujuDataError} when malformed. */
export function parseCookieJar(text: string, path: string): Cookie[] {
  let data: unknown;
  try {
    data = text.trim() === "" ? [] : JSON.parse(text);
  } catch (err) {
    throw new JujuDataError(`${path} is not valid JSON: ${(err as Error).message}`, path);
  }
  if (data === null) return [];
  if (!Array.isArray(data)) {
    throw new JujuDataError(`${path}: a cookie jar must be a JSON array of cookies`, path);
  }
  return data.map((entry, i): Cookie => {
    if (
      !entry ||
      typeof entry !== "object" ||
      typeof (entry as { Name?: unknown }).Name !== "string"
    ) {
      throw new JujuDataError(`${path}: cookie [${i}] has no Name`, path, `[${i}].Name`);
    }
    const e = entry as Record<string, unknown>;
    const expiresText = str(e.Expires);
    const expires = expiresText ? new Date(expiresText) : undefined;
    return {
      name: str(e.Name),
      value: str(e.Value),
      domain: str(e.Domain).toLowerCase(),
      path: str(e.Path) || "/",
      secure: e.Secure === true,
      hostOnly: e.HostOnly === true,
      // Go's zero time (year 1) means "no expiry".
      expires:
        expires && !Number.isNaN(expires.getTime()) && expires.getUTCFullYear() > 1
          ? expires
          : undefined,
    };
  });
}

function domainMatches(cookie: Cookie, host: string): boolean {
  const h = host.toLowerCase();
  if (cookie.domain === h) return true;
  return !cookie.hostOnly && cookie.domain !== "" && h.endsWith(`.${cookie.domain}`);
}

/** Decodes standard or URL-safe base64, padded or not (as go-macaroon's `Base64Decode`). */
function decodeBase64(value: string): string | undefined {
  const normal = value.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(normal)) return undefined;
  const padded = normal + "=".repeat((4 - (normal.length % 4)) % 4);
  try {
    const bin = atob(padded);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The macaroon slices of unexpired `macaroon-*` cookies that apply to any of
 * `hosts` (path `/`). Cookies whose value cannot be decoded are skipped, as
 * Go's httpbakery does.
 */
export function macaroonsForHosts(
  cookies: readonly Cookie[],
  hosts: readonly string[],
  now: Date = new Date(),
): MacaroonJson[][] {
  const out: MacaroonJson[][] = [];
  for (const cookie of cookies) {
    if (!cookie.name.startsWith("macaroon-")) continue;
    if (cookie.expires && cookie.expires.getTime() <= now.getTime()) continue;
    // Login uses the URL https://<host>/, so only root-path cookies apply.
    if (cookie.path !== "/") continue;
    if (!hosts.some((h) => h && domainMatches(cookie, h))) continue;
    const json = decodeBase64(cookie.value);
    if (json === undefined) continue;
    let slice: unknown;
    try {
      slice = JSON.parse(json);
    } catch {
      continue;
    }
    if (Array.isArray(slice) && slice.every((m) => m && typeof m === "object")) {
      out.push(slice as MacaroonJson[]);
    }
  }
  return out;
}

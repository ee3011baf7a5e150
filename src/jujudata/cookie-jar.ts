/**
 * The juju CLI's cookie jar as a {@link MacaroonJar}: a JSON array of
 * cookies in `github.com/juju/persistent-cookiejar`'s format
 * (`$JUJU_DATA/cookies/<controller>.json`), so a macaroon discharged by
 * libjuju is reused by `juju` and the other way round. Node edge (fs).
 * @module
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { MacaroonJson } from "../rpc/credentials.js";
import type { MacaroonJar } from "../rpc/discharger.js";
import { JujuDataError } from "../rpc/errors.js";
import { base64std, macaroonFromJson, toHex } from "../rpc/macaroon.js";
import { macaroonsForHosts, parseCookieJar } from "./cookies.js";

/** Go's zero `time.Time`, which persistent-cookiejar writes for "no expiry". */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

const goTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A {@link MacaroonJar} kept in a persistent-cookiejar JSON file. */
export class FileCookieJar implements MacaroonJar {
  /** The jar file. */
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async #readRaw(): Promise<unknown[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new JujuDataError(`cannot read ${this.path}: ${(err as Error).message}`, this.path);
    }
    // Validates the shape (a JSON array of cookies with names) with the reader's messages.
    parseCookieJar(text, this.path);
    const data: unknown = text.trim() === "" ? [] : JSON.parse(text);
    return Array.isArray(data) ? data : [];
  }

  async load(hosts: readonly string[]): Promise<MacaroonJson[][]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new JujuDataError(`cannot read ${this.path}: ${(err as Error).message}`, this.path);
    }
    return macaroonsForHosts(parseCookieJar(text, this.path), hosts);
  }

  /**
   * Adds (or replaces) the cookie `macaroon-<hex of the root signature>`
   * for `https://<host>/`, as httpbakery's `NewCookie` names it, drops
   * expired cookies as persistent-cookiejar does on save, and writes the
   * file atomically with mode 0600.
   */
  async save(
    host: string,
    slice: readonly MacaroonJson[],
    expires: Date | undefined,
  ): Promise<void> {
    const root = slice[0];
    if (root === undefined) return;
    const name = `macaroon-${toHex(macaroonFromJson(root).signature)}`;
    const domain = host.toLowerCase();
    const now = new Date();
    const kept = (await this.#readRaw()).filter((e) => {
      const c = e as Record<string, unknown>;
      if (c.Name === name && c.Domain === domain && (c.Path ?? "/") === "/") return false;
      const exp = typeof c.Expires === "string" ? new Date(c.Expires) : undefined;
      return !(
        exp &&
        !Number.isNaN(exp.getTime()) &&
        exp.getUTCFullYear() > 1 &&
        exp.getTime() <= now.getTime()
      );
    });
    kept.push({
      Name: name,
      Value: base64std(new TextEncoder().encode(JSON.stringify(slice))),
      Domain: domain,
      Path: "/",
      Secure: false,
      HttpOnly: false,
      Persistent: expires !== undefined,
      HostOnly: true,
      Expires: expires ? goTime(expires) : GO_ZERO_TIME,
      Creation: goTime(now),
      LastAccess: goTime(now),
      Updated: goTime(now),
      CanonicalHost: domain,
    });
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(kept)}\n`, { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (err) {
      throw new JujuDataError(`cannot write ${this.path}: ${(err as Error).message}`, this.path);
    }
  }
}

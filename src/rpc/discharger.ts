/**
 * Discharging the third-party caveats of a login macaroon, as Juju's CLI does
 * through `httpbakery.Client` (macaroon-bakery v3 protocol): POST the caveat
 * to `<location>/discharge`, follow an `interaction required` answer (report
 * the visit URL, wait for the token, retry), bind every discharge to the root
 * macaroon. Uses only `fetch` and WebCrypto, so it runs in a browser too; the
 * cookie-jar file lives at the Node edge (`jujudata/cookie-jar.ts`).
 * @module
 */
import type { MacaroonJson } from "./credentials.js";
import {
  AbortError,
  DischargeError,
  InteractionRequiredError,
  type ProtocolError,
} from "./errors.js";
import {
  type BakeryMacaroon,
  bakeryMacaroonFromJson,
  base64url,
  bindForRequest,
  bytesKey,
  type Caveat,
  decodeBase64Any,
  type Macaroon,
  macaroonToJson,
  thirdPartyCaveats,
} from "./macaroon.js";

/** One third-party caveat to discharge. */
export interface DischargeRequest {
  /** Where the discharge comes from: the caveat's location (a URL). */
  location: string;
  /** The caveat id as in the macaroon. */
  caveatId: Uint8Array;
  /** The encrypted caveat payload sent beside the id (bakery v3 `cdata`), if any. */
  caveatData: Uint8Array | undefined;
  /** Aborts the discharge. */
  signal?: AbortSignal | undefined;
}

/**
 * Obtains discharge macaroons for third-party caveats. The default,
 * {@link HttpDischarger}, talks to the caveat's location over HTTP(S); a
 * custom one may get discharges any other way (an agent key, a test double).
 */
export interface Discharger {
  /**
   * Returns the discharge macaroon for one caveat, as bakery JSON
   * (`{m, v, ns, cdata}`) or a bare macaroon JSON. Throw
   * {@link DischargeError} (or {@link InteractionRequiredError}) to refuse.
   */
  discharge(request: DischargeRequest): Promise<MacaroonJson>;
}

/** What an `interaction required` answer asks of the user. */
export interface InteractionInfo {
  /** The URL to open in a browser to log in. */
  visitUrl: string;
  /** The third party's location. */
  location: string;
}

/** Options of {@link HttpDischarger}. */
export interface HttpDischargerOptions {
  /**
   * Called when the identity provider needs the user to log in: show or
   * open `visitUrl`. The discharger then waits for the provider's token and
   * retries. Without it, {@link InteractionRequiredError} is thrown.
   */
  onInteraction?: (info: InteractionInfo) => void | Promise<void>;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

/** The bakery protocol version this client speaks (`Bakery-Protocol-Version`). */
export const BAKERY_PROTOCOL_VERSION = 3;

const joinUrl = (base: string, rel: string): string =>
  new URL(rel, base.endsWith("/") ? base : `${base}/`).toString();

const isUtf8 = (b: Uint8Array): boolean => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

interface BakeryErrorBody {
  Code?: unknown;
  Message?: unknown;
  Info?: {
    InteractionMethods?: Record<string, { VisitURL?: unknown; WaitTokenURL?: unknown }>;
    VisitURL?: unknown;
    WaitURL?: unknown;
  };
}

/**
 * The default {@link Discharger}: the macaroon-bakery v3 HTTP protocol
 * (`httpbakery.Client.AcquireDischarge`) with the `browser-window`
 * interaction method (and the legacy visit/wait one), never opening a
 * browser itself.
 */
export class HttpDischarger implements Discharger {
  readonly #onInteraction: HttpDischargerOptions["onInteraction"];
  readonly #fetch: typeof fetch;

  constructor(options: HttpDischargerOptions = {}) {
    this.#onInteraction = options.onInteraction;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") {
      throw new DischargeError("no fetch available to reach the discharger", "");
    }
    this.#fetch = f;
  }

  async discharge(request: DischargeRequest): Promise<MacaroonJson> {
    const first = await this.#post(request, undefined);
    if (first.ok) return first.macaroon;
    const err = first.error;
    if (err.Code !== "interaction required") {
      throw new DischargeError(
        `cannot get discharge from ${request.location}: ${String(err.Message ?? `HTTP ${first.status}`)}`,
        request.location,
        { bakeryCode: typeof err.Code === "string" ? err.Code : undefined },
      );
    }
    const base = request.location;
    const browser = err.Info?.InteractionMethods?.["browser-window"];
    const visit =
      typeof browser?.VisitURL === "string"
        ? browser.VisitURL
        : typeof err.Info?.VisitURL === "string"
          ? err.Info.VisitURL
          : undefined;
    if (visit === undefined) {
      throw new DischargeError(
        `${request.location} asked for an interaction libjuju does not support (no browser-window method)`,
        request.location,
        { bakeryCode: "interaction required" },
      );
    }
    const visitUrl = joinUrl(base, visit);
    if (this.#onInteraction === undefined) {
      throw new InteractionRequiredError(
        `log in at ${visitUrl} to discharge the login macaroon (pass onInteraction to be told, and libjuju waits)`,
        visitUrl,
        request.location,
      );
    }
    await this.#onInteraction({ visitUrl, location: request.location });
    if (typeof browser?.WaitTokenURL === "string") {
      const tokenBody = await this.#getJson(joinUrl(base, browser.WaitTokenURL), request);
      const kind = tokenBody.kind;
      const token =
        typeof tokenBody.token === "string"
          ? new TextEncoder().encode(tokenBody.token)
          : typeof tokenBody.token64 === "string"
            ? decodeBase64Any(tokenBody.token64)
            : undefined;
      if (typeof kind !== "string" || token === undefined) {
        throw new DischargeError("the wait-token answer has no kind or token", request.location);
      }
      const again = await this.#post(request, { kind, value: token });
      if (again.ok) return again.macaroon;
      throw new DischargeError(
        `cannot get discharge from ${request.location} after logging in: ${String(again.error.Message ?? `HTTP ${again.status}`)}`,
        request.location,
        { bakeryCode: typeof again.error.Code === "string" ? again.error.Code : undefined },
      );
    }
    if (typeof err.Info?.WaitURL === "string") {
      // Legacy interaction: the wait URL answers with the discharge itself.
      const body = await this.#getJson(joinUrl(base, err.Info.WaitURL), request);
      if (body.Macaroon === undefined) {
        throw new DischargeError("the wait answer holds no macaroon", request.location);
      }
      return body.Macaroon as MacaroonJson;
    }
    throw new DischargeError(
      `${request.location} gave a visit URL but no way to wait for the login`,
      request.location,
    );
  }

  async #request(url: string, init: RequestInit, request: DischargeRequest): Promise<Response> {
    try {
      return await this.#fetch(url, {
        ...init,
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (e) {
      if (request.signal?.aborted) throw new AbortError("discharge aborted", { cause: e });
      throw new DischargeError(
        `cannot reach the discharger at ${url}: ${(e as Error).message}`,
        request.location,
        { cause: e },
      );
    }
  }

  async #getJson(url: string, request: DischargeRequest): Promise<Record<string, unknown>> {
    const res = await this.#request(url, { method: "GET" }, request);
    const body = await readJson(res, request.location);
    if (!res.ok) {
      throw new DischargeError(
        `GET ${url}: ${String((body as BakeryErrorBody).Message ?? `HTTP ${res.status}`)}`,
        request.location,
      );
    }
    return body;
  }

  async #post(
    request: DischargeRequest,
    token: { kind: string; value: Uint8Array } | undefined,
  ): Promise<
    { ok: true; macaroon: MacaroonJson } | { ok: false; status: number; error: BakeryErrorBody }
  > {
    const form = new URLSearchParams();
    if (isUtf8(request.caveatId)) form.set("id", new TextDecoder().decode(request.caveatId));
    else form.set("id64", base64url(request.caveatId));
    if (request.caveatData !== undefined) form.set("caveat64", base64url(request.caveatData));
    if (token !== undefined) {
      if (isUtf8(token.value)) form.set("token", new TextDecoder().decode(token.value));
      else form.set("token64", base64url(token.value));
      form.set("token-kind", token.kind);
    }
    const res = await this.#request(
      joinUrl(request.location, "discharge"),
      {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Bakery-Protocol-Version": String(BAKERY_PROTOCOL_VERSION),
        },
        body: form.toString(),
      },
      request,
    );
    const body = await readJson(res, request.location);
    if (res.ok) {
      if (body.Macaroon === undefined || body.Macaroon === null) {
        throw new DischargeError("the discharge answer holds no macaroon", request.location);
      }
      return { ok: true, macaroon: body.Macaroon as MacaroonJson };
    }
    return { ok: false, status: res.status, error: body as BakeryErrorBody };
  }
}

async function readJson(res: Response, location: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === "object" && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new DischargeError(
    `the discharger at ${location} answered HTTP ${res.status} without a JSON object`,
    location,
  );
}

/** Most discharges gathered for one macaroon (a discharge may need discharges of its own). */
const MAX_DISCHARGES = 32;

/**
 * `bakery.DischargeAll`: discharges every third-party caveat of `root` (and
 * of the discharges themselves), binds each discharge to `root`, and returns
 * the slice `[root, ...discharges]` as macaroon JSON, ready for Login's
 * `macaroons` or a cookie.
 */
export async function dischargeAll(
  root: BakeryMacaroon,
  discharger: Discharger,
  signal?: AbortSignal,
): Promise<{
  /** `[root, ...discharges]` as macaroon JSON. */
  slice: MacaroonJson[];
  /** The same macaroons, decoded. */
  macaroons: Macaroon[];
}> {
  const primary = root.macaroon;
  const out: Macaroon[] = [primary];
  const need: { caveat: Caveat; data: Map<string, Uint8Array> }[] = thirdPartyCaveats(primary).map(
    (caveat) => ({ caveat, data: root.caveatData }),
  );
  while (need.length > 0) {
    const { caveat, data } = need.shift()!;
    if (signal?.aborted) throw new AbortError("discharge aborted");
    if (out.length > MAX_DISCHARGES) {
      throw new DischargeError(
        `more than ${MAX_DISCHARGES} discharges needed; giving up`,
        caveat.location ?? "",
      );
    }
    if (caveat.location === "local") {
      throw new DischargeError(
        "the macaroon has a caveat for the client's own key (location local), which libjuju does not hold",
        "local",
      );
    }
    const location = caveat.location ?? "";
    const json = await discharger.discharge({
      location,
      caveatId: caveat.id,
      caveatData: data.get(bytesKey(caveat.id)),
      signal,
    });
    let dm: BakeryMacaroon;
    try {
      dm = bakeryMacaroonFromJson(json);
    } catch (e) {
      throw new DischargeError(
        `the discharge from ${location} is not a macaroon: ${(e as ProtocolError).message}`,
        location,
        { cause: e },
      );
    }
    out.push(await bindForRequest(primary, dm.macaroon));
    for (const c of thirdPartyCaveats(dm.macaroon)) need.push({ caveat: c, data: dm.caveatData });
  }
  return { slice: out.map(macaroonToJson), macaroons: out };
}

/**
 * Where discharged login macaroons are kept between logins, like the juju
 * CLI's cookie jar (`$JUJU_DATA/cookies/<controller>.json`). The Node file
 * implementation is `FileCookieJar`; any storage will do.
 */
export interface MacaroonJar {
  /** Unexpired macaroon slices stored for any of `hosts` (cookie URL `https://<host>/`). */
  load(hosts: readonly string[]): Promise<MacaroonJson[][]>;
  /** Stores a discharged slice for `host`, as a `macaroon-…` cookie expiring at `expires`. */
  save(host: string, slice: readonly MacaroonJson[], expires: Date | undefined): Promise<void>;
}

/** A jar in memory (for tests, browsers, or a process that should not touch files). */
export class MemoryMacaroonJar implements MacaroonJar {
  readonly #slices = new Map<string, { host: string; slice: MacaroonJson[]; expires?: Date }>();

  async load(hosts: readonly string[]): Promise<MacaroonJson[][]> {
    const now = Date.now();
    return [...this.#slices.values()]
      .filter((e) => hosts.includes(e.host) && (!e.expires || e.expires.getTime() > now))
      .map((e) => e.slice);
  }

  async save(
    host: string,
    slice: readonly MacaroonJson[],
    expires: Date | undefined,
  ): Promise<void> {
    const sig = JSON.stringify(slice[0] ?? {});
    this.#slices.set(`${host}\u0000${sig}`, {
      host,
      slice: [...slice],
      ...(expires ? { expires } : {}),
    });
  }

  /** Number of slices held. */
  get size(): number {
    return this.#slices.size;
  }

  /** Forgets every slice. */
  clear(): void {
    this.#slices.clear();
  }
}

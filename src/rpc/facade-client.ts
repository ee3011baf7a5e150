/**
 * A typed caller for one facade at the version negotiated at login.
 * The types come from the generated facade table; the runtime is one small
 * class shared by every facade (no per-facade classes).
 * @module
 */
import type { CallOptions, RpcRequest } from "./connection.js";
import { FacadeVersionError } from "./errors.js";
import type { FacadeTable, KnownFacades } from "./facade-table.js";

/** Name of a facade in the generated table. */
export type FacadeName = keyof KnownFacades & string;

type NumericKeys<T> = {
  [K in keyof T]-?: K extends number ? K : K extends `${infer N extends number}` ? N : never;
}[keyof T];

/** Largest member of a union of small non-negative integer literals (`number` stays `number`). */
type MaxOf<U extends number, Seen extends unknown[] = [], Max extends number = never> = [
  U,
] extends [never]
  ? Max
  : number extends U
    ? number
    : Seen["length"] extends U
      ? MaxOf<Exclude<U, Seen["length"]>, [...Seen, unknown], Seen["length"]>
      : MaxOf<U, [...Seen, unknown], Max>;

/** The versions of facade `F` that have types in the generated table. */
export type FacadeVersionOf<F extends FacadeName> = NumericKeys<KnownFacades[F]>;

/** The newest version of facade `F` in the generated table. */
export type LatestVersionOf<F extends FacadeName> = MaxOf<FacadeVersionOf<F>>;

type MethodTable<F extends FacadeName, V extends number> = V extends keyof KnownFacades[F]
  ? KnownFacades[F][V]
  : `${V}` extends keyof KnownFacades[F]
    ? KnownFacades[F][`${V}`]
    : FacadeTable[string][number];

/** The methods of facade `F` at version `V`. */
export type MethodOf<F extends FacadeName, V extends number> = keyof MethodTable<F, V> & string;

/** Params type of `F(V).M`. */
export type ParamsOf<
  F extends FacadeName,
  V extends number,
  M extends MethodOf<F, V>,
> = MethodTable<F, V>[M] extends { params: infer P } ? P : undefined;

/** Result type of `F(V).M`. */
export type ResultOf<
  F extends FacadeName,
  V extends number,
  M extends MethodOf<F, V>,
> = MethodTable<F, V>[M] extends { result: infer R } ? R : Record<string, never>;

/** What a {@link FacadeClient} calls through: any connection's `rpc`. */
export interface FacadeCaller {
  rpc<R = unknown>(request: RpcRequest, options?: CallOptions): Promise<R>;
}

/** Options of {@link FacadeClient.call}. */
export interface FacadeCallOptions extends CallOptions {
  /** Object id within the facade (the watcher id for `AllWatcher.Next`). */
  id?: string;
}

type CallArgs<P> = [P] extends [undefined | Record<string, never>]
  ? [params?: P, options?: FacadeCallOptions]
  : [params: P, options?: FacadeCallOptions];

/**
 * Calls the methods of one facade with the version negotiated at login.
 * `call` is typed with the types of version `V` (by default the newest
 * version the client knows); use {@link FacadeClient.is} or
 * {@link FacadeClient.as} when behaviour differs by version.
 *
 * @example
 * ```ts
 * const app = conn.facade("Application");
 * await app.call("Expose", { application: "mysql" });
 * const charms = conn.facade("Charms");
 * if (charms.is(6)) { … v6 result shapes … } else { … }
 * ```
 */
export class FacadeClient<F extends FacadeName, V extends number = LatestVersionOf<F>> {
  readonly #conn: FacadeCaller;
  /** The facade name, e.g. `"Application"`. */
  readonly name: F;
  /** The version negotiated at login, sent with every call. */
  readonly version: number;

  /** Usually obtained through `connection.facade(name)`. */
  constructor(conn: FacadeCaller, name: F, version: number) {
    this.#conn = conn;
    this.name = name;
    this.version = version;
  }

  /** Calls `method` with `params` at the negotiated version; resolves with its result. */
  call<M extends MethodOf<F, V>>(
    method: M,
    ...[params, options]: CallArgs<ParamsOf<F, V, M>>
  ): Promise<ResultOf<F, V, M>> {
    const request: RpcRequest = {
      type: this.name,
      version: this.version,
      request: method,
      params: params ?? {},
    };
    if (options?.id !== undefined) request.id = options.id;
    const callOptions: CallOptions = {};
    if (options?.signal) callOptions.signal = options.signal;
    if (options?.timeout !== undefined) callOptions.timeout = options.timeout;
    return this.#conn.rpc<ResultOf<F, V, M>>(request, callOptions);
  }

  /** True (and narrows the types to version `v`) when `v` is the negotiated version. */
  is<V2 extends FacadeVersionOf<F>>(v: V2): this is FacadeClient<F, V2> {
    return this.version === v;
  }

  /**
   * This client typed with version `v`'s types. Throws
   * {@link FacadeVersionError} when `v` is not the negotiated version.
   */
  as<V2 extends FacadeVersionOf<F>>(v: V2): FacadeClient<F, V2> {
    if (this.version !== v) {
      throw new FacadeVersionError(
        `facade ${this.name} was negotiated at version ${this.version}, not ${v}`,
      );
    }
    return this as unknown as FacadeClient<F, V2>;
  }
}

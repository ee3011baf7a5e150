/**
 * A typed caller for one facade at the version negotiated at login.
 * The types come from the generated facade table; the runtime is one small
 * class shared by every facade (no per-facade classes).
 * @module
 */
import type { CallOptions, RpcRequest } from "./connection.js";
import { FacadeVersionError } from "./errors.js";
import type { FacadeTable, JujuMajor, KnownFacades, KnownFacadesOf } from "./facade-table.js";

/** Name of a facade in the generated tables (the 3.x names; 4.x has a subset of them). */
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

/** The versions table of facade `F` on major `J` (`never` when `J` has no such facade). */
type VersionsOf<F extends FacadeName, J extends JujuMajor> = F extends keyof KnownFacadesOf<J>
  ? KnownFacadesOf<J>[F]
  : never;

/** The versions of facade `F` that have types in the generated table of major `J` (default 3). */
export type FacadeVersionOf<F extends FacadeName, J extends JujuMajor = 3> = NumericKeys<
  VersionsOf<F, J>
>;

/** The newest version of facade `F` in the generated table of major `J` (default 3). */
export type LatestVersionOf<F extends FacadeName, J extends JujuMajor = 3> = MaxOf<
  FacadeVersionOf<F, J>
>;

type MethodTable<
  F extends FacadeName,
  V extends number,
  J extends JujuMajor = 3,
> = V extends keyof VersionsOf<F, J>
  ? VersionsOf<F, J>[V]
  : `${V}` extends keyof VersionsOf<F, J>
    ? VersionsOf<F, J>[`${V}`]
    : FacadeTable[string][number];

/** The methods of facade `F` at version `V` (of major `J`, default 3). */
export type MethodOf<
  F extends FacadeName,
  V extends number,
  J extends JujuMajor = 3,
> = keyof MethodTable<F, V, J> & string;

/** Params type of `F(V).M` (of major `J`, default 3). */
export type ParamsOf<
  F extends FacadeName,
  V extends number,
  M extends MethodOf<F, V, J>,
  J extends JujuMajor = 3,
> = MethodTable<F, V, J>[M] extends {
  /** The method's params type. */
  params: infer P;
}
  ? P
  : undefined;

/** Result type of `F(V).M` (of major `J`, default 3). */
export type ResultOf<
  F extends FacadeName,
  V extends number,
  M extends MethodOf<F, V, J>,
  J extends JujuMajor = 3,
> = MethodTable<F, V, J>[M] extends {
  /** The method's result type. */
  result: infer R;
}
  ? R
  : Record<string, never>;

/** What a {@link FacadeClient} calls through: any connection's `rpc`. */
export interface FacadeCaller {
  /** Sends one raw request frame (for calls outside the typed tables, e.g. watcher `Next`). */
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
 * `call` is typed with the types of version `V` of the Juju major `J`'s table
 * (by default the newest 3.x version the client knows); use
 * {@link FacadeClient.is} or {@link FacadeClient.as} when behaviour differs
 * by version, and {@link FacadeClient.major} with {@link FacadeClient.juju4}
 * when the shapes of a 4.x controller differ under the same version number
 * (Application 22, Charms 7, Client 8, …).
 *
 * @example
 * ```ts
 * const app = conn.facade("Application");
 * await app.call("Expose", { application: "mysql" });
 * const charms = conn.facade("Charms");
 * if (charms.is(6)) { … v6 result shapes … } else { … }
 * const mm = conn.facade("ModelManager");
 * if (mm.major === 4) await mm.juju4().call("CreateModel", { name: "m", qualifier: "admin" });
 * ```
 */
export class FacadeClient<
  F extends FacadeName,
  V extends number = LatestVersionOf<F>,
  J extends JujuMajor = 3,
> {
  readonly #conn: FacadeCaller;
  /** The facade name, e.g. `"Application"`. */
  readonly name: F;
  /** The version negotiated at login, sent with every call. */
  readonly version: number;
  /** The controller's major version (from the Login's `server-version`): which type table applies. */
  readonly major: JujuMajor;

  /** Usually obtained through `connection.facade(name)`. */
  constructor(conn: FacadeCaller, name: F, version: number, major: JujuMajor = 3) {
    this.#conn = conn;
    this.name = name;
    this.version = version;
    this.major = major;
  }

  /** Calls `method` with `params` at the negotiated version; resolves with its result. */
  call<M extends MethodOf<F, V, J>>(
    method: M,
    ...[params, options]: CallArgs<ParamsOf<F, V, M, J>>
  ): Promise<ResultOf<F, V, M, J>> {
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
    return this.#conn.rpc<ResultOf<F, V, M, J>>(request, callOptions);
  }

  /** True (and narrows the types to version `v`) when `v` is the negotiated version. */
  is<V2 extends FacadeVersionOf<F, J>>(v: V2): this is FacadeClient<F, V2, J> {
    return this.version === v;
  }

  /**
   * This client typed with version `v`'s types. Throws
   * {@link FacadeVersionError} when `v` is not the negotiated version.
   */
  as<V2 extends FacadeVersionOf<F, J>>(v: V2): FacadeClient<F, V2, J> {
    if (this.version !== v) {
      throw new FacadeVersionError(
        `facade ${this.name} was negotiated at version ${this.version}, not ${v}`,
      );
    }
    return this as unknown as FacadeClient<F, V2, J>;
  }

  /**
   * This client typed with the Juju 4.x table (at its newest version of the
   * facade; narrow further with `is`/`as`), for use after checking
   * `major === 4`: a 3.x shape is never used for a 4.x controller. Throws
   * {@link FacadeVersionError} when the controller is not Juju 4.
   */
  juju4(): FacadeClient<F, LatestVersionOf<F, 4>, 4> {
    if (this.major !== 4) {
      throw new FacadeVersionError(
        `facade ${this.name}: the controller is Juju ${this.major}.x, not 4.x`,
      );
    }
    return this as unknown as FacadeClient<F, LatestVersionOf<F, 4>, 4>;
  }
}

/**
 * Facade methods declared against the generated facade types: {@link method}
 * types a handler's params and reply by the facade, method and versions it
 * serves, so a reply that strays from Juju's schema (a misspelt field, a
 * missing required one, a wrong type) fails to compile instead of failing a
 * conformance test, or a client, later.
 *
 * The reply of a spec is typed as the union of the method's result over the
 * versions it serves, on both majors (3.x from `JujuFacades`, 4.x from
 * `JujuFacades4`) unless `onlyMajor` narrows it: one handler answers every
 * version, so it may build any of those shapes, and code that picks a shape
 * by `ctx.version` or the profile's major is checked against each. The
 * method must exist in every version the spec serves (`versions`, default
 * all known), and a failed bulk item must carry the fields Go would marshal
 * beside its error. `typed.test.ts` lists the mismatches this catches.
 *
 * Params: a helper that reads params takes `Params<T>` of the exact generated
 * type (`Params` is not covariant in `T`); to share a reader between shapes,
 * pass it the field's raw value or the list of items instead.
 * @module
 */
import type { JujuFacades } from "../../facades/generated/index.js";
import type { JujuFacades4 } from "../../facades/generated/juju4/index.js";
import type { GoStruct } from "../decode.js";
import type { ServerError } from "../errors.js";
import type { CallContext, MethodSpec } from "./registry.js";

type F3 = JujuFacades;
type F4 = JujuFacades4;

/** A facade some generated schema (3.x or 4.x) describes. */
export type TypedFacade = keyof F3 | keyof F4;

/** The versions of facade `F` that some major describes. */
export type TypedVersion<F extends TypedFacade> =
  | (F extends keyof F3 ? keyof F3[F] & number : never)
  | (F extends keyof F4 ? keyof F4[F] & number : never);

/** The method maps of facade `F` at versions `V`, of the majors `Mj`: a union of `FooVn` interfaces. */
type Maps<F, V, Mj> =
  | (3 extends Mj
      ? F extends keyof F3
        ? { [K in keyof F3[F] & V]: F3[F][K] }[keyof F3[F] & V]
        : never
      : never)
  | (4 extends Mj
      ? F extends keyof F4
        ? { [K in keyof F4[F] & V]: F4[F][K] }[keyof F4[F] & V]
        : never
      : never);

/** Methods every served version has: serving one at a version that lacks it does not compile. */
type MethodOf<F, V, Mj> = Extract<keyof Maps<F, V, Mj>, string>;

/** `{params, result}` of method `M` in each map that has it (a union over versions). */
type Entry<F, V, Mj, M> =
  Maps<F, V, Mj> extends infer U
    ? U extends unknown
      ? M extends keyof U
        ? U[M]
        : never
      : never
    : never;

/** The params of method `M` of facade `F` at versions `V`: a union over them. */
export type ParamsOf<F, V, Mj, M> =
  Entry<F, V, Mj, M> extends infer E ? (E extends { params: infer P } ? P : never) : never;

/** The result of method `M` of facade `F` at versions `V`: a union over them. */
export type ResultOf<F, V, Mj, M> =
  Entry<F, V, Mj, M> extends infer E ? (E extends { result: infer R } ? R : never) : never;

/** One error as the wire carries it (`params.Error`). */
export type WireError = ReturnType<ServerError["toWire"]>;

/**
 * A reply of type `T` as the simulator builds it: a list or map may be `null`
 * (Go's nil slices and maps marshal so).
 */
export type Reply<T> = T extends readonly (infer I)[]
  ? ReplyItem<I>[] | null
  : T extends object
    ? string extends keyof T
      ? { [K in keyof T]: Reply<T[K]> } | null
      : { [K in keyof T]: Reply<T[K]> }
    : T;

/**
 * One item of a list. A failed item of a bulk reply is checked like any other:
 * Go marshals its other fields beside the error (zero values where they are
 * not omitempty), so a required field must be there too.
 */
type ReplyItem<I> = Reply<I>;

/** A handler that answers nothing: a block without `return`, whose type is `void`. */
// biome-ignore lint/suspicious/noConfusingVoidType: that handler's return type
type Nothing = undefined | void;

/** What a handler may return for result `R`: `{}` for no result is sent when it returns nothing. */
type Returned<R> = [R] extends [Record<string, never>]
  ? Reply<R> | Nothing
  : Reply<R> | PushedDown<R>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true;
/** Keys required in some member of a union. */
type RequiredKeys<T> = T extends unknown
  ? { [K in keyof T]-?: Record<string, never> extends Pick<T, K> ? never : K }[keyof T]
  : never;
type PushedValue<V> = [NonNullable<V>] extends [readonly unknown[]]
  ? (ReplyItem<ItemOf<NonNullable<V>>> | PushedDown<ItemOf<NonNullable<V>>>)[] | null
  : Reply<V> | PushedDown<V>;

/**
 * A reply whose versions differ inside its lists (`{results: A[]} | {results:
 * B[]}`) may be built as one list of either shape (`{results: (A | B)[]}`),
 * and so on down (`{model: A | B}` for `{model: A} | {model: B}`): one
 * builder serves every version and picks each part's shape by the version
 * or profile. Only where the versions' shapes differ (a union).
 */
type PushedDown<R> =
  IsUnion<R> extends true
    ? {
        [K in Extract<keyof R, RequiredKeys<R>>]: PushedValue<At<R, K>>;
      } & {
        [K in Exclude<Extract<keyof R, string>, RequiredKeys<R>>]?: PushedValue<At<R, K>>;
      }
    : never;

/** Keys of any member of a union. */
type AllKeys<T> = T extends unknown ? Extract<keyof T, string> : never;
/** The type at key `K` in any member of a union that has it. */
type At<T, K> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
/** Keys whose (non-null) value is a `V`. */
export type KeysOf<T, V> = {
  [K in AllKeys<T>]: NonNullable<At<T, K>> extends V ? K : never;
}[AllKeys<T>];
type Elem<A> = A extends readonly (infer I)[] ? I : never;

/**
 * The params of a call as {@link Fields} reads them (Go's decoding rules),
 * with field names and kinds checked against the generated params type `T`:
 * `p.string("application")` compiles only where `T` has a string
 * `application`. `Fields` is structurally one of these for any `T`.
 */
export interface Params<T> {
  raw(name: AllKeys<T>): unknown;
  string(name: KeysOf<T, string>): string;
  optBool(name: KeysOf<T, boolean>): boolean | undefined;
  optInt(name: KeysOf<T, number>, goType?: string): number | undefined;
  optUint64(name: KeysOf<T, number>): number | undefined;
  struct(name: KeysOf<T, object>, shape: GoStruct): Record<string, unknown>;
  structMap(name: KeysOf<T, object>, shape: GoStruct): Record<string, Record<string, unknown>>;
  strings(name: KeysOf<T, readonly string[]>): string[];
  objects<K extends KeysOf<T, readonly object[]>>(
    name: K,
    goType: string,
  ): Params<Elem<At<T, K>>>[];
  map(name: KeysOf<T, object>): Record<string, unknown>;
}

/** A facade method declared against the generated types of the versions it serves. */
export interface TypedMethodSpec<F extends TypedFacade, M, V extends number, Mj extends 3 | 4> {
  facade: F;
  method: M;
  /** Versions served; default every version the profile registers (the types: every version known). */
  versions?: readonly V[];
  /** Only controllers of this major serve the method (see {@link MethodSpec.onlyMajor}). */
  onlyMajor?: Mj;
  /** Go type of the params (for unmarshal errors). */
  params?: string;
  /** Runs the call; its reply is checked against the generated result of every version served. */
  call(
    ctx: CallContext,
    params: Params<ParamsOf<F, V, Mj, M>>,
  ): Returned<ResultOf<F, V, Mj, M>> | Promise<Returned<ResultOf<F, V, Mj, M>>>;
}

/**
 * Declares a facade method whose params and reply are typed from the
 * generated facade types of `facade` at `versions` (default: all).
 *
 * @example
 * method({ facade: "Application", method: "Leader", params: "params.Entity",
 *   call: (ctx, p) => ({ result: leaderOf(ctx.model(), p.string("tag")) }) })
 */
export function method<
  const F extends TypedFacade,
  const M extends MethodOf<F, V, Mj>,
  const V extends number = number,
  const Mj extends 3 | 4 = 3 | 4,
>(spec: TypedMethodSpec<F, M, V, Mj>): MethodSpec {
  return spec;
}

/** The params of `F.M` over every version of both majors (for helpers that read them). */
export type ParamsOfMethod<F extends TypedFacade, M> = ParamsOf<F, number, 3 | 4, M>;

/** The reply of `F.M` over every version of both majors (for builders of a whole reply). */
export type ReplyOf<F extends TypedFacade, M> =
  | Reply<ResultOf<F, number, 3 | 4, M>>
  | PushedDown<ResultOf<F, number, 3 | 4, M>>;

/** The element type of a list type, or of each list type of a union. */
export type ItemOf<A> = A extends readonly (infer I)[] ? I : never;

/** A `*string` field: undefined when absent or null (Go's nil pointer), else read as a string. */
export function optString<T>(f: Params<T>, name: KeysOf<T, string>): string | undefined {
  const v = f.raw(name);
  return v === undefined || v === null ? undefined : f.string(name);
}

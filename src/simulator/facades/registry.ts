/**
 * The table of facade methods the simulator implements, and the lookup that
 * answers like Juju's facade registry (`apiserver/facade/registry.go`,
 * `internal/rpcreflect`): facades and versions come from the Login lists of
 * the simulator's Juju profile (`../profile.ts`).
 * @module
 */
import type { Fields } from "../decode.js";
import { callNotImplemented, Errors, type ServerError } from "../errors.js";
import { JUJU_3_6, JUJU_PROFILES, type JujuProfile } from "../profile.js";
import type { ControllerStore, ModelRecord } from "../store.js";
import type { AllWatcherCursor } from "../watcher-hub.js";

/** What a facade method sees of the connection that called it. */
export interface CallContext {
  /** The facade version the client asked for. */
  readonly version: number;
  /** The request's object id (`id`), e.g. a watcher id. */
  readonly id: string;
  /** Controller state. */
  readonly store: ControllerStore;
  /** The authenticated user name (`admin`). */
  readonly user: string;
  /** The model the connection is bound to (the controller model on `/api`); throws if it is gone. */
  model(): ModelRecord;
  /** Registers an AllWatcher on the connection and returns its id ("1", "2", … per connection). */
  addWatcher(cursor: AllWatcherCursor): string;
  /** The AllWatcher with this id, or throws `unknown watcher id`. */
  watcher(id: string): AllWatcherCursor;
  /** Stops and forgets a watcher; throws `unknown watcher id` if absent. */
  stopWatcher(id: string): void;
}

/** One implemented facade method. */
export interface MethodSpec {
  facade: string;
  method: string;
  /** Versions served (of those the profile registers); default: every version the profile registers. */
  versions?: readonly number[];
  /**
   * Only controllers of this major serve the method, e.g. 3 for what Juju 4
   * removed under an unchanged facade version (Charms 7 `IsMetered`).
   */
  onlyMajor?: 3 | 4;
  /** Go type of the params (for unmarshal errors); absent when the method takes none. */
  params?: string;
  /** Runs the call; a result of `undefined` is sent as `{}`. Throw {@link ServerError} to fail it. */
  call(ctx: CallContext, params: Fields): unknown;
}

/** Every facade version some profile registers: `register` refuses versions no Juju plays. */
const ANY_PROFILE = new Map<string, Set<number>>();
for (const profile of Object.values(JUJU_PROFILES)) {
  for (const f of profile.facades.allRegistered) {
    const set = ANY_PROFILE.get(f.name) ?? new Set<number>();
    for (const v of f.versions) set.add(v);
    ANY_PROFILE.set(f.name, set);
  }
}

/** Whether a facade is reachable on a connection of this kind (`restrict_controller.go`, `restrict_model.go`). */
export function facadeAllowed(
  facade: string,
  kind: "model" | "controller",
  profile: JujuProfile = JUJU_3_6,
): boolean {
  const list = kind === "controller" ? profile.facades.controllerLogin : profile.facades.modelLogin;
  return list.some((f) => f.name === facade);
}

/**
 * The implemented methods, looked up the way the API root of the profile's
 * Juju version does after login. Facades and versions come from the profile's
 * Login lists: a method is served at the versions the profile registers.
 */
export class FacadeRegistry {
  private readonly methods = new Map<string, MethodSpec>();
  private readonly registered: ReadonlyMap<string, readonly number[]>;

  /** A registry for the profile's Juju version (default 3.6). */
  constructor(readonly profile: JujuProfile = JUJU_3_6) {
    this.registered = new Map(profile.facades.allRegistered.map((f) => [f.name, f.versions]));
  }

  /**
   * Adds methods; a method may be registered once per facade version. A spec
   * is served at its `versions` (default: all) that the profile registers, so
   * a facade the profile lacks (AllWatcher on 4.0) is left out; versions that
   * no profile registers are a programming error.
   */
  register(specs: readonly MethodSpec[]): void {
    for (const spec of specs) {
      if (spec.onlyMajor !== undefined && spec.onlyMajor !== this.profile.major) continue;
      const registered = this.registered.get(spec.facade) ?? [];
      for (const v of spec.versions ?? []) {
        if (!ANY_PROFILE.get(spec.facade)?.has(v)) {
          throw new Error(`${spec.facade}(${v}) is not a facade version Juju registers`);
        }
      }
      const versions = spec.versions?.filter((v) => registered.includes(v)) ?? registered;
      for (const v of versions) {
        this.methods.set(`${spec.facade}\u0000${v}\u0000${spec.method}`, spec);
      }
    }
  }

  /**
   * Finds a method for a logged-in connection: unknown facade or version, then
   * unknown method (`CallNotImplementedError`), then the connection-kind
   * restriction (`not supported`), in Go's order.
   */
  find(
    facade: string,
    version: number,
    method: string,
    kind: "model" | "controller",
  ): MethodSpec | ServerError {
    if (!this.registered.get(facade)?.includes(version)) return callNotImplemented(facade, version);
    const spec = this.methods.get(`${facade}\u0000${version}\u0000${method}`);
    if (spec === undefined) return callNotImplemented(facade, version, method);
    if (!facadeAllowed(facade, kind, this.profile)) return Errors.facadeNotSupported(facade, kind);
    return spec;
  }
}

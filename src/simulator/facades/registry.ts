/**
 * The table of facade methods the simulator implements, and the lookup that
 * answers like Juju's facade registry (`apiserver/facade/registry.go`,
 * `internal/rpcreflect`): facades and versions come from the 3.6 login lists.
 * @module
 */
import { LOGIN_FACADES_3_6 } from "../../facades/generated/login-facades.js";
import type { Fields } from "../decode.js";
import { callNotImplemented, Errors, type ServerError } from "../errors.js";
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
  /** Versions served; default: every version the 3.6 controller registers for the facade. */
  versions?: readonly number[];
  /** Go type of the params (for unmarshal errors); absent when the method takes none. */
  params?: string;
  /** Runs the call; a result of `undefined` is sent as `{}`. Throw {@link ServerError} to fail it. */
  call(ctx: CallContext, params: Fields): unknown;
}

const REGISTERED = new Map<string, readonly number[]>(
  LOGIN_FACADES_3_6.allRegistered.map((f) => [f.name, f.versions]),
);
const CONTROLLER_LOGIN = new Set(LOGIN_FACADES_3_6.controllerLogin.map((f) => f.name));
const MODEL_LOGIN = new Set(LOGIN_FACADES_3_6.modelLogin.map((f) => f.name));

/** Whether a facade is reachable on a connection of this kind (`restrict_controller.go`, `restrict_model.go`). */
export function facadeAllowed(facade: string, kind: "model" | "controller"): boolean {
  return kind === "controller" ? CONTROLLER_LOGIN.has(facade) : MODEL_LOGIN.has(facade);
}

/** The implemented methods, looked up the way the 3.6 API root does after login. */
export class FacadeRegistry {
  private readonly methods = new Map<string, MethodSpec>();

  /** Adds methods; a method may be registered once per facade version. */
  register(specs: readonly MethodSpec[]): void {
    for (const spec of specs) {
      const versions = spec.versions ?? REGISTERED.get(spec.facade) ?? [];
      for (const v of versions) {
        if (!REGISTERED.get(spec.facade)?.includes(v)) {
          throw new Error(`${spec.facade}(${v}) is not a facade version Juju 3.6 registers`);
        }
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
    if (!REGISTERED.get(facade)?.includes(version)) return callNotImplemented(facade, version);
    const spec = this.methods.get(`${facade}\u0000${version}\u0000${method}`);
    if (spec === undefined) return callNotImplemented(facade, version, method);
    if (!facadeAllowed(facade, kind)) return Errors.facadeNotSupported(facade, kind);
    return spec;
  }
}

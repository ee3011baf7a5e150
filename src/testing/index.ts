/**
 * `libjuju/testing`: the simulated controller as the test double for Juju
 * automation. {@link startTestController} starts an in-process controller,
 * hands out connected clients, and exposes the simulator's control API
 * (scripted charms and agents, virtual time, faults) and snapshots on one
 * object that `await using` tears down.
 *
 * ```ts
 * await using ctl = await startTestController({ clock: "virtual" });
 * const model = await ctl.model();
 * ctl.failHook("mysql", "install", { times: 1 });
 * ```
 * @module
 */
import { Controller } from "../controller/controller.js";
import { Model, type ModelConnectOptions } from "../model/model.js";
import { CharmCatalog } from "../simulator/catalog/index.js";
import type { CharmSource } from "../simulator/charm-source.js";
import { type Clock, type TimingProfileName, VirtualClock } from "../simulator/clock.js";
import {
  CONTROL_METHODS,
  type ControlMethodName,
  type SimulatorControl,
} from "../simulator/control.js";
import type { JujuProfileName } from "../simulator/profile.js";
import { Simulator, type SimulatorOptions } from "../simulator/simulator.js";
import type { SimulatorSnapshot } from "../simulator/snapshot.js";

export {
  type ActionScript,
  CONTROL_METHODS,
  ControlError,
  type ControlMethodName,
  type Duration,
  type EntityOptions,
  parseDuration,
  type ScriptOptions,
  type WorkloadStatusName,
} from "../simulator/control.js";
export {
  type ConnectionFilter,
  type ConnectionInfo,
  FaultError,
  type InjectedError,
} from "../simulator/faults.js";
export type { SimulatorSnapshot } from "../simulator/snapshot.js";
export { VirtualClock };

/** Options of {@link startTestController}. */
export interface TestControllerOptions {
  /**
   * Where charms come from: a {@link CharmCatalog} (also served as the
   * Charmhub API; `addCharmRevision` works on it) or any `CharmSource`.
   * Default: the built-in catalog of real charms.
   */
  charms?: CharmCatalog | CharmSource;
  /** How long simulated steps take: `instant`, `fast` (default) or `realistic`. */
  timing?: TimingProfileName;
  /**
   * The clock agents run on: `"virtual"` for a new {@link VirtualClock}
   * (time moves only with `advance` / `settle`), a clock of your own, or
   * real time (the default).
   */
  clock?: Clock | "virtual";
  /** Seed of the simulator's PRNG (jitter, addresses, UUIDs): same seed, same run. Default 1. */
  seed?: number;
  /** The Juju version the controller plays: `"3.6"` (default) or `"4.0"`. */
  juju?: JujuProfileName;
  /** Options given to every client `model()` and `controller()` open (e.g. `onFrame`, `reconnect`). */
  client?: Pick<ModelConnectOptions, "onFrame" | "pingInterval" | "reconnect" | "timeout">;
  /** Further simulator options (latency, login limits, Juju data dir…). */
  simulator?: Omit<SimulatorOptions, "charms" | "catalog" | "timing" | "clock" | "seed" | "juju">;
}

/** Where the test controller listens and who may log in. */
export interface TestConnectionInfo {
  /** `host:port` of the API. */
  endpoint: string;
  /** The admin user's name. */
  username: string;
  /** The admin user's password. */
  password: string;
  /** PEM of the controller CA. */
  caCert: string;
  /**
   * The same PEM, under python-libjuju's spelling.
   * @deprecated Use `caCert`; kept for code written against earlier versions.
   */
  cacert: string;
  /** The controller UUID. */
  controllerUuid: string;
}

/** The control API methods, as on `simulator.control`. */
export type TestControlApi = Pick<SimulatorControl, ControlMethodName>;

/** A running test controller: clients, control API, snapshots. Dispose it (`await using`) to stop everything. */
export class TestControllerCore implements AsyncDisposable {
  /** The simulated controller itself. */
  readonly simulator: Simulator;
  private readonly models = new Map<string, Promise<Model>>();
  private ctrl: Promise<Controller> | undefined;
  private disposed = false;

  /** @internal Use {@link startTestController}. */
  constructor(
    simulator: Simulator,
    private readonly clientOptions: TestControllerOptions["client"],
  ) {
    this.simulator = simulator;
  }

  /** The clock the agents run on (a `VirtualClock` with `clock: "virtual"`); pass it to waits as their `clock`. */
  get clock(): Clock {
    return this.simulator.clock;
  }

  /** Endpoint, credentials and CA of the controller, for clients of your own. */
  get connectionInfo(): TestConnectionInfo {
    return {
      endpoint: this.simulator.endpoint,
      username: this.simulator.username,
      password: this.simulator.password,
      caCert: this.simulator.caCert,
      cacert: this.simulator.caCert,
      controllerUuid: this.simulator.controllerUuid,
    };
  }

  /** What `util.inspect` shows: never the password. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `TestController { endpoint: ${JSON.stringify(this.simulator.endpoint)} }`;
  }

  /** A connected {@link Controller} (one per test controller, disconnected at dispose). */
  controller(): Promise<Controller> {
    this.checkOpen();
    this.ctrl ??= Controller.connect({
      endpoint: this.simulator.endpoint,
      username: this.simulator.username,
      password: this.simulator.password,
      caCert: this.simulator.caCert,
      controllerName: this.simulator.controllerName,
      ...this.clientOptions,
    });
    return this.ctrl;
  }

  /**
   * A connected {@link Model} for the admin's model `name` (default
   * `default`), created when it does not exist yet; one per name,
   * disconnected at dispose.
   */
  model(name = "default"): Promise<Model> {
    this.checkOpen();
    let m = this.models.get(name);
    if (m === undefined) {
      m = this.openModel(name);
      this.models.set(name, m);
      // A failed open is not cached: the next call tries again.
      m.catch(() => this.models.delete(name));
    }
    return m;
  }

  private async openModel(name: string): Promise<Model> {
    const uuid = this.simulator.modelUuid(name);
    if (uuid === undefined) return (await this.controller()).addModel(name);
    return Model.connect({
      endpoint: this.simulator.endpoint,
      uuid,
      username: this.simulator.username,
      password: this.simulator.password,
      caCert: this.simulator.caCert,
      controllerName: this.simulator.controllerName,
      modelName: `admin/${name}`,
      ...this.clientOptions,
    });
  }

  /**
   * The whole controller state as JSON: build a deployed model once, then
   * {@link restore} it per test. Take it once the agents settled.
   */
  snapshot(): Promise<SimulatorSnapshot> {
    return this.simulator.snapshot();
  }

  /** Replaces the controller state with a snapshot's; connected models see the change as deltas. */
  restore(snapshot: SimulatorSnapshot): Promise<void> {
    return this.simulator.restore(snapshot);
  }

  private checkOpen(): void {
    if (this.disposed) throw new Error("the test controller was disposed");
  }

  /** Disconnects every client handed out, then stops the simulator. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const clients = [...this.models.values()];
    this.models.clear();
    await Promise.allSettled(
      clients.map(async (p) => {
        const m = await p;
        await m.disconnect();
      }),
    );
    if (this.ctrl !== undefined) {
      await Promise.allSettled([this.ctrl.then((c) => c.disconnect())]);
    }
    await this.simulator.stop();
  }

  /** Same as {@link dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** A test controller: {@link TestControllerCore} plus every control method of `simulator.control`. */
export type TestController = TestControllerCore & TestControlApi;

/**
 * Starts an in-process simulated Juju controller for a test: `ctl.model()`
 * and `ctl.controller()` give connected clients, the control methods
 * (`failHook`, `setWorkloadStatus`, `advance`, `settle`, `dropConnections`,
 * …) script and disturb it, `ctl.snapshot()` / `ctl.restore()` save and
 * reset its state. `await using` disconnects the clients and stops it.
 */
export async function startTestController(
  options: TestControllerOptions = {},
): Promise<TestController> {
  const clock = options.clock === "virtual" ? new VirtualClock() : options.clock;
  const charms = options.charms;
  const sim = await Simulator.start({
    ...options.simulator,
    ...(charms instanceof CharmCatalog ? { catalog: charms } : {}),
    ...(charms !== undefined && !(charms instanceof CharmCatalog) ? { charms } : {}),
    ...(options.timing === undefined ? {} : { timing: options.timing }),
    ...(clock === undefined ? {} : { clock }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.juju === undefined ? {} : { juju: options.juju }),
  });
  const core = new TestControllerCore(sim, options.client);
  const control = sim.control;
  for (const name of CONTROL_METHODS) {
    const method = control[name] as (...args: unknown[]) => unknown;
    Object.defineProperty(core, name, {
      value: (...args: unknown[]) => method.apply(control, args),
      enumerable: false,
    });
  }
  return core as TestController;
}

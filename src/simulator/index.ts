/**
 * The embedded simulated Juju controller (`libjuju/simulator`): a Juju 3.6
 * API server in the same process, speaking the real wire protocol over TLS
 * websockets, for tests and demos.
 *
 * ```ts
 * await using sim = await Simulator.start({ jujuData: "/tmp/juju" });
 * // JUJU_DATA=/tmp/juju juju status -m libjuju-sim:admin/default
 * ```
 * @module
 */

/** The simulator's charm catalog (its Charmhub stand-in) and its types. */
export type * as catalog from "./catalog/index.js";
export { catalogSource } from "./catalog-source.js";
export type { ControllerCerts } from "./certs.js";
export { generateControllerCerts } from "./certs.js";
export type { ZipLimits } from "./charm-archive-reader.js";
export { DEFAULT_ZIP_LIMITS } from "./charm-archive-reader.js";
export type {
  CharmEndpointSpec,
  CharmOptionSpec,
  CharmResourceSpec,
  CharmSource,
  CharmSpec,
  ResolvedBundleSpec,
  ResolvedCharm,
  ResolveRequest,
  WorkloadBehaviour,
} from "./charm-source.js";
export { StaticCharmSource } from "./charm-source.js";
export {
  CharmhubApi,
  type CharmhubApiOptions,
  type CharmhubApiResponse,
  type CharmhubPublisher,
  CharmhubServer,
  type CharmhubServerOptions,
} from "./charmhub/index.js";
export type { ClientFilesSpec } from "./client-files.js";
export { writeClientFiles } from "./client-files.js";
export type { Clock, TimerHandle, TimingProfile, TimingProfileName } from "./clock.js";
export { Prng, RealClock, TIMING_PROFILES, VirtualClock } from "./clock.js";
export {
  type ActionScript,
  CONTROL_METHODS,
  ControlError,
  type ControlMethodName,
  type Duration,
  type EntityOptions,
  parseDuration,
  type ScriptOptions,
  SimulatorControl,
  type WorkloadStatusName,
} from "./control.js";
export type { DischargeMode, LocalDischarger } from "./discharger.js";
export { ServerError } from "./errors.js";
export {
  type ConnectionFilter,
  type ConnectionInfo,
  FaultError,
  FaultInjector,
  type InjectedError,
  type MethodSelector,
} from "./faults.js";
export { type LatencySpec, SimulatorOptionError } from "./latency.js";
export type { LoginGuardOptions } from "./login-guard.js";
export {
  JUJU_3_6,
  JUJU_4_0,
  JUJU_PROFILES,
  type JujuProfile,
  type JujuProfileName,
  jujuProfile,
  UnknownJujuProfileError,
} from "./profile.js";
export type { FrameTap, SessionInfo } from "./rpc-session.js";
export type { MacaroonAuthOptions, RedirectOptions, SimulatorOptions } from "./simulator.js";
export { Simulator } from "./simulator.js";
export {
  type ModelSnapshot,
  type SimulatorSnapshot,
  SimulatorSnapshotError,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotErrorCode,
  type UserSnapshot,
} from "./snapshot.js";
export type { ConfigSource, Life } from "./store.js";
export type { Delta, EntityInfo } from "./watcher-hub.js";

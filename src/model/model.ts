/**
 * `Model`: a connection to one Juju model, the main entry point of the
 * library (python-libjuju's `juju.model.Model`).
 * @module
 */

import type { BundleModelView } from "../bundle/model-view.js";
import { Charmhub, type CharmhubOptions } from "../charm/charmhub.js";
import type { Controller, DestroyModelOptions } from "../controller/controller.js";
import type { ModelAccessLevel } from "../controller/users.js";
import type { Constraints } from "../parse/constraints.js";
import { type ConnectApiOptions, type ConnectedApi, connectApi } from "../rpc/connect.js";
import type { ApiConnection, CallOptions, Connection } from "../rpc/connection.js";
import type { LibjujuError } from "../rpc/errors.js";
import type { LoginInfo } from "../rpc/login.js";
import type { BundlePlanResult } from "./bundle-handler.js";
import { buildBundleView } from "./bundle-view.js";
import { modelFromClientFiles } from "./connect-from-files.js";
import {
  type ConnectionNames,
  directConnectOptions,
  type ModelConnectOptions,
  type ModelFromFilesOptions,
  type ModelOptions,
  splitModelOptions,
} from "./connect-options.js";
import {
  DEFAULT_OPERATION_TIMEOUT,
  type EntityTypes,
  type ModelContext,
  type OperationWaitOptions,
} from "./context.js";
import {
  controllerDialOptions,
  destroyModelThrough,
  openController,
  withControllerConnection,
} from "./controller-connection.js";
import type { EntityKind } from "./delta.js";
import { deployEntity } from "./deploy-entity.js";
import type { Action } from "./entities/action.js";
import {
  type Application,
  type ApplicationOffer,
  entityFactory,
  type Machine,
  type Relation,
  type RemoteApplication,
  type Unit,
} from "./entities/index.js";
import { viewOf, viewsOf } from "./entities/views.js";
import type { EntityFactory } from "./entity.js";
import { NotSupportedError, NotWatchingError, type ObserverError } from "./errors.js";
import { type HttpTarget, type LocalEdge, nodeEdge } from "./http/edge.js";
import { httpTargetOf } from "./http-target.js";
import { changeModelAccess } from "./model-access.js";
import { modelDebugLog } from "./model-debug-log.js";
import { ObserverErrorRouter } from "./observer-errors.js";
import {
  type ModelEvent,
  type ModelObserver,
  type ObserverFilter,
  type ObserverFn,
  ObserverRegistry,
  type Unsubscribe,
} from "./observers.js";
import { actionOutput, getActionStatus } from "./ops/action-status.js";
import {
  type ActionResult,
  type ExecOptions,
  exec,
  type ListOperationsOptions,
  listOperations,
  type OperationList,
  waitForTask,
} from "./ops/actions.js";
import { getAnnotations, setAnnotations } from "./ops/annotations.js";
import {
  type DestroyInfo,
  type DestroyOptions,
  destroyApplications,
  destroyUnits,
} from "./ops/applications.js";
import { type BlockInfo, block, getBlocks, removeBlocks, unblock } from "./ops/blocks.js";
import { type ExportBundleOptions, exportBundle, type ModelDeployOptions } from "./ops/bundle.js";
import type { DebugLogOptions, LogRecord } from "./ops/debug-log.js";
import { metricsRemoved } from "./ops/entity-members.js";
import { type AddLocalCharmOptions, addLocalCharm, addLocalCharmDir } from "./ops/local-charm.js";
import {
  type AddMachineOptions,
  addMachine,
  type DestroyMachineInfo,
  type DestroyMachineOptions,
  destroyMachines,
  retryProvisioning,
} from "./ops/machines.js";
import {
  backupsRemoved,
  type ControllersChanges,
  type CreateBackupOptions,
  type CreatedBackup,
  createBackup,
  type EnableHaOptions,
  enableHa,
  getShares,
  type ModelShare,
  removedInJuju,
  type UpgradeJujuOptions,
  upgradeJuju,
} from "./ops/model-admin.js";
import {
  type ConfigValue,
  getModelConfig,
  getModelConstraints,
  setModelConfig,
  setModelConstraints,
  unsetModelConfig,
} from "./ops/model-config.js";
import {
  fetchModelInfo,
  type KnownModelFacts,
  type ModelInfo,
  modelInfoFromDelta,
} from "./ops/model-info.js";
import {
  addSpace,
  addSubnet,
  type GetSubnetsOptions,
  getSpaces,
  getSubnets,
  type Space,
  type Subnet,
} from "./ops/network.js";
import {
  type ConsumeOptions,
  type CreateOfferOptions,
  consume,
  createOffer,
  type FindOffersOptions,
  findOffers,
  listOffers,
  modifyOfferAccess,
  type OfferCallOptions,
  type OfferInfo,
  type RemoveOfferOptions,
  removeOffer,
  removeSaas,
} from "./ops/offers.js";
import { type IntegrateOptions, integrate } from "./ops/relations.js";
import { type ResetOptions, resetModel } from "./ops/reset.js";
import {
  type AddSecretOptions,
  addSecret,
  grantSecret,
  type ListSecretsOptions,
  listSecrets,
  type RemoveSecretOptions,
  removeSecret,
  revokeSecret,
  type SecretDataInput,
  type SecretInfo,
  type UpdateSecretOptions,
  updateSecret,
} from "./ops/secrets.js";
import {
  addSshKey,
  addSshKeys,
  type GetSshKeysOptions,
  getSshKeys,
  type ImportSshKeysOptions,
  importSshKey,
  importSshKeys,
  removeSshKey,
  removeSshKeys,
} from "./ops/ssh-keys.js";
import { type FullStatus, type GetStatusOptions, getStatus } from "./ops/status.js";
import {
  createStoragePool,
  type FilesystemDetails,
  type GetStoragePoolsOptions,
  getStoragePools,
  type ListStorageOptions,
  listStorage,
  type PoolAttributes,
  type RemoveStorageOptions,
  removeStorage,
  removeStoragePool,
  type StorageDetails,
  type StoragePool,
  showStorage,
  type UpdateStoragePoolOptions,
  updateStoragePool,
  type VolumeDetails,
} from "./ops/storage.js";
import { blockUntilArgs, commandList, eventsOptionsOf } from "./overload-args.js";
import type { ConnectionChange, ConnectionState } from "./reconnect.js";
import { type EventsOptions, ModelSession } from "./session.js";
import { modelSessionOptions } from "./session-options.js";
import { ModelState } from "./state.js";
import { trackStream } from "./stream-tracking.js";
import { modelTag } from "./tags.js";
import type { ConditionLike } from "./wait-conditions.js";
import { waitSourceOf } from "./wait-source.js";
import {
  type BlockUntilOptions,
  blockUntil,
  type WaitForIdleOptions,
  type WaitOptions,
  type WaitSource,
  type WaitSummary,
  waitForCondition,
  waitForIdle,
  waitUntil,
} from "./waits.js";
import type { StateSourceKind } from "./watcher.js";

export {
  commonOptions,
  type LoginTargetOptions,
  type ModelConnectOptions,
  type ModelFromFilesOptions,
  type ModelOptions,
} from "./connect-options.js";
export type { ModelInfo } from "./ops/model-info.js";
export type { FullStatus, GetStatusOptions } from "./ops/status.js";

/**
 * A connection to one Juju model, with its live state.
 *
 * On connect the model starts an AllWatcher (unless `watch: false`) and
 * keeps {@link state} up to date; {@link applications}, {@link units},
 * {@link machines} and {@link relations} are views of its latest state.
 * Operations (deploy, addMachine, integrate…) resolve once their result
 * shows in that state, with a timeout.
 *
 * @example
 * ```ts
 * await using model = await Model.connectCurrent();
 * const mysql = await model.deploy("mysql", { channel: "8.0/stable" });
 * await model.waitForIdle({ apps: ["mysql"], status: "active" });
 * ```
 */
export class Model implements ModelContext {
  /** The link to the controller across reconnects, with the watcher on it. */
  readonly #session: ModelSession;
  /** The controller's name in the client files, when connected through them. */
  readonly controllerName: string | undefined;
  readonly #name: string | undefined;
  /** Model information: filled at connect from the watcher's `model` delta (when watching), refreshed by {@link getInfo}. */
  info: ModelInfo | undefined;
  /** The model's cache: every entity the AllWatcher reported, with a bounded history. */
  readonly state: ModelState;
  readonly #options: ModelOptions;
  readonly #observers: ObserverRegistry;
  readonly #factory: EntityFactory;
  /** The credentials and TLS choice the connection was opened with (for the debug-log socket). */
  readonly #dial: ConnectApiOptions | undefined;
  /** Open debug-log streams, ended by {@link disconnect}. */
  readonly #logs = new Set<AsyncIterableIterator<LogRecord>>();
  /** Where observer errors go (listeners, else the waits). */
  readonly #observerErrors = new ObserverErrorRouter();

  private constructor(
    api: ConnectedApi,
    controllerName: string | undefined,
    name: string | undefined,
    options: ModelOptions,
    dial: ConnectApiOptions | undefined,
  ) {
    this.controllerName = controllerName;
    this.#name = name;
    this.#options = options;
    this.#dial = dial;
    this.state = new ModelState(
      options.historyCap !== undefined ? { historyCap: options.historyCap } : {},
    );
    this.#observers = new ObserverRegistry((f) => this.#observerErrors.failed(f));
    this.#factory = entityFactory(this);
    this.state.bindEntities(this.#factory);
    if (options.onObserverError) this.#observerErrors.listen(options.onObserverError);
    this.#session = new ModelSession(
      modelSessionOptions(api, dial, options, {
        state: this.state,
        observers: this.#observers,
        entityFactory: this.#factory,
      }),
      dial?.callTimeout,
    );
  }

  /** Wraps a fresh connection, starting the watcher unless told not to. */
  static async #create(
    api: ConnectedApi,
    names: ConnectionNames,
    options: ModelOptions,
    dial?: ConnectApiOptions,
  ): Promise<Model> {
    let model: Model;
    try {
      model = new Model(api, names.controllerName, names.modelName, options, dial);
      await model.#session.start();
      model.#infoFromState();
    } catch (err) {
      await api.connection.close();
      throw err;
    }
    return model;
  }

  /**
   * Connects to a model given its endpoints, UUID and credentials.
   * Endpoints are tried in order; redirects are followed.
   */
  static async connect(options: ModelConnectOptions): Promise<Model> {
    const { model, api, names } = directConnectOptions(options);
    return Model.#create(await connectApi(api), names, model, api);
  }

  /**
   * Connects with the low-level options of `connectApi` (credentials object,
   * transport factory, macaroon lookup…) and the {@link ModelOptions}.
   * `names` are for display.
   */
  static async open(
    options: ConnectApiOptions & { modelUuid: string } & ModelOptions,
    names: ConnectionNames = {},
  ): Promise<Model> {
    const [modelOptions, api] = splitModelOptions(options);
    return Model.#create(
      await connectApi(api as ConnectApiOptions),
      names,
      modelOptions,
      api as ConnectApiOptions,
    );
  }

  /**
   * Connects to the current model of the client files (`$JUJU_MODEL`, else
   * the current controller's `current-model`).
   */
  static connectCurrent(options: ModelFromFilesOptions = {}): Promise<Model> {
    return Model.connectModel("", options);
  }

  /**
   * Connects to a model named `[controller:][user/]model`, resolved with the
   * client files as the Juju CLI does. A model that `models.yaml` does not
   * list is looked up on the controller.
   */
  static async connectModel(name: string, options: ModelFromFilesOptions = {}): Promise<Model> {
    const { options: dial, names } = await modelFromClientFiles(name, options);
    return Model.open(dial, names);
  }

  /** The current logged-in connection (closed while the link is down). */
  get #api(): ConnectedApi {
    return this.#session.api;
  }

  /**
   * The model's API connection, for facade calls not wrapped by `Model`:
   * the same object across reconnects (a `ModelConnection`).
   */
  get connection(): ApiConnection {
    return this.#session.connection;
  }

  /** The model UUID. */
  get uuid(): string {
    return this.#api.info.modelUuid ?? "";
  }

  /** The controller UUID. */
  get controllerUuid(): string {
    return this.#api.info.controllerUuid;
  }

  /** The Login reply. */
  get loginInfo(): LoginInfo {
    return this.#api.info;
  }

  /** The `host:port` that answered. */
  get endpoint(): string {
    return this.#api.endpoint;
  }

  /**
   * Streams the model's log (`juju debug-log`) over the `/log` websocket of
   * the endpoint that answered, with this connection's CA and password.
   * Server-side filters: level, entities (`mysql/0`, `mysql`, `0`), modules,
   * labels, start time, backlog (`lines`, default 10), `replay`, `noTail`;
   * `limit` is counted here. Errors: `JujuError` (e.g. a wrong password),
   * `ProtocolError` (a malformed record), `AbortError` (the signal),
   * `ConnectionClosedError` (the socket was lost and could not be reopened).
   * While the model reconnects, a lost socket is reopened from the last
   * record's time (records already delivered are skipped); it ends
   * normally only when stopped, at `limit`, when the server ends it
   * (`noTail`), or on {@link disconnect}.
   */
  debugLog(options: DebugLogOptions = {}): AsyncIterableIterator<LogRecord> {
    const log = modelDebugLog(this.#session, this.#dial, this.#options.reconnect, options);
    return trackStream(log, this.#logs);
  }

  /**
   * Where HTTPS uploads go: the endpoint that answered, its CA, and this
   * connection's credentials as Juju's HTTP handlers take them (Basic auth
   * with the password, else the login macaroons as cookies). @internal
   */
  httpTarget(): Promise<HttpTarget> {
    return httpTargetOf(this.#api, this.#dial);
  }

  /** The platform edge for uploads (Node's, loaded on first use). @internal */
  localEdge(): Promise<LocalEdge> {
    return nodeEdge();
  }

  /** The qualified model name (`user/model`) when known. */
  get name(): string | undefined {
    return this.#name ?? this.info?.qualifiedName;
  }

  /**
   * True while the link is up and (when watching) the live state is in
   * sync; false while reconnecting and once disconnected.
   */
  isConnected(): boolean {
    return !this.#session.stale;
  }

  /** The {@link ConnectionState}: `connected`, `reconnecting` or `disconnected`. */
  get connectionState(): ConnectionState {
    return this.#session.state;
  }

  /**
   * Calls `listener` on every {@link ConnectionChange}: the link lost
   * (`reconnecting`, attempt 0), each failed attempt (`reconnecting`,
   * attempt n, with its error), back (`connected`, once the state is
   * resynced), and the end (`disconnected`: after {@link disconnect}, or
   * with the error when the link was lost for good). Returns the unsubscribe.
   */
  onConnectionChange(listener: (change: ConnectionChange) => void): Unsubscribe {
    return this.#session.onConnectionChange(listener);
  }

  /**
   * Resolves when the model is disconnected for good: with `undefined`
   * after {@link disconnect}, else with the error (a lost link with
   * `reconnect: false`, or reconnecting gave up). Never rejects.
   */
  closed(): Promise<LibjujuError | undefined> {
    return this.#session.closed();
  }

  /**
   * Fetches information about the model and caches it on {@link info}.
   * On a model connection `ModelManager` is not available (it is a
   * controller facade), so this combines `Client.FullStatus` (name, type,
   * cloud, version, status) with `ModelConfig.ModelGet` (config).
   */
  async getInfo(options: CallOptions = {}): Promise<ModelInfo> {
    this.info = await fetchModelInfo(this, this.#knownFacts, options);
    return this.info;
  }

  /** What this connection knows of the model beside what the controller reports. */
  get #knownFacts(): KnownModelFacts {
    return {
      uuid: this.uuid,
      controllerUuid: this.controllerUuid,
      qualifiedName: this.#name ?? undefined,
      userAccess: this.#api.info.userInfo?.modelAccess || undefined,
    };
  }

  /** Fills {@link info} from the watcher's `model` delta, when there is one. */
  #infoFromState(): void {
    const data = this.state.entityData("model", this.uuid);
    if (data !== undefined) this.info = modelInfoFromDelta(data, this.#knownFacts);
  }

  /** The model's status (`Client.FullStatus`), optionally filtered by patterns. */
  getStatus(options: GetStatusOptions = {}): Promise<FullStatus> {
    return getStatus(this, options);
  }

  // ---- live state ----------------------------------------------------------

  /**
   * Where the live state comes from: `"allwatcher"` or `"status-poll"`
   * (see {@link ModelOptions.stateSource}); undefined with `watch: false`.
   */
  get stateSource(): StateSourceKind | undefined {
    return this.#session.watcher?.kind;
  }

  /** True while the AllWatcher runs (it starts on connect unless `watch: false`). */
  get watching(): boolean {
    return this.#session.watcher !== undefined && this.#session.state !== "disconnected";
  }

  /** Throws {@link NotWatchingError} naming `operation` when the model has no live state. */
  requireWatching(operation: string): void {
    if (!this.#session.watcher) throw new NotWatchingError(operation);
  }

  /** The latest view of a live entity of `kind`, or undefined. */
  entity<K extends EntityKind>(kind: K, id: string): EntityTypes[K] | undefined {
    const record = this.state.getRecord(kind, id);
    if (!record || record.removed) return undefined;
    return this.#factory(record, record.latest) as EntityTypes[K];
  }

  /** The latest views of every live entity of `kind`. */
  entities<K extends EntityKind>(kind: K): EntityTypes[K][] {
    return [...this.state.live(kind)].map((r) => this.#factory(r, r.latest) as EntityTypes[K]);
  }

  #map<K extends EntityKind>(kind: K): ReadonlyMap<string, EntityTypes[K]> {
    return new Map(this.entities(kind).map((e) => [e.entityId, e]));
  }

  /** The live applications by name (a snapshot of the latest state). */
  get applications(): ReadonlyMap<string, Application> {
    return this.#map("application");
  }

  /** The live units by name. */
  get units(): ReadonlyMap<string, Unit> {
    return this.#map("unit");
  }

  /** The live machines and containers by id. */
  get machines(): ReadonlyMap<string, Machine> {
    return this.#map("machine");
  }

  /** The live relations by relation id (as a string). */
  get relations(): ReadonlyMap<string, Relation> {
    return this.#map("relation");
  }

  /** The consumed (SAAS) applications by name. */
  get remoteApplications(): ReadonlyMap<string, RemoteApplication> {
    return this.#map("remoteApplication");
  }

  /** The offers of this model's applications by offer name. */
  get applicationOffers(): ReadonlyMap<string, ApplicationOffer> {
    return this.#map("applicationOffer");
  }

  /** The ids of the live machines (python-libjuju's `get_machines`). */
  getMachines(): string[] {
    return [...this.state.live("machine")].map((r) => r.id);
  }

  /**
   * Calls `observer` for each model change matching `filter`, in delta
   * order (an async observer is awaited before the next event); with
   * `entityType` the event is typed by kind (`e.new` is a `Unit` for
   * `{entityType: "unit"}`). Returns
   * the unsubscribe function. Errors go to `onObserverError` (see
   * {@link ModelOptions.onObserverError}).
   */
  addObserver<K extends EntityKind>(
    observer: ObserverFn<K>,
    filter: ObserverFilter<K> & { entityType: K },
  ): Unsubscribe;
  /** Observes every kind (`filter` without `entityType`), or with a {@link ModelObserver}. */
  addObserver(observer: ObserverFn | ModelObserver, filter?: ObserverFilter): Unsubscribe;
  addObserver(observer: ObserverFn | ModelObserver, filter: ObserverFilter = {}): Unsubscribe {
    return this.#observers.add(observer, filter);
  }

  /** Receives every observer error from now on; returns the unsubscribe function. */
  onObserverError(listener: (error: ObserverError) => void): Unsubscribe {
    return this.#observerErrors.listen(listener);
  }

  /**
   * An async iterator over every model event from now on, in order, across
   * reconnects (a resync shows as the `add`/`change`/`remove` events that
   * bring the state up to date). It ends normally only when its consumer
   * stops (`break`, `return()`, the signal) or on {@link disconnect}; a
   * link lost for good (`reconnect: false`, or reconnecting gave up)
   * throws a `ConnectionClosedError` from it. With `connectionEvents: true`
   * it also yields each {@link ConnectionChange} (`type: "connection"`).
   */
  events(signal?: AbortSignal): AsyncIterableIterator<ModelEvent>;
  events(
    options: EventsOptions & { connectionEvents: true },
  ): AsyncIterableIterator<ModelEvent | ConnectionChange>;
  events(options?: EventsOptions): AsyncIterableIterator<ModelEvent>;
  events(arg?: AbortSignal | EventsOptions): AsyncIterableIterator<ModelEvent | ConnectionChange> {
    this.requireWatching("events");
    return this.#session.events(eventsOptionsOf(arg));
  }

  /** What waits read: the state, its change signal, staleness, and the end of the session. */
  get #waitSource(): WaitSource {
    return waitSourceOf(this.#session, this.state, async (patterns, signal) => {
      // The controller's clock, for idle periods measured from `since`.
      return (await this.getStatus({ filters: patterns, signal }))["controller-timestamp"];
    });
  }

  /** Runs a wait once the model is known to watch, failing it with an unhandled observer error. */
  async #guard(
    operation: string,
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    this.requireWatching(operation);
    return this.#observerErrors.guard(operation, signal, run);
  }

  /**
   * Resolves once every condition is true, re-checked on every delta and
   * every `waitPeriod` ms (default 500). Rejects with `WaitTimeoutError`
   * after `timeout`, and with the connection's error when it is lost.
   *
   * @example
   * ```ts
   * await model.blockUntil(() => model.units.size >= 3, { timeout: 60_000 });
   * ```
   */
  blockUntil(...args: Array<(() => boolean) | BlockUntilOptions>): Promise<void> {
    const { conditions, options } = blockUntilArgs(args);
    return this.#guard("blockUntil", options.signal, (signal) =>
      blockUntil(this.#waitSource, conditions, { ...options, signal }),
    );
  }

  /**
   * Waits until applications are idle (python-libjuju's `wait_for_idle`),
   * computed from the live state only; see {@link WaitForIdleOptions}.
   */
  waitForIdle(options: WaitForIdleOptions = {}): Promise<void> {
    return this.#guard("waitForIdle", options.signal, (signal) =>
      waitForIdle(this.#waitSource, { ...options, signal }),
    );
  }

  /**
   * Waits until `ready` holds (Jubilant-style conditions from
   * `libjuju`: `allActive`, `unitsIdle`, `unitCount`, `and`/`or`/`not`…,
   * or a function of the state), failing at once with a typed error when
   * `error` holds (default: any error or lost agent); see {@link WaitOptions}.
   *
   * @example
   * ```ts
   * await model.wait(and(allActive("mysql"), unitCount("mysql", 3)), {
   *   onProgress: (p) => console.log(p.lines.join("\n")),
   * });
   * ```
   */
  async wait(ready: ConditionLike, options: WaitOptions = {}): Promise<WaitSummary> {
    let summary!: WaitSummary;
    await this.#guard("wait", options.signal, async (signal) => {
      summary = await waitForCondition(this.#waitSource, ready, { ...options, signal });
    });
    return summary;
  }

  /** See {@link ModelContext.waitFor}. */
  waitFor(
    what: string,
    condition: () => boolean,
    options: OperationWaitOptions = {},
  ): Promise<void> {
    return this.#guard(what, options.signal, (signal) =>
      waitUntil(this.#waitSource, what, condition, {
        timeout: options.timeout ?? DEFAULT_OPERATION_TIMEOUT,
        signal,
      }),
    );
  }

  /** True when every unit's agent is `idle` (python-libjuju's `all_units_idle`). */
  allUnitsIdle(): boolean {
    this.requireWatching("allUnitsIdle");
    return this.entities("unit").every((u) => u.agentStatus === "idle");
  }

  // ---- operations ----------------------------------------------------------

  /**
   * Deploys a Charmhub charm (ResolveCharms → AddCharm → Application.Deploy),
   * or a local charm (`"./dir"`, `"/path/x.charm"`, `"local:…"`: uploaded
   * first, see {@link addLocalCharmDir}), and resolves with the application
   * once the model shows it. `resources` may name local files to upload.
   *
   * A bundle is recognised as `juju deploy` recognises one: a YAML file, a
   * directory holding `bundle.yaml`, an `http(s)://` URL, or a Charmhub
   * entity of type bundle. It is planned against this model and deployed
   * with a {@link BundleHandler} (`overlays`, `trust`, `concurrency`,
   * `onProgress`, `signal`), resolving with its applications; with
   * `dryRun: true` it resolves with the plan and changes nothing. A file or
   * URL is typed as a bundle; for a bundle directory or Charmhub bundle
   * pass `bundle: true` to get the applications' type (the value is the
   * same either way).
   */
  deploy(bundle: string, options: ModelDeployOptions & { dryRun: true }): Promise<BundlePlanResult>;
  deploy(
    bundle: `${string}.yaml` | `${string}.yml` | `http://${string}` | `https://${string}`,
    options?: ModelDeployOptions,
  ): Promise<Application[]>;
  deploy(bundle: string, options: ModelDeployOptions & { bundle: true }): Promise<Application[]>;
  deploy(charm: string, options?: ModelDeployOptions): Promise<Application>;
  deploy(
    entity: string,
    options: ModelDeployOptions & { bundle?: boolean } = {},
  ): Promise<Application | Application[] | BundlePlanResult> {
    return deployEntity(this, entity, options);
  }

  /**
   * The model as the bundle planner sees it (applications, units,
   * machines, relations, annotations, offers), from the live state; with
   * `status` (`getStatus()`), also the charm channels and bases only the
   * status carries. See `planBundle` in `libjuju/bundle`.
   */
  bundleView(status?: FullStatus): BundleModelView {
    this.requireWatching("bundleView");
    return buildBundleView(this, status);
  }

  /** The model as bundle YAML (`Bundle.ExportBundle`), as `juju export-bundle` prints it. */
  exportBundle(options: ExportBundleOptions = {}): Promise<string> {
    return exportBundle(this, options);
  }

  /**
   * Uploads a charm archive (a `.charm` zip) to the model over HTTPS,
   * streamed from disk with `onProgress` reports, and returns the `local:`
   * URL the controller chose (python-libjuju's `add_local_charm`). An
   * archive identical to one uploaded before (same SHA-256) is not sent
   * again: the earlier URL is returned while the model still has it.
   */
  async addLocalCharm(file: string, options: AddLocalCharmOptions = {}): Promise<string> {
    return (await addLocalCharm(this, file, options)).url;
  }

  /**
   * Archives a charm directory (`CharmArchiveGenerator`, into a temporary
   * file) and uploads it as {@link addLocalCharm} does; returns the `local:` URL.
   */
  async addLocalCharmDir(dir: string, options: AddLocalCharmOptions = {}): Promise<string> {
    return (await addLocalCharmDir(this, dir, options)).url;
  }

  /**
   * Adds a machine: no spec for a new machine, `"lxd"` for a new machine
   * with a container, `"lxd:4"` for a container on machine 4, `"zone=az1"`
   * or a MAAS host name for provider placement. `"ssh:[user@]host[:port]"`
   * provisions an existing host over SSH as `juju add-machine ssh:…` does
   * (credentials in `options.ssh`; failures are `ProvisioningError`s).
   */
  addMachine(spec?: string, options: AddMachineOptions = {}): Promise<Machine> {
    return viewOf(this, "machine", addMachine(this, spec, options));
  }

  /**
   * Relates two endpoints (`"app"` or `"app:endpoint"`) and resolves with
   * the relation; an existing identical relation is returned.
   */
  integrate(
    endpoint1: string,
    endpoint2: string,
    options: IntegrateOptions = {},
  ): Promise<Relation> {
    return viewOf(this, "relation", integrate(this, endpoint1, endpoint2, options));
  }

  /**
   * Alias of {@link integrate} (python-libjuju's `add_relation`).
   * @deprecated Use {@link integrate}, as python-libjuju (since 2.9.9) and Juju 3 do.
   */
  addRelation(
    endpoint1: string,
    endpoint2: string,
    options: IntegrateOptions = {},
  ): Promise<Relation> {
    return this.integrate(endpoint1, endpoint2, options);
  }

  /**
   * Alias of {@link integrate} (python-libjuju's `relate`).
   * @deprecated Use {@link integrate}, as python-libjuju and Juju 3 do.
   */
  relate(endpoint1: string, endpoint2: string, options: IntegrateOptions = {}): Promise<Relation> {
    return this.integrate(endpoint1, endpoint2, options);
  }

  /** Removes an application (`Application.DestroyApplication`). */
  async removeApplication(name: string, options: DestroyOptions = {}): Promise<DestroyInfo> {
    const [info] = await destroyApplications(this, [name], options);
    return info!;
  }

  /** Removes one unit (`Application.DestroyUnit`). */
  async destroyUnit(name: string, options: DestroyOptions = {}): Promise<DestroyInfo> {
    const [info] = await destroyUnits(this, [name], options);
    return info!;
  }

  /** Removes units; a `JujuBulkError` names each unit that could not be removed. */
  destroyUnits(names: readonly string[], options: DestroyOptions = {}): Promise<DestroyInfo[]> {
    return destroyUnits(this, names, options);
  }

  /** Removes one machine (`MachineManager.DestroyMachineWithParams`). */
  async removeMachine(
    id: string,
    options: DestroyMachineOptions = {},
  ): Promise<DestroyMachineInfo> {
    const [info] = await destroyMachines(this, [id], options);
    return info!;
  }

  /** Removes machines; a `JujuBulkError` names each machine that could not be removed. */
  removeMachines(
    ids: readonly string[],
    options: DestroyMachineOptions = {},
  ): Promise<DestroyMachineInfo[]> {
    return destroyMachines(this, ids, options);
  }

  /** Retries provisioning of the given machines, or of every failed one. */
  retryProvisioning(ids: readonly string[] = []): Promise<void> {
    return retryProvisioning(this, ids);
  }

  /**
   * The results of a task (`Action.Actions`): what the charm set, plus
   * `return-code`, `stdout` and `stderr`. With `wait` (ms), first waits for
   * the task to finish (told by its `action` delta) up to that long.
   */
  getActionOutput(id: string, options: { wait?: number } = {}): Promise<Record<string, unknown>> {
    return actionOutput(this, id, options);
  }

  /**
   * Task statuses by task id. python-libjuju's form
   * `getActionStatus(idOrPrefix, name)`: the tasks whose id is or starts with
   * `idOrPrefix`, plus the tasks of the action `name`. The object form: one
   * task (`id`), every task of an action (`name`), or every task of the model.
   */
  getActionStatus(idOrPrefix?: string, name?: string): Promise<Record<string, string>>;
  getActionStatus(query?: { id?: string; name?: string }): Promise<Record<string, string>>;
  getActionStatus(
    arg: string | { id?: string; name?: string } = {},
    name?: string,
  ): Promise<Record<string, string>> {
    return getActionStatus(this, arg, name);
  }

  /** Waits until a task finished (its `action` delta says so) and returns its final view. */
  async waitForAction(id: string, options: OperationWaitOptions = {}): Promise<Action> {
    await waitForTask(this, id, options);
    return this.entity("action", id)!;
  }

  /** Operations matching the filters (`Action.ListOperations`, paged; `truncated` when more match). */
  listOperations(options: ListOperationsOptions = {}): Promise<OperationList> {
    return listOperations(this, options);
  }

  /**
   * Runs commands on every machine with `juju exec --all`
   * (`Action.RunOnAllMachines`); returns one task per machine.
   */
  run(command: string, options: ExecOptions = {}): Promise<Action[]> {
    return viewsOf(this, "action", exec(this, command, "all", options));
  }

  /** The record of a finished task, waiting for it first (see {@link waitForAction}). */
  async getActionResult(id: string, options: OperationWaitOptions = {}): Promise<ActionResult> {
    return waitForTask(this, id, options);
  }

  /** The model config with each value's source (`ModelConfig.ModelGet`). */
  getConfig(): Promise<Record<string, ConfigValue>> {
    return getModelConfig(this);
  }

  /**
   * A Charmhub client for the store this model uses (its `charmhub-url`
   * config), like python-libjuju's `model.charmhub`: `info`, `find`,
   * `resolve`, `listResources`, `isSubordinate`.
   */
  async charmhub(options: Omit<CharmhubOptions, "url"> = {}): Promise<Charmhub> {
    return Charmhub.fromModelConfig(await this.getConfig(), options);
  }

  /** Sets model config values (`ModelConfig.ModelSet`). */
  setConfig(config: Readonly<Record<string, unknown>>): Promise<void> {
    return setModelConfig(this, config);
  }

  /** Resets model config keys to their defaults (`ModelConfig.ModelUnset`). */
  unsetConfig(...keys: string[]): Promise<void> {
    return unsetModelConfig(this, keys);
  }

  /** The model's constraints (`ModelConfig.GetModelConstraints`). */
  getConstraints(): Promise<Constraints> {
    return getModelConstraints(this);
  }

  /** Sets the model's constraints; a Juju string is parsed first (`ParseError` on bad input). */
  setConstraints(constraints: string | Constraints): Promise<void> {
    return setModelConstraints(this, constraints);
  }

  /** The model's annotations. */
  getAnnotations(): Promise<Record<string, string>> {
    return getAnnotations(this, modelTag(this.uuid));
  }

  /** Sets the model's annotations (an empty value removes a key). */
  setAnnotations(annotations: Readonly<Record<string, string>>): Promise<void> {
    return setAnnotations(this, modelTag(this.uuid), annotations);
  }

  /**
   * Grants `user` access `acl` (`read`, `write` or `admin`) to this model.
   * Like python-libjuju it opens a controller connection with this model's
   * endpoint and credentials for the `ModelManager.ModifyModelAccess` call.
   */
  grant(user: string, acl: ModelAccessLevel | string = "read"): Promise<void> {
    return changeModelAccess((fn) => this.#withController(fn), "grant", user, this.uuid, acl);
  }

  /** Revokes `acl` (default `read`: all access) from `user` on this model; see {@link grant}. */
  revoke(user: string, acl: ModelAccessLevel | string = "read"): Promise<void> {
    return changeModelAccess((fn) => this.#withController(fn), "revoke", user, this.uuid, acl);
  }

  /**
   * Runs `fn` on a short-lived connection to this model's controller, with
   * this model's credentials (offers live on controller connections). @internal
   */
  withControllerConnection<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    return this.#withController(fn);
  }

  /** Runs `fn` on a short-lived connection to this model's controller. */
  async #withController<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    return withControllerConnection(controllerDialOptions(this.#dial, this.#api), fn);
  }

  /** Adds a public SSH key for `user` (`KeyManager.AddKeys`); a refused key throws its `JujuError`. */
  addSshKey(user: string, key: string): Promise<void> {
    return addSshKey(this, user, key);
  }

  /** Adds public SSH keys for `user`; refused keys throw one `JujuBulkError` naming each. */
  addSshKeys(user: string, keys: readonly string[]): Promise<void> {
    return addSshKeys(this, user, keys);
  }

  /** The model's SSH keys as `fingerprint (comment)`, or full key lines with `raw: true`. */
  getSshKeys(options: GetSshKeysOptions = {}): Promise<string[]> {
    return getSshKeys(this, options);
  }

  /** Same as {@link Model.getSshKeys} (python-libjuju's `get_ssh_key`). */
  getSshKey(options: GetSshKeysOptions = {}): Promise<string[]> {
    return getSshKeys(this, options);
  }

  /** Removes a key of `user` given as a full key line, fingerprint or comment. */
  removeSshKey(user: string, key: string): Promise<void> {
    return removeSshKey(this, user, key);
  }

  /** Removes keys of `user`; failures throw one `JujuBulkError` naming each. */
  removeSshKeys(user: string, keys: readonly string[]): Promise<void> {
    return removeSshKeys(this, user, keys);
  }

  /** Adds a network space holding the existing subnets with these CIDRs (`Spaces.CreateSpaces`). */
  addSpace(name: string, ...cidrs: string[]): Promise<void> {
    return addSpace(this, name, cidrs);
  }

  /** Every network space with its subnets (`Spaces.ListSpaces`). */
  getSpaces(): Promise<Space[]> {
    return getSpaces(this);
  }

  /** The model's subnets, optionally filtered by space name and/or zone (`Subnets.ListSubnets`). */
  getSubnets(options: GetSubnetsOptions = {}): Promise<Subnet[]> {
    return getSubnets(this, options);
  }

  /**
   * Adds a subnet (CIDR or provider id) to `space` in `zones` (`Subnets.AddSubnets`);
   * Juju 3.x controllers refuse with a `not implemented` `JujuError`.
   */
  addSubnet(cidrOrId: string, space: string, ...zones: string[]): Promise<void> {
    return addSubnet(this, cidrOrId, space, zones);
  }

  /** Creates a storage pool of `provider` with attributes (`Storage.CreatePool`). */
  createStoragePool(name: string, provider: string, attrs: PoolAttributes = {}): Promise<void> {
    return createStoragePool(this, name, provider, attrs);
  }

  /** The storage pools, optionally only those with these names and/or providers (`Storage.ListPools`). */
  getStoragePools(options: GetStoragePoolsOptions = {}): Promise<StoragePool[]> {
    return getStoragePools(this, options);
  }

  /** Removes a storage pool (`Storage.RemovePool`). */
  removeStoragePool(name: string): Promise<void> {
    return removeStoragePool(this, name);
  }

  /** Replaces a storage pool's attributes (`Storage.UpdatePool`). */
  updateStoragePool(
    name: string,
    attrs: PoolAttributes,
    options: UpdateStoragePoolOptions = {},
  ): Promise<void> {
    return updateStoragePool(this, name, attrs, options);
  }

  /** Storage instances, or filesystems / volumes with `{filesystem}` / `{volume}` (python-libjuju's `list_storage`). */
  listStorage(
    options: ListStorageOptions = {},
  ): Promise<StorageDetails[] | FilesystemDetails[] | VolumeDetails[]> {
    return listStorage(this, options);
  }

  /** Details of storage instances by id, e.g. `pgdata/0` (`Storage.StorageDetails`). */
  showStorage(...ids: string[]): Promise<StorageDetails[]> {
    return showStorage(this, ids);
  }

  /** Removes storage instances, releasing them unless `destroyStorage` (`Storage.Remove`). */
  removeStorage(ids: readonly string[], options: RemoveStorageOptions = {}): Promise<void> {
    return removeStorage(this, ids, options);
  }

  /** Imports the keys of a `gh:<user>` or `lp:<user>` identity (fetched by the controller). */
  importSshKey(identity: string, options: ImportSshKeysOptions = {}): Promise<void> {
    return importSshKey(this, identity, options);
  }

  /** Imports the keys of several identities; failures throw one `JujuBulkError` naming each. */
  importSshKeys(identities: readonly string[], options: ImportSshKeysOptions = {}): Promise<void> {
    return importSshKeys(this, identities, options);
  }

  /**
   * Adds a user secret named `name` from `juju add-secret` style arguments
   * (`key=value`, `key#base64=…`, `key#file=path`) or a key-value map;
   * resolves with its URI (`Secrets.CreateSecrets`).
   */
  addSecret(name: string, data: SecretDataInput, options: AddSecretOptions = {}): Promise<string> {
    return addSecret(this, name, data, options);
  }

  /** Updates a secret (by name or URI): new content, name, description or auto-prune. */
  updateSecret(name: string, options: UpdateSecretOptions = {}): Promise<void> {
    return updateSecret(this, name, options);
  }

  /** The model's secrets; with `reveal: true` (model admin), their values too. */
  listSecrets(options: ListSecretsOptions = {}): Promise<SecretInfo[]> {
    return listSecrets(this, options);
  }

  /** Removes a secret (by name or URI), or only the given revisions of it. */
  removeSecret(name: string, options: RemoveSecretOptions = {}): Promise<void> {
    return removeSecret(this, name, options);
  }

  /** Grants applications view access to a secret (by name or URI). */
  grantSecret(name: string, ...applications: string[]): Promise<void> {
    return grantSecret(this, name, applications);
  }

  /** Revokes applications' access to a secret (by name or URI). */
  revokeSecret(name: string, ...applications: string[]): Promise<void> {
    return revokeSecret(this, name, applications);
  }

  // ---- cross-model relations: offers and SAAS applications ------------------

  /**
   * Offers application endpoints to other models (`ApplicationOffers.Offer`):
   * `endpoint` is `app:endpoint[,endpoint…]`; the offer is named after the
   * application unless `offerName` is given.
   */
  createOffer(endpoint: string, options: CreateOfferOptions = {}): Promise<void> {
    return createOffer(this, endpoint, options);
  }

  /** The model's offers, with their users and connections (model admins). */
  listOffers(options: OfferCallOptions = {}): Promise<OfferInfo[]> {
    return listOffers(this, options);
  }

  /** Offers the user can see on the controller, by URL, interface or application. */
  findOffers(options: FindOffersOptions = {}): Promise<OfferInfo[]> {
    return findOffers(this, options);
  }

  /** Removes an offer (`[user/]model.offer`); one with relations needs `force`. */
  removeOffer(url: string, options: RemoveOfferOptions = {}): Promise<void> {
    return removeOffer(this, url, options);
  }

  /**
   * Consumes an offer (`[controller:][user/]model.offer`) as a SAAS
   * application; resolves with its local name. Relate to it with
   * {@link integrate}.
   */
  consume(url: string, options: ConsumeOptions = {}): Promise<string> {
    return consume(this, url, options, this.controllerName);
  }

  /** Removes a SAAS application and its relations (`DestroyConsumedApplications`). */
  removeSaas(name: string, options: OfferCallOptions = {}): Promise<void> {
    return removeSaas(this, name, options);
  }

  /** Grants `user` `read`, `consume` or `admin` access to an offer. */
  grantOffer(
    url: string,
    user: string,
    access = "read",
    options: OfferCallOptions = {},
  ): Promise<void> {
    return modifyOfferAccess(this, "grant", url, user, access, options);
  }

  /** Revokes `user`'s `access` to an offer (revoking `consume` leaves `read`). */
  revokeOffer(
    url: string,
    user: string,
    access = "read",
    options: OfferCallOptions = {},
  ): Promise<void> {
    return modifyOfferAccess(this, "revoke", url, user, access, options);
  }

  // ---- blocks, backups, upgrades and other model-wide members --------------

  /**
   * Disables command sets (`juju disable-command`): `destroy-model`,
   * `remove-object` or `all`; refused operations then fail with a `JujuError`
   * of code `operation is blocked` carrying `options.message`.
   */
  block(commands: string | readonly string[], options: { message?: string } = {}): Promise<void> {
    return block(this, commandList(commands), options.message);
  }

  /** The blocks in force (`juju disabled-commands`). */
  getBlocks(): Promise<BlockInfo[]> {
    return getBlocks(this);
  }

  /** Enables command sets again (`juju enable-command`). */
  unblock(...commands: string[]): Promise<void> {
    return unblock(this, commands);
  }

  /** Switches every block of the model off. */
  removeBlocks(): Promise<void> {
    return removeBlocks(this);
  }

  /**
   * A {@link Controller} connected to this model's controller with the
   * same credentials (python-libjuju's `get_controller`); disconnect it when done.
   */
  async getController(): Promise<Controller> {
    return openController(controllerDialOptions(this.#dial, this.#api), this.controllerName);
  }

  /**
   * Destroys this model (`ModelManager.DestroyModels` on the controller, as
   * `juju destroy-model`), then disconnects. A `destroy-model` block fails
   * it with Juju's `operation is blocked` error.
   */
  async destroy(options: DestroyModelOptions = {}): Promise<void> {
    await destroyModelThrough(await this.getController(), this.uuid, options);
    await this.disconnect();
  }

  /** The users with access to this model and their access, by user name. */
  getShares(): Promise<Record<string, ModelShare>> {
    return getShares(this, (fn) => this.#withController(fn));
  }

  /**
   * Makes the controller highly available (`HighAvailability.EnableHA`), as
   * `juju enable-ha`; returns the machines added, maintained, removed, converted.
   */
  enableHa(options: EnableHaOptions = {}): Promise<ControllersChanges> {
    return enableHa((fn) => this.#withController(fn), options);
  }

  /**
   * Upgrades the model's agents (`ModelUpgrader.UpgradeModel`), as `juju
   * upgrade-model`; returns the chosen version (`dryRun` only reports it).
   */
  upgradeJuju(options: UpgradeJujuOptions = {}): Promise<string> {
    return upgradeJuju(this, (fn) => this.#withController(fn), options);
  }

  /**
   * Creates a controller backup (`Backups.Create`; on the controller model,
   * as a superuser) and downloads its archive to a temporary file, as `juju
   * create-backup` does.
   */
  createBackup(options: CreateBackupOptions = {}): Promise<CreatedBackup> {
    return createBackup(this, options);
  }

  /** Not served since Juju 3.0 (`Backups.Info`): throws {@link NotSupportedError}. */
  async getBackup(_id: string): Promise<never> {
    throw backupsRemoved("getBackup");
  }

  /** Not served since Juju 3.0 (`Backups.List`): throws {@link NotSupportedError}. */
  async getBackups(): Promise<never> {
    throw backupsRemoved("getBackups");
  }

  /** Not served since Juju 3.0 (`Backups.Remove`): throws {@link NotSupportedError}. */
  async removeBackup(_id: string): Promise<never> {
    throw backupsRemoved("removeBackup");
  }

  /** Not served since Juju 3.0 (the backups upload endpoint): throws {@link NotSupportedError}. */
  async uploadBackup(_archivePath: string): Promise<never> {
    throw backupsRemoved("uploadBackup");
  }

  /** Not served since Juju 3.0 (`Backups.Restore`): throws {@link NotSupportedError}. */
  async restoreBackup(_id?: string): Promise<never> {
    throw backupsRemoved("restoreBackup");
  }

  /** Not served since Juju 3.0 (the `ImageManager` facade): throws {@link NotSupportedError}. */
  async getCachedImages(
    _options: { arch?: string; kind?: string; series?: string } = {},
  ): Promise<never> {
    throw removedInJuju(
      "getCachedImages",
      "3.0",
      "LXD caches its own images on each machine (`lxc image list` there)",
    );
  }

  /** Not served since Juju 3.0 (the `ImageManager` facade): throws {@link NotSupportedError}. */
  async removeCachedImages(..._ids: string[]): Promise<never> {
    throw removedInJuju(
      "removeCachedImages",
      "3.0",
      "LXD caches its own images on each machine (`lxc image delete` there)",
    );
  }

  /** Not served since Juju 3.0 (dashboard uploads): throws {@link NotSupportedError}. */
  async upgradeGui(): Promise<never> {
    throw removedInJuju(
      "upgradeGui",
      "3.0",
      "the dashboard is the juju-dashboard charm in the controller model: refresh that application",
    );
  }

  /** Budgets went with the charm store's services: throws {@link NotSupportedError}. */
  async getBudget(_name: string): Promise<never> {
    throw removedInJuju(
      "getBudget",
      "2.9",
      "budgets and plans (the charm store's romulus service) have no replacement",
    );
  }

  /** Juju 3.6 no longer serves `MetricsDebug`: throws {@link NotSupportedError}. */
  async getMetrics(..._tags: string[]): Promise<never> {
    throw metricsRemoved("getMetrics");
  }

  /**
   * Copying agent binaries needs simplestreams and an agent-binary upload
   * (`juju sync-agent-binary`), which libjuju does not do: throws {@link NotSupportedError}.
   */
  async syncTools(_options: { version?: string; stream?: string } = {}): Promise<never> {
    throw new NotSupportedError(
      "syncTools",
      "agent binaries are copied from simplestreams by the juju CLI: run `juju sync-agent-binary`",
    );
  }

  /**
   * Destroys every application, waits for them to go, then every machine
   * (containers before their hosts), waiting for each round to go: the
   * model is empty when this resolves (python-libjuju's `reset`).
   * `force` forces the removals; `timeout` bounds each wait (ms).
   */
  reset(options: ResetOptions = {}): Promise<void> {
    return resetModel(this, options);
  }

  /** Names of the live applications. */
  getApplicationNames(): string[] {
    return [...this.state.live("application")].map((r) => r.id);
  }

  /**
   * Stops the watcher, closes the connection and stops reconnecting.
   * Pending waits reject with `ConnectionClosedError`; `events()` and
   * `debugLog()` iterators end (normally), so nothing keeps the process
   * alive. Idempotent.
   */
  async disconnect(): Promise<void> {
    const logs = [...this.#logs].map((log) => log.return?.());
    await this.#session.disconnect();
    await Promise.all(logs);
  }

  /** Disconnects (`await using model = …`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** Short description without secrets. */
  toString(): string {
    return `Model(${this.#name ?? this.uuid}${this.controllerName ? ` on ${this.controllerName}` : ""})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

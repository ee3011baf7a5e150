/**
 * `Controller`: a controller-level connection (`/api`) for listing,
 * adding and destroying models (python-libjuju's `juju.controller.Controller`).
 * @module
 */
import type { ModelManager } from "../facades/generated/index.js";
import {
  type ClientFilesOptions,
  controllerAccess,
  jujuDataFrom,
} from "../jujudata/controller-access.js";
import { jujuDataDir } from "../jujudata/jujudata.js";
import { readClientPublicKey } from "../jujudata/ssh-keys.js";
import * as ac from "../model/arg-check.js";
import {
  caCertOption,
  dialFromClientFiles,
  type LoginTargetOptions,
} from "../model/connect-options.js";
import { commonOptions, Model, type ModelOptions } from "../model/model.js";
import {
  type ConsumeDetails,
  type CreateOfferOptions,
  createOffer,
  getConsumeDetails,
  listOffersOf,
  type OfferCallOptions,
  type OfferHost,
  type OfferInfo,
  type RemoveOfferOptions,
  removeOffer,
} from "../model/ops/offers.js";
import { modelQualifier } from "../protocol/model-qualifier.js";
import { bulkResultsStrict } from "../rpc/bulk.js";
import {
  type CommonConnectOptions,
  type ConnectApiOptions,
  type ConnectedApi,
  connectApi,
} from "../rpc/connect.js";
import type { CallOptions, Connection } from "../rpc/connection.js";
import { Credentials } from "../rpc/credentials.js";
import { JujuError, JujuNotFoundError, type LibjujuError } from "../rpc/errors.js";
import type { LoginInfo } from "../rpc/login.js";
import * as members from "./controller-members.js";
import {
  type ListSecretBackendsOptions,
  listSecretBackends,
  type SecretBackendInfo,
} from "./secret-backends.js";
import {
  type AddUserOptions,
  addUser,
  getUser,
  getUsers,
  type ModelAccessLevel,
  modifyModelAccess,
  setPassword,
  type UserInfo,
  userCall,
} from "./users.js";

/** Options of {@link Controller.connect}. */
export interface ControllerConnectOptions extends CommonConnectOptions, LoginTargetOptions {
  /** Name of the controller, for display. */
  controllerName?: string;
}

/** Options of {@link Controller.connectCurrent} and {@link Controller.connectController}. */
export interface ControllerFromFilesOptions extends CommonConnectOptions, ClientFilesOptions {}

/** A model as listed by {@link Controller.listModels}. */
export interface ModelSummary {
  /** Short name, e.g. `default`. */
  name: string;
  /** `owner/name` (Juju 4: `qualifier/name`). */
  qualifiedName: string;
  /** The model UUID. */
  uuid: string;
  /** Owner user name; on Juju 4 the model's qualifier (the owner's user id). */
  owner: string;
  /** `iaas` or `caas`. */
  type: string;
  /** When the user last connected to it, if ever. */
  lastConnection: string | undefined;
}

/** Options of {@link Controller.addModel}; the {@link ModelOptions} apply to the returned model. */
export interface AddModelOptions extends CallOptions, ModelOptions {
  /**
   * Owner user name; default the logged-in user. On Juju 4 it is sent as the
   * model's `qualifier`, derived as Juju 4 does (`bob@external` → `bob-external`).
   */
  owner?: string;
  /** Cloud name (`cloud-<name>` tag is built); default the controller's cloud. */
  cloudName?: string;
  /** Cloud region. */
  region?: string;
  /** Cloud credential tag or `cloud/owner/name`; default the controller's default. */
  credentialName?: string;
  /**
   * Model config. Without `authorized-keys`, the Juju client's public key
   * (`ssh/juju_id_rsa.pub` in the client data directory, when present) is
   * sent as `authorized-keys`, as python-libjuju's `add_model` does, so
   * `unit.ssh()` works on the new model's machines.
   */
  config?: Record<string, unknown>;
}

/** Options of {@link Controller.destroyModels}. */
export interface DestroyModelOptions extends CallOptions {
  /** Destroy storage too (`true`), or detach it (`false`); default: Juju's default. */
  destroyStorage?: boolean;
  /** Force destruction. */
  force?: boolean;
  /** With `force`, seconds to wait for each step before forcing. */
  maxWait?: number;
  /** Seconds to wait for the destruction; Juju's default when absent. */
  timeout?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const endpointList = (opts: ControllerConnectOptions): string[] => {
  const list: string[] = [];
  if (typeof opts.endpoint === "string") list.push(opts.endpoint);
  else if (opts.endpoint) list.push(...opts.endpoint);
  if (opts.endpoints) list.push(...opts.endpoints);
  return list;
};

/**
 * A connection to a Juju controller.
 *
 * @example
 * ```ts
 * await using controller = await Controller.connectCurrent();
 * const model = await controller.addModel("test");
 * await model.disconnect();
 * await controller.destroyModel("test");
 * ```
 */
export class Controller {
  readonly #api: ConnectedApi;
  /** What is needed to open model connections on the same controller. */
  readonly #base: Omit<ConnectApiOptions, "modelUuid">;
  /** The controller's name in the client files, when known. */
  readonly controllerName: string | undefined;
  /** The client data directory it was connected from (its `ssh/juju_id_rsa.pub` goes to new models). */
  #jujuDataDir: string | undefined;

  private constructor(
    api: ConnectedApi,
    base: Omit<ConnectApiOptions, "modelUuid">,
    controllerName: string | undefined,
  ) {
    this.#api = api;
    // Follow redirects once: later connections go where this one ended up.
    this.#base = { ...base, endpoints: api.endpoints };
    if (api.caCert !== undefined) this.#base.caCert = api.caCert;
    this.controllerName = controllerName;
  }

  /** Connects to a controller given its endpoints and credentials. */
  static async connect(options: ControllerConnectOptions): Promise<Controller> {
    const {
      endpoint: _e,
      endpoints: _es,
      username,
      password,
      macaroons,
      caCert: _ca,
      cacert: _c,
      controllerName,
      ...rest
    } = options;
    const caCert = caCertOption(options);
    const base: Omit<ConnectApiOptions, "modelUuid"> = {
      ...commonOptions(rest),
      endpoints: endpointList(options),
      credentials: new Credentials({ username, password, macaroons }),
    };
    if (caCert !== undefined) base.caCert = caCert;
    return new Controller(await connectApi(base), base, controllerName);
  }

  /**
   * Connects with low-level connection options (credentials object, CA,
   * endpoints…), as {@link Model.getController} does with the model's own.
   */
  static async connectWith(
    base: Omit<ConnectApiOptions, "modelUuid">,
    controllerName?: string,
  ): Promise<Controller> {
    return new Controller(await connectApi(base), base, controllerName);
  }

  /** Connects to the current controller of the client files (`$JUJU_CONTROLLER` or `current-controller`). */
  static async connectCurrent(options: ControllerFromFilesOptions = {}): Promise<Controller> {
    const data = jujuDataFrom(options);
    return Controller.connectController(await data.currentController(), options);
  }

  /** Connects to the controller named `name` in the client files. */
  static async connectController(
    name: string,
    options: ControllerFromFilesOptions = {},
  ): Promise<Controller> {
    const data = jujuDataFrom(options);
    const access = await controllerAccess(data, name);
    const base = dialFromClientFiles(access, options);
    const controller = new Controller(await connectApi(base), base, name);
    controller.#jujuDataDir = data.dir;
    return controller;
  }

  /** The underlying API connection. */
  get connection(): Connection {
    return this.#api.connection;
  }

  /** The controller UUID. */
  get controllerUuid(): string {
    return this.#api.info.controllerUuid;
  }

  /** The Login reply. */
  get loginInfo(): LoginInfo {
    return this.#api.info;
  }

  /** The logged-in user's name. */
  get username(): string {
    return this.#base.credentials.username;
  }

  /** True while the connection is open. */
  isConnected(): boolean {
    return !this.#api.connection.isClosed;
  }

  /** Resolves when the connection closes; see {@link Connection.closed}. */
  closed(): Promise<LibjujuError | undefined> {
    return this.#api.connection.closed();
  }

  /** Models the logged-in user can see (`ModelManager.ListModels`). */
  async listModels(options: CallOptions = {}): Promise<ModelSummary[]> {
    ac.checkOptions("listModels", options, ac.CALL_OPTIONS);
    const mm = this.#api.connection.facade("ModelManager");
    // Juju 4 (ModelManager 11 of 4.x) names owners by a qualifier, not an owner tag.
    const list =
      mm.major === 4
        ? await mm.juju4().call("ListModels", { tag: `user-${this.username}` }, options)
        : await mm.call("ListModels", { tag: `user-${this.username}` }, options);
    return (list["user-models"] ?? []).map((um) => {
      const owner =
        "qualifier" in um.model ? um.model.qualifier : um.model["owner-tag"].replace(/^user-/, "");
      return {
        name: um.model.name,
        qualifiedName: `${owner}/${um.model.name}`,
        uuid: um.model.uuid,
        owner,
        type: um.model.type,
        lastConnection: um["last-connection"] || undefined,
      };
    });
  }

  /** The names (`owner/name`) of the models the user can see. */
  async listModelNames(options: CallOptions = {}): Promise<string[]> {
    return (await this.listModels(options)).map((m) => m.qualifiedName);
  }

  /**
   * Creates a model (`ModelManager.CreateModel`) and returns a connected
   * {@link Model} (as python-libjuju does).
   */
  async addModel(name: string, options: AddModelOptions = {}): Promise<Model> {
    ac.checkArg("name", name, ac.name);
    ac.checkOptions("addModel", options, {
      ...ac.CALL_OPTIONS,
      owner: ac.name,
      cloudName: ac.name,
      region: ac.name,
      credentialName: ac.name,
      config: ac.recordOf(ac.any),
    });
    const owner = options.owner ?? this.username;
    const mm = this.#api.connection.facade("ModelManager");
    const args: Omit<ModelManager.ModelCreateArgs, "owner-tag"> = { name };
    if (options.cloudName) args["cloud-tag"] = `cloud-${options.cloudName}`;
    if (options.region) args.region = options.region;
    if (options.credentialName) args.credential = options.credentialName;
    if (options.config) args.config = options.config as ModelManager.ModelCreateArgs["config"];
    if (options.config?.["authorized-keys"] === undefined) {
      // python-libjuju's add_model: the client key (from $JUJU_DATA when not connected from files).
      const key = await readClientPublicKey(this.#jujuDataDir ?? jujuDataDir());
      if (key !== undefined) args.config = { ...args.config, "authorized-keys": key };
    }
    const call: CallOptions = {};
    if (options.signal) call.signal = options.signal;
    if (options.timeout !== undefined) call.timeout = options.timeout;
    // Juju 4's ModelCreateArgs carries a qualifier instead of an owner tag: the
    // owner's, as Juju 4 derives it (`bob@external` → `bob-external`).
    const info =
      mm.major === 4
        ? await mm.juju4().call("CreateModel", { ...args, qualifier: modelQualifier(owner) }, call)
        : await mm.call("CreateModel", { ...args, "owner-tag": `user-${owner}` }, call);
    const qualifier =
      "qualifier" in info ? info.qualifier : info["owner-tag"].replace(/^user-/, "");
    return this.#openModel(info.uuid, `${qualifier}/${info.name}`, modelOptionsOf(options));
  }

  /**
   * Destroys models given by name (`[owner/]name`) or UUID
   * (`ModelManager.DestroyModels`). Throws a {@link JujuBulkError} naming
   * each model that could not be destroyed.
   */
  async destroyModels(models: readonly string[], options: DestroyModelOptions = {}): Promise<void> {
    ac.checkArg("models", models, ac.arrayOf(ac.name));
    ac.checkOptions("destroyModels", options, {
      ...ac.CALL_OPTIONS,
      destroyStorage: ac.bool,
      force: ac.bool,
      maxWait: ac.num(0),
      timeout: ac.num(0),
    });
    const call: CallOptions = {};
    if (options.signal) call.signal = options.signal;
    const uuids = await this.#resolveModels(models, call);
    const params: ModelManager.DestroyModelsParams = {
      models: uuids.map((uuid) => {
        const p: ModelManager.DestroyModelParams = { "model-tag": `model-${uuid}` };
        if (options.destroyStorage !== undefined) p["destroy-storage"] = options.destroyStorage;
        if (options.force !== undefined) p.force = options.force;
        if (options.maxWait !== undefined) p["max-wait"] = options.maxWait * 1e9;
        if (options.timeout !== undefined) p.timeout = options.timeout * 1e9;
        return p;
      }),
    };
    const mm = this.#api.connection.facade("ModelManager");
    const result = await mm.call("DestroyModels", params, call);
    bulkResultsStrict(result, { facade: mm.name, version: mm.version, method: "DestroyModels" });
  }

  /** Destroys one model, by name or UUID. See {@link destroyModels}. */
  async destroyModel(nameOrUuid: string, options: DestroyModelOptions = {}): Promise<void> {
    return this.destroyModels([nameOrUuid], options);
  }

  /**
   * A connected {@link Model} for `nameOrUuid` (`[owner/]name` or a UUID) on
   * this controller, with the same credentials.
   */
  async getModel(nameOrUuid: string, options: CallOptions & ModelOptions = {}): Promise<Model> {
    ac.checkArg("nameOrUuid", nameOrUuid, ac.name);
    ac.checkOptions("getModel", options, ac.CALL_OPTIONS);
    const call: CallOptions = {};
    if (options.signal) call.signal = options.signal;
    if (options.timeout !== undefined) call.timeout = options.timeout;
    const [uuid] = await this.#resolveModels([nameOrUuid], call);
    const summary = (await this.listModels(call)).find((m) => m.uuid === uuid);
    return this.#openModel(uuid!, summary?.qualifiedName, modelOptionsOf(options));
  }

  /** The controller's secret backends with their secret counts (`SecretBackends.ListSecretBackends`). */
  async listSecretBackends(options: ListSecretBackendsOptions = {}): Promise<SecretBackendInfo[]> {
    ac.checkOptions("listSecretBackends", options, {
      ...ac.CALL_OPTIONS,
      reveal: ac.bool,
      names: ac.arrayOf(ac.name),
    });
    return listSecretBackends(this.#api.connection, options);
  }

  // ---- offers (python-libjuju's Controller.create_offer and friends) --------

  /** This controller's connection as the offer calls take it. */
  #offerHost(modelUuid: string): OfferHost {
    ac.checkArg("modelUuid", modelUuid, ac.name);
    const conn = this.#api.connection;
    return { uuid: modelUuid, withControllerConnection: (fn) => fn(conn) };
  }

  /** Offers endpoints of an application of the model `modelUuid` (see `Model.createOffer`). */
  createOffer(
    modelUuid: string,
    endpoint: string,
    options: CreateOfferOptions = {},
  ): Promise<void> {
    return createOffer(this.#offerHost(modelUuid), endpoint, options);
  }

  /** The offers of the model named `modelName` (owned by `owner`, default: the caller). */
  listOffers(
    modelName: string,
    options: OfferCallOptions & { owner?: string } = {},
  ): Promise<OfferInfo[]> {
    const { owner, ...call } = options;
    return listOffersOf(this.#offerHost("-"), modelName, owner, call);
  }

  /** Removes an offer (`[user/]model.offer`); one with relations needs `force`. */
  removeOffer(modelUuid: string, url: string, options: RemoveOfferOptions = {}): Promise<void> {
    return removeOffer(this.#offerHost(modelUuid), url, options);
  }

  /** What a model needs to consume the offer at `url` (`GetConsumeDetails`). */
  getConsumeDetails(url: string, options: OfferCallOptions = {}): Promise<ConsumeDetails> {
    return getConsumeDetails(this.#offerHost("-"), url, options);
  }

  /** Adds a local user (`UserManager.AddUser`) and returns its info. */
  async addUser(username: string, options: AddUserOptions = {}): Promise<UserInfo> {
    ac.checkArg("username", username, ac.name);
    ac.checkOptions("addUser", options, {
      ...ac.CALL_OPTIONS,
      password: ac.text,
      displayName: ac.str,
    });
    return addUser(this.#api.connection, username, options);
  }

  /** Removes a user (`UserManager.RemoveUser`). */
  async removeUser(username: string, options: CallOptions = {}): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkOptions("removeUser", options, ac.CALL_OPTIONS);
    return userCall(this.#api.connection, "RemoveUser", username, options);
  }

  /** A user's info (`UserManager.UserInfo`); an unknown user throws `JujuNotFoundError`. */
  async getUser(username: string, options: CallOptions = {}): Promise<UserInfo> {
    ac.checkArg("username", username, ac.name);
    ac.checkOptions("getUser", options, ac.CALL_OPTIONS);
    return getUser(this.#api.connection, username, options);
  }

  /** Same as {@link getUser} (python-libjuju's `get_user`). */
  async userInfo(username: string, options: CallOptions = {}): Promise<UserInfo> {
    return this.getUser(username, options);
  }

  /** Every user (the disabled ones only with `includeDisabled`). */
  async getUsers(includeDisabled = false, options: CallOptions = {}): Promise<UserInfo[]> {
    ac.checkArg("includeDisabled", includeDisabled, ac.bool);
    ac.checkOptions("getUsers", options, ac.CALL_OPTIONS);
    return getUsers(this.#api.connection, includeDisabled, options);
  }

  /** Changes a user's password (`UserManager.SetPassword`). */
  async changeUserPassword(
    username: string,
    password: string,
    options: CallOptions = {},
  ): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkArg("password", password, ac.text);
    ac.checkOptions("changeUserPassword", options, ac.CALL_OPTIONS);
    return setPassword(this.#api.connection, username, password, options);
  }

  /** Disables a user: their logins fail until enabled again. */
  async disableUser(username: string, options: CallOptions = {}): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkOptions("disableUser", options, ac.CALL_OPTIONS);
    return userCall(this.#api.connection, "DisableUser", username, options);
  }

  /** Enables a disabled user. */
  async enableUser(username: string, options: CallOptions = {}): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkOptions("enableUser", options, ac.CALL_OPTIONS);
    return userCall(this.#api.connection, "EnableUser", username, options);
  }

  /**
   * Grants `user` access `acl` (`read`, `write` or `admin`) to a model given
   * by name or UUID (`ModelManager.ModifyModelAccess`). Juju refuses a grant
   * that would not raise the user's access.
   */
  async grantModel(
    username: string,
    model: string,
    acl: ModelAccessLevel | string = "read",
    options: CallOptions = {},
  ): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkArg("model", model, ac.name);
    ac.checkArg("acl", acl, ac.oneOf("read", "write", "admin"));
    ac.checkOptions("grantModel", options, ac.CALL_OPTIONS);
    const [uuid] = await this.#resolveModels([model], options);
    await modifyModelAccess(this.#api.connection, "grant", username, uuid!, acl, options);
  }

  /**
   * Revokes access to a model: revoking `read` (the default) removes all
   * access, `write` leaves `read` and `admin` leaves `write`.
   */
  async revokeModel(
    username: string,
    model: string,
    acl: ModelAccessLevel | string = "read",
    options: CallOptions = {},
  ): Promise<void> {
    ac.checkArg("username", username, ac.name);
    ac.checkArg("model", model, ac.name);
    ac.checkArg("acl", acl, ac.oneOf("read", "write", "admin"));
    ac.checkOptions("revokeModel", options, ac.CALL_OPTIONS);
    const [uuid] = await this.#resolveModels([model], options);
    await modifyModelAccess(this.#api.connection, "revoke", username, uuid!, acl, options);
  }

  // ---- clouds, credentials, controller access, summaries ----

  /** Every cloud of the controller, by name (`Cloud.Clouds`). */
  clouds(): Promise<Record<string, members.CloudDefinition>> {
    return members.clouds(this.#api.connection);
  }

  /** One cloud (`Cloud.Cloud`); default the controller's own. */
  async cloud(name?: string): Promise<members.CloudDefinition> {
    return members.cloud(this.#api.connection, name ?? (await this.getCloud()));
  }

  /** The name of the cloud the controller runs on. */
  getCloud(): Promise<string> {
    return members.controllerCloudName(this.#api.connection);
  }

  /** Adds a cloud (`Cloud.AddCloud`; superusers) and returns it as stored. */
  addCloud(
    name: string,
    definition: members.CloudDefinition,
    options: { force?: boolean } = {},
  ): Promise<members.CloudDefinition> {
    return members.addCloud(this.#api.connection, name, definition, options.force ?? false);
  }

  /** Adds or updates a cloud credential (`Cloud.UpdateCredentialsCheckModels`); returns its name. */
  addCredential(
    name: string,
    credential: members.CloudCredentialInput,
    options: members.AddCredentialOptions = {},
  ): Promise<string> {
    return members.addCredential(this.#api.connection, this.username, name, credential, options);
  }

  /** The credentials of a user on a cloud, secrets redacted (defaults: the controller cloud, the logged-in user). */
  listCredentials(
    options: { cloud?: string; owner?: string } = {},
  ): Promise<members.CredentialInfo[]> {
    return members.listCredentials(this.#api.connection, this.username, options);
  }

  /**
   * Grants controller access (`login` or `superuser`); resolves to `false`
   * when the user already had it or more (python-libjuju's `grant`).
   */
  grant(username: string, acl: members.ControllerAccessLevel | string = "login"): Promise<boolean> {
    return members.modifyControllerAccess(this.#api.connection, "grant", username, acl);
  }

  /** Revokes controller access: `superuser` leaves `login`. */
  async revoke(
    username: string,
    acl: members.ControllerAccessLevel | string = "login",
  ): Promise<void> {
    await members.modifyControllerAccess(this.#api.connection, "revoke", username, acl);
  }

  /** Resets a user's password (superusers); returns the secret key for `juju register`. */
  resetUserPassword(username: string): Promise<string> {
    return members.resetUserPassword(this.#api.connection, username);
  }

  /** The controller's API addresses (`host:port`), as the controller reports them. */
  async apiEndpoints(): Promise<string[]> {
    const uuid = (await this.listModels()).find(
      (m) => m.qualifiedName === "admin/controller",
    )?.uuid;
    if (uuid === undefined) {
      throw new JujuError("requires access to the controller model", "unauthorized access");
    }
    return members.apiEndpoints(this.#api.connection, uuid);
  }

  /**
   * Model summaries as they change (`WatchModelSummaries`; all models with
   * `asAdmin`): the first batch holds every model, later ones what changed.
   */
  watchModelSummaries(
    options: { asAdmin?: boolean; signal?: AbortSignal } = {},
  ): AsyncIterableIterator<members.ModelAbstract[]> {
    return members.watchModelSummaries(this.#api.connection, options);
  }

  /** Closes the connection. Idempotent. */
  async disconnect(): Promise<void> {
    await this.#api.connection.close();
  }

  /** Disconnects (`await using controller = …`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** Short description without secrets. */
  toString(): string {
    return `Controller(${this.controllerName ?? this.controllerUuid})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #openModel(
    uuid: string,
    qualifiedName: string | undefined,
    modelOptions: ModelOptions,
  ): Promise<Model> {
    const names: { controllerName?: string; modelName?: string } = {};
    if (this.controllerName !== undefined) names.controllerName = this.controllerName;
    if (qualifiedName !== undefined) names.modelName = qualifiedName;
    return Model.open({ ...this.#base, ...modelOptions, modelUuid: uuid }, names);
  }

  async #resolveModels(names: readonly string[], options: CallOptions): Promise<string[]> {
    if (names.every((n) => UUID_RE.test(n))) return [...names];
    const models = await this.listModels(options);
    return names.map((n) => {
      if (UUID_RE.test(n)) return n;
      const qualified = n.includes("/") ? n : `${this.username}/${n}`;
      const found = models.find((m) => m.qualifiedName === qualified);
      if (!found) {
        throw new JujuNotFoundError(`model ${JSON.stringify(qualified)} not found`, "not found");
      }
      return found.uuid;
    });
  }
}

/** The {@link ModelOptions} among an options object. */
function modelOptionsOf(o: ModelOptions): ModelOptions {
  const out: ModelOptions = {};
  if (o.watch !== undefined) out.watch = o.watch;
  if (o.historyCap !== undefined) out.historyCap = o.historyCap;
  if (o.strictDeltas !== undefined) out.strictDeltas = o.strictDeltas;
  if (o.onObserverError !== undefined) out.onObserverError = o.onObserverError;
  if (o.reconnect !== undefined) out.reconnect = o.reconnect;
  if (o.stateSource !== undefined) out.stateSource = o.stateSource;
  if (o.statusPoll !== undefined) out.statusPoll = o.statusPoll;
  return out;
}

/**
 * `Model`: a connection to one Juju model, the main entry point of the
 * library (python-libjuju's `juju.model.Model`).
 * @module
 */
import type { Client } from "../facades/generated/index.js";
import {
  type ClientFilesOptions,
  controllerAccess,
  jujuDataFrom,
} from "../jujudata/controller-access.js";
import {
  type CommonConnectOptions,
  type ConnectApiOptions,
  type ConnectedApi,
  connectApi,
} from "../rpc/connect.js";
import type { CallOptions, Connection } from "../rpc/connection.js";
import { Credentials, type MacaroonJson } from "../rpc/credentials.js";
import { JujuDataError, type LibjujuError } from "../rpc/errors.js";
import type { LoginInfo } from "../rpc/login.js";

/** Options of {@link Model.connect}: where the model is and who logs in. */
export interface ModelConnectOptions extends CommonConnectOptions {
  /** One `host:port`, or several tried in order. */
  endpoint?: string | readonly string[];
  /** `host:port` addresses tried in order (alternative to `endpoint`). */
  endpoints?: readonly string[];
  /** The model UUID. */
  uuid: string;
  /** User name, e.g. `admin`. */
  username: string;
  /** Password. When absent, `macaroons` are sent. */
  password?: string;
  /** Macaroon slices for a macaroon login. */
  macaroons?: MacaroonJson[][];
  /** PEM of the controller CA. */
  cacert?: string;
  /** Name of the controller, for display (the CLI shows it). */
  controllerName?: string;
  /** Qualified model name (`user/model`), for display. */
  modelName?: string;
}

/** Options of {@link Model.connectCurrent} and {@link Model.connectModel}. */
export interface ModelFromFilesOptions extends CommonConnectOptions, ClientFilesOptions {}

/** Options of {@link Model.getStatus}. */
export interface GetStatusOptions extends CallOptions {
  /** Only show entities matching these patterns (as `juju status <patterns>`). */
  patterns?: readonly string[];
  /** Include storage details (Client v7+). */
  includeStorage?: boolean;
}

/** The status of a model, as `Client.FullStatus` returns it. */
export type FullStatus = Client.FullStatus;

/** What {@link Model.getInfo} knows about the model. */
export interface ModelInfo {
  uuid: string;
  /** Short name, e.g. `default`. */
  name: string;
  /** Qualified name `owner/name`, when known from the client files or the controller. */
  qualifiedName: string | undefined;
  /** `iaas` or `caas`. */
  type: string;
  controllerUuid: string;
  /** e.g. `cloud-localhost`. */
  cloudTag: string;
  cloudRegion: string | undefined;
  /** The model's agent version, e.g. `3.6.28`. */
  agentVersion: string;
  /** A newer available agent version, if any. */
  availableVersion: string | undefined;
  /** The model's status, e.g. `available`. */
  status: { status: string; info: string; since: string | undefined };
  sla: string | undefined;
  /** `default-base` from the model config, when set. */
  defaultBase: string | undefined;
  /** Model config values (`ModelConfig.ModelGet`), by key. */
  config: Record<string, unknown>;
  /** What the Login reply said about the user. */
  userAccess: string | undefined;
}

const endpointList = (opts: ModelConnectOptions): string[] => {
  const list: string[] = [];
  if (typeof opts.endpoint === "string") list.push(opts.endpoint);
  else if (opts.endpoint) list.push(...opts.endpoint);
  if (opts.endpoints) list.push(...opts.endpoints);
  return list;
};

/** Copies the common options, leaving out undefined values. @internal */
export function commonOptions(opts: CommonConnectOptions): CommonConnectOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined && k !== "jujuData" && k !== "env") out[k] = v;
  }
  return out as CommonConnectOptions;
}

/**
 * A connection to one Juju model.
 *
 * @example
 * ```ts
 * await using model = await Model.connectCurrent();
 * const status = await model.getStatus();
 * ```
 */
export class Model {
  readonly #api: ConnectedApi;
  /** The controller's name in the client files, when connected through them. */
  readonly controllerName: string | undefined;
  readonly #name: string | undefined;
  /** Model information, cached by {@link getInfo}. */
  info: ModelInfo | undefined;

  private constructor(api: ConnectedApi, controllerName?: string, name?: string) {
    this.#api = api;
    this.controllerName = controllerName;
    this.#name = name;
  }

  /**
   * Connects to a model given its endpoints, UUID and credentials.
   * Endpoints are tried in order; redirects are followed.
   */
  static async connect(options: ModelConnectOptions): Promise<Model> {
    const endpoints = endpointList(options);
    const credentials = new Credentials({
      username: options.username,
      password: options.password,
      macaroons: options.macaroons,
    });
    const api: ConnectApiOptions = {
      ...commonOptions(stripModelOptions(options)),
      endpoints,
      modelUuid: options.uuid,
      credentials,
    };
    if (options.cacert !== undefined) api.caCert = options.cacert;
    return new Model(await connectApi(api), options.controllerName, options.modelName);
  }

  /**
   * Connects with the low-level options of `connectApi` (credentials object,
   * transport factory, macaroon lookup…). `names` are for display.
   */
  static async open(
    options: ConnectApiOptions & { modelUuid: string },
    names: { controllerName?: string; modelName?: string } = {},
  ): Promise<Model> {
    return new Model(await connectApi(options), names.controllerName, names.modelName);
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
    const data = jujuDataFrom(options);
    const resolved = await data.resolveModel(name);
    const access = await controllerAccess(data, resolved.controllerName);
    const common = commonOptions(options);
    const base: Omit<ConnectApiOptions, "modelUuid"> = {
      ...common,
      endpoints: access.endpoints,
      credentials: access.credentials,
      macaroonsFor: access.macaroonsFor,
    };
    if (access.caCert !== undefined) base.caCert = access.caCert;
    if (common.clientVersion === undefined && access.agentVersion) {
      base.clientVersion = access.agentVersion;
    }
    let uuid = resolved.model?.uuid;
    if (!uuid) {
      uuid = await lookupModelUuid(base, resolved.modelName);
      if (!uuid) {
        throw new JujuDataError(
          `model ${JSON.stringify(`${resolved.controllerName}:${resolved.modelName}`)} not found ` +
            "in models.yaml nor on the controller",
          `${data.dir}/models.yaml`,
          `controllers.${resolved.controllerName}.models.${resolved.modelName}`,
        );
      }
    }
    return Model.open(
      { ...base, modelUuid: uuid },
      { controllerName: resolved.controllerName, modelName: resolved.modelName },
    );
  }

  /** The underlying API connection (for facade calls not wrapped by `Model`). */
  get connection(): Connection {
    return this.#api.connection;
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

  /** The qualified model name (`user/model`) when known. */
  get name(): string | undefined {
    return this.#name ?? this.info?.qualifiedName;
  }

  /** True while the connection is open. */
  isConnected(): boolean {
    return !this.#api.connection.isClosed;
  }

  /** Resolves when the connection closes; see {@link Connection.closed}. */
  closed(): Promise<LibjujuError | undefined> {
    return this.#api.connection.closed();
  }

  /**
   * Fetches information about the model and caches it on {@link info}.
   * On a model connection `ModelManager` is not available (it is a
   * controller facade), so this combines `Client.FullStatus` (name, type,
   * cloud, version, status) with `ModelConfig.ModelGet` (config).
   */
  async getInfo(options: CallOptions = {}): Promise<ModelInfo> {
    const conn = this.#api.connection;
    const [status, config] = await Promise.all([
      conn.facade("Client").call("FullStatus", { patterns: [] }, options),
      conn.facade("ModelConfig").call("ModelGet", undefined, options),
    ]);
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config.config ?? {})) values[k] = v?.value;
    const m = status.model;
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    const qualifiedName = this.#name ?? undefined;
    const info: ModelInfo = {
      uuid: str(values.uuid) ?? this.uuid,
      name: m?.name ?? str(values.name) ?? "",
      qualifiedName,
      type: m?.type ?? str(values.type) ?? "",
      controllerUuid: this.controllerUuid,
      cloudTag: m?.["cloud-tag"] ?? "",
      cloudRegion: str(m?.region),
      agentVersion: m?.version ?? str(values["agent-version"]) ?? "",
      availableVersion: str(m?.["available-version"]),
      status: {
        status: m?.["model-status"]?.status ?? "",
        info: m?.["model-status"]?.info ?? "",
        since: str(m?.["model-status"]?.since),
      },
      sla: str(m?.sla),
      defaultBase: str(values["default-base"]),
      config: values,
      userAccess: this.#api.info.userInfo?.modelAccess || undefined,
    };
    this.info = info;
    return info;
  }

  /** The model's status (`Client.FullStatus`), optionally filtered by patterns. */
  async getStatus(options: GetStatusOptions = {}): Promise<FullStatus> {
    const client = this.#api.connection.facade("Client");
    const params: Client.StatusParams = { patterns: [...(options.patterns ?? [])] };
    if (options.includeStorage !== undefined) params["include-storage"] = options.includeStorage;
    const call: CallOptions = {};
    if (options.signal) call.signal = options.signal;
    if (options.timeout !== undefined) call.timeout = options.timeout;
    return client.call("FullStatus", params, call);
  }

  /** Closes the connection. Idempotent. */
  async disconnect(): Promise<void> {
    await this.#api.connection.close();
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

function stripModelOptions(o: ModelConnectOptions): CommonConnectOptions {
  const {
    endpoint: _e,
    endpoints: _es,
    uuid: _u,
    username: _n,
    password: _p,
    macaroons: _m,
    cacert: _c,
    controllerName: _cn,
    modelName: _mn,
    ...rest
  } = o;
  return rest;
}

/** Finds a model's UUID by qualified name on the controller (`ModelManager.ListModels`). */
async function lookupModelUuid(
  base: Omit<ConnectApiOptions, "modelUuid">,
  qualifiedName: string,
): Promise<string | undefined> {
  const api = await connectApi(base);
  try {
    const list = await api.connection
      .facade("ModelManager")
      .call("ListModels", { tag: base.credentials.userTag });
    for (const um of list["user-models"] ?? []) {
      const owner = um.model["owner-tag"].replace(/^user-/, "");
      if (`${owner}/${um.model.name}` === qualifiedName) return um.model.uuid;
    }
    return undefined;
  } finally {
    await api.connection.close();
  }
}

/**
 * Juju's client files: `controllers.yaml`, `accounts.yaml`, `models.yaml`
 * and cookie jars under `$JUJU_DATA`, and model-name resolution as the Juju
 * CLI does it (`[controller:][user/]model`, `JUJU_CONTROLLER`, `JUJU_MODEL`).
 * Node only (reads files).
 * @module
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { modelQualifier } from "../protocol/model-qualifier.js";
import { Credentials, type MacaroonJson } from "../rpc/credentials.js";
import { JujuDataError } from "../rpc/errors.js";
import { type Cookie, macaroonsForHosts, parseCookieJar } from "./cookies.js";
import {
  mapAt,
  mapKeys,
  numberAt,
  parseYamlFile,
  requiredStringAt,
  rootMap,
  stringAt,
  stringListAt,
  type YamlFile,
} from "./yaml-nodes.js";

/** Environment variables read by {@link JujuData}. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Juju client data directory: `$JUJU_DATA`, else `$XDG_DATA_HOME/juju`,
 * else `~/.local/share/juju` (as Juju's `osenv.JujuXDGDataHomeDir`).
 */
export function jujuDataDir(env: Env = process.env, home: string = homedir()): string {
  if (env.JUJU_DATA) return env.JUJU_DATA;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, "juju");
  return join(home, ".local", "share", "juju");
}

/** One controller from `controllers.yaml`. */
export interface ControllerDetails {
  /** The controller's name (its key in `controllers.yaml`). */
  name: string;
  /** The controller UUID. */
  uuid: string;
  /** `host:port` addresses, in the file's order. */
  apiEndpoints: string[];
  /** PEM of the controller CA. */
  caCert: string | undefined;
  /** The controller's cloud. */
  cloud: string | undefined;
  /** The controller's cloud region. */
  region: string | undefined;
  /** The cloud type, e.g. `lxd`, `ec2`. */
  type: string | undefined;
  /** The controller's Juju version, e.g. `3.6.28`. */
  agentVersion: string | undefined;
  /** The controller's public DNS name, when it has one. */
  publicDnsName: string | undefined;
  /** How many controller machines there are (HA). */
  controllerMachineCount: number | undefined;
  /** How many of them are active. */
  activeControllerMachineCount: number | undefined;
  /** How many machines the controller manages, all models. */
  machineCount: number | undefined;
}

/** One model from `models.yaml`. */
export interface ModelDetails {
  /** Qualified name, `user/model`. */
  name: string;
  /** The model UUID. */
  uuid: string;
  /** `iaas` or `caas`. */
  type: string | undefined;
  /** The active branch (model generation), when set. */
  branch: string | undefined;
}

/** The account of a controller from `accounts.yaml`. The password is kept in {@link Credentials}. */
export interface AccountDetails {
  /** The user name. */
  user: string;
  /** The user's controller access when last seen, e.g. `superuser`. */
  lastKnownAccess: string | undefined;
  /** User name plus password; inspect-safe. */
  credentials: Credentials;
}

/** What a `[controller:][user/]model` name resolved to. */
export interface ResolvedModel {
  /** The controller's name. */
  controllerName: string;
  /** Qualified model name, `user/model`. */
  modelName: string;
  /** The controller's details. */
  controller: ControllerDetails;
  /** The account used on it. */
  account: AccountDetails;
  /** The model, when `models.yaml` knows it. */
  model: ModelDetails | undefined;
}

/** Options of {@link JujuData}. */
export interface JujuDataOptions {
  /** The data directory; default {@link jujuDataDir}(env). */
  dir?: string;
  /** Environment; default `process.env`. */
  env?: Env;
}

/**
 * Splits `"[ctrl:]model"` into controller and model parts (as Juju's
 * `modelcmd.SplitModelName`). Either may be empty.
 */
export function splitModelName(name: string): {
  /** The controller part, `""` when none. */
  controller: string;
  /** The model part, `""` when none. */
  model: string;
} {
  const i = name.indexOf(":");
  if (i < 0) return { controller: "", model: name };
  return { controller: name.slice(0, i), model: name.slice(i + 1) };
}

/**
 * `user/model` for an unqualified `model`, as Juju 3's
 * `jujuclient.JoinOwnerModelName`. With `jujuMajor` 4 or more the namespace
 * is the user's qualifier, as Juju 4's CLI qualifies a name
 * (`QualifierFromUserTag`: `bob@external` → `bob-external/model`).
 */
export function qualifyModelName(model: string, user: string, jujuMajor = 3): string {
  if (model.includes("/")) return model;
  return `${jujuMajor >= 4 ? modelQualifier(user) : user}/${model}`;
}

/**
 * Reads Juju's client files. Files are read on each call (they are small and
 * the CLI may change them between calls).
 */
export class JujuData {
  /** The data directory. */
  readonly dir: string;
  readonly #env: Env;

  constructor(options: JujuDataOptions = {}) {
    this.#env = options.env ?? process.env;
    this.dir = options.dir ?? jujuDataDir(this.#env);
  }

  async #read(name: string, optional = false): Promise<YamlFile | undefined> {
    const path = join(this.dir, name);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (optional && code === "ENOENT") return undefined;
      throw new JujuDataError(
        code === "ENOENT"
          ? `${name} not found in ${this.dir} (set JUJU_DATA to the Juju client data directory)`
          : `cannot read ${path}: ${(err as Error).message}`,
        path,
      );
    }
    return parseYamlFile(path, name, text);
  }

  /** Every controller in `controllers.yaml`, by name. */
  async controllers(): Promise<Map<string, ControllerDetails>> {
    const file = (await this.#read("controllers.yaml"))!;
    const controllers = mapAt(file, rootMap(file), "controllers", "controllers");
    const out = new Map<string, ControllerDetails>();
    for (const name of mapKeys(controllers)) {
      out.set(name, readController(file, controllers, name));
    }
    return out;
  }

  /** The named controller; {@link JujuDataError} when unknown. */
  async controller(name: string): Promise<ControllerDetails> {
    const file = (await this.#read("controllers.yaml"))!;
    const controllers = mapAt(file, rootMap(file), "controllers", "controllers");
    if (!mapKeys(controllers).includes(name)) {
      throw new JujuDataError(
        `controller ${JSON.stringify(name)} not found in ${file.name} (${file.path})`,
        file.path,
        `controllers.${name}`,
      );
    }
    return readController(file, controllers, name);
  }

  /**
   * The current controller: `$JUJU_CONTROLLER`, else `current-controller`
   * of `controllers.yaml`. {@link JujuDataError} when there is none.
   */
  async currentController(): Promise<string> {
    const fromEnv = this.#env.JUJU_CONTROLLER;
    if (fromEnv) return fromEnv;
    const file = (await this.#read("controllers.yaml"))!;
    const current = stringAt(file, rootMap(file), "current-controller", "current-controller");
    if (!current) {
      throw new JujuDataError(
        `no current controller: ${file.name} (${file.path}) has no current-controller and JUJU_CONTROLLER is not set`,
        file.path,
        "current-controller",
      );
    }
    return current;
  }

  /** The account for `controller` from `accounts.yaml`. */
  async account(controller: string): Promise<AccountDetails> {
    const file = (await this.#read("accounts.yaml"))!;
    const controllers = mapAt(file, rootMap(file), "controllers", "controllers");
    const keyPath = `controllers.${controller}`;
    const entry = mapAt(file, controllers, controller, keyPath);
    if (!entry) {
      throw new JujuDataError(
        `no account for controller ${JSON.stringify(controller)} in ${file.name} (${file.path})`,
        file.path,
        keyPath,
      );
    }
    const user = requiredStringAt(file, entry, "user", `${keyPath}.user`);
    const password = stringAt(file, entry, "password", `${keyPath}.password`);
    return {
      user,
      lastKnownAccess: stringAt(file, entry, "last-known-access", `${keyPath}.last-known-access`),
      credentials: new Credentials({ username: user, password: password || undefined }),
    };
  }

  /** Models of `controller` from `models.yaml` (empty when the file or entry is absent). */
  async models(controller: string): Promise<{
    /** The controller's models, by qualified name. */
    models: Map<string, ModelDetails>;
    /** The current model's qualified name, when one is set. */
    current?: string;
  }> {
    const file = await this.#read("models.yaml", true);
    if (!file) return { models: new Map() };
    const controllers = mapAt(file, rootMap(file), "controllers", "controllers");
    const keyPath = `controllers.${controller}`;
    const entry = mapAt(file, controllers, controller, keyPath);
    const modelsMap = mapAt(file, entry, "models", `${keyPath}.models`);
    const models = new Map<string, ModelDetails>();
    for (const name of mapKeys(modelsMap)) {
      const mPath = `${keyPath}.models.${name}`;
      const m = mapAt(file, modelsMap, name, mPath);
      models.set(name, {
        name,
        uuid: requiredStringAt(file, m, "uuid", `${mPath}.uuid`),
        type: stringAt(file, m, "type", `${mPath}.type`),
        branch: stringAt(file, m, "branch", `${mPath}.branch`),
      });
    }
    const current = stringAt(file, entry, "current-model", `${keyPath}.current-model`);
    return current ? { models, current } : { models };
  }

  /**
   * Resolves a model name the way the Juju CLI does:
   * - `name` undefined or empty: `$JUJU_MODEL`, else the current model;
   * - `ctrl:model` selects the controller, otherwise `$JUJU_CONTROLLER` or
   *   `current-controller`;
   * - an empty model part means the controller's `current-model`;
   * - an unqualified model is owned by the controller's account user.
   *
   * The model's UUID is looked up in `models.yaml`; `model` is undefined
   * when the file does not list it (callers may ask the controller).
   */
  async resolveModel(name?: string): Promise<ResolvedModel> {
    const spec = name || this.#env.JUJU_MODEL || "";
    const split = splitModelName(spec);
    const controllerName = split.controller || (await this.currentController());
    const controller = await this.controller(controllerName);
    const account = await this.account(controllerName);
    const { models, current } = await this.models(controllerName);
    let modelName = split.model;
    if (!modelName) {
      if (!current) {
        throw new JujuDataError(
          `no current model for controller ${JSON.stringify(controllerName)} in models.yaml; name a model`,
          join(this.dir, "models.yaml"),
          `controllers.${controllerName}.current-model`,
        );
      }
      modelName = current;
    }
    // A Juju 4 controller's names are qualified by the user's qualifier.
    const major = Number(/^(\d+)\./.exec(controller.agentVersion ?? "")?.[1] ?? 3);
    modelName = qualifyModelName(modelName, account.user, major);
    return { controllerName, modelName, controller, account, model: models.get(modelName) };
  }

  /**
   * Like {@link resolveModel}, but a model that `models.yaml` does not list
   * is a {@link JujuDataError}.
   */
  async requireModel(name?: string): Promise<
    ResolvedModel & {
      /** The model, as `models.yaml` lists it. */
      model: ModelDetails;
    }
  > {
    const resolved = await this.resolveModel(name);
    if (!resolved.model) {
      throw new JujuDataError(
        `model ${JSON.stringify(`${resolved.controllerName}:${resolved.modelName}`)} not found in models.yaml`,
        join(this.dir, "models.yaml"),
        `controllers.${resolved.controllerName}.models.${resolved.modelName}`,
      );
    }
    return resolved as ResolvedModel & { model: ModelDetails };
  }

  /** The cookies of `controller`'s jar, `cookies/<controller>.json` (empty when absent). */
  async cookies(controller: string): Promise<Cookie[]> {
    const path = join(this.dir, "cookies", `${controller}.json`);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new JujuDataError(`cannot read ${path}: ${(err as Error).message}`, path);
    }
    return parseCookieJar(text, path);
  }

  /**
   * Macaroon slices from `controller`'s cookie jar that apply to any of
   * `hosts` (the controller UUID, the dialled host…), for a macaroon login.
   */
  async macaroons(controller: string, hosts: readonly string[]): Promise<MacaroonJson[][]> {
    return macaroonsForHosts(await this.cookies(controller), hosts);
  }
}

function readController(file: YamlFile, controllers: ReturnType<typeof mapAt>, name: string) {
  const keyPath = `controllers.${name}`;
  const c = mapAt(file, controllers, name, keyPath);
  const endpoints = stringListAt(file, c, "api-endpoints", `${keyPath}.api-endpoints`);
  if (endpoints.length === 0) {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath}.api-endpoints is missing or empty`,
      file.path,
      `${keyPath}.api-endpoints`,
    );
  }
  return {
    name,
    uuid: requiredStringAt(file, c, "uuid", `${keyPath}.uuid`),
    apiEndpoints: endpoints,
    caCert: stringAt(file, c, "ca-cert", `${keyPath}.ca-cert`),
    cloud: stringAt(file, c, "cloud", `${keyPath}.cloud`),
    region: stringAt(file, c, "region", `${keyPath}.region`),
    type: stringAt(file, c, "type", `${keyPath}.type`),
    agentVersion: stringAt(file, c, "agent-version", `${keyPath}.agent-version`),
    publicDnsName: stringAt(file, c, "public-hostname", `${keyPath}.public-hostname`),
    controllerMachineCount: numberAt(
      file,
      c,
      "controller-machine-count",
      `${keyPath}.controller-machine-count`,
    ),
    activeControllerMachineCount: numberAt(
      file,
      c,
      "active-controller-machine-count",
      `${keyPath}.active-controller-machine-count`,
    ),
    machineCount: numberAt(file, c, "machine-count", `${keyPath}.machine-count`),
  } satisfies ControllerDetails;
}

/**
 * `model.info`: at connect, filled from the AllWatcher's `model` delta
 * (`params.ModelUpdate`), which the first batch always carries, so that
 * connecting costs no extra request; on `getInfo()`, fetched with
 * `Client.FullStatus` and `ModelConfig.ModelGet`.
 * @module
 */
import type { CallOptions } from "../../rpc/connection.js";
import type { EntityData } from "../delta.js";
import type { OpsContext } from "../ops-context.js";

/** What `Model.getInfo` knows about the model. */
export interface ModelInfo {
  /** The model UUID. */
  uuid: string;
  /** Short name, e.g. `default`. */
  name: string;
  /** Qualified name `owner/name`, when known from the client files or the controller. */
  qualifiedName: string | undefined;
  /** `iaas` or `caas`. */
  type: string;
  /** The UUID of the model's controller. */
  controllerUuid: string;
  /** e.g. `cloud-localhost`. */
  cloudTag: string;
  /** The cloud region, when the cloud has regions. */
  cloudRegion: string | undefined;
  /** The model's agent version, e.g. `3.6.28`. */
  agentVersion: string;
  /** A newer available agent version, if any. */
  availableVersion: string | undefined;
  /** The model's status, e.g. `available`. */
  status: {
    /** e.g. `available`, `busy`. */
    status: string;
    /** Its message. */
    info: string;
    /** When it was set (RFC 3339). */
    since: string | undefined;
  };
  /** The model's SLA level, e.g. `unsupported`. */
  sla: string | undefined;
  /** `default-base` from the model config, when set. */
  defaultBase: string | undefined;
  /** Model config values (`ModelConfig.ModelGet`), by key. */
  config: Record<string, unknown>;
  /** What the Login reply said about the user. */
  userAccess: string | undefined;
}

/** What the model knows about itself beside what the controller reports. */
export interface KnownModelFacts {
  /** The model UUID the login reported. */
  uuid: string;
  /** The controller UUID the login reported. */
  controllerUuid: string;
  /** `user/model`, when known from the client files. */
  qualifiedName: string | undefined;
  /** The user's model access, from the login reply. */
  userAccess: string | undefined;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** {@link ModelInfo} from a `model` delta. */
export function modelInfoFromDelta(data: EntityData, known: KnownModelFacts): ModelInfo {
  const config = (data.config ?? {}) as Record<string, unknown>;
  const status = (data.status ?? {}) as Record<string, unknown>;
  const sla = (data.sla ?? {}) as Record<string, unknown>;
  const owner = str(data.owner);
  const name = str(data.name) ?? "";
  return {
    uuid: str(data["model-uuid"]) ?? known.uuid,
    name,
    qualifiedName: known.qualifiedName ?? (owner === undefined ? undefined : `${owner}/${name}`),
    type: str(data.type) ?? str(config.type) ?? "",
    controllerUuid: str(data["controller-uuid"]) ?? known.controllerUuid,
    cloudTag: str(data.cloud) === undefined ? "" : `cloud-${data.cloud as string}`,
    cloudRegion: str(data["cloud-region"]),
    agentVersion: str(data.version) ?? str(config["agent-version"]) ?? "",
    availableVersion: undefined,
    status: {
      status: str(status.current) ?? "",
      info: str(status.message) ?? "",
      since: str(status.since),
    },
    sla: str(sla.level),
    defaultBase: str(config["default-base"]),
    config: { ...config },
    userAccess: known.userAccess,
  };
}

/**
 * {@link ModelInfo} from the controller. On a model connection
 * `ModelManager` is not available (it is a controller facade), so this
 * combines `Client.FullStatus` (name, type, cloud, version, status) with
 * `ModelConfig.ModelGet` (config).
 */
export async function fetchModelInfo(
  ctx: OpsContext,
  known: KnownModelFacts,
  options: CallOptions = {},
): Promise<ModelInfo> {
  const conn = ctx.connection;
  const [status, config] = await Promise.all([
    conn.facade("Client").call("FullStatus", { patterns: [] }, options),
    conn.facade("ModelConfig").call("ModelGet", undefined, options),
  ]);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.config ?? {})) values[k] = v?.value;
  const m = status.model;
  return {
    uuid: str(values.uuid) ?? known.uuid,
    name: m?.name ?? str(values.name) ?? "",
    qualifiedName: known.qualifiedName,
    type: m?.type ?? str(values.type) ?? "",
    controllerUuid: known.controllerUuid,
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
    userAccess: known.userAccess,
  };
}

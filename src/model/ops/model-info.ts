/**
 * `model.info` at connect: filled from the AllWatcher's `model` delta
 * (`params.ModelUpdate`), which the first batch always carries, so that
 * connecting costs no extra request.
 * @module
 */
import type { EntityData } from "../delta.js";
import type { ModelInfo } from "../model.js";

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** {@link ModelInfo} from a `model` delta. */
export function modelInfoFromDelta(
  data: EntityData,
  known: {
    uuid: string;
    controllerUuid: string;
    qualifiedName: string | undefined;
    userAccess: string | undefined;
  },
): ModelInfo {
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

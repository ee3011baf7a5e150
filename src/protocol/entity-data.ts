/**
 * The entity of each AllWatcher delta kind as Juju 3.6 sends it: the json
 * tags of Go's `rpc/params` `*Info` types (`MachineInfo`, `ApplicationInfo`,
 * `UnitInfo`, …) as filled by `apiserver/allwatcher.go`'s translator. The
 * schema only says `entity: object`, so these are written by hand. Shared by
 * the client (typed entity views) and the simulator (its delta builders
 * `satisfies` them), so a misspelt field fails the typecheck on both sides.
 *
 * Optionality follows Go: a field without `omitempty` is always present
 * (a nil slice or map as `null`); `?` marks `omitempty` fields.
 * @module
 */
import type { Constraints } from "../parse/constraints.js";

/** `life.Value`. */
export type LifeValue = "alive" | "dying" | "dead";

/** `params.StatusInfo`: a status as deltas carry it. */
export type StatusData = {
  /** The status value, e.g. `active`, `idle`, `started`, `running`, `unset`. */
  current: string;
  message: string;
  /** RFC 3339; omitted when Juju has no time for it. */
  since?: string;
  /** The agent version for agent statuses, otherwise `""`. */
  version: string;
  data?: Record<string, unknown>;
  /** A Go error value (rarely set; opaque). */
  err?: unknown;
};

/** `constraints.Value` as json (every field `omitempty`; `mem` and `root-disk` in MiB). */
export type ConstraintsData = Constraints;

/** `params.Address` of a machine. */
export type AddressData = {
  value: string;
  /** `ipv4`, `ipv6`, `hostname`. */
  type: string;
  /** `public`, `local-cloud`, `local-fan`, `local-machine`, `link-local`. */
  scope: string;
  "space-name"?: string;
  "space-id"?: string;
};

/** `instance.HardwareCharacteristics` (sizes in MiB). */
export type HardwareData = {
  arch?: string;
  mem?: number;
  "root-disk"?: number;
  "root-disk-source"?: string;
  "cpu-cores"?: number;
  "cpu-power"?: number;
  tags?: string[];
  "availability-zone"?: string;
  "virt-type"?: string;
};

/** `params.MachineInfo` (`machine`, keyed by `id`). */
export type MachineData = {
  "model-uuid": string;
  id: string;
  "instance-id": string;
  "agent-status": StatusData;
  "instance-status": StatusData;
  life: LifeValue;
  config?: Record<string, unknown>;
  /** `ubuntu@22.04`. */
  base: string;
  "container-type": string;
  "supported-containers": string[] | null;
  "supported-containers-known": boolean;
  "hardware-characteristics"?: HardwareData;
  "charm-profiles"?: string[];
  jobs: string[] | null;
  addresses: AddressData[] | null;
  "has-vote": boolean;
  "wants-vote": boolean;
  hostname?: string;
};

/** `params.ApplicationInfo` (`application`, keyed by `name`). */
export type ApplicationData = {
  "model-uuid": string;
  name: string;
  exposed: boolean;
  "charm-url": string;
  /** Always `""` in 3.6. */
  "owner-tag": string;
  life: LifeValue;
  "min-units": number;
  constraints: ConstraintsData;
  config?: Record<string, unknown>;
  subordinate: boolean;
  /** `{current: "unset"}` unless the charm set one; clients derive a status from the units. */
  status: StatusData;
  "workload-version": string;
};

/** `params.Port`. */
export type PortData = { protocol: string; number: number };

/** `params.PortRange`. */
export type PortRangeData = { "from-port": number; "to-port": number; protocol: string };

/** `params.UnitInfo` (`unit`, keyed by `name`). */
export type UnitData = {
  "model-uuid": string;
  name: string;
  application: string;
  base: string;
  "charm-url": string;
  life: LifeValue;
  "public-address": string;
  "private-address": string;
  /** `""` until assigned. */
  "machine-id": string;
  /** `port-ranges` expanded to one entry per port. */
  ports: PortData[] | null;
  "port-ranges": PortRangeData[] | null;
  /** The principal unit's name for a subordinate, otherwise `""`. */
  principal: string;
  subordinate: boolean;
  "workload-status": StatusData;
  "agent-status": StatusData;
};

/** `params.CharmRelation`. */
export type CharmRelationData = {
  name: string;
  /** `provider`, `requirer` or `peer`. */
  role: string;
  interface: string;
  optional: boolean;
  limit: number;
  /** `global` or `container`. */
  scope: string;
};

/** `params.Endpoint`: one end of a relation. */
export type EndpointData = { "application-name": string; relation: CharmRelationData };

/** `params.RelationInfo` (`relation`; Juju keys it by `key`, this client by `id`). */
export type RelationData = {
  "model-uuid": string;
  /** `wordpress:db mysql:db`. */
  key: string;
  id: number;
  endpoints: EndpointData[] | null;
};

/** `params.AnnotationInfo` (`annotation`, keyed by the annotated entity's `tag`). */
export type AnnotationData = {
  "model-uuid": string;
  tag: string;
  annotations: Record<string, string> | null;
};

/**
 * `params.ActionInfo` (`action`, keyed by `id`). The 3.6 translator copies
 * neither `parameters` nor `results`; `started` and `completed` are Go's
 * zero time (`0001-01-01T00:00:00Z`) until they happen.
 */
export type ActionData = {
  "model-uuid": string;
  id: string;
  /** The unit name, e.g. `mysql/0`. */
  receiver: string;
  name: string;
  parameters?: Record<string, unknown>;
  status: string;
  message: string;
  results?: Record<string, unknown>;
  enqueued: string;
  started: string;
  completed: string;
};

/** `params.Profile`: a charm's LXD profile. */
export type ProfileData = {
  config?: Record<string, string>;
  description?: string;
  devices?: Record<string, Record<string, string>>;
};

/** `params.CharmInfo` (`charm`, keyed by `charm-url`). */
export type CharmData = {
  "model-uuid": string;
  "charm-url": string;
  "charm-version": string;
  life: LifeValue;
  profile: ProfileData | null;
  /** The charm's default config. */
  config?: Record<string, unknown>;
};

/** `params.RemoteApplicationUpdate` (`remoteApplication`, keyed by `name`). */
export type RemoteApplicationData = {
  "model-uuid": string;
  name: string;
  /** Present but `""`: the 3.6 translator does not copy it. */
  "offer-uuid": string;
  "offer-url": string;
  life: LifeValue;
  status: StatusData;
};

/** `params.ApplicationOfferInfo` (`applicationOffer`, keyed by `offer-name`). */
export type ApplicationOfferData = {
  "model-uuid": string;
  "offer-name": string;
  "offer-uuid": string;
  "application-name": string;
  "charm-name": string;
  "total-connected-count": number;
  "active-connected-count": number;
};

/** `params.BlockInfo` (`block`, keyed by `id`). */
export type BlockData = {
  "model-uuid": string;
  id: string;
  /** `BlockDestroy`, `BlockRemove` or `BlockChange`. */
  type: string;
  message: string;
  tag: string;
};

/** `params.ModelSLAInfo`. */
export type ModelSLAData = { level: string; owner: string };

/** `params.ModelUpdate` (`model`, keyed by `model-uuid`). */
export type ModelData = {
  "model-uuid": string;
  name: string;
  life: LifeValue;
  /** A user name, e.g. `admin`. */
  owner: string;
  "controller-uuid": string;
  "is-controller": boolean;
  config?: Record<string, unknown>;
  status: StatusData;
  constraints: ConstraintsData;
  sla: ModelSLAData;
  /** `iaas` or `caas`. */
  type: string;
  cloud: string;
  "cloud-region": string;
  /** The agent version from the model config. */
  version: string;
};

/** `params.ItemChange`: one config change on a branch. */
export type ItemChangeData = { type: number; key: string; old?: unknown; new?: unknown };

/** `params.BranchInfo` (`branch`, keyed by `id`). */
export type BranchData = {
  "model-uuid": string;
  id: string;
  name: string;
  "assigned-units": Record<string, string[]> | null;
  "charm-config": Record<string, ItemChangeData[] | null> | null;
  created: number;
  "created-by": string;
  completed: number;
  "completed-by": string;
  "generation-id": number;
};

/** The entity data of each delta kind. */
export type EntityDataMap = {
  model: ModelData;
  machine: MachineData;
  application: ApplicationData;
  unit: UnitData;
  relation: RelationData;
  annotation: AnnotationData;
  action: ActionData;
  charm: CharmData;
  remoteApplication: RemoteApplicationData;
  applicationOffer: ApplicationOfferData;
  block: BlockData;
  branch: BranchData;
};

/** The kinds of entity a Juju 3.6 AllWatcher reports. */
export type EntityKind = keyof EntityDataMap;

/** The entity data of kind `K`, e.g. `EntityDataOf<"unit">` is {@link UnitData}. */
export type EntityDataOf<K extends EntityKind> = EntityDataMap[K];

/** A delta of kind `K` as it goes over the wire: `["unit", "change", {...}]`. */
export type WireDeltaOf<K extends EntityKind> = readonly [
  kind: K,
  action: "change" | "remove",
  entity: EntityDataOf<K>,
];

/** Any delta of a known kind. */
export type WireDelta = { [K in EntityKind]: WireDeltaOf<K> }[EntityKind];

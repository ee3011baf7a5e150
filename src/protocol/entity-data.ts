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
  /** The status message, `""` when none. */
  message: string;
  /** RFC 3339; omitted when Juju has no time for it. */
  since?: string;
  /** The agent version for agent statuses, otherwise `""`. */
  version: string;
  /** Extra status data (e.g. an error's details); often absent. */
  data?: Record<string, unknown>;
  /** A Go error value (rarely set; opaque). */
  err?: unknown;
};

/** `constraints.Value` as json (every field `omitempty`; `mem` and `root-disk` in MiB). */
export type ConstraintsData = Constraints;

/** `params.Address` of a machine. */
export type AddressData = {
  /** The address itself (an IP or a host name). */
  value: string;
  /** `ipv4`, `ipv6`, `hostname`. */
  type: string;
  /** `public`, `local-cloud`, `local-fan`, `local-machine`, `link-local`. */
  scope: string;
  /** The network space the address is in, when known. */
  "space-name"?: string;
  /** The id of that space, when known. */
  "space-id"?: string;
};

/** `instance.HardwareCharacteristics` (sizes in MiB). */
export type HardwareData = {
  /** CPU architecture, e.g. `amd64`. */
  arch?: string;
  /** Memory in MiB. */
  mem?: number;
  /** Root disk size in MiB. */
  "root-disk"?: number;
  /** Where the root disk comes from (a storage pool), when known. */
  "root-disk-source"?: string;
  /** Number of CPU cores. */
  "cpu-cores"?: number;
  /** Abstract CPU power units, as in the `cpu-power` constraint. */
  "cpu-power"?: number;
  /** Provider tags of the instance. */
  tags?: string[];
  /** The availability zone the instance runs in. */
  "availability-zone"?: string;
  /** Virtualisation type, e.g. `virtual-machine` or `container`. */
  "virt-type"?: string;
};

/** `params.MachineInfo` (`machine`, keyed by `id`). */
export type MachineData = {
  /** The model the machine belongs to. */
  "model-uuid": string;
  /** The machine id, e.g. `0` or `0/lxd/1`. */
  id: string;
  /** The provider's instance id, `""` until provisioned. */
  "instance-id": string;
  /** Status of the machine agent (`pending`, `started`, …). */
  "agent-status": StatusData;
  /** Status of the provider instance (`pending`, `running`, …). */
  "instance-status": StatusData;
  /** Whether the machine is alive, dying or dead. */
  life: LifeValue;
  /** Machine config (e.g. `cloudinit-userdata`), when set. */
  config?: Record<string, unknown>;
  /** `ubuntu@22.04`. */
  base: string;
  /** `lxd` for a container, `""` for a top-level machine. */
  "container-type": string;
  /** Container types this machine can host (`null` when not known yet). */
  "supported-containers": string[] | null;
  /** Whether `supported-containers` has been determined. */
  "supported-containers-known": boolean;
  /** The instance's hardware, once provisioned. */
  "hardware-characteristics"?: HardwareData;
  /** LXD profiles applied to the machine for charms. */
  "charm-profiles"?: string[];
  /** The machine's jobs, e.g. `JobHostUnits`. */
  jobs: string[] | null;
  /** The machine's addresses. */
  addresses: AddressData[] | null;
  /** Whether this controller machine has a vote in HA. */
  "has-vote": boolean;
  /** Whether this controller machine wants a vote in HA. */
  "wants-vote": boolean;
  /** The machine's host name, when reported. */
  hostname?: string;
};

/** `params.ApplicationInfo` (`application`, keyed by `name`). */
export type ApplicationData = {
  /** The model the application belongs to. */
  "model-uuid": string;
  /** The application name. */
  name: string;
  /** Whether the application is exposed. */
  exposed: boolean;
  /** The charm URL, e.g. `ch:amd64/mysql-42`. */
  "charm-url": string;
  /** Always `""` in 3.6. */
  "owner-tag": string;
  /** Whether the application is alive, dying or dead. */
  life: LifeValue;
  /** The minimum number of units Juju keeps. */
  "min-units": number;
  /** The application's constraints. */
  constraints: ConstraintsData;
  /** The application's charm config settings, when sent. */
  config?: Record<string, unknown>;
  /** Whether the charm is a subordinate. */
  subordinate: boolean;
  /** `{current: "unset"}` unless the charm set one; clients derive a status from the units. */
  status: StatusData;
  /** The workload version a unit last set, `""` when none. */
  "workload-version": string;
};

/** `params.Port`. */
export type PortData = {
  /** `tcp`, `udp` or `icmp`. */
  protocol: string;
  /** The port number. */
  number: number;
};

/** `params.PortRange`. */
export type PortRangeData = {
  /** First port of the range. */
  "from-port": number;
  /** Last port of the range (inclusive). */
  "to-port": number;
  /** `tcp`, `udp` or `icmp`. */
  protocol: string;
};

/** `params.UnitInfo` (`unit`, keyed by `name`). */
export type UnitData = {
  /** The model the unit belongs to. */
  "model-uuid": string;
  /** The unit name, e.g. `mysql/0`. */
  name: string;
  /** The unit's application name. */
  application: string;
  /** The unit's base, e.g. `ubuntu@22.04`. */
  base: string;
  /** The charm URL the unit runs. */
  "charm-url": string;
  /** Whether the unit is alive, dying or dead. */
  life: LifeValue;
  /** The unit's public address, `""` when none. */
  "public-address": string;
  /** The unit's private address, `""` when none. */
  "private-address": string;
  /** `""` until assigned. */
  "machine-id": string;
  /** `port-ranges` expanded to one entry per port. */
  ports: PortData[] | null;
  /** The port ranges the unit opened. */
  "port-ranges": PortRangeData[] | null;
  /** The principal unit's name for a subordinate, otherwise `""`. */
  principal: string;
  /** Whether the unit is a subordinate. */
  subordinate: boolean;
  /** The workload status the charm set (`active`, `waiting`, …). */
  "workload-status": StatusData;
  /** The unit agent's status (`idle`, `executing`, …). */
  "agent-status": StatusData;
};

/** `params.CharmRelation`. */
export type CharmRelationData = {
  /** The endpoint name, e.g. `db`. */
  name: string;
  /** `provider`, `requirer` or `peer`. */
  role: string;
  /** The relation interface, e.g. `mysql`. */
  interface: string;
  /** Whether the charm marks the endpoint optional. */
  optional: boolean;
  /** The most relations the endpoint accepts (0: no limit). */
  limit: number;
  /** `global` or `container`. */
  scope: string;
};

/** `params.Endpoint`: one end of a relation. */
export type EndpointData = {
  /** The application at this end. */
  "application-name": string;
  /** The charm endpoint used at this end. */
  relation: CharmRelationData;
};

/** `params.RelationInfo` (`relation`; Juju keys it by `key`, this client by `id`). */
export type RelationData = {
  /** The model the relation belongs to. */
  "model-uuid": string;
  /** `wordpress:db mysql:db`. */
  key: string;
  /** The relation id. */
  id: number;
  /** The relation's two endpoints (one for a peer relation). */
  endpoints: EndpointData[] | null;
};

/** `params.AnnotationInfo` (`annotation`, keyed by the annotated entity's `tag`). */
export type AnnotationData = {
  /** The model of the annotated entity. */
  "model-uuid": string;
  /** The annotated entity's tag, e.g. `application-mysql`. */
  tag: string;
  /** The annotations, key → value. */
  annotations: Record<string, string> | null;
};

/**
 * `params.ActionInfo` (`action`, keyed by `id`). The 3.6 translator copies
 * neither `parameters` nor `results`; `started` and `completed` are Go's
 * zero time (`0001-01-01T00:00:00Z`) until they happen.
 */
export type ActionData = {
  /** The model the action runs in. */
  "model-uuid": string;
  /** The action id. */
  id: string;
  /** The unit name, e.g. `mysql/0`. */
  receiver: string;
  /** The action name, e.g. `backup`. */
  name: string;
  /** The action's parameters (not copied by the 3.6 translator). */
  parameters?: Record<string, unknown>;
  /** `pending`, `running`, `completed`, `failed`, … */
  status: string;
  /** The message the action set, `""` when none. */
  message: string;
  /** The action's results (not copied by the 3.6 translator). */
  results?: Record<string, unknown>;
  /** When the action was queued (RFC 3339). */
  enqueued: string;
  /** When it started (Go's zero time until then). */
  started: string;
  /** When it finished (Go's zero time until then). */
  completed: string;
};

/** `params.Profile`: a charm's LXD profile. */
export type ProfileData = {
  /** LXD profile config keys. */
  config?: Record<string, string>;
  /** The profile's description. */
  description?: string;
  /** LXD devices: name → device settings. */
  devices?: Record<string, Record<string, string>>;
};

/** `params.CharmInfo` (`charm`, keyed by `charm-url`). */
export type CharmData = {
  /** The model the charm is in. */
  "model-uuid": string;
  /** The charm URL. */
  "charm-url": string;
  /** The charm's version string (from its `version` file), `""` when none. */
  "charm-version": string;
  /** Whether the charm is alive, dying or dead. */
  life: LifeValue;
  /** The charm's LXD profile, `null` when it has none. */
  profile: ProfileData | null;
  /** The charm's default config. */
  config?: Record<string, unknown>;
};

/** `params.RemoteApplicationUpdate` (`remoteApplication`, keyed by `name`). */
export type RemoteApplicationData = {
  /** The model consuming the offer. */
  "model-uuid": string;
  /** The name of the remote (SAAS) application in this model. */
  name: string;
  /** Present but `""`: the 3.6 translator does not copy it. */
  "offer-uuid": string;
  /** The URL of the consumed offer. */
  "offer-url": string;
  /** Whether it is alive, dying or dead. */
  life: LifeValue;
  /** The remote application's status. */
  status: StatusData;
};

/** `params.ApplicationOfferInfo` (`applicationOffer`, keyed by `offer-name`). */
export type ApplicationOfferData = {
  /** The model hosting the offer. */
  "model-uuid": string;
  /** The offer name. */
  "offer-name": string;
  /** The offer's UUID. */
  "offer-uuid": string;
  /** The offered application. */
  "application-name": string;
  /** The offered application's charm name. */
  "charm-name": string;
  /** Connections to the offer, active or not. */
  "total-connected-count": number;
  /** Connections to the offer that are active. */
  "active-connected-count": number;
};

/** `params.BlockInfo` (`block`, keyed by `id`). */
export type BlockData = {
  /** The blocked model. */
  "model-uuid": string;
  /** The block id. */
  id: string;
  /** `BlockDestroy`, `BlockRemove` or `BlockChange`. */
  type: string;
  /** The message given when the block was set. */
  message: string;
  /** The blocked model's tag. */
  tag: string;
};

/** `params.ModelSLAInfo`. */
export type ModelSLAData = {
  /** The SLA level, e.g. `unsupported`. */
  level: string;
  /** The SLA owner, `""` when none. */
  owner: string;
};

/** `params.ModelUpdate` (`model`, keyed by `model-uuid`). */
export type ModelData = {
  /** The model's UUID. */
  "model-uuid": string;
  /** The model name. */
  name: string;
  /** Whether the model is alive, dying or dead. */
  life: LifeValue;
  /** A user name, e.g. `admin`. */
  owner: string;
  /** The controller hosting the model. */
  "controller-uuid": string;
  /** Whether this is the controller model. */
  "is-controller": boolean;
  /** The model config, when sent. */
  config?: Record<string, unknown>;
  /** The model's status. */
  status: StatusData;
  /** The model's default constraints. */
  constraints: ConstraintsData;
  /** The model's SLA. */
  sla: ModelSLAData;
  /** `iaas` or `caas`. */
  type: string;
  /** The cloud the model runs on. */
  cloud: string;
  /** The cloud region, `""` when none. */
  "cloud-region": string;
  /** The agent version from the model config. */
  version: string;
};

/** `params.ItemChange`: one config change on a branch. */
export type ItemChangeData = {
  /** Juju's change kind: 0 added, 1 modified, 2 deleted. */
  type: number;
  /** The config key. */
  key: string;
  /** The value before the change. */
  old?: unknown;
  /** The value after the change. */
  new?: unknown;
};

/** `params.BranchInfo` (`branch`, keyed by `id`). */
export type BranchData = {
  /** The model the branch belongs to. */
  "model-uuid": string;
  /** The branch's id. */
  id: string;
  /** The branch name. */
  name: string;
  /** Application → the units tracking the branch. */
  "assigned-units": Record<string, string[]> | null;
  /** Application → its config changes on the branch. */
  "charm-config": Record<string, ItemChangeData[] | null> | null;
  /** When it was created (Unix seconds). */
  created: number;
  /** Who created it. */
  "created-by": string;
  /** When it was committed (Unix seconds, 0 until then). */
  completed: number;
  /** Who committed it. */
  "completed-by": string;
  /** The generation id, set when the branch is committed. */
  "generation-id": number;
};

/** The entity data of each delta kind. */
export type EntityDataMap = {
  /** Model deltas. */
  model: ModelData;
  /** Machine deltas. */
  machine: MachineData;
  /** Application deltas. */
  application: ApplicationData;
  /** Unit deltas. */
  unit: UnitData;
  /** Relation deltas. */
  relation: RelationData;
  /** Annotation deltas. */
  annotation: AnnotationData;
  /** Action deltas. */
  action: ActionData;
  /** Charm deltas. */
  charm: CharmData;
  /** Remote (consumed offer) application deltas. */
  remoteApplication: RemoteApplicationData;
  /** Application offer deltas. */
  applicationOffer: ApplicationOfferData;
  /** Block deltas. */
  block: BlockData;
  /** Branch (model generation) deltas. */
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

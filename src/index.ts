/**
 * libjuju: drive Juju models from Node.js.
 * @module
 */

export type {
  BundleModelView,
  ModelApplicationView,
  ModelExposedEndpointView,
  ModelMachineView,
  ModelRelationView,
  ModelUnitView,
} from "./bundle/model-view.js";
export {
  type CharmArchiveEntry,
  CharmArchiveGenerator,
  type CharmArchiveProgress,
  type CharmArchiveResult,
  type MakeArchiveOptions,
} from "./charm/archive.js";
export { getCharmBases, getCharmSeries } from "./charm/charm-series.js";
export {
  CHARMHUB_DEFAULT_URL,
  Charmhub,
  type CharmhubApiError,
  type CharmhubBase,
  type CharmhubCallOptions,
  type CharmhubChannel,
  type CharmhubDownload,
  type CharmhubEntity,
  CharmhubError,
  CharmhubErrorCodes,
  type CharmhubFindOptions,
  type CharmhubFindResult,
  type CharmhubInfo,
  type CharmhubInfoOptions,
  type CharmhubOptions,
  type CharmhubRefreshAction,
  type CharmhubRefreshBase,
  type CharmhubRefreshContext,
  type CharmhubRefreshEntity,
  type CharmhubRefreshRequest,
  type CharmhubRefreshResponse,
  type CharmhubRefreshResult,
  type CharmhubRelease,
  type CharmhubResolved,
  type CharmhubResolveOptions,
  type CharmhubResource,
  type CharmhubResourceDownload,
  type CharmhubRevision,
  type FetchLike,
  FIND_FIELDS,
  INFO_FIELDS,
} from "./charm/charmhub.js";
export {
  CharmArchiveError,
  type CharmArchiveErrorReason,
  CharmDirError,
  CharmMetadataError,
} from "./charm/errors.js";
export type {
  CharmAction,
  CharmConfigOption,
  CharmContainer,
  CharmDevice,
  CharmInfo,
  CharmLxdProfile,
  CharmMount,
  CharmRelation,
  CharmResourceMeta,
  CharmStorage,
  ConfigType,
  RelationRole,
  RelationScope,
} from "./charm/metadata.js";
export type { CharmBase } from "./charm/series.js";
export {
  type AddModelOptions,
  Controller,
  type ControllerConnectOptions,
  type ControllerFromFilesOptions,
  type DestroyModelOptions,
  type ModelSummary,
} from "./controller/controller.js";
// Members of issue #10: controller clouds/credentials/access/summaries, blocks,
// model administration, status history.
export type {
  AddCredentialOptions,
  CloudCredentialInput,
  CloudDefinition,
  ControllerAccessLevel,
  CredentialInfo,
  ModelAbstract,
} from "./controller/controller-members.js";
export type {
  ListSecretBackendsOptions,
  SecretBackendInfo,
} from "./controller/secret-backends.js";
export type { AddUserOptions, ModelAccessLevel, UserInfo } from "./controller/users.js";
/**
 * The Juju API's wire types, generated from Juju's schema: one namespace per
 * facade (`facades.Storage.VolumeInfo`). Raw results (`getStatus()`, storage
 * and network details…) are typed with them.
 */
export type * as facades from "./facades/generated/index.js";
export type { JujuFacadesByMajor, LoginFacadeLists } from "./facades/generated/index.js";
export {
  type AccountDetails,
  type ClientFilesOptions,
  type ControllerAccess,
  type ControllerDetails,
  type Cookie,
  controllerAccess,
  type Env,
  FileCookieJar,
  JujuData,
  type JujuDataOptions,
  jujuDataDir,
  jujuDataFrom,
  type ModelDetails,
  macaroonsForHosts,
  parseCookieJar,
  qualifyModelName,
  type ResolvedModel,
  splitModelName,
} from "./jujudata/index.js";
export {
  BundleAbortError,
  BundleChangeError,
  BundleLocalCharmError,
  BundleLocalCharmNotFoundError,
  BundlePlaceholderError,
  BundleSourceError,
  BundleTrustError,
} from "./model/bundle-errors.js";
export { DEFAULT_BUNDLE_CONCURRENCY } from "./model/bundle-execute.js";
export {
  BundleHandler,
  type BundleHandlerOptions,
  type BundlePlanResult,
  type BundleProgressEvent,
  type ChangeArgs,
  type ExecutePlanOptions,
  type FetchPlanOptions,
} from "./model/bundle-handler.js";
export type { BundleFetch, BundleFileSystem, LoadedBundle } from "./model/bundle-source.js";
export type { ConnectionNames } from "./model/connect-options.js";
export type {
  EntityTypes,
  ModelContext,
  OperationWaitOptions,
  OpsContext,
} from "./model/context.js";
export {
  type Delta,
  type DeltaAction,
  type DeltaOf,
  type EntityData,
  type EntityKind,
  entityId,
  ID_FIELDS,
  isEntityKind,
} from "./model/delta.js";
export {
  Action,
  Annotation,
  Application,
  ApplicationOffer,
  Charm,
  type HardwareCharacteristics,
  Machine,
  type MachineAddress,
  ModelInfoEntity,
  Relation,
  type RelationEndpoint,
  RemoteApplication,
  Unit,
  type UnitPort,
} from "./model/entities/index.js";
export { TypedEntity } from "./model/entities/typed-entity.js";
export {
  DeadEntityError,
  type EntityContext,
  type EntityFactory,
  ModelEntity,
} from "./model/entity.js";
export {
  InvalidArgumentError,
  NotSupportedError,
  NotWatchingError,
  ObserverError,
} from "./model/errors.js";
export type { UploadProgress } from "./model/http/edge.js";
export {
  type FullStatus,
  type GetStatusOptions,
  type LoginTargetOptions,
  Model,
  type ModelConnectOptions,
  type ModelFromFilesOptions,
  type ModelInfo,
  type ModelOptions,
} from "./model/model.js";
export {
  type EventAction,
  type ModelEvent,
  type ModelEventOf,
  ModelObserver,
  type ObserverFailure,
  type ObserverFilter,
  type ObserverFn,
  type Unsubscribe,
} from "./model/observers.js";
export type {
  ActionResult,
  EnqueueOptions,
  ExecOptions,
  ListOperationsOptions,
  OperationInfo,
  OperationList,
} from "./model/ops/actions.js";
export type {
  ActionSpec,
  AddUnitsOptions,
  ApplicationConfigOption,
  DestroyInfo,
  DestroyOptions,
  ExposedEndpoint,
  ScaleOptions,
} from "./model/ops/applications.js";
export { type Base, type BaseSpec, formatBase, parseBase } from "./model/ops/bases.js";
export type { BlockCommand, BlockInfo } from "./model/ops/blocks.js";
export {
  type BundleDeployOptions,
  type ExportBundleOptions,
  isBundleSource,
  type ModelDeployOptions,
} from "./model/ops/bundle.js";
export { type Channel, formatChannel, parseChannel } from "./model/ops/charm-origin.js";
export {
  type DebugLogOptions,
  debugLogEntity,
  type LogLevel,
  type LogRecord,
} from "./model/ops/debug-log.js";
export type { DeployOptions, RefreshOptions } from "./model/ops/deploy.js";
export type { StatusHistoryEntry, StatusHistoryOptions } from "./model/ops/entity-members.js";
export {
  type AddLocalCharmOptions,
  isLocalCharmReference,
  type LocalRefreshOptions,
} from "./model/ops/local-charm.js";
export { LocalCharmError, LocalFileError } from "./model/ops/local-charm-errors.js";
export type {
  AddMachineOptions,
  DestroyMachineInfo,
  DestroyMachineOptions,
  DiskSpec,
} from "./model/ops/machines.js";
export {
  type ManualProvisionOptions,
  ProvisioningError,
  type ProvisioningStep,
  parseSshSpec,
  type SshAuth,
  type SshConnectOptions,
  type SshConnector,
  SshError,
  type SshErrorKind,
  type SshExecOptions,
  type SshExecResult,
  type SshSession,
  type SshSpec,
  type SshTarget,
} from "./model/ops/manual-provision.js";
export type {
  BackupMetadata,
  ControllersChanges,
  CreateBackupOptions,
  CreatedBackup,
  DownloadedFile,
  EnableHaOptions,
  ModelShare,
  UpgradeJujuOptions,
} from "./model/ops/model-admin.js";
export type { ConfigValue } from "./model/ops/model-config.js";
export type { GetSubnetsOptions, Space, Subnet } from "./model/ops/network.js";
export {
  type ConsumeDetails,
  type ConsumeOptions,
  type CreateOfferOptions,
  type FindOffersOptions,
  type OfferCallOptions,
  type OfferConnectionInfo,
  type OfferEndpointInfo,
  type OfferInfo,
  type OfferUrl,
  type OfferUserInfo,
  parseOfferUrl,
  type RemoveOfferOptions,
} from "./model/ops/offers.js";
export type {
  DestroyRelationOptions,
  IntegrateOptions,
  SuspendRelationOptions,
} from "./model/ops/relations.js";
export type { ResetOptions } from "./model/ops/reset.js";
export type { ApplicationResources, ResourceUploadOptions } from "./model/ops/resources.js";
export {
  type AddSecretOptions,
  createSecretData,
  type ListSecretsOptions,
  type RemoveSecretOptions,
  type SecretAccessInfo,
  type SecretCallOptions,
  type SecretContentOptions,
  type SecretDataInput,
  type SecretFileReader,
  type SecretInfo,
  type SecretRevisionInfo,
  SecretValue,
  type UpdateSecretOptions,
} from "./model/ops/secrets.js";
export {
  SshCommandError,
  type SshFileSession,
  type SshOptions,
  type SshProxyConnector,
  type SshTransferOptions,
} from "./model/ops/ssh.js";
export {
  type GetSshKeysOptions,
  type ImportSshKeysOptions,
  sshKeyFingerprint,
} from "./model/ops/ssh-keys.js";
export type {
  AddStorageSpec,
  DetachStorageOptions,
  FilesystemDetails,
  GetStoragePoolsOptions,
  ListStorageOptions,
  PoolAttributes,
  RemoveStorageOptions,
  StorageDetails,
  StoragePool,
  UpdateStoragePoolOptions,
  VolumeDetails,
} from "./model/ops/storage.js";
export {
  parseStorageConstraint,
  parseStorageConstraints,
  type StorageConstraints,
  type StorageSpec,
} from "./model/ops/storage.js";
export {
  type ConnectionChange,
  type ConnectionState,
  DEFAULT_RECONNECT,
  RETRY_SAFE_CALLS,
  type ReconnectOptions,
  type ReconnectPolicy,
} from "./model/reconnect.js";
export type { EventsOptions } from "./model/session.js";
export {
  type AppliedDelta,
  EntityRecord,
  ModelState,
  type ModelStateOptions,
  UnknownDeltaKindError,
} from "./model/state.js";
export { type StatusInfo, severity } from "./model/status.js";
export {
  type PollStats,
  StatusPollOptionError,
  type StatusPollOptions,
} from "./model/status-poll.js";
export { applicationTag, machineTag, modelTag, unitTag } from "./model/tags.js";
export { systemClock, type WaitClock, type WaitTimer } from "./model/wait-clock.js";
export {
  allActive,
  allAgentsIdle,
  allBlocked,
  allWorkloads,
  and,
  anyBlocked,
  anyError,
  anyLost,
  appsPresent,
  type Condition,
  type ConditionLike,
  type ConditionResult,
  type Held,
  not,
  or,
  relationEstablished,
  type UnitCountSpec,
  type UnitsIdleOptions,
  unitCount,
  unitsIdle,
  type WaitContext,
  where,
} from "./model/wait-conditions.js";
export {
  AgentLostError,
  MachineProvisioningError,
  type StatusProblem,
  type StatusProblemKind,
  UnitErrorStateError,
  WorkloadBlockedError,
} from "./model/wait-errors.js";
export {
  type BlockUntilOptions,
  EntityStatusError,
  idleCondition,
  type NotReady,
  type WaitForIdleOptions,
  type WaitOptions,
  type WaitProgress,
  type WaitSource,
  type WaitSummary,
  WaitTimeoutError,
} from "./model/waits.js";
export type { StateSource, StateSourceKind } from "./model/watcher.js";
export {
  CONTAINER_TYPES,
  type Constraints,
  formatConstraints,
  parseConstraints,
  SUPPORTED_ARCHES,
} from "./parse/constraints.js";
export { ParseError } from "./parse/errors.js";
export {
  formatPlacement,
  isContainerType,
  isMachineId,
  MACHINE_SCOPE,
  type Placement,
  parsePlacement,
} from "./parse/placement.js";
export type {
  ActionData,
  AddressData,
  AnnotationData,
  ApplicationData,
  ApplicationOfferData,
  BlockData,
  BranchData,
  CharmData,
  CharmRelationData,
  ConstraintsData,
  EndpointData,
  EntityDataMap,
  EntityDataOf,
  HardwareData,
  ItemChangeData,
  LifeValue,
  MachineData,
  ModelData,
  ModelSLAData,
  PortData,
  PortRangeData,
  ProfileData,
  RelationData,
  RemoteApplicationData,
  StatusData,
  UnitData,
  WireDelta,
  WireDeltaOf,
} from "./protocol/entity-data.js";
export type {
  FacadeVersions,
  HostPort,
  RequestFrame,
  ResponseFrame,
  WireError,
} from "./protocol/frames.js";
export {
  apiUrl,
  type CommonConnectOptions,
  type ConnectApiOptions,
  type ConnectedApi,
  connectApi,
  type DialOptions,
  openApi,
  type TransportFactory,
  wsTransportFactory,
} from "./rpc/connect.js";
export {
  type ApiConnection,
  type CallOptions,
  Connection,
  type ConnectionLoginState,
  type ConnectionOptions,
  type FrameDirection,
  type RpcRequest,
} from "./rpc/connection.js";
export { Credentials, type CredentialsInit, type MacaroonJson } from "./rpc/credentials.js";
export {
  type DischargeRequest,
  type Discharger,
  dischargeAll,
  HttpDischarger,
  type HttpDischargerOptions,
  type InteractionInfo,
  type MacaroonJar,
  MemoryMacaroonJar,
} from "./rpc/discharger.js";
export {
  AbortError,
  type BulkFailure,
  type CallSite,
  ConnectError,
  ConnectionClosedError,
  type ConnectionClosedOptions,
  DischargeError,
  DischargeRequiredError,
  ERROR_BRAND,
  FacadeVersionError,
  InteractionRequiredError,
  JujuBulkError,
  JujuDataError,
  JujuError,
  JujuNotFoundError,
  JujuNotImplementedError,
  JujuRedirectError,
  JujuUnauthorizedError,
  LIBJUJU_ERROR_CODES,
  LibjujuError,
  type LibjujuErrorCode,
  ProtocolError,
  TimeoutError,
} from "./rpc/errors.js";
export {
  type FacadeCaller,
  type FacadeCallOptions,
  FacadeClient,
  type FacadeName,
  type FacadeVersionOf,
  type LatestVersionOf,
  type MethodOf,
  type ParamsOf,
  type ResultOf,
} from "./rpc/facade-client.js";
export {
  type JujuMajor,
  jujuMajorOf,
  type KnownFacades,
  type KnownFacadesOf,
} from "./rpc/facade-table.js";
export type { LoginInfo, LoginOptions, LoginUserInfo, RedirectTarget } from "./rpc/login.js";
export type { BakeryMacaroon, Caveat, Macaroon } from "./rpc/macaroon.js";
export {
  createMemoryTransportPair,
  MemoryTransport,
  type MemoryTransportOptions,
} from "./rpc/memory-transport.js";
export type { FacadeVersionMap } from "./rpc/negotiate.js";
export { CloseCodes, type Transport, type TransportCloseInfo } from "./rpc/transport.js";
export {
  DEFAULT_MAX_FRAME_SIZE,
  JUJU_API_SERVER_NAME,
  WebSocketTransport,
  type WebSocketTransportOptions,
} from "./rpc/ws-transport.js";

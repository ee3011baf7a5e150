/**
 * What each facade method requires of the caller, as Juju 3.6's apiserver
 * checks it, in one table. The dispatcher (`rpc-session.ts`) applies the
 * table to every call after login; facades only add the checks Juju makes
 * per entity (a model named in the params, the user's own password…).
 *
 * Juju's `authorizer.HasPermission` (`apiserver/common/permissions.go`
 * `HasPermission`, `state.UserPermission`) is literal: a model check looks
 * at the user's grant on the model only. Controller superusers pass a model
 * check only where the facade asks for `SuperuserAccess` first (`Client`,
 * `Charms` writes, `ModelConfig` reads, `KeyManager` via `HasModelAdmin`…);
 * the table says so with `superuser: true`.
 *
 * The Storage, MachineManager, Subnets, Bundle, Annotations and Controller
 * config entries were read against Juju 3.x's facade sources (storage.go v6
 * with names/v5, machinemanager.go with ModelAuthorizer, subnets.go,
 * bundle.go, annotations/client.go, common/controllerconfig.go);
 * `test/permissions-confirmed.e2e.test.ts` covers the entries that differ
 * from a plain read/write check.
 *
 * A method without an entry is refused to everyone but superusers: adding
 * a facade method means adding its line here (`permissions.test.ts` fails
 * until every registered method has one).
 * @module
 */
import { Errors, type ServerError } from "./errors.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import {
  type CloudAccess,
  type ControllerAccess,
  hasCloudAccess,
  hasControllerAccess,
  isSuperuser,
  type ModelAccess,
  modelAccessOf,
} from "./users.js";

/** What a call needs. */
export type Requirement =
  /** Any logged-in user (the connection's own resources, pure computations). */
  | { on: "login" }
  /** Access to the connection's model; `superuser`: a controller superuser passes too. */
  | { on: "model"; access: ModelAccess; superuser: boolean }
  /** Controller access. */
  | { on: "controller"; access: ControllerAccess }
  /** Access to the controller's cloud; superusers pass (`CreateModel`). */
  | { on: "cloud"; access: CloudAccess }
  /** Decided per entity inside the facade (the params name the model or user). */
  | { on: "entity" };

/** One table entry: the requirement and the Juju 3.6 source it follows. */
export interface Permission {
  need: Requirement;
  /** Where Juju 3.6 decides it (file and check). */
  source: string;
}

const login = (source: string): Permission => ({ need: { on: "login" }, source });
const model =
  (access: ModelAccess, superuser = false) =>
  (source: string): Permission => ({ need: { on: "model", access, superuser }, source });
const read = model("read");
const write = model("write");
const admin = model("admin");
const readOrSuper = model("read", true);
const writeOrSuper = model("write", true);
const adminOrSuper = model("admin", true);
const superuser = (source: string): Permission => ({
  need: { on: "controller", access: "superuser" },
  source,
});
const controllerLogin = (source: string): Permission => ({
  need: { on: "controller", access: "login" },
  source,
});
const addModel = (source: string): Permission => ({
  need: { on: "cloud", access: "add-model" },
  source,
});
const perEntity = (source: string): Permission => ({ need: { on: "entity" }, source });

const ACTION = "apiserver/facades/client/action/action.go";
const APP = "apiserver/facades/client/application/application.go";
const OFFERS = "apiserver/facades/client/applicationoffers/applicationoffers.go";
const CMR = "apiserver/facades/controller/crossmodelrelations/crossmodelrelations.go";
const OFFERS_BASE = "apiserver/facades/client/applicationoffers/base.go applicationOffersFromModel";
const CHARMS = "apiserver/facades/client/charms/client.go";
const CONTROLLER = "apiserver/facades/client/controller/controller.go";
const KEYS = "apiserver/facades/client/keymanager/keymanager.go";
const MACHINES = "apiserver/facades/client/machinemanager/machinemanager.go";
const MODELCONFIG = "apiserver/facades/client/modelconfig/modelconfig.go";
const MODELMANAGER = "apiserver/facades/client/modelmanager/modelmanager.go";
const RESOURCES = "apiserver/facades/client/resources/facade.go";
const SECRETS = "apiserver/facades/client/secrets/secrets.go";
const SPACES = "apiserver/facades/client/spaces/spaces.go";
const STORAGE = "apiserver/facades/client/storage/storage.go";
const SUBNETS = "apiserver/facades/client/subnets/subnets.go";
const USERS = "apiserver/facades/client/usermanager/usermanager.go";

/** Every facade method the simulator serves, keyed `Facade.Method` (all versions alike). */
export const PERMISSIONS: Readonly<Record<string, Permission>> = {
  "Block.List": read("apiserver/facades/client/block/block.go List (read)"),
  "Block.SwitchBlockOn": write("apiserver/facades/client/block/block.go checkCanWrite"),
  "Block.SwitchBlockOff": write("apiserver/facades/client/block/block.go checkCanWrite"),
  "Backups.Create": perEntity(
    "apiserver/facades/client/backups/backups.go NewFacade (superuser, controller model only)",
  ),
  "Client.StatusHistory": readOrSuper("apiserver/facades/client/client/client.go checkCanRead"),
  "Cloud.Clouds": controllerLogin(
    "apiserver/facades/client/cloud/cloud.go Clouds (filtered per cloud)",
  ),
  "Cloud.Cloud": controllerLogin("apiserver/facades/client/cloud/cloud.go Cloud (cloud access)"),
  "Cloud.CloudInfo": controllerLogin("apiserver/facades/client/cloud/cloud.go CloudInfo"),
  "Cloud.AddCloud": superuser("apiserver/facades/client/cloud/cloud.go AddCloud (superuser)"),
  "Cloud.RemoveClouds": perEntity(
    "apiserver/facades/client/cloud/cloud.go RemoveClouds (superuser or cloud admin)",
  ),
  "Cloud.AddCredentials": perEntity(
    "apiserver/facades/client/cloud/cloud.go (credential owner or superuser)",
  ),
  "Cloud.UpdateCredentialsCheckModels": perEntity(
    "apiserver/facades/client/cloud/cloud.go (credential owner or superuser)",
  ),
  "Cloud.UserCredentials": perEntity(
    "apiserver/facades/client/cloud/cloud.go (own user or superuser)",
  ),
  "Cloud.Credential": perEntity(
    "apiserver/facades/client/cloud/cloud.go (credential owner or superuser)",
  ),
  "Controller.WatchModelSummaries": controllerLogin(
    `${CONTROLLER} WatchModelSummaries (own models)`,
  ),
  "Controller.WatchAllModelSummaries": superuser(`${CONTROLLER} WatchAllModelSummaries`),
  "HighAvailability.EnableHA": superuser(
    "apiserver/facades/client/highavailability/highavailability.go",
  ),
  "ModelSummaryWatcher.Next": perEntity("apiserver/watcher.go (the watcher's own connection)"),
  "ModelSummaryWatcher.Stop": perEntity("apiserver/watcher.go (the watcher's own connection)"),
  "ModelUpgrader.UpgradeModel": perEntity(
    "apiserver/facades/client/modelupgrader/upgrader.go (model admin or superuser, per model tag)",
  ),
  "ModelUpgrader.AbortModelUpgrade": perEntity(
    "apiserver/facades/client/modelupgrader/upgrader.go (model admin or superuser, per model tag)",
  ),
  "UserManager.ResetPassword": perEntity(`${USERS} ResetPassword (superuser, never oneself)`),
  "Action.Actions": read(`${ACTION} checkCanRead`),
  "Action.ApplicationsCharmsActions": read(`${ACTION} checkCanRead`),
  "Action.Cancel": write(`${ACTION} checkCanWrite`),
  "Action.EnqueueOperation": write(`apiserver/facades/client/action/operation.go checkCanWrite`),
  "Action.ListOperations": read(`apiserver/facades/client/action/operation.go checkCanRead`),
  "Action.Operations": read(`apiserver/facades/client/action/operation.go checkCanRead`),
  "Action.Run": admin(`apiserver/facades/client/action/run.go checkCanAdmin`),
  "Action.RunOnAllMachines": admin(`apiserver/facades/client/action/run.go checkCanAdmin`),

  "AllWatcher.Next": login("apiserver/allwatcher.go (the connection's own watcher)"),
  "AllWatcher.Stop": login("apiserver/allwatcher.go (the connection's own watcher)"),

  // Confirmed against 3.x client.go: a failed check fails every item, not the call.
  "Annotations.Get": perEntity(
    "apiserver/facades/client/annotations/client.go Get checkCanRead (read; per-item errors)",
  ),
  "Annotations.Set": perEntity(
    "apiserver/facades/client/annotations/client.go Set checkCanWrite (write; per-item errors)",
  ),

  "Application.AddRelation": write(`${APP} checkCanWrite`),
  "Application.Consume": write(`${APP} Consume checkCanWrite`),
  "Application.DestroyConsumedApplications": write(`${APP} checkCanWrite`),
  // Offers: the facade checks per offer and model (offer admin/consume/read, model admin, superuser).
  "ApplicationOffers.Offer": perEntity(`${OFFERS} Offer (checkAdmin on the offer's model)`),
  "ApplicationOffers.ListApplicationOffers": perEntity(`${OFFERS_BASE} (model admin or superuser)`),
  "ApplicationOffers.FindApplicationOffers": perEntity(`${OFFERS_BASE} (offer read access)`),
  "ApplicationOffers.ApplicationOffers": perEntity(`${OFFERS_BASE} (offer read access)`),
  "ApplicationOffers.GetConsumeDetails": perEntity(`${OFFERS} (offer consume access)`),
  "ApplicationOffers.RemoteApplicationInfo": perEntity(`${OFFERS} (offer consume access)`),
  "ApplicationOffers.ModifyOfferAccess": perEntity(`${OFFERS} (superuser, model or offer admin)`),
  "ApplicationOffers.DestroyOffers": perEntity(`${OFFERS} DestroyOffers (checkAdmin)`),
  "CrossModelRelations.RegisterRemoteRelations": perEntity(`${CMR} (offer macaroons)`),
  "CrossModelRelations.PublishRelationChanges": perEntity(`${CMR} (relation macaroons)`),
  "CrossModelRelations.WatchRelationChanges": perEntity(`${CMR} (relation macaroons)`),
  "CrossModelRelations.WatchOfferStatus": perEntity(`${CMR} (offer macaroons)`),
  "RemoteRelationWatcher.Next": perEntity(`${CMR} (the connection's own watcher)`),
  "RemoteRelationWatcher.Stop": perEntity(`${CMR} (the connection's own watcher)`),
  "OfferStatusWatcher.Next": perEntity(`${CMR} (the connection's own watcher)`),
  "OfferStatusWatcher.Stop": perEntity(`${CMR} (the connection's own watcher)`),
  "Application.AddUnits": write(`${APP} checkCanWrite`),
  "Application.ApplicationsInfo": read(`${APP} checkCanRead`),
  "Application.CharmConfig": read(`${APP} checkCanRead`),
  "Application.Deploy": write(`${APP} checkCanWrite`),
  "Application.DeployFromRepository": write(`${APP} checkCanWrite`),
  "Application.DestroyApplication": write(`${APP} checkCanWrite`),
  "Application.DestroyRelation": write(`${APP} checkCanWrite`),
  "Application.DestroyUnit": write(`${APP} checkCanWrite`),
  "Application.SetRelationsSuspended": write(`${APP} checkCanWrite`),
  "Application.Expose": write(`${APP} checkCanWrite`),
  "Application.Get": read(`${APP} checkCanRead`),
  "Application.GetCharmURLOrigin": read(`${APP} checkCanRead`),
  "Application.GetConfig": read(`${APP} checkCanRead`),
  "Application.GetConstraints": read(`${APP} checkCanRead`),
  "Application.Leader": read(`${APP} Leader (model read)`),
  "Application.MergeBindings": write(`${APP} checkCanWrite`),
  "Application.ResolveUnitErrors": write(`${APP} checkCanWrite`),
  "Application.ScaleApplications": write(`${APP} checkCanWrite`),
  "Application.SetCharm": write(`${APP} checkCanWrite`),
  "Application.SetConfigs": write(`${APP} checkCanWrite`),
  "Application.SetConstraints": write(`${APP} checkCanWrite`),
  "Application.Unexpose": write(`${APP} checkCanWrite`),
  "Application.UnitsInfo": read(`${APP} checkCanRead`),
  "Application.UnsetApplicationsConfig": write(`${APP} checkCanWrite`),

  "Bundle.ExportBundle": read("apiserver/facades/client/bundle/bundle.go checkCanRead"),
  "Bundle.GetChanges": login("apiserver/facades/client/bundle/bundle.go (no model access used)"),
  "Bundle.GetChangesMapArgs": login(
    "apiserver/facades/client/bundle/bundle.go (no model access used)",
  ),

  "Charms.AddCharm": writeOrSuper(`${CHARMS} checkCanWrite (superuser or write)`),
  "Charms.AddCharmWithAuthorization": writeOrSuper(`${CHARMS} checkCanWrite (superuser or write)`),
  "Charms.CharmInfo": read("apiserver/common/charms/common.go CharmInfo checkCanRead"),
  "Charms.CheckCharmPlacement": read(`${CHARMS} checkCanRead`),
  "Charms.GetDownloadInfos": read(`${CHARMS} checkCanRead`),
  "Charms.IsMetered": read(`${CHARMS} checkCanRead`),
  "Charms.List": read(`${CHARMS} checkCanRead`),
  "Charms.ListCharmResources": read(`${CHARMS} checkCanRead`),
  "Charms.ResolveCharms": read(`${CHARMS} checkCanRead`),

  "Client.FullStatus": readOrSuper("apiserver/facades/client/client/client.go checkCanRead"),
  "Client.WatchAll": readOrSuper("apiserver/facades/client/client/client.go checkCanRead"),

  "Cloud.ModifyCloudAccess": perEntity(
    "apiserver/facades/client/cloud/cloud.go ModifyCloudAccess (superuser or cloud admin, per change)",
  ),

  "Controller.AllModels": superuser(`${CONTROLLER} checkIsSuperUser`),
  "Controller.ControllerAPIInfoForModels": controllerLogin(`${CONTROLLER} (any controller user)`),
  "Controller.ControllerConfig": controllerLogin("apiserver/common/controllerconfig.go (any user)"),
  "Controller.ControllerVersion": controllerLogin(`${CONTROLLER} ControllerVersion (any user)`),
  "Controller.GetControllerAccess": perEntity(
    `${CONTROLLER} GetControllerAccess (self or superuser)`,
  ),
  "Controller.IdentityProviderURL": controllerLogin(
    `${CONTROLLER} IdentityProviderURL (deliberately no superuser check)`,
  ),
  "Controller.ListBlockedModels": superuser(`${CONTROLLER} checkIsSuperUser`),
  "Controller.ModelConfig": superuser(`${CONTROLLER} checkIsSuperUser`),
  "Controller.ModelStatus": perEntity("apiserver/common/modelstatus.go HasModelAdmin per model"),
  "Controller.ModifyControllerAccess": perEntity(
    `${CONTROLLER} ModifyControllerAccess (superuser, per change)`,
  ),
  "Controller.MongoVersion": superuser(`${CONTROLLER} checkIsSuperUser`),

  "KeyManager.AddKeys": adminOrSuper(`${KEYS} checkCanWrite (HasModelAdmin)`),
  "KeyManager.DeleteKeys": adminOrSuper(`${KEYS} checkCanWrite (HasModelAdmin)`),
  "KeyManager.ImportKeys": adminOrSuper(`${KEYS} checkCanWrite (HasModelAdmin)`),
  "KeyManager.ListKeys": perEntity(`${KEYS} checkCanRead per user (admin, else read)`),

  "MachineManager.AddMachines": write(`${MACHINES} ModelAuthorizer.CanWrite (model grant only)`),
  "MachineManager.DestroyMachineWithParams": write(
    `${MACHINES} ModelAuthorizer.CanWrite (model grant only)`,
  ),
  "MachineManager.InstanceTypes": login(
    "apiserver/facades/client/machinemanager/instancetypes.go (no check: any model user)",
  ),
  "MachineManager.ProvisioningScript": write(
    `${MACHINES} ModelAuthorizer.CanWrite (model grant only)`,
  ),
  "MachineManager.RetryProvisioning": write(
    `${MACHINES} ModelAuthorizer.CanWrite (model grant only)`,
  ),

  "ModelConfig.GetModelConstraints": readOrSuper(`${MODELCONFIG} canReadModel`),
  "ModelConfig.ModelGet": readOrSuper(`${MODELCONFIG} canReadModel`),
  "ModelConfig.ModelSet": write(`${MODELCONFIG} checkCanWrite`),
  "ModelConfig.ModelUnset": write(`${MODELCONFIG} checkCanWrite`),
  "ModelConfig.SetModelConstraints": write(`${MODELCONFIG} checkCanWrite`),

  "ModelManager.CreateModel": addModel(
    `${MODELMANAGER} createModel (superuser, or add-model on the cloud)`,
  ),
  "ModelManager.DestroyModels": perEntity(
    `${MODELMANAGER} DestroyModels (superuser or model admin)`,
  ),
  "ModelManager.ListModelSummaries": perEntity(`${MODELMANAGER} authCheck (self or superuser)`),
  "ModelManager.ListModels": perEntity(`${MODELMANAGER} authCheck (self or superuser)`),
  "ModelManager.ModelInfo": perEntity(`${MODELMANAGER} getModelInfo (model user or superuser)`),
  "ModelManager.ModelStatus": perEntity("apiserver/common/modelstatus.go HasModelAdmin per model"),
  "ModelManager.ModifyModelAccess": perEntity(
    `${MODELMANAGER} ModifyModelAccess (superuser or model admin)`,
  ),

  "Pinger.Ping": login("apiserver/pinger.go (any connection)"),
  "Pinger.Stop": login("apiserver/pinger.go (any connection)"),

  // No check in the methods: any model user (the HTTP upload of content needs write).
  "Resources.AddPendingResources": login(`${RESOURCES} (only AuthClient in NewFacade)`),
  "Resources.ListResources": login(`${RESOURCES} (only AuthClient in NewFacade)`),

  "SecretBackends.ListSecretBackends": superuser(
    "apiserver/facades/client/secretbackends/secretbackends.go checkCanAdmin",
  ),

  "Secrets.CreateSecrets": write(`${SECRETS} checkCanWrite`),
  "Secrets.GrantSecret": write(`${SECRETS} checkCanWrite`),
  "Secrets.ListSecrets": read(`${SECRETS} checkCanRead (admin to reveal, per call)`),
  "Secrets.RemoveSecrets": perEntity(
    "apiserver/common/secrets/secrets.go RemoveUserSecrets (checkCanWrite per secret)",
  ),
  "Secrets.RevokeSecret": write(`${SECRETS} checkCanWrite`),
  "Secrets.UpdateSecrets": write(`${SECRETS} checkCanWrite`),

  "Spaces.CreateSpaces": admin(`${SPACES} CreateSpaces (AdminAccess)`),
  "Spaces.ListSpaces": read(`${SPACES} ListSpaces (ReadAccess)`),
  "Spaces.MoveSubnets": admin(`${SPACES} ensureSpacesAreMutable (AdminAccess)`),
  "Spaces.ReloadSpaces": write(
    "apiserver/common/networkingcommon/spaces.go DefaultReloadSpacesAuthorizer (WriteAccess)",
  ),
  "Spaces.RemoveSpace": admin(`${SPACES} ensureSpacesAreMutable (AdminAccess)`),
  "Spaces.RenameSpace": admin(`${SPACES} ensureSpacesAreMutable (AdminAccess)`),
  "Spaces.ShowSpace": read(`${SPACES} ShowSpace (ReadAccess)`),

  "Storage.AddToUnit": write(`${STORAGE} checkCanWrite`),
  "Storage.Attach": write(`${STORAGE} checkCanWrite`),
  "Storage.CreatePool": login(`${STORAGE} CreatePool (no check in 3.6: any model user)`),
  "Storage.DetachStorage": write(`${STORAGE} checkCanWrite`),
  "Storage.Import": write(`${STORAGE} checkCanWrite`),
  "Storage.ListFilesystems": readOrSuper(`${STORAGE} checkCanRead (superuser, else read)`),
  "Storage.ListPools": readOrSuper(`${STORAGE} checkCanRead (superuser, else read)`),
  "Storage.ListStorageDetails": readOrSuper(`${STORAGE} checkCanRead (superuser, else read)`),
  "Storage.ListVolumes": readOrSuper(`${STORAGE} checkCanRead (superuser, else read)`),
  "Storage.Remove": write(`${STORAGE} checkCanWrite`),
  "Storage.RemovePool": write(`${STORAGE} checkCanWrite`),
  "Storage.StorageDetails": readOrSuper(`${STORAGE} checkCanRead (superuser, else read)`),
  "Storage.UpdatePool": write(`${STORAGE} checkCanWrite`),

  "Subnets.AllZones": read(`${SUBNETS} AllZones checkCanRead (model grant only)`),
  "Subnets.ListSubnets": read(`${SUBNETS} ListSubnets checkCanRead (model grant only)`),
  "Subnets.SubnetsByCIDR": read(`${SUBNETS} SubnetsByCIDR checkCanRead (model grant only)`),

  "UserManager.AddUser": superuser(`${USERS} AddUser (superuser)`),
  "UserManager.DisableUser": superuser(`${USERS} enableUserImpl (superuser)`),
  "UserManager.EnableUser": superuser(`${USERS} enableUserImpl (superuser)`),
  "UserManager.RemoveUser": superuser(`${USERS} RemoveUser (superuser)`),
  "UserManager.SetPassword": perEntity(`${USERS} setPassword (own password, or superuser)`),
  "UserManager.UserInfo": controllerLogin(
    `${USERS} UserInfo (any controller user; others than superusers see only themselves)`,
  ),
};

/** The table entry of a method; undefined when the method has none. */
export function permissionOf(facade: string, method: string): Permission | undefined {
  return Object.hasOwn(PERMISSIONS, `${facade}.${method}`)
    ? PERMISSIONS[`${facade}.${method}`]
    : undefined;
}

/** Whether a user's grant on a model is at least `need` (the grant alone, as `HasPermission`). */
export function hasModelGrant(m: ModelRecord, user: string, need: ModelAccess): boolean {
  const have = modelAccessOf(m, user);
  const rank = { read: 1, write: 2, admin: 3 } as const;
  return have !== undefined && rank[have] >= rank[need];
}

/** Whether `user` meets a requirement on the connection's model `m`. */
export function meets(
  store: ControllerStore,
  user: string,
  m: ModelRecord | undefined,
  need: Requirement,
): boolean {
  switch (need.on) {
    case "login":
    case "entity":
      return true;
    case "controller":
      return hasControllerAccess(store, user, need.access);
    case "cloud":
      return isSuperuser(store, user) || hasCloudAccess(store, user, need.access);
    case "model":
      if (need.superuser && isSuperuser(store, user)) return true;
      return m !== undefined && hasModelGrant(m, user, need.access);
  }
}

/** `api.AnonymousUsername`: the user a consuming controller logs in to an offering one as. */
export const ANONYMOUS_USER = "jujuanonymous";

/** The facades 3.6 gives an anonymous model login (`anonymousFacadeNames`), macaroon-gated each. */
export const ANONYMOUS_FACADES: ReadonlySet<string> = new Set([
  "CrossModelRelations",
  "CrossModelSecrets",
  "NotifyWatcher",
  "OfferStatusWatcher",
  "RelationStatusWatcher",
  "RelationUnitsWatcher",
  "RemoteRelationWatcher",
  "StringsWatcher",
]);

/**
 * The dispatcher's check: `permission denied` (code `unauthorized access`)
 * when `user` may not call `facade.method` on a connection bound to `m`;
 * undefined when the call may go ahead. Methods missing from the table are
 * refused to all but superusers.
 */
export function checkCall(
  store: ControllerStore,
  user: string,
  m: ModelRecord | undefined,
  facade: string,
  method: string,
): ServerError | undefined {
  // An anonymous login (a consuming controller) reaches its own facades only.
  if (user === ANONYMOUS_USER && !ANONYMOUS_FACADES.has(facade)) return Errors.permissionDenied();
  const p = permissionOf(facade, method);
  if (p === undefined) return isSuperuser(store, user) ? undefined : Errors.permissionDenied();
  return meets(store, user, m, p.need) ? undefined : Errors.permissionDenied();
}

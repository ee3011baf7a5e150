/**
 * libjuju: drive Juju models from Node.js.
 * @module
 */

export {
  type AddModelOptions,
  Controller,
  type ControllerConnectOptions,
  type ControllerFromFilesOptions,
  type DestroyModelOptions,
  type ModelSummary,
} from "./controller/controller.js";
export {
  type AccountDetails,
  type ClientFilesOptions,
  type ControllerAccess,
  type ControllerDetails,
  type Cookie,
  controllerAccess,
  type Env,
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
  type FullStatus,
  type GetStatusOptions,
  Model,
  type ModelConnectOptions,
  type ModelFromFilesOptions,
  type ModelInfo,
} from "./model/model.js";
export type {
  FacadeVersions,
  HostPort,
  RequestFrame,
  ResponseFrame,
  WireError,
} from "./protocol/frames.js";
export { type BulkItem, bulkResults, bulkResultsStrict } from "./rpc/bulk.js";
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
  type CallOptions,
  Connection,
  type ConnectionLoginState,
  type ConnectionOptions,
  type FrameDirection,
  type RpcRequest,
} from "./rpc/connection.js";
export { Credentials, type CredentialsInit, type MacaroonJson } from "./rpc/credentials.js";
export * from "./rpc/errors.js";
export {
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
  ADMIN_VERSION,
  DEFAULT_CLIENT_VERSION,
  hostPortsToEndpoints,
  type LoginInfo,
  type LoginOptions,
  type LoginUserInfo,
  login,
  type RedirectTarget,
  redirectTarget,
} from "./rpc/login.js";
export {
  createMemoryTransportPair,
  MemoryTransport,
  type MemoryTransportOptions,
} from "./rpc/memory-transport.js";
export {
  type FacadeVersionMap,
  negotiateFacades,
  requireFacadeVersion,
  serverFacadeMap,
} from "./rpc/negotiate.js";
export { CloseCodes, type Transport, type TransportCloseInfo } from "./rpc/transport.js";
export {
  DEFAULT_MAX_FRAME_SIZE,
  JUJU_API_SERVER_NAME,
  WebSocketTransport,
  type WebSocketTransportOptions,
} from "./rpc/ws-transport.js";

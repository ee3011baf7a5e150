/**
 * The simulator's Charmhub API (info, find, refresh) over plain HTTP,
 * backed by the charm catalog; models advertise it as `charmhub-url`.
 * @module
 */
export {
  CharmhubApi,
  type CharmhubApiOptions,
  type CharmhubApiResponse,
  type CharmhubPublisher,
} from "./api.js";
export { type FieldTree, parseFields, selectFields } from "./fields.js";
export { CharmhubServer, type CharmhubServerOptions } from "./server.js";
export { actionsYaml, configYaml, metadataYaml } from "./yaml-docs.js";

/**
 * The simulator's charm catalog (its Charmhub stand-in).
 * @module
 */
export {
  type CatalogBundle,
  type CatalogCharm,
  CatalogError,
  type CatalogErrorReason,
  type CatalogRelease,
  type Channel,
  CharmCatalog,
  type CharmChannels,
  formatChannel,
  parseChannel,
  type ResolvedBundle,
  type ResolvedCharm,
  type ResolveRequest,
} from "./catalog.js";
export {
  CHARM_CHANNELS,
  type ChannelRelease,
  type CharmOverlay,
  type WorkloadBehaviour,
  type WorkloadStatusName,
} from "./charm-channels.js";

/**
 * Charm metadata, pure (no Node modules), so that browsers can use it too.
 * Reading charm directories from disk is the Node edge: import
 * `readCharmDir` from `./charm-dir.js`.
 * @module
 */
export {
  CharmArchiveError,
  type CharmArchiveErrorReason,
  CharmDirError,
  CharmMetadataError,
} from "./errors.js";
export {
  basesFromSeries,
  type CharmAction,
  type CharmConfigOption,
  type CharmContainer,
  type CharmDevice,
  type CharmFiles,
  type CharmInfo,
  type CharmLxdProfile,
  type CharmMount,
  type CharmRelation,
  type CharmResourceMeta,
  type CharmStorage,
  type ConfigType,
  parseActions,
  parseCharmFiles,
  parseConfig,
  parseLxdProfile,
  parseMetadata,
  parseSizeMiB,
  type RelationRole,
  type RelationScope,
} from "./metadata.js";
export {
  baseToSeries,
  type CharmBase,
  compareBaseChannels,
  DEFAULT_BASE,
  formatBase,
  isLtsBase,
  normaliseArch,
  parseBaseString,
  SUPPORTED_UBUNTU_CHANNELS,
  seriesToBase,
} from "./series.js";

/**
 * Charm metadata: parsing charm files (pure) and reading charm directories
 * (Node). The simulator and the client share this module.
 * @module
 */
export { type CharmDir, parseIgnoreRules, readCharmDir } from "./charm-dir.js";
export { CharmDirError, CharmMetadataError } from "./errors.js";
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

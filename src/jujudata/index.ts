/**
 * Juju client files and name resolution.
 * @module
 */
export { type Cookie, macaroonsForHosts, parseCookieJar } from "./cookies.js";
export {
  type AccountDetails,
  type ControllerDetails,
  type Env,
  JujuData,
  type JujuDataOptions,
  jujuDataDir,
  type ModelDetails,
  qualifyModelName,
  type ResolvedModel,
  splitModelName,
} from "./jujudata.js";

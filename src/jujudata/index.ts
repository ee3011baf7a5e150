/**
 * Juju client files and name resolution.
 * @module
 */

export {
  type ClientFilesOptions,
  type ControllerAccess,
  controllerAccess,
  jujuDataFrom,
} from "./controller-access.js";
export { FileCookieJar } from "./cookie-jar.js";
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

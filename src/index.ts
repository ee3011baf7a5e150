/**
 * libjuju: drive Juju models from Node.js.
 * @module
 */

export type {
  FacadeVersions,
  HostPort,
  RequestFrame,
  ResponseFrame,
  WireError,
} from "./protocol/frames.js";
export * from "./rpc/errors.js";

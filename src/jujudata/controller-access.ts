/**
 * How to reach and log in to a controller named in the client files.
 * @module
 */
import { join } from "node:path";
import { Credentials } from "../rpc/credentials.js";
import { FileCookieJar } from "./cookie-jar.js";
import { JujuData, type JujuDataOptions } from "./jujudata.js";

/** Where client files come from: a {@link JujuData}, a directory, or the environment. */
export interface ClientFilesOptions {
  /** A {@link JujuData} or a data directory; default: `$JUJU_DATA` etc. */
  jujuData?: JujuData | string;
  /** Environment for `JUJU_DATA`, `JUJU_CONTROLLER`, `JUJU_MODEL`; default `process.env`. */
  env?: JujuDataOptions["env"];
}

/** Builds the {@link JujuData} described by `options`. */
export function jujuDataFrom(options: ClientFilesOptions = {}): JujuData {
  if (options.jujuData instanceof JujuData) return options.jujuData;
  const o: JujuDataOptions = {};
  if (typeof options.jujuData === "string") o.dir = options.jujuData;
  if (options.env) o.env = options.env;
  return new JujuData(o);
}

/** Everything needed to connect to a controller from the client files. */
export interface ControllerAccess {
  /** The controller's name in controllers.yaml. */
  controllerName: string;
  /** The controller UUID. */
  controllerUuid: string;
  /** The API endpoints, `host:port`. */
  endpoints: string[];
  /** The controller's CA certificate (PEM), when known. */
  caCert: string | undefined;
  /** The account's user and password (or macaroons). */
  credentials: Credentials;
  /** The controller's version from controllers.yaml, used as the default client version. */
  agentVersion: string | undefined;
  /**
   * Credentials with the cookie-jar macaroons for the controller (when the
   * account has no password), as Juju's CLI logs in.
   */
  macaroonsFor: (host: string) => Promise<Credentials>;
  /** The controller's cookie jar (`cookies/<controller>.json`), where discharged macaroons are saved. */
  cookieJar: FileCookieJar;
}

/** Reads the controller, account and cookie jar of `controllerName`. */
export async function controllerAccess(
  data: JujuData,
  controllerName: string,
): Promise<ControllerAccess> {
  const controller = await data.controller(controllerName);
  const account = await data.account(controllerName);
  return {
    controllerName,
    controllerUuid: controller.uuid,
    endpoints: controller.apiEndpoints,
    caCert: controller.caCert,
    credentials: account.credentials,
    agentVersion: controller.agentVersion,
    cookieJar: new FileCookieJar(join(data.dir, "cookies", `${controllerName}.json`)),
    macaroonsFor: async (host) => {
      const hosts = [controller.uuid, host];
      if (controller.publicDnsName) hosts.push(controller.publicDnsName);
      const macaroons = await data.macaroons(controllerName, hosts);
      return new Credentials({
        username: account.user,
        macaroons: macaroons.length > 0 ? macaroons : undefined,
      });
    },
  };
}

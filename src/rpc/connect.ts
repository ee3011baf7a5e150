/**
 * Opening a logged-in API connection from Node: {@link openApi} with the
 * `ws` TLS transport (`servername: "juju-apiserver"`) as the default.
 * @module
 */
import {
  type ConnectApiOptions,
  type ConnectedApi,
  type DialOptions,
  openApi,
  type TransportFactory,
} from "./connect-core.js";
import { WebSocketTransport } from "./ws-transport.js";

export {
  apiUrl,
  type CommonConnectOptions,
  type ConnectApiOptions,
  type ConnectedApi,
  type DialOptions,
  openApi,
  type TransportFactory,
} from "./connect-core.js";

/** The default {@link TransportFactory}: `ws` over TLS, verified for `juju-apiserver`. */
export const wsTransportFactory: TransportFactory = (url, options: DialOptions) => {
  const o: Parameters<typeof WebSocketTransport.connect>[1] = { timeout: 0 };
  if (options.ca !== undefined) o.ca = options.ca;
  if (options.insecureSkipVerify) o.insecureSkipVerify = true;
  if (options.maxFrameSize !== undefined) o.maxFrameSize = options.maxFrameSize;
  if (options.signal) o.signal = options.signal;
  return WebSocketTransport.connect(url, o);
};

/**
 * Opens a logged-in API connection. Endpoints are tried in order: a dial
 * failure moves on to the next one, an error from the controller (e.g. a
 * wrong password, `JujuUnauthorizedError`) stops. A `redirection required`
 * answer is followed up to `maxRedirects` times. The transport defaults to
 * {@link wsTransportFactory}.
 */
export function connectApi(options: ConnectApiOptions): Promise<ConnectedApi> {
  return openApi({ ...options, transportFactory: options.transportFactory ?? wsTransportFactory });
}

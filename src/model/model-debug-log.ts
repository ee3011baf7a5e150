/**
 * `Model.debugLog`: the `/log` websocket of the endpoint that answered,
 * opened with the model's CA and password, reopened from the last record's
 * time across reconnects when the model reconnects.
 * @module
 */

import type { ConnectApiOptions } from "../rpc/connect.js";
import { ConnectionClosedError } from "../rpc/errors.js";
import type { ModelOptions } from "./connect-options.js";
import { resumableDebugLog } from "./debug-log-resume.js";
import { type DebugLogOptions, type LogRecord, openDebugLog } from "./ops/debug-log.js";
import { reconnectPolicy } from "./reconnect.js";
import type { ModelSession } from "./session.js";

/** Opens a model's debug log; throws `ConnectionClosedError` when the model is disconnected. */
export function modelDebugLog(
  session: ModelSession,
  dial: ConnectApiOptions | undefined,
  reconnect: ModelOptions["reconnect"],
  options: DebugLogOptions,
): AsyncIterableIterator<LogRecord> {
  if (session.state === "disconnected") {
    throw new ConnectionClosedError("cannot open the debug log: the model is disconnected");
  }
  return resumableDebugLog(
    {
      // Read at each (re)open: the endpoint that answered may change on reconnect.
      open: (o) =>
        openDebugLog(
          {
            endpoint: session.api.endpoint,
            modelUuid: session.api.info.modelUuid ?? "",
            credentials: dial?.credentials,
            caCert: session.api.caCert,
            insecureSkipVerify: dial?.insecureSkipVerify,
          },
          o,
        ),
      policy: session.reconnects ? reconnectPolicy(reconnect) : undefined,
      whenConnected: (signal) => session.whenConnected(signal, 0, "reopen the debug log"),
    },
    options,
  );
}

/**
 * How a `Model` builds its {@link ModelSession}: the first connection, how
 * to reopen one (the same dial options over the endpoints the controller
 * gave), the reconnect policy, and which state source (AllWatcher or status
 * polls) watches each connection.
 * @module
 */

import { type ConnectApiOptions, type ConnectedApi, connectApi } from "../rpc/connect.js";
import type { ModelOptions } from "./connect-options.js";
import type { EntityFactory } from "./entity.js";
import type { ObserverRegistry } from "./observers.js";
import { reconnectPolicy } from "./reconnect.js";
import type { ModelSessionOptions } from "./session.js";
import type { ModelState } from "./state.js";
import { autoStateSource, StatusPoller } from "./status-poll.js";
import { ModelWatcher } from "./watcher.js";

/** What the state source of a model feeds. */
export interface StateSinks {
  state: ModelState;
  observers: ObserverRegistry;
  entityFactory: EntityFactory;
}

/**
 * The session options of a model: `dial` (undefined when the model was
 * handed a connection it cannot reopen) and the model's options choose
 * reconnection and the state source.
 */
export function modelSessionOptions(
  api: ConnectedApi,
  dial: ConnectApiOptions | undefined,
  options: ModelOptions,
  sinks: StateSinks,
): ModelSessionOptions {
  const out: ModelSessionOptions = {
    api,
    configuredEndpoints: dial?.endpoints ?? [],
    reconnect: reconnectPolicy(options.reconnect),
  };
  if (dial?.onProtocolError) out.onProtocolError = dial.onProtocolError;
  if (dial !== undefined) {
    out.reopen = (endpoints, caCert, signal) => {
      const again: ConnectApiOptions = { ...dial, endpoints: [...endpoints], signal };
      if (caCert !== undefined) again.caCert = caCert;
      return connectApi(again);
    };
  }
  if (options.watch ?? true) {
    out.watcher = (connection, emit) => {
      const watcherOptions = { ...sinks, strict: options.strictDeltas ?? false, emit };
      const choice = options.stateSource ?? "auto";
      const kind = choice === "auto" ? autoStateSource(connection) : choice;
      return kind === "status-poll"
        ? new StatusPoller(connection, {
            ...watcherOptions,
            ...(options.statusPoll ? { poll: options.statusPoll } : {}),
          })
        : new ModelWatcher(connection, watcherOptions);
    };
  }
  return out;
}

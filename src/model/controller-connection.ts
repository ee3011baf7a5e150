/**
 * A model's way to its controller: controller facades (model access,
 * offers, HA, upgrades, destroying the model) are called on a connection
 * to the controller opened with the model's own endpoint, CA and
 * credentials, as python-libjuju does.
 * @module
 */

import type { Controller, DestroyModelOptions } from "../controller/controller.js";
import { type ConnectApiOptions, type ConnectedApi, connectApi } from "../rpc/connect.js";
import type { Connection } from "../rpc/connection.js";

/** The dial options of the controller of a model connected with `dial`, over the endpoint that answered. */
export function controllerDialOptions(
  dial: ConnectApiOptions | undefined,
  api: ConnectedApi,
): Omit<ConnectApiOptions, "modelUuid"> {
  if (dial === undefined) throw new Error("the model was opened without dial options");
  const { modelUuid: _m, ...base } = dial;
  const opts: Omit<ConnectApiOptions, "modelUuid"> = { ...base, endpoints: [api.endpoint] };
  if (api.caCert !== undefined) opts.caCert = api.caCert;
  return opts;
}

/** Runs `fn` on a short-lived controller connection, closed afterwards. */
export async function withControllerConnection<T>(
  opts: Omit<ConnectApiOptions, "modelUuid">,
  fn: (c: Connection) => Promise<T>,
): Promise<T> {
  const api = await connectApi(opts);
  try {
    return await fn(api.connection);
  } finally {
    await api.connection.close();
  }
}

/** A {@link Controller} connected with `opts` (loaded when called: controller.ts imports the model). */
export async function openController(
  opts: Omit<ConnectApiOptions, "modelUuid">,
  controllerName: string | undefined,
): Promise<Controller> {
  const { Controller } = await import("../controller/controller.js");
  return Controller.connectWith(opts, controllerName);
}

/** Destroys model `uuid` through a controller connection (`ModelManager.DestroyModels`), closed afterwards. */
export async function destroyModelThrough(
  controller: Controller,
  uuid: string,
  options: DestroyModelOptions,
): Promise<void> {
  try {
    await controller.destroyModel(uuid, options);
  } finally {
    await controller.disconnect();
  }
}

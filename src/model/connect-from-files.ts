/**
 * Where `Model.connectCurrent` and `Model.connectModel` connect: a model
 * named `[controller:][user/]model` resolved with the client files as the
 * Juju CLI does (`$JUJU_MODEL`, `models.yaml`, the controller's endpoints,
 * CA and credentials), a model that `models.yaml` does not list looked up
 * on the controller.
 * @module
 */

import { controllerAccess, jujuDataFrom } from "../jujudata/controller-access.js";
import { type ConnectApiOptions, connectApi } from "../rpc/connect.js";
import { JujuDataError } from "../rpc/errors.js";
import {
  type ConnectionNames,
  dialFromClientFiles,
  type ModelFromFilesOptions,
  type ModelOptions,
  splitModelOptions,
} from "./connect-options.js";

/** The dial options and display names of a model named in the client files. */
export interface ModelFromFiles {
  /** What `Model.open` takes: the dial options and the model's options. */
  options: ConnectApiOptions & { modelUuid: string } & ModelOptions;
  /** The controller and qualified model names the files resolved. */
  names: ConnectionNames;
}

/**
 * Resolves `name` (`""` for the current model) with the client files;
 * throws {@link JujuDataError} naming `models.yaml` when neither it nor the
 * controller knows the model.
 */
export async function modelFromClientFiles(
  name: string,
  options: ModelFromFilesOptions,
): Promise<ModelFromFiles> {
  const data = jujuDataFrom(options);
  const resolved = await data.resolveModel(name);
  const access = await controllerAccess(data, resolved.controllerName);
  const base = dialFromClientFiles(access, options);
  let uuid = resolved.model?.uuid;
  if (!uuid) {
    uuid = await lookupModelUuid(base, resolved.modelName);
    if (!uuid) {
      throw new JujuDataError(
        `model ${JSON.stringify(`${resolved.controllerName}:${resolved.modelName}`)} not found ` +
          "in models.yaml nor on the controller",
        `${data.dir}/models.yaml`,
        `controllers.${resolved.controllerName}.models.${resolved.modelName}`,
      );
    }
  }
  return {
    options: { ...base, ...splitModelOptions(options)[0], modelUuid: uuid },
    names: { controllerName: resolved.controllerName, modelName: resolved.modelName },
  };
}

/** Finds a model's UUID by qualified name on the controller (`ModelManager.ListModels`). */
async function lookupModelUuid(
  base: Omit<ConnectApiOptions, "modelUuid">,
  qualifiedName: string,
): Promise<string | undefined> {
  const api = await connectApi(base);
  try {
    const mm = api.connection.facade("ModelManager");
    const args = { tag: base.credentials.userTag };
    // Juju 4 names models by qualifier (ModelManager 11), 3.x by owner tag.
    const models =
      mm.major === 4
        ? ((await mm.juju4().call("ListModels", args))["user-models"] ?? []).map((um) => ({
            owner: um.model.qualifier,
            ...um.model,
          }))
        : ((await mm.call("ListModels", args))["user-models"] ?? []).map((um) => ({
            owner: um.model["owner-tag"].replace(/^user-/, ""),
            ...um.model,
          }));
    for (const m of models) if (`${m.owner}/${m.name}` === qualifiedName) return m.uuid;
    return undefined;
  } finally {
    await api.connection.close();
  }
}

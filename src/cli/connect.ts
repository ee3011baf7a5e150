/**
 * Connecting the commands to the model they act on. Loaded only when a
 * command runs (it pulls in the whole client), never for `--help`.
 * @module
 */
import { Model, type ModelFromFilesOptions } from "../index.js";

/** Connects to `-m/--model` (`[controller:][user/]model`), else the current model. */
export function connect(
  model: string | undefined,
  options: ModelFromFilesOptions = {},
): Promise<Model> {
  return model ? Model.connectModel(model, options) : Model.connectCurrent(options);
}

/**
 * `Model.grant` / `Model.revoke`: model access changed with
 * `ModelManager.ModifyModelAccess` on a controller connection; the
 * arguments are checked before that connection is opened.
 * @module
 */

import { type ModelAccessLevel, modifyModelAccess } from "../controller/users.js";
import type { Connection } from "../rpc/connection.js";
import * as ac from "./arg-check.js";

/** Grants or revokes `acl` (`read`, `write` or `admin`) of `user` on model `uuid`. */
export async function changeModelAccess(
  withController: <T>(fn: (c: Connection) => Promise<T>) => Promise<T>,
  action: "grant" | "revoke",
  user: string,
  uuid: string,
  acl: ModelAccessLevel | string,
): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("acl", acl, ac.oneOf("read", "write", "admin"));
  return withController((c) => modifyModelAccess(c, action, user, uuid, acl));
}

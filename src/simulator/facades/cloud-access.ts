/**
 * `Cloud(7).ModifyCloudAccess`, controller connections only
 * (`apiserver/facades/client/cloud/cloud.go`): how a controller admin gives
 * a user `add-model` (or `admin`) on the controller's cloud, which is what
 * `ModelManager.CreateModel` asks of users who are not superusers.
 * @module
 */
import { Errors, ServerError } from "../errors.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { changeCloudAccess, hasCloudAccess, isCloudAccess, isSuperuser } from "../users.js";
import { bulk } from "./bulk.js";
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The Cloud access methods. */
export const cloudAccessMethods: readonly MethodSpec[] = [
  method({
    facade: "Cloud",
    method: "ModifyCloudAccess",
    params: "params.ModifyCloudAccessRequest",
    call: (ctx, p) => ({
      results: bulk(p.objects("changes", "params.ModifyCloudAccess"), (c) => {
        const cloud = parseTagOfKind(c.string("cloud-tag"), "cloud");
        const userTag = c.string("user-tag");
        const action = c.string("action");
        const access = c.string("access");
        if (cloud !== ctx.store.cloud.name) throw Errors.notFound(`cloud ${JSON.stringify(cloud)}`);
        // Controller superusers and the cloud's admins may change its access.
        if (!isSuperuser(ctx.store, ctx.user) && !hasCloudAccess(ctx.store, ctx.user, "admin")) {
          throw Errors.permissionDenied();
        }
        const target = parseTagOfKind(userTag, "user");
        if (!isCloudAccess(access)) {
          throw new ServerError(`${JSON.stringify(access)} cloud access not valid`, "not valid");
        }
        changeCloudAccess(ctx.store, localUserName(target) ?? target, action, access);
        return {};
      }),
    }),
  }),
];

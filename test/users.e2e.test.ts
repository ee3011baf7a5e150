import { describe, expect, it } from "vitest";
import { InvalidArgumentError, JujuError, JujuUnauthorizedError, Model } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("users");

const connectAs = (username: string, password: string) =>
  Model.connect({
    endpoint: env.sim.endpoint,
    uuid: env.sim.defaultModelUuid,
    username,
    password,
    caCert: env.sim.caCert,
    pingInterval: 0,
    watch: false,
    onFrame: env.onFrame,
  });

describe("users and model access", () => {
  it("adds a user who reaches the default model only while granted", async () => {
    const bob = await env.controller.addUser("bob", { password: "s3cret", displayName: "Bob" });
    expect(bob).toMatchObject({ username: "bob", displayName: "Bob", access: "login" });
    expect(await env.controller.getUser("bob")).toMatchObject({
      createdBy: "admin",
      disabled: false,
    });

    const refused = await connectAs("bob", "s3cret").catch((e) => e);
    expect(refused).toBeInstanceOf(JujuUnauthorizedError);
    expect((refused as JujuError).message).toContain("permission denied");

    await env.controller.grantModel("bob", "default", "read");
    const m = await connectAs("bob", "s3cret");
    expect(m.loginInfo.userInfo).toMatchObject({ modelAccess: "read" });
    await m.disconnect();

    await env.controller.revokeModel("bob", "default");
    expect(await connectAs("bob", "s3cret").catch((e) => e)).toBeInstanceOf(JujuUnauthorizedError);

    await using admin = await env.controller.getModel("default", { watch: false });
    await admin.grant("bob", "write");
    const again = await connectAs("bob", "s3cret");
    await again.disconnect();
    await admin.revoke("bob", "admin").catch(() => undefined);
    await admin.revoke("bob");
    expect(await connectAs("bob", "s3cret").catch((e) => e)).toBeInstanceOf(JujuUnauthorizedError);

    // Access levels are checked before any request (the server would say the same).
    const bad = await env.controller.grantModel("bob", "default", "superuser").catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect((bad as InvalidArgumentError).message).toContain("superuser");
    const badModel = await admin.grant("bob", "owner").catch((e) => e);
    expect(badModel).toBeInstanceOf(InvalidArgumentError);

    await env.controller.removeUser("bob");
    const gone = await env.controller.getUser("bob").catch((e) => e);
    expect(gone).toBeInstanceOf(JujuError);
  });
});

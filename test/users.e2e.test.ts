import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, JujuError, JujuUnauthorizedError, Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

let dir: string;
let sim: Simulator;
let controller: Controller;
const tap = createConformanceTap();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-users-"));
  sim = await Simulator.start({ jujuData: dir, controllerName: "sim", timing: "instant" });
  controller = await Controller.connectCurrent({
    env: { JUJU_DATA: dir },
    pingInterval: 0,
    onFrame: tap.onFrame,
  });
});

afterAll(async () => {
  await controller?.disconnect();
  expect(tap.framesSeen).toBeGreaterThan(10);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const connectAs = (username: string, password: string) =>
  Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username,
    password,
    cacert: sim.caCert,
    pingInterval: 0,
    watch: false,
    onFrame: tap.onFrame,
  });

describe("users and model access", () => {
  it("adds a user who reaches the default model only while granted", async () => {
    const bob = await controller.addUser("bob", { password: "s3cret", displayName: "Bob" });
    expect(bob).toMatchObject({ username: "bob", displayName: "Bob", access: "login" });
    expect(await controller.getUser("bob")).toMatchObject({ createdBy: "admin", disabled: false });

    const refused = await connectAs("bob", "s3cret").catch((e) => e);
    expect(refused).toBeInstanceOf(JujuUnauthorizedError);
    expect((refused as JujuError).message).toContain("permission denied");

    await controller.grantModel("bob", "default", "read");
    const m = await connectAs("bob", "s3cret");
    expect(m.loginInfo.userInfo).toMatchObject({ modelAccess: "read" });
    await m.disconnect();

    await controller.revokeModel("bob", "default");
    expect(await connectAs("bob", "s3cret").catch((e) => e)).toBeInstanceOf(JujuUnauthorizedError);

    await using admin = await controller.getModel("default", { watch: false });
    await admin.grant("bob", "write");
    const again = await connectAs("bob", "s3cret");
    await again.disconnect();
    await admin.revoke("bob", "admin").catch(() => undefined);
    await admin.revoke("bob");
    expect(await connectAs("bob", "s3cret").catch((e) => e)).toBeInstanceOf(JujuUnauthorizedError);

    const bad = await controller.grantModel("bob", "default", "superuser").catch((e) => e);
    expect(bad).toBeInstanceOf(JujuError);
    expect((bad as JujuError).code).toBe("not valid");
    expect((bad as JujuError).message).toContain('"superuser" model access not valid');
    const badModel = await admin.grant("bob", "owner").catch((e) => e);
    expect(badModel).toBeInstanceOf(JujuError);

    await controller.removeUser("bob");
    const gone = await controller.getUser("bob").catch((e) => e);
    expect(gone).toBeInstanceOf(JujuError);
  });
});

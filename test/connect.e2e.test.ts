import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectError,
  Controller,
  JujuBulkError,
  JujuDataError,
  JujuNotFoundError,
  JujuUnauthorizedError,
  Model,
} from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

let dir: string;
let sim: Simulator;
const env = (extra: Record<string, string> = {}) => ({ JUJU_DATA: dir, ...extra });

// Every frame the client sends or receives in these tests is checked against
// the schema of the facade version it uses.
const tap = createConformanceTap();
const common = { pingInterval: 0, onFrame: tap.onFrame };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-e2e-"));
  sim = await Simulator.start({ jujuData: dir, controllerName: "sim", password: "s3cret-pw" });
});

afterAll(async () => {
  expect(tap.framesSeen).toBeGreaterThan(20);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Model over TLS to the simulator", () => {
  it("connectCurrent uses the client files and gets the status", async () => {
    await using model = await Model.connectCurrent({ env: env(), ...common });
    expect(model.uuid).toBe(sim.defaultModelUuid);
    expect(model.controllerName).toBe("sim");
    expect(model.name).toBe("admin/default");
    const status = await model.getStatus();
    expect(status.model.name).toBe("default");
    expect(model.connection.facadeVersion("Client")).toBe(8);
  });

  it("connectModel resolves [controller:]model names and getInfo caches the info", async () => {
    const model = await Model.connectModel("sim:default", { env: env(), ...common });
    try {
      const info = await model.getInfo();
      expect(info).toMatchObject({
        uuid: sim.defaultModelUuid,
        name: "default",
        qualifiedName: "admin/default",
        controllerUuid: sim.controllerUuid,
        agentVersion: "3.6.28",
      });
      expect(model.info).toBe(info);
    } finally {
      await model.disconnect();
    }
    expect(model.isConnected()).toBe(false);
  });

  it("connect with explicit endpoint, uuid and credentials; bad endpoints are skipped", async () => {
    const model = await Model.connect({
      endpoint: ["127.0.0.1:1", sim.endpoint],
      uuid: sim.defaultModelUuid,
      username: sim.username,
      password: sim.password,
      caCert: sim.caCert,
      ...common,
    });
    expect(model.endpoint).toBe(sim.endpoint);
    expect(inspect(model)).not.toContain(sim.password);
    expect(String(model)).not.toContain(sim.password);
    await model.disconnect();
  });

  it("a wrong password fails with JujuUnauthorizedError without leaking it", async () => {
    const err = await Model.connect({
      endpoint: sim.endpoint,
      uuid: sim.defaultModelUuid,
      username: "admin",
      password: "wrong-password-123",
      caCert: sim.caCert,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuUnauthorizedError);
    expect(String(err)).not.toContain("wrong-password-123");
    expect(inspect(err, { depth: 10 })).not.toContain("wrong-password-123");
  });

  it("an unknown model name is a JujuDataError naming models.yaml", async () => {
    const err = await Model.connectModel("nosuch", { env: env() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuDataError);
    expect((err as JujuDataError).file).toContain("models.yaml");
    expect((err as JujuDataError).key).toBe("controllers.sim.models.admin/nosuch");
  });

  it("fails TLS verification against a different CA", async () => {
    const other = await Simulator.start({});
    try {
      const err = await Model.connect({
        endpoint: sim.endpoint,
        uuid: sim.defaultModelUuid,
        username: "admin",
        password: sim.password,
        caCert: other.caCert,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as Error).message).toContain("TLS certificate verification failed");
    } finally {
      await other.stop();
    }
  });
});

describe("Controller over TLS to the simulator", () => {
  it("lists, adds and destroys models", async () => {
    await using controller = await Controller.connectController("sim", {
      env: env(),
      ...common,
    });
    expect(controller.controllerUuid).toBe(sim.controllerUuid);
    const before = await controller.listModelNames();
    expect(before).toEqual(expect.arrayContaining(["admin/controller", "admin/default"]));

    const model = await controller.addModel("e2e-added");
    expect(model.name).toBe("admin/e2e-added");
    const status = await model.getStatus();
    expect(status.model.name).toBe("e2e-added");
    await model.disconnect();
    expect(await controller.listModelNames()).toContain("admin/e2e-added");

    const again = await controller.getModel("e2e-added");
    expect(again.uuid).toBe(model.uuid);
    await again.disconnect();

    await controller.destroyModel("e2e-added");
    await expect(controller.getModel("e2e-added")).rejects.toBeInstanceOf(JujuNotFoundError);
  });

  it("reports each model that could not be destroyed", async () => {
    await using controller = await Controller.connectCurrent({ env: env(), ...common });
    const err = await controller
      .destroyModels([
        "00000000-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-000000000001",
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuBulkError);
    expect((err as JujuBulkError).failures).toHaveLength(2);
  });
});

describe("redirects", () => {
  it("follows a redirect from one simulator to another", async () => {
    const target = await Simulator.start({});
    try {
      sim.redirectModel(target.defaultModelUuid, {
        servers: target.servers(),
        caCert: target.caCert,
      });
      const model = await Model.connect({
        endpoint: sim.endpoint,
        uuid: target.defaultModelUuid,
        username: "admin",
        password: target.password,
        caCert: sim.caCert,
        ...common,
      });
      expect(model.endpoint).toBe(target.endpoint);
      expect(model.controllerUuid).toBe(target.controllerUuid);
      await model.disconnect();
    } finally {
      await target.stop();
    }
  });
});

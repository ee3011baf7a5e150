import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeModelFactory } from "../../test/support/fake-model.js";
import { type FakeReply, loginResponse, scriptedFactory } from "../../test/support/fake-server.js";
import type { RequestFrame } from "../protocol/frames.js";
import { Credentials } from "../rpc/credentials.js";
import { ConnectionClosedError } from "../rpc/errors.js";
import { Model } from "./model.js";

const facades = [
  { name: "Client", versions: [6, 7, 8] },
  { name: "ModelConfig", versions: [3] },
  { name: "ModelManager", versions: [9, 10] },
  { name: "Pinger", versions: [1] },
  { name: "AllWatcher", versions: [3] },
];

const fullStatus = {
  model: {
    name: "default",
    type: "iaas",
    "cloud-tag": "cloud-localhost",
    region: "localhost",
    version: "3.6.28",
    "available-version": "",
    "model-status": { status: "available", info: "", since: "2026-01-01T00:00:00Z" },
    sla: "unsupported",
    "meter-status": { color: "", message: "" },
  },
  applications: {},
  machines: {},
};

function server(requests: { url: string; req: RequestFrame }[]) {
  return (url: string, req: RequestFrame): FakeReply => {
    requests.push({ url, req });
    switch (`${req.type}.${req.request}`) {
      case "Admin.Login":
        return loginResponse(facades);
      case "Client.FullStatus":
        return { response: fullStatus };
      case "ModelConfig.ModelGet":
        return {
          response: {
            config: {
              name: { value: "default", source: "model" },
              uuid: { value: "11111111-2222-4333-8444-555555555555", source: "model" },
              "default-base": { value: "ubuntu@24.04", source: "default" },
              "automatically-retry-hooks": { value: true, source: "default" },
            },
          },
        };
      case "ModelManager.ListModels":
        return {
          response: {
            "user-models": [
              {
                model: { name: "other", uuid: "u-other", type: "iaas", "owner-tag": "user-admin" },
                "last-connection": null,
              },
            ],
          },
        };
      default:
        return { error: "not implemented", code: "not implemented" };
    }
  };
}

const open = (requests: { url: string; req: RequestFrame }[]) =>
  Model.open(
    {
      endpoints: ["ctl:17070"],
      modelUuid: "11111111-2222-4333-8444-555555555555",
      credentials: new Credentials({ username: "admin", password: "pw-never-shown" }),
      pingInterval: 0,
      transportFactory: fakeModelFactory((req, url) => server(requests)(url, req)).factory,
    },
    { controllerName: "ctl", modelName: "admin/default" },
  );

describe("Model", () => {
  it("getStatus calls Client.FullStatus at the negotiated version with the patterns", async () => {
    const requests: { url: string; req: RequestFrame }[] = [];
    const model = await open(requests);
    const status = await model.getStatus({ filters: ["mysql/0"], includeStorage: true });
    expect(status.model.name).toBe("default");
    // requests[0] is the login; the watcher's calls are answered by the fake itself.
    expect(requests[1]?.req).toMatchObject({
      type: "Client",
      version: 8,
      request: "FullStatus",
      params: { patterns: ["mysql/0"], "include-storage": true },
    });
    expect(requests[1]?.url).toBe("wss://ctl:17070/model/11111111-2222-4333-8444-555555555555/api");
    await model.disconnect();
  });

  it("getInfo combines FullStatus and ModelGet and caches the result on info", async () => {
    const model = await open([]);
    expect(model.info).toBeUndefined();
    const info = await model.getInfo();
    expect(info).toMatchObject({
      uuid: "11111111-2222-4333-8444-555555555555",
      name: "default",
      qualifiedName: "admin/default",
      type: "iaas",
      controllerUuid: "99999999-2222-4333-8444-555555555555",
      cloudTag: "cloud-localhost",
      cloudRegion: "localhost",
      agentVersion: "3.6.28",
      availableVersion: undefined,
      status: { status: "available", info: "", since: "2026-01-01T00:00:00Z" },
      defaultBase: "ubuntu@24.04",
      userAccess: "admin",
    });
    expect(info.config["automatically-retry-hooks"]).toBe(true);
    expect(model.info).toBe(info);
    await model.disconnect();
  });

  it("exposes identity without secrets and disconnects idempotently", async () => {
    const model = await open([]);
    expect(model.uuid).toBe("11111111-2222-4333-8444-555555555555");
    expect(model.controllerName).toBe("ctl");
    expect(model.name).toBe("admin/default");
    expect(inspect(model, { depth: 10, showHidden: true })).toBe("Model(admin/default on ctl)");
    expect(JSON.stringify(model)).not.toContain("pw-never-shown");
    expect(model.isConnected()).toBe(true);
    await model.disconnect();
    await model.disconnect();
    expect(model.isConnected()).toBe(false);
    expect(await model.closed()).toBeUndefined();
    await expect(model.getStatus()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("supports await using", async () => {
    let outer: Model | undefined;
    {
      await using model = await open([]);
      outer = model;
    }
    expect(outer.isConnected()).toBe(false);
  });
});

describe("Model.connectModel with client files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-model-"));
    await writeFile(
      join(dir, "controllers.yaml"),
      "controllers:\n  ctl:\n    uuid: c-uuid\n    api-endpoints: ['ctl:17070']\n    ca-cert: CA\n    agent-version: 3.6.9\ncurrent-controller: ctl\n",
    );
    await writeFile(
      join(dir, "accounts.yaml"),
      "controllers:\n  ctl:\n    user: admin\n    password: pw\n",
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("looks up a model that models.yaml does not list on the controller", async () => {
    const requests: { url: string; req: RequestFrame }[] = [];
    const dialed: string[] = [];
    const model = await Model.connectModel("other", {
      jujuData: dir,
      env: {},
      pingInterval: 0,
      watch: false,
      transportFactory: scriptedFactory(server(requests), dialed),
    });
    expect(dialed).toEqual([
      "wss://ctl:17070/api ca=CA",
      "wss://ctl:17070/model/u-other/api ca=CA",
    ]);
    expect(requests[1]?.req).toMatchObject({
      type: "ModelManager",
      request: "ListModels",
      params: { tag: "user-admin" },
    });
    // The controller's agent-version from controllers.yaml is the client version.
    expect(requests[0]?.req.params).toMatchObject({ "client-version": "3.6.9" });
    expect(model.name).toBe("admin/other");
    await model.disconnect();
  });
});

import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { type FakeReply, loginResponse, scriptedFactory } from "../../test/support/fake-server.js";
import type { RequestFrame } from "../protocol/frames.js";
import { JujuBulkError, JujuNotFoundError } from "../rpc/errors.js";
import { Controller } from "./controller.js";

const facades = [
  { name: "Client", versions: [6, 7, 8] },
  { name: "ModelManager", versions: [9, 10] },
  { name: "Pinger", versions: [1] },
];
const UUID_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const UUID_B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

function script(requests: RequestFrame[], destroyErrors: Record<string, string> = {}) {
  return (_url: string, req: RequestFrame): FakeReply => {
    requests.push(req);
    switch (`${req.type}.${req.request}`) {
      case "Admin.Login":
        return loginResponse(facades);
      case "ModelManager.ListModels":
        return {
          response: {
            "user-models": [
              {
                model: { name: "dev", uuid: UUID_A, type: "iaas", "owner-tag": "user-admin" },
                "last-connection": "2026-01-01T00:00:00Z",
              },
              {
                model: { name: "dev", uuid: UUID_B, type: "caas", "owner-tag": "user-bob" },
                "last-connection": null,
              },
            ],
          },
        };
      case "ModelManager.CreateModel": {
        const p = req.params as { name: string; "owner-tag": string };
        return {
          response: { name: p.name, uuid: UUID_A, "owner-tag": p["owner-tag"], type: "iaas" },
        };
      }
      case "ModelManager.DestroyModels": {
        const p = req.params as { models: { "model-tag": string }[] };
        return {
          response: {
            results: p.models.map((m) =>
              destroyErrors[m["model-tag"]]
                ? { error: { message: destroyErrors[m["model-tag"]], code: "not found" } }
                : {},
            ),
          },
        };
      }
      default:
        return { response: {} };
    }
  };
}

const connect = (requests: RequestFrame[], destroyErrors?: Record<string, string>) =>
  Controller.connect({
    endpoint: "ctl:17070",
    username: "admin",
    password: "controller-pw",
    caCert: "CA",
    controllerName: "ctl",
    pingInterval: 0,
    transportFactory: scriptedFactory(script(requests, destroyErrors), []),
  });

describe("Controller", () => {
  it("lists models with their owners", async () => {
    const requests: RequestFrame[] = [];
    const c = await connect(requests);
    expect(await c.listModels()).toEqual([
      {
        name: "dev",
        qualifiedName: "admin/dev",
        uuid: UUID_A,
        owner: "admin",
        type: "iaas",
        lastConnection: "2026-01-01T00:00:00Z",
      },
      {
        name: "dev",
        qualifiedName: "bob/dev",
        uuid: UUID_B,
        owner: "bob",
        type: "caas",
        lastConnection: undefined,
      },
    ]);
    expect(requests[1]).toMatchObject({ version: 10, params: { tag: "user-admin" } });
    await c.disconnect();
  });

  it("adds a model and returns it connected", async () => {
    const requests: RequestFrame[] = [];
    await using c = await connect(requests);
    const model = await c.addModel("dev", {
      watch: false,
      cloudName: "lxd",
      region: "default",
      config: { "default-base": "ubuntu@24.04" },
    });
    expect(requests[1]?.params).toEqual({
      name: "dev",
      "owner-tag": "user-admin",
      "cloud-tag": "cloud-lxd",
      region: "default",
      config: { "default-base": "ubuntu@24.04" },
    });
    expect(model.name).toBe("admin/dev");
    expect(model.controllerName).toBe("ctl");
    expect(model.isConnected()).toBe(true);
    await model.disconnect();
  });

  it("destroys models by name or UUID, with durations in nanoseconds", async () => {
    const requests: RequestFrame[] = [];
    await using c = await connect(requests);
    await c.destroyModels(["dev", `bob/dev`], { destroyStorage: true, force: true, maxWait: 2 });
    const destroy = requests.find((r) => r.request === "DestroyModels");
    expect(destroy?.params).toEqual({
      models: [
        { "model-tag": `model-${UUID_A}`, "destroy-storage": true, force: true, "max-wait": 2e9 },
        { "model-tag": `model-${UUID_B}`, "destroy-storage": true, force: true, "max-wait": 2e9 },
      ],
    });
    requests.length = 0;
    await c.destroyModel(UUID_B);
    expect(requests.map((r) => r.request)).toEqual(["DestroyModels"]);
  });

  it("rejects an unknown model name before destroying anything", async () => {
    const requests: RequestFrame[] = [];
    await using c = await connect(requests);
    await expect(c.destroyModels(["dev", "nope"])).rejects.toBeInstanceOf(JujuNotFoundError);
    expect(requests.some((r) => r.request === "DestroyModels")).toBe(false);
  });

  it("names each model that could not be destroyed", async () => {
    const requests: RequestFrame[] = [];
    await using c = await connect(requests, {
      [`model-${UUID_B}`]: `model "${UUID_B}" not found`,
    });
    const err = await c.destroyModels([UUID_A, UUID_B]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuBulkError);
    expect((err as JujuBulkError).failures.map((f) => f.index)).toEqual([1]);
    expect((err as Error).message).toContain("ModelManager.DestroyModels: 1 of 2 items failed");
  });

  it("getModel connects to a model by name with the same credentials", async () => {
    const requests: RequestFrame[] = [];
    await using c = await connect(requests);
    const model = await c.getModel("bob/dev", { watch: false });
    expect(model.name).toBe("bob/dev");
    const logins = requests.filter((r) => r.request === "Login");
    expect(logins).toHaveLength(2);
    expect(logins[1]?.params).toMatchObject({ credentials: "controller-pw" });
    await model.disconnect();
  });

  it("never shows its password", async () => {
    await using c = await connect([]);
    expect(inspect(c, { depth: 10, showHidden: true })).toBe("Controller(ctl)");
    expect(JSON.stringify(c)).not.toContain("controller-pw");
  });
});

/**
 * Permission entries confirmed against Juju 3.x source where they differ
 * from a plain read/write check (src/simulator/permissions.ts cites each):
 * Storage reads let superusers in without a grant, Storage.CreatePool and
 * MachineManager.InstanceTypes check nothing beyond model login, and
 * Annotations put a failed check on every item instead of failing the call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../src/simulator/index.js";
import { type Frame, modelPath, RawClient } from "./support/raw-client.js";

const PW = "pw";
const DENIED = { message: "permission denied", code: "unauthorized access" };
let sim: Simulator;
const violations: string[] = [];

async function as(user: string): Promise<RawClient> {
  const c = await RawClient.connect(sim, modelPath(sim));
  const reply = await c.call("Admin", 3, "Login", {
    "auth-tag": `user-${user}`,
    credentials: PW,
    "client-version": "3.6.28",
  });
  if (reply.error !== undefined) throw new Error(`login ${user}: ${String(reply.error)}`);
  return c;
}

const done = (c: RawClient) => {
  violations.push(...c.violations);
  c.close();
};

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
  const admin = await RawClient.open(sim, "/api");
  await admin.ok("UserManager", 3, "AddUser", {
    users: ["reader", "writer", "superu"].map((u) => ({
      username: u,
      "display-name": u,
      password: PW,
    })),
  });
  await admin.ok("ModelManager", 10, "ModifyModelAccess", {
    changes: [
      ["reader", "read"],
      ["writer", "write"],
    ].map(([u, a]) => ({
      "user-tag": `user-${u}`,
      action: "grant",
      access: a,
      "model-tag": `model-${sim.defaultModelUuid}`,
    })),
  });
  await admin.ok("Controller", 12, "ModifyControllerAccess", {
    changes: [{ "user-tag": "user-superu", action: "grant", access: "superuser" }],
  });
  done(admin);
});

afterAll(async () => {
  expect(violations).toEqual([]);
  await sim?.stop();
});

describe("Storage (storage.go checkCanRead / CreatePool)", () => {
  it("lets a superuser without a model grant read storage", async () => {
    const c = await as("superu");
    for (const method of ["ListPools", "ListStorageDetails", "ListVolumes", "ListFilesystems"]) {
      const r = await c.call("Storage", 6, method, { filters: [] });
      expect(r.error, method).toBeUndefined();
    }
    // Writes still need the model grant.
    const w = await c.call("Storage", 6, "RemovePool", { pools: [] });
    expect(w.error).toBe("permission denied");
    done(c);
  });

  it("lets a read-only user call CreatePool (no check in Juju 3.6)", async () => {
    const c = await as("reader");
    const r = await c.call("Storage", 6, "CreatePool", { pools: [] });
    expect(r.error).toBeUndefined();
    const w = await c.call("Storage", 6, "UpdatePool", { pools: [] });
    expect(w.error).toBe("permission denied");
    done(c);
  });
});

describe("MachineManager.InstanceTypes (no check)", () => {
  it("answers a superuser without a grant", async () => {
    const c = await as("superu");
    const r = await c.call("MachineManager", 10, "InstanceTypes", { constraints: [{}] });
    expect(r.error).toBeUndefined();
    done(c);
  });
});

describe("Annotations (client.go: the check's error on every item)", () => {
  const modelTag = () => `model-${sim.defaultModelUuid}`;

  it("denies a read-only user's Set item by item, and the call succeeds", async () => {
    const c = await as("reader");
    const r = await c.call("Annotations", 2, "Set", {
      annotations: [
        { entity: modelTag(), annotations: { a: "1" } },
        { entity: modelTag(), annotations: { b: "2" } },
      ],
    });
    expect(r.error).toBeUndefined();
    expect((r.response as Frame).results).toEqual([{ error: DENIED }, { error: DENIED }]);
    // Reading is allowed.
    const g = await c.call("Annotations", 2, "Get", { entities: [{ tag: modelTag() }] });
    expect((g.response as { results: Frame[] }).results[0]?.error).toBeUndefined();
    done(c);
  });

  it("denies a superuser without a grant item by item on Get", async () => {
    const c = await as("superu");
    const r = await c.call("Annotations", 2, "Get", { entities: [{ tag: modelTag() }] });
    expect(r.error).toBeUndefined();
    expect((r.response as Frame).results).toEqual([
      { entity: "", annotations: null, error: { error: DENIED } },
    ]);
    done(c);
  });

  it("lets a writer set annotations", async () => {
    const c = await as("writer");
    const r = await c.call("Annotations", 2, "Set", {
      annotations: [{ entity: modelTag(), annotations: { owner: "team" } }],
    });
    expect((r.response as { results: Frame[] }).results.every((x) => !x.error)).toBe(true);
    done(c);
  });
});

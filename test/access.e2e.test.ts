/**
 * Access control of the simulator through the real wire, as Juju 3.6's
 * apiserver enforces it: users are added with UserManager.AddUser and given
 * access by an admin (ModifyModelAccess, ModifyControllerAccess,
 * ModifyCloudAccess); then each access level calls every model method the
 * simulator serves, the controller methods, and the HTTP endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { LOGIN_FACADES_3_6 } from "../src/facades/generated/login-facades.js";
import { VirtualClock } from "../src/simulator/clock.js";
import { Simulator } from "../src/simulator/index.js";
import { PERMISSIONS, type Requirement } from "../src/simulator/permissions.js";
import { type Frame, modelPath, RawClient } from "./support/raw-client.js";
import { simHttps } from "./support/sim-https.js";

const DENIED = { error: "permission denied", "error-code": "unauthorized access" };
const PW = "pw";

/** The newest 3.6 version of each facade the tests call. */
const VERSION: Record<string, number> = {
  Action: 7,
  Annotations: 2,
  Application: 19,
  Bundle: 6,
  Charms: 7,
  Client: 8,
  Cloud: 7,
  Controller: 12,
  KeyManager: 1,
  MachineManager: 10,
  ModelConfig: 3,
  ModelManager: 10,
  Resources: 3,
  SecretBackends: 1,
  Secrets: 2,
  Spaces: 6,
  Storage: 6,
  Subnets: 5,
  UserManager: 3,
};

/** Methods served at other versions only. */
const METHOD_VERSION: Record<string, number> = {
  "Charms.AddCharmWithAuthorization": 5,
  "Controller.ModelConfig": 11,
};
/** Otherwise the newest version Juju 3.6 registers. */
const NEWEST = new Map(
  LOGIN_FACADES_3_6.allRegistered.map((f) => [f.name, Math.max(...f.versions)]),
);
const versionOf = (facade: string, method: string) =>
  METHOD_VERSION[`${facade}.${method}`] ?? VERSION[facade] ?? NEWEST.get(facade) ?? 1;

let sim: Simulator;
let cloudTag = "";
const violations: string[] = [];

async function loginAs(user: string, path: string): Promise<{ c: RawClient; reply: Frame }> {
  const c = await RawClient.connect(sim, path);
  const reply = await c.call("Admin", 3, "Login", {
    "auth-tag": `user-${user}`,
    credentials: PW,
    "client-version": "3.6.28",
  });
  return { c, reply };
}

async function as(user: string, path = modelPath(sim)): Promise<RawClient> {
  const { c, reply } = await loginAs(user, path);
  if (reply.error !== undefined) throw new Error(`login ${user}: ${String(reply.error)}`);
  return c;
}

function done(c: RawClient): void {
  violations.push(...c.violations);
  c.close();
}

const denied = (r: Frame) => ({ error: r.error, "error-code": r["error-code"] });
const isDenied = (r: Frame) => r.error === DENIED.error && r["error-code"] === DENIED["error-code"];

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
  const admin = await RawClient.open(sim, "/api");
  const added = await admin.ok("UserManager", 3, "AddUser", {
    users: ["nomodel", "reader", "writer", "madmin", "addmodel", "superu"].map((u) => ({
      username: u,
      "display-name": u,
      password: PW,
    })),
  });
  expect((added.results as Frame[]).every((r) => r.error === undefined)).toBe(true);
  const info = await admin.ok("ModelManager", 10, "ModelInfo", {
    entities: [{ tag: `model-${sim.defaultModelUuid}` }],
  });
  const first = (info.results as Frame[])[0]?.result as Frame | undefined;
  cloudTag = String(first?.["cloud-tag"]);
  const grants = await admin.ok("ModelManager", 10, "ModifyModelAccess", {
    changes: [
      ["reader", "read"],
      ["writer", "write"],
      ["madmin", "admin"],
    ].map(([u, a]) => ({
      "user-tag": `user-${u}`,
      action: "grant",
      access: a,
      "model-tag": `model-${sim.defaultModelUuid}`,
    })),
  });
  expect(grants.results).toEqual([{}, {}, {}]);
  const ctl = await admin.ok("Controller", 12, "ModifyControllerAccess", {
    changes: [{ "user-tag": "user-superu", action: "grant", access: "superuser" }],
  });
  expect(ctl.results).toEqual([{}]);
  const cloud = await admin.ok("Cloud", 7, "ModifyCloudAccess", {
    changes: [
      { "user-tag": "user-addmodel", "cloud-tag": cloudTag, action: "grant", access: "add-model" },
    ],
  });
  expect(cloud.results).toEqual([{}]);
  done(admin);
});

afterAll(async () => {
  expect(violations).toEqual([]);
  await sim?.stop();
});

describe("model login", () => {
  it("refuses a user without access to the model, as Juju's checkUserPermissions", async () => {
    const { c, reply } = await loginAs("nomodel", modelPath(sim));
    expect(denied(reply)).toEqual(DENIED);
    done(c);
    const { c: c2, reply: wrong } = await loginAs("nobody-at-all", modelPath(sim));
    expect(denied(wrong)).toEqual({
      error: "invalid entity name or password",
      "error-code": "unauthorized access",
    });
    done(c2);
  });

  it("reports each user's access and lets a superuser in as model admin", async () => {
    for (const [user, access] of [
      ["reader", "read"],
      ["writer", "write"],
      ["madmin", "admin"],
      ["superu", "admin"],
    ] as const) {
      const { c, reply } = await loginAs(user, modelPath(sim));
      expect((reply.response as Frame)["user-info"]).toMatchObject({ "model-access": access });
      done(c);
    }
  });

  it("refuses every login once the user's controller login access is revoked", async () => {
    const admin = await RawClient.open(sim, "/api");
    await admin.ok("UserManager", 3, "AddUser", {
      users: [{ username: "leaving", "display-name": "", password: PW }],
    });
    await admin.ok("ModelManager", 10, "ModifyModelAccess", {
      changes: [
        {
          "user-tag": "user-leaving",
          action: "grant",
          access: "read",
          "model-tag": `model-${sim.defaultModelUuid}`,
        },
      ],
    });
    const revoked = await admin.ok("Controller", 12, "ModifyControllerAccess", {
      changes: [{ "user-tag": "user-leaving", action: "revoke", access: "login" }],
    });
    expect(revoked.results).toEqual([{}]);
    for (const path of ["/api", modelPath(sim)]) {
      const { c, reply } = await loginAs("leaving", path);
      expect(denied(reply)).toEqual(DENIED);
      done(c);
    }
    done(admin);
  });
});

/** The model methods of the table with what they need. */
const modelMethods = Object.entries(PERMISSIONS)
  .filter(([, p]) => p.need.on === "model")
  .map(([key, p]) => {
    const [facade = "", method = ""] = key.split(".");
    return { facade, method, need: p.need as Extract<Requirement, { on: "model" }> };
  });

const RANK = { read: 1, write: 2, admin: 3 } as const;

describe("every model method at every model access level", () => {
  // What the issue measured: a read-only user may do none of these.
  const writes = [
    "Application.Deploy",
    "Application.SetConfigs",
    "Application.AddUnits",
    "Application.Expose",
    "Application.DestroyApplication",
    "Application.DestroyUnit",
    "Application.AddRelation",
    "Application.SetCharm",
    "KeyManager.AddKeys",
    "KeyManager.ImportKeys",
    "Action.Run",
    "Action.EnqueueOperation",
    "MachineManager.AddMachines",
    "ModelConfig.ModelSet",
  ];

  it("covers the writes the issue measured, and every model method of the table", () => {
    const keys = new Set(modelMethods.map((m) => `${m.facade}.${m.method}`));
    for (const w of writes) expect(keys.has(w), w).toBe(true);
    expect(modelMethods.length).toBeGreaterThan(80);
  });

  for (const [user, level] of [
    ["reader", "read"],
    ["writer", "write"],
    ["madmin", "admin"],
    ["superu", undefined],
  ] as const) {
    it(`${user} (${level ?? "superuser without a grant"})`, async () => {
      const c = await as(user);
      const wrong: string[] = [];
      for (const { facade, method, need } of modelMethods) {
        const r = await c.call(facade, versionOf(facade, method), method, {});
        const allowed = level === undefined ? need.superuser : RANK[level] >= RANK[need.access];
        if (isDenied(r) === allowed) {
          wrong.push(`${facade}.${method}: ${allowed ? "denied" : "allowed"} (${String(r.error)})`);
        }
      }
      expect(wrong).toEqual([]);
      if (level === "read") {
        for (const w of writes) {
          const [facade = "", method = ""] = w.split(".");
          expect(denied(await c.call(facade, versionOf(facade, method), method, {})), w).toEqual(
            DENIED,
          );
        }
      }
      done(c);
    });
  }
});

describe("controller methods", () => {
  it("keeps user management, controller config and other users' models to superusers", async () => {
    const c = await as("nomodel", "/api");
    for (const [facade, method, params] of [
      ["UserManager", "AddUser", { users: [{ username: "x", "display-name": "", password: "y" }] }],
      ["UserManager", "RemoveUser", { entities: [{ tag: "user-reader" }] }],
      ["UserManager", "DisableUser", { entities: [{ tag: "user-reader" }] }],
      ["UserManager", "EnableUser", { entities: [{ tag: "user-reader" }] }],
      ["Controller", "AllModels", undefined],
      ["Controller", "ModelConfig", undefined],
      ["Controller", "MongoVersion", undefined],
      ["Controller", "ListBlockedModels", undefined],
      ["SecretBackends", "ListSecretBackends", { reveal: false }],
      ["ModelManager", "CreateModel", { name: "mine", "owner-tag": "user-nomodel" }],
    ] as const) {
      expect(
        denied(await c.call(facade, versionOf(facade, method), method, params)),
        method,
      ).toEqual(DENIED);
    }
    // Bulk calls refuse per entity.
    const destroy = await c.ok("ModelManager", 10, "DestroyModels", {
      models: [{ "model-tag": `model-${sim.defaultModelUuid}` }],
    });
    expect(destroy.results).toEqual([
      { error: { message: "permission denied", code: "unauthorized access" } },
    ]);
    const grant = await c.ok("ModelManager", 10, "ModifyModelAccess", {
      changes: [
        {
          "user-tag": "user-nomodel",
          action: "grant",
          access: "admin",
          "model-tag": `model-${sim.defaultModelUuid}`,
        },
      ],
    });
    expect(grant.results).toEqual([
      { error: { message: "permission denied", code: "unauthorized access" } },
    ]);
    const ctl = await c.ok("Controller", 12, "ModifyControllerAccess", {
      changes: [{ "user-tag": "user-nomodel", action: "grant", access: "superuser" }],
    });
    expect(ctl.results).toEqual([
      { error: { message: "permission denied", code: "unauthorized access" } },
    ]);
    const status = await c.ok("ModelManager", 10, "ModelStatus", {
      entities: [{ tag: `model-${sim.defaultModelUuid}` }],
    });
    expect((status.models as Frame[])[0]?.error).toEqual({
      message: "permission denied",
      code: "unauthorized access",
    });
    const models = await c.ok("ModelManager", 10, "ListModelSummaries", {
      "user-tag": "user-nomodel",
      all: false,
    });
    expect(models.results ?? []).toEqual([]);
    // Users other than superusers see only themselves.
    const seen = await c.ok("UserManager", 3, "UserInfo", {
      entities: [{ tag: "user-nomodel" }, { tag: "user-reader" }],
      "include-disabled": false,
    });
    expect((seen.results as Frame[]).map((r) => r.error ?? (r.result as Frame).username)).toEqual([
      "nomodel",
      { message: "permission denied", code: "unauthorized access" },
    ]);
    const listed = await c.ok("UserManager", 3, "UserInfo", {
      entities: [],
      "include-disabled": true,
    });
    expect((listed.results as Frame[]).map((r) => (r.result as Frame).username)).toEqual([
      "nomodel",
    ]);
    // What any controller user may do.
    await c.ok("Controller", 12, "ControllerVersion");
    await c.ok("UserManager", 3, "SetPassword", {
      changes: [{ tag: "user-nomodel", password: PW }],
    });
    const other = await c.ok("UserManager", 3, "SetPassword", {
      changes: [{ tag: "user-reader", password: "stolen" }],
    });
    expect(other.results).toEqual([
      { error: { message: "permission denied", code: "unauthorized access" } },
    ]);
    done(c);
    // admin/default survived all of it.
    const admin = await RawClient.open(sim);
    await admin.ok("Client", 8, "FullStatus", { patterns: [] });
    done(admin);
  });

  it("lets add-model users create their own models only, and superusers any", async () => {
    const c = await as("addmodel", "/api");
    const other = await c.call("ModelManager", 10, "CreateModel", {
      name: "for-reader",
      "owner-tag": "user-reader",
    });
    expect(denied(other)).toEqual({
      error:
        '"add-model" permission does not permit creation of models for different owners: permission denied',
      "error-code": "unauthorized access",
    });
    const mine = await c.ok("ModelManager", 10, "CreateModel", {
      name: "mine",
      "owner-tag": "user-addmodel",
    });
    expect(mine["owner-tag"]).toBe("user-addmodel");
    // The owner is the new model's admin, and may destroy it.
    const gone = await c.ok("ModelManager", 10, "DestroyModels", {
      models: [{ "model-tag": `model-${String(mine.uuid)}` }],
    });
    expect(gone.results).toEqual([{}]);
    done(c);

    const su = await as("superu", "/api");
    const forOther = await su.ok("ModelManager", 10, "CreateModel", {
      name: "given",
      "owner-tag": "user-reader",
    });
    expect(forOther["owner-tag"]).toBe("user-reader");
    await su.ok("Controller", 12, "AllModels");
    done(su);
  });
});

/** Basic credentials of a user. */
const basic = (user: string, password = PW) => ({
  Authorization: `Basic ${Buffer.from(`user-${user}:${password}`).toString("base64")}`,
});

/** Opens the model's debug-log socket and returns its first (initial error) frame. */
function debugLogFirstFrame(headers: Record<string, string>): Promise<Frame> {
  const tls: WebSocket.ClientOptions & { servername: string } = {
    ca: sim.caCert,
    servername: "juju-apiserver",
    headers,
  };
  const ws = new WebSocket(
    `wss://127.0.0.1:${sim.port}/model/${sim.defaultModelUuid}/log?noTail=true`,
    tls,
  );
  return new Promise((resolve, reject) => {
    ws.once("message", (d) => {
      resolve(JSON.parse(String(d)) as Frame);
      ws.close();
    });
    ws.once("error", reject);
  });
}

describe("HTTP endpoints", () => {
  const charmsGet = () => `/model/${sim.defaultModelUuid}/charms?url=ch:amd64/nothing-1&file=*`;
  const charmsPost = () =>
    `/model/${sim.defaultModelUuid}/charms?series=jammy&schema=local&name=x&revision=1`;
  const resource = () => `/model/${sim.defaultModelUuid}/applications/none/resources/r`;

  it("answers 401 without valid credentials", async () => {
    for (const headers of [{}, basic("reader", "wrong"), basic("ghost")]) {
      expect((await simHttps(sim, "GET", charmsGet(), headers)).status).toBe(401);
      expect((await simHttps(sim, "POST", charmsPost(), headers, Buffer.from("x"))).status).toBe(
        401,
      );
      expect((await simHttps(sim, "GET", resource(), headers)).status).toBe(401);
      expect((await simHttps(sim, "PUT", resource(), headers, Buffer.from("x"))).status).toBe(401);
    }
    const log = await debugLogFirstFrame(basic("reader", "wrong"));
    expect(log.error).toMatchObject({ code: "unauthorized access" });
  });

  it("answers 403 without model access, and to uploads without write access", async () => {
    for (const [user, readOk, writeOk] of [
      ["nomodel", false, false],
      ["reader", true, false],
      ["writer", true, true],
      ["madmin", true, true],
    ] as const) {
      const get = await simHttps(sim, "GET", charmsGet(), basic(user));
      const post = await simHttps(sim, "POST", charmsPost(), basic(user), Buffer.from("x"));
      const rget = await simHttps(sim, "GET", resource(), basic(user));
      const rput = await simHttps(sim, "PUT", resource(), basic(user), Buffer.from("x"));
      const got = [get, post, rget, rput].map((r) => r.status === 403);
      expect([user, ...got]).toEqual([user, !readOk, !writeOk, !readOk, !writeOk]);
      if (get.status === 403) {
        expect(get.body.toString()).toBe("authorization failed: permission denied\n");
      }
      const log = await debugLogFirstFrame(basic(user));
      expect([user, log]).toEqual([
        user,
        readOk
          ? {}
          : {
              error: {
                message: "authorization failed: permission denied",
                code: "unauthorized access",
              },
            },
      ]);
    }
  });
});

describe("login limits", () => {
  it("closes a socket that does not log in within the timeout, on the guard's clock", async () => {
    const clock = new VirtualClock();
    const s = await Simulator.start({ timing: "instant", login: { timeoutMs: 5_000, clock } });
    try {
      const idle = await RawClient.connect(s);
      const busy = await RawClient.open(s);
      await clock.advance(4_999);
      const early = await busy.call("Pinger", 1, "Ping");
      expect(early.error).toBeUndefined();
      await clock.advance(1);
      expect(await idle.closed).toMatchObject({ code: 1005 });
      // The logged-in connection stays.
      expect((await busy.call("Pinger", 1, "Ping")).error).toBeUndefined();
      done(busy);
    } finally {
      await s.stop();
    }
  });

  it("answers `try again` to a source after repeated failed logins, never after good ones", async () => {
    const clock = new VirtualClock();
    const s = await Simulator.start({
      timing: "instant",
      login: { maxFailures: 3, windowMs: 60_000, clock },
    });
    try {
      for (let i = 0; i < 20; i++) done(await RawClient.open(s));
      const c = await RawClient.connect(s);
      for (let i = 0; i < 3; i++) {
        const bad = await c.call("Admin", 3, "Login", {
          "auth-tag": "user-admin",
          credentials: "wrong",
          "client-version": "3.6.28",
        });
        expect(bad["error-code"]).toBe("unauthorized access");
      }
      const throttled = await c.login(s.password);
      expect(denied(throttled)).toEqual({ error: "try again", "error-code": "try again" });
      await clock.advance(60_000);
      const ok = await c.login(s.password);
      expect(ok.error).toBeUndefined();
      done(c);
    } finally {
      await s.stop();
    }
  });
});

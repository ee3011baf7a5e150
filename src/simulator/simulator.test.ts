import { X509Certificate } from "node:crypto";
import { request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { SchemaConformance } from "../../test/support/schema-conformance.js";
import { LOGIN_FACADES_3_6 } from "../facades/generated/login-facades.js";
import type { RequestFrame, ResponseFrame } from "../protocol/frames.js";
import { Simulator } from "./index.js";

let sim: Simulator;
const frames: Array<{ dir: string; frame: unknown; session: number }> = [];

beforeAll(async () => {
  sim = await Simulator.start({
    password: "s3cret",
    onFrame: (dir, frame, session) => frames.push({ dir, frame, session: session.id }),
  });
});
afterAll(async () => {
  await sim.stop();
});

describe("TLS and routes", () => {
  it("presents a certificate for juju-apiserver signed by the CA", async () => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port: sim.port,
      ca: sim.caCert,
      servername: "juju-apiserver",
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    expect(socket.authorized).toBe(true);
    const cert = new X509Certificate(socket.getPeerCertificate().raw);
    expect(cert.subjectAltName).toContain("DNS:juju-apiserver");
    expect(cert.subjectAltName).toContain("DNS:juju-mongodb");
    expect(cert.subjectAltName).toContain("DNS:anything");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.checkIssued(new X509Certificate(sim.caCert))).toBe(true);
    expect(["TLSv1.2", "TLSv1.3"]).toContain(socket.getProtocol());
    socket.destroy();
  });

  const get = (path: string) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { host: "127.0.0.1", port: sim.port, path, ca: sim.caCert, servername: "juju-apiserver" },
        (res) => {
          let body = "";
          res.on("data", (c) => {
            body += String(c);
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers["content-type"]),
              body,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("answers 400 for a model path that is not a UUID and 404 elsewhere", async () => {
    const bad = await get("/model/not-a-uuid/api");
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^text\/plain/);
    expect(bad.body).toBe('invalid model UUID "not-a-uuid"\n');
    expect((await get("/nowhere")).status).toBe(404);
    await expect(RawClient.connect(sim, "/model/nope/api")).rejects.toThrow("HTTP 400");
  });

  it("upgrades an unknown model but fails every call with model not found", async () => {
    const uuid = "11111111-2222-4333-8444-555555555555";
    const w = await RawClient.connect(sim, `/model/${uuid}/api`);
    const r = await w.login("s3cret");
    expect(r).toEqual({
      "request-id": 1,
      error: `unknown model: "${uuid}"`,
      "error-code": "model not found",
      response: {},
    });
    expect((await w.call("Pinger", 1, "Ping")).error).toBe(`unknown model: "${uuid}"`);
    w.close();
  });
});

describe("login", () => {
  it("logs in to a model with the 3.6 reply", async () => {
    const w = await RawClient.connect(sim);
    const r = await w.login("s3cret");
    expect(r.error).toBeUndefined();
    const res = r.response as Frame;
    expect(res).toEqual({
      servers: [[{ value: "127.0.0.1", type: "ipv4", scope: "local-machine", port: sim.port }]],
      "controller-tag": `controller-${sim.controllerUuid}`,
      "model-tag": `model-${sim.defaultModelUuid}`,
      "user-info": {
        "display-name": "",
        identity: "user-admin",
        "controller-access": "superuser",
        "model-access": "admin",
      },
      facades: LOGIN_FACADES_3_6.modelLogin,
      "server-version": "3.6.28",
    });
    expect(await w.call("Pinger", 1, "Ping")).toEqual({ "request-id": 2, response: {} });
    w.close();
  });

  it("logs in to the controller without a model-tag", async () => {
    const w = await RawClient.connect(sim, "/api");
    const res = (await w.login("s3cret")).response as Frame;
    expect(res["model-tag"]).toBeUndefined();
    expect(res.facades).toEqual(LOGIN_FACADES_3_6.controllerLogin);
    expect(res["user-info"]).toMatchObject({ "model-access": "" });
    w.close();
  });

  it("refuses a wrong password, an unknown user and an empty password", async () => {
    const w = await RawClient.connect(sim);
    for (const [tag, pw] of [
      ["user-admin", "wrong"],
      ["user-bob", "s3cret"],
      ["user-admin", ""],
      ["machine-0", "x"],
    ]) {
      const r = await w.call("Admin", 3, "Login", { "auth-tag": tag, credentials: pw });
      expect(r.error).toBe("invalid entity name or password");
      expect(r["error-code"]).toBe("unauthorized access");
    }
    const bad = await w.call("Admin", 3, "Login", { "auth-tag": "bogus", credentials: "x" });
    expect(bad.error).toBe('"bogus" is not a valid tag');
    expect(bad["error-code"]).toBeUndefined();
    // Failed logins leave the connection able to log in.
    expect((await w.login("s3cret")).error).toBeUndefined();
    w.close();
  });

  it("rejects calls before login, old Admin versions, ids, and a second login", async () => {
    const w = await RawClient.connect(sim);
    const before = await w.call("Client", 8, "FullStatus", { patterns: [] });
    expect(before.error).toBe('unknown version (8) of interface "Client"');
    expect(before["error-code"]).toBe("not implemented");
    const old = await w.call("Admin", 2, "Login", {});
    expect(old.error).toBe("this version of Juju does not support login from old clients");
    expect(old["error-code"]).toBe("not supported");
    const withId = await w.call("Admin", 3, "Login", {}, "x");
    expect([withId.error, withId["error-code"]]).toEqual(["id not found", "not found"]);
    const frob = await w.call("Admin", 3, "Frob");
    expect(frob.error).toBe("no such request - method Admin.Frob is not implemented");
    expect((await w.call("Admin", 3, "RedirectInfo")).error).toBe("not redirected");
    await w.login("s3cret");
    const again = await w.login("s3cret");
    expect(again.error).toBe('unknown version (3) of interface "Admin"');
    expect(again["error-code"]).toBe("not implemented");
    w.close();
  });

  it("redirects a migrated model with error-info", async () => {
    const uuid = "99999999-2222-4333-8444-555555555555";
    const servers = [[{ value: "10.0.0.9", type: "ipv4", scope: "public", port: 17070 }]];
    sim.redirectModel(uuid, { servers, caCert: "CA", controllerTag: "controller-x" });
    const w = await RawClient.connect(sim, `/model/${uuid}/api`);
    const r = await w.login("whatever");
    expect(r).toEqual({
      "request-id": 1,
      error: "redirection to alternative server required",
      "error-code": "redirection required",
      "error-info": { servers, "ca-cert": "CA", "controller-tag": "controller-x" },
      response: {},
    });
    w.close();
  });
});

describe("framing and dispatch", () => {
  it("reports unknown facades, versions and methods like Go", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    const cases: Array<[string, number, string, string, string]> = [
      ["Foo", 0, "Bar", 'unknown object type "Foo"', "not implemented"],
      ["Foo", 1, "Bar", 'unknown version (1) of interface "Foo"', "not implemented"],
      ["Client", 5, "FullStatus", 'unknown version (5) of interface "Client"', "not implemented"],
      [
        "Client",
        8,
        "Frob",
        "no such request - method Client(8).Frob is not implemented",
        "not implemented",
      ],
      [
        "ModelManager",
        10,
        "ListModels",
        'facade "ModelManager" not supported for model API connection',
        "not supported",
      ],
    ];
    for (const [facade, version, method, message, code] of cases) {
      const r = await w.call(facade, version, method, {});
      expect([r.error, r["error-code"]]).toEqual([message, code]);
    }
    w.close();
    const c = await RawClient.connect(sim, "/api");
    await c.login("s3cret");
    const r = await c.call("Client", 8, "FullStatus", { patterns: [] });
    expect(r.error).toBe('facade "Client" not supported for controller API connection');
    c.close();
  });

  it("matches keys case-insensitively and answers legacy frames in kind", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    w.send({ "Request-Id": 7, Type: "Pinger", VERSION: 1, Request: "Ping" });
    expect(await w.next()).toEqual({ "request-id": 7, response: {} });
    w.send({ RequestId: 8, Type: "Pinger", Version: 1, Request: "Ping", Params: {} });
    expect(await w.next()).toEqual({ RequestId: 8, Response: {} });
    w.send({ requestid: 9, type: "Foo", version: 0, request: "Bar" });
    expect(await w.next()).toEqual({
      RequestId: 9,
      Error: 'unknown object type "Foo"',
      ErrorCode: "not implemented",
      Response: {},
    });
    // A frame that is not a request is dropped without a reply.
    w.send({ "request-id": 10 });
    w.send({ "request-id": 11, type: "Pinger", version: 1, request: "Ping" });
    expect(await w.next()).toEqual({ "request-id": 11, response: {} });
    w.close();
  });

  it("answers a params type error and keeps the connection", async () => {
    const w = await RawClient.connect(sim, "/api");
    await w.login("s3cret");
    const r = await w.call("ModelManager", 10, "ModelInfo", { entities: "nope" });
    expect(r.error).toBe(
      "json: cannot unmarshal string into Go struct field Entities.entities of type []params.Entity",
    );
    const r2 = await w.call("ModelManager", 10, "ModelInfo", []);
    expect(r2.error).toBe("json: cannot unmarshal array into Go value of type params.Entities");
    expect((await w.call("Pinger", 1, "Ping")).response).toEqual({});
    w.close();
  });

  it("closes the connection on a frame that is not JSON", async () => {
    const w = await RawClient.connect(sim);
    w.send("{not json");
    const closed = await w.closed;
    expect(closed.code).toBe(1005);
  });

  it("runs requests concurrently: a slow call does not block others", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    sim.delay("Client", "FullStatus", 200);
    try {
      const order: string[] = [];
      const slow = w.call("Client", 8, "FullStatus", { patterns: [] }).then((r) => {
        order.push("status");
        return r;
      });
      const fast = w.call("Pinger", 1, "Ping").then(() => order.push("ping"));
      await Promise.all([slow, fast]);
      expect(order).toEqual(["ping", "status"]);
      expect((await slow).error).toBeUndefined();
    } finally {
      sim.delay("Client", "FullStatus", 0);
    }
    w.close();
  });
});

describe("Client and AllWatcher", () => {
  it("returns FullStatus of an empty model", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    for (const version of [6, 7, 8]) {
      const r = await w.call("Client", version, "FullStatus", { patterns: [] });
      const s = r.response as Frame;
      expect(s).toMatchObject({
        model: {
          name: "default",
          type: "iaas",
          "cloud-tag": "cloud-localhost",
          region: "localhost",
          version: "3.6.28",
          "available-version": "",
          "model-status": { status: "available", info: "", kind: "", version: "", life: "" },
          "meter-status": { color: "", message: "" },
          sla: "unsupported",
        },
        machines: {},
        applications: {},
        "remote-applications": {},
        offers: {},
        relations: [],
        branches: {},
      });
      expect(Number.isNaN(Date.parse(String(s["controller-timestamp"])))).toBe(false);
    }
    w.close();
  });

  it("sends the model on the first Next, then blocks until a change", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    const watch = await w.call("Client", 6, "WatchAll");
    expect(watch.response).toEqual({ "watcher-id": "1" });
    const first = (await w.call("AllWatcher", 3, "Next", {}, "1")).response as {
      deltas: Array<[string, string, Frame]>;
    };
    expect(first.deltas).toHaveLength(1);
    const [kind, op, model] = first.deltas[0] ?? [];
    expect([kind, op]).toEqual(["model", "change"]);
    expect(model).toMatchObject({
      "model-uuid": sim.defaultModelUuid,
      name: "default",
      life: "alive",
      owner: "admin",
      "controller-uuid": sim.controllerUuid,
      "is-controller": false,
      type: "iaas",
      cloud: "localhost",
      "cloud-region": "localhost",
      version: "3.6.28",
      status: { current: "available", message: "" },
      sla: { level: "unsupported", owner: "" },
    });
    expect(model?.config).toMatchObject({
      type: "lxd",
      name: "default",
      uuid: sim.defaultModelUuid,
      "agent-version": "3.6.28",
      "default-base": "",
      mode: "requires-prompts",
    });

    // Python-libjuju sends the watcher id as "Id".
    let answered = false;
    const pending = new Promise<Frame>((resolve) => {
      w.send({
        "request-id": 100,
        type: "AllWatcher",
        version: 3,
        Id: "1",
        request: "Next",
        params: {},
      });
      void w.next().then((f) => {
        answered = true;
        resolve(f);
      });
    });
    // A round trip on the same connection proves the Next is still parked.
    await w.call("Pinger", 1, "Ping");
    expect(answered).toBe(false);

    // A change wakes the pending Next.
    const c = await RawClient.connect(sim);
    await c.login("s3cret");
    await c.call("ModelConfig", 3, "ModelSet", { config: { "logging-config": "<root>=DEBUG" } });
    const woken = (await pending).response as { deltas: Array<[string, string, Frame]> };
    expect(woken.deltas).toHaveLength(1);
    expect(woken.deltas[0]?.[2].config).toMatchObject({ "logging-config": "<root>=DEBUG" });

    // Changes made while nobody waits collapse into the entity's latest state.
    await c.call("ModelConfig", 3, "ModelSet", { config: { "update-status-hook-interval": "1m" } });
    await c.call("ModelConfig", 3, "ModelSet", { config: { "logging-config": "<root>=TRACE" } });
    const next = await w.call("AllWatcher", 3, "Next", {}, "1");
    const deltas = (next.response as { deltas: Array<[string, string, Frame]> }).deltas;
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.[2].config).toMatchObject({
      "logging-config": "<root>=TRACE",
      "update-status-hook-interval": "1m",
    });
    const got = await c.call("ModelConfig", 3, "ModelGet");
    const cfg = (got.response as { config: Record<string, Frame> }).config;
    expect(cfg["update-status-hook-interval"]).toEqual({ value: "1m", source: "model" });
    expect(cfg["firewall-mode"]).toEqual({ value: "instance", source: "default" });
    expect(cfg.name).toEqual({ value: "default", source: "model" });
    await c.call("ModelConfig", 3, "ModelUnset", {
      keys: ["update-status-hook-interval", "logging-config"],
    });
    c.close();
    w.close();
  });

  it("fails a pending Next with 'watcher was stopped' on Stop", async () => {
    const w = await RawClient.connect(sim);
    await w.login("s3cret");
    const id = ((await w.call("Client", 8, "WatchAll")).response as Frame)["watcher-id"] as string;
    await w.call("AllWatcher", 3, "Next", {}, id);
    const pending = w.call("AllWatcher", 3, "Next", {}, id);
    const stop = await w.call("AllWatcher", 3, "Stop", {}, id);
    expect(stop.response).toEqual({});
    const r = await pending;
    expect(r.error).toBe("watcher was stopped");
    expect(r["error-code"]).toBeUndefined();
    const gone = await w.call("AllWatcher", 3, "Next", {}, id);
    expect([gone.error, gone["error-code"]]).toEqual(["unknown watcher id", "not found"]);
    const second = await w.call("Client", 8, "WatchAll");
    expect(second.response).toEqual({ "watcher-id": "2" });
    w.close();
  });
});

describe("ModelManager", () => {
  it("lists, describes, creates and destroys models", async () => {
    const c = await RawClient.connect(sim, "/api");
    await c.login("s3cret");
    const list = (await c.call("ModelManager", 10, "ListModels", { tag: "user-admin" }))
      .response as { "user-models": Array<{ model: Frame }> };
    expect(list["user-models"].map((m) => m.model.name).sort()).toEqual(["controller", "default"]);

    const info = (
      await c.call("ModelManager", 9, "ModelInfo", {
        entities: [
          { tag: `model-${sim.controllerModelUuid}` },
          { tag: "model-00000000-0000-4000-8000-000000000000" },
        ],
      })
    ).response as { results: Array<{ result?: Frame; error?: Frame }> };
    expect(info.results[0]?.result).toMatchObject({
      name: "controller",
      type: "iaas",
      uuid: sim.controllerModelUuid,
      "controller-uuid": sim.controllerUuid,
      "owner-tag": "user-admin",
      life: "alive",
      "is-controller": true,
      "agent-version": "3.6.28",
      "cloud-tag": "cloud-localhost",
      "cloud-region": "localhost",
      "provider-type": "lxd",
      sla: { level: "unsupported", owner: "" },
      machines: [],
    });
    expect(info.results[1]?.error).toEqual({
      message: "permission denied",
      code: "unauthorized access",
    });

    for (const v of [9, 10]) {
      const summaries = (
        await c.call("ModelManager", v, "ListModelSummaries", {
          "user-tag": "user-admin",
          all: true,
        })
      ).response as { results: Array<{ result: Frame }> };
      expect(summaries.results.map((r) => r.result.name).sort()).toEqual(["controller", "default"]);
      expect(summaries.results.find((r) => r.result.name === "default")?.result).toMatchObject({
        uuid: sim.defaultModelUuid,
        type: "iaas",
        "owner-tag": "user-admin",
        "user-access": "admin",
        life: "alive",
        counts: [],
        "agent-version": "3.6.28",
        "cloud-credential-tag": "cloudcred-localhost_admin_localhost",
        status: { status: "available", info: "" },
      });
    }
    const noUser = await c.call("ModelManager", 10, "ListModelSummaries", {
      "user-tag": "user-bob",
    });
    expect(noUser.error).toBe('user "bob" not found');
    const status = (
      await c.call("ModelManager", 10, "ModelStatus", {
        entities: [{ tag: `model-${sim.defaultModelUuid}` }, { tag: "machine-0" }],
      })
    ).response as { models: Frame[] };
    expect(status.models[0]).toEqual({
      "model-tag": `model-${sim.defaultModelUuid}`,
      life: "alive",
      type: "iaas",
      "hosted-machine-count": 0,
      "application-count": 0,
      "unit-count": 0,
      "owner-tag": "user-admin",
      applications: [],
      machines: [],
    });
    expect(status.models[1]?.error).toEqual({
      message: '"machine-0" is not a valid model tag',
      code: "",
    });

    const created = await c.call("ModelManager", 10, "CreateModel", {
      name: "extra",
      "owner-tag": "user-admin",
      config: { "logging-config": "<root>=WARNING" },
    });
    const model = created.response as Frame;
    expect(model).toMatchObject({ name: "extra", life: "alive", "is-controller": false });
    const uuid = model.uuid as string;
    expect(sim.modelUuid("extra")).toBe(uuid);

    const dup = await c.call("ModelManager", 10, "CreateModel", {
      name: "extra",
      "owner-tag": "user-admin",
    });
    expect(dup.error).toBe('failed to create new model: model "extra" for admin already exists');
    expect(dup["error-code"]).toBe("already exists");

    // A watcher on the new model sees it die and go.
    const w = await RawClient.connect(sim, `/model/${uuid}/api`);
    await w.login("s3cret");
    const get = (await w.call("ModelConfig", 3, "ModelGet")).response as {
      config: Record<string, Frame>;
    };
    expect(get.config["logging-config"]).toEqual({ value: "<root>=WARNING", source: "model" });
    await w.call("Client", 8, "WatchAll");
    await w.call("AllWatcher", 3, "Next", {}, "1");

    const destroyCtl = await c.call("ModelManager", 10, "DestroyModels", {
      models: [{ "model-tag": `model-${sim.controllerModelUuid}` }],
    });
    expect((destroyCtl.response as { results: Frame[] }).results[0]).toEqual({
      error: {
        message: "failed to destroy model: hosting 2 other models",
        code: "controller has hosted models",
      },
    });

    const destroyed = await c.call("ModelManager", 10, "DestroyModels", {
      models: [{ "model-tag": `model-${uuid}`, "destroy-storage": true }],
    });
    expect(destroyed.response).toEqual({ results: [{}] });
    const seen: Array<[string, string, Frame]> = [];
    while (!seen.some(([, op]) => op === "remove")) {
      const n = (await w.call("AllWatcher", 3, "Next", {}, "1")).response as {
        deltas: Array<[string, string, Frame]>;
      };
      seen.push(...n.deltas);
    }
    expect(seen.at(-1)?.[0]).toBe("model");
    expect(seen.at(-1)?.[1]).toBe("remove");
    expect(seen.at(-1)?.[2].life).toBe("dead");
    expect(sim.modelUuid("extra")).toBeUndefined();
    w.close();
    c.close();
  });
});

describe("frame tap", () => {
  it("saw frames in both directions", () => {
    expect(frames.some((f) => f.dir === "in")).toBe(true);
    expect(frames.some((f) => f.dir === "out")).toBe(true);
  });

  it("every successful reply conforms to the schema of its facade version", () => {
    const schema = SchemaConformance.load();
    const requests = new Map<string, RequestFrame>();
    const violations: string[] = [];
    for (const { dir, frame, session } of frames) {
      const f = frame as Frame;
      if (typeof f !== "object" || f === null || typeof f["request-id"] !== "number") continue;
      const key = `${session}/${f["request-id"]}`;
      if (dir === "in") requests.set(key, f as unknown as RequestFrame);
      else {
        const req = requests.get(key);
        if (req !== undefined) {
          violations.push(...schema.checkResponse(req, f as unknown as ResponseFrame));
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

describe("shutdown", () => {
  it("closes connections and refuses new ones after stop; stop is idempotent", async () => {
    let nexts = 0;
    let arrived = () => {};
    const nextArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const s = await Simulator.start({
      onFrame: (dir, frame) => {
        if (dir === "in" && (frame as Frame).request === "Next" && ++nexts === 2) arrived();
      },
    });
    const w = await RawClient.connect(s);
    await w.login(s.password);
    const id = ((await w.call("Client", 8, "WatchAll")).response as Frame)["watcher-id"] as string;
    await w.call("AllWatcher", 3, "Next", {}, id);
    const pending = w.call("AllWatcher", 3, "Next", {}, id);
    await nextArrived;
    await Promise.all([s.stop(), s.stop()]);
    expect((await pending).error).toBe("watcher was stopped");
    expect((await w.closed).code).toBe(1005);
    await expect(RawClient.connect(s)).rejects.toThrow();
  });
});

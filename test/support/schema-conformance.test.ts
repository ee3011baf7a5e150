import { describe, expect, it } from "vitest";
import type { RequestFrame, ResponseFrame } from "../../src/protocol/frames.js";
import { majorOfServerVersion, SchemaConformance } from "./schema-conformance.js";

const schemas = SchemaConformance.load();

function req(
  type: string,
  version: number,
  request: string,
  params?: unknown,
  id?: string,
): RequestFrame {
  const frame: RequestFrame = { "request-id": 7, type, version, request };
  if (params !== undefined) frame.params = params;
  if (id !== undefined) frame.id = id;
  return frame;
}

function ok(response: unknown): ResponseFrame {
  return { "request-id": 7, response };
}

const deployArg = {
  application: "mysql",
  "charm-url": "ch:amd64/jammy/mysql-58",
  channel: "8.0/stable",
  "num-units": 1,
  "config-yaml": "",
  constraints: {},
  Force: false,
  "charm-origin": { source: "charm-hub", type: "charm", risk: "stable", track: "8.0" },
};

const status = (current: string) => ({
  status: current,
  info: "",
  data: {},
  since: "2025-01-10T10:00:05Z",
  kind: "",
  version: "",
  life: "",
});

describe("SchemaConformance requests", () => {
  it("accepts a real Application.Deploy request", () => {
    expect(
      schemas.checkRequest(req("Application", 19, "Deploy", { applications: [deployArg] })),
    ).toEqual([]);
    expect(
      schemas.checkRequest(req("Application", 22, "Deploy", { applications: [deployArg] })),
    ).toEqual([]);
  });

  it("catches a misspelt field in ApplicationDeploy", () => {
    const { "num-units": _, ...rest } = deployArg;
    const violations = schemas.checkRequest(
      req("Application", 22, "Deploy", { applications: [{ ...rest, "num-unit": 1 }] }),
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /Application\(22\)\.Deploy params .*\/applications\/0 .*"num-unit"/,
    );
  });

  it("catches a wrong type", () => {
    const violations = schemas.checkRequest(
      req("Application", 22, "Deploy", { applications: [{ ...deployArg, "num-units": "1" }] }),
    );
    expect(violations.join("\n")).toMatch(/\/applications\/0\/num-units must be integer/);
    expect(schemas.checkRequest(req("Client", 8, "FullStatus", { patterns: "mysql" }))).not.toEqual(
      [],
    );
  });

  it("does not enforce `required` on requests, as the Go server zero-fills", () => {
    expect(schemas.checkRequest(req("Client", 6, "FullStatus"))).toEqual([]);
    expect(schemas.checkRequest(req("Client", 8, "FullStatus", { patterns: [] }))).toEqual([]);
  });

  it("accepts real Login requests, Go and python-libjuju style", () => {
    const go = {
      "auth-tag": "user-admin",
      credentials: "secret",
      nonce: "",
      macaroons: null,
      "bakery-version": 3,
      "cli-args": "juju status",
      "client-version": "3.6.28",
      "user-data": "",
    };
    expect(schemas.checkRequest(req("Admin", 3, "Login", go))).toEqual([]);
    const py = { "auth-tag": "user-admin", credentials: "secret", "client-version": "3.5.2" };
    expect(schemas.checkRequest(req("Admin", 3, "Login", py))).toEqual([]);
    expect(schemas.checkRequest(req("Admin", 3, "Login", { ...py, password: "x" }))).toHaveLength(
      1,
    );
  });

  it("accepts a macaroon login (macaroon v2 JSON)", () => {
    const macaroon = {
      c: [{ i: "time-before 2030-01-01T00:00:00Z" }],
      l: "juju",
      i64: "AwoQ",
      s64: "c2ln",
    };
    const params = { "auth-tag": "user-admin", macaroons: [[macaroon]] };
    expect(schemas.checkRequest(req("Admin", 3, "Login", params))).toEqual([]);
  });

  it("checks no-params methods: AllWatcher.Next/Stop take {} and the id goes in the envelope", () => {
    expect(schemas.checkRequest(req("AllWatcher", 3, "Next", {}, "1"))).toEqual([]);
    expect(schemas.checkRequest(req("AllWatcher", 3, "Stop", undefined, "1"))).toEqual([]);
    expect(schemas.checkRequest(req("AllWatcher", 3, "Next", { id: "1" }))).toHaveLength(1);
  });

  it("does not flag unknown facades, versions or methods (the server answers those with errors)", () => {
    expect(schemas.checkRequest(req("Foo", 1, "Bar", { x: 1 }))).toEqual([]);
    expect(schemas.checkRequest(req("Client", 99, "FullStatus", { x: 1 }))).toEqual([]);
    expect(schemas.checkRequest(req("Client", 8, "Frob", { x: 1 }))).toEqual([]);
  });
});

describe("SchemaConformance responses", () => {
  const login = req("Admin", 3, "Login", { "auth-tag": "user-admin", credentials: "x" });

  it("accepts a real Login reply (HostPort without its ghost Address)", () => {
    const reply = ok({
      servers: [
        [
          { value: "10.0.0.5", type: "ipv4", scope: "local-cloud", port: 17070 },
          { value: "127.0.0.1", type: "ipv4", scope: "local-machine", port: 17070 },
        ],
      ],
      "model-tag": "model-5f0c2d1e-8a3b-4c6d-9e0f-112233445566",
      "controller-tag": "controller-9a1e2d1e-8a3b-4c6d-9e0f-112233445566",
      "user-info": {
        "display-name": "",
        identity: "user-admin",
        "controller-access": "superuser",
        "model-access": "admin",
      },
      facades: [
        { name: "Action", versions: [7] },
        { name: "Application", versions: [15, 16, 17, 18, 19, 20, 21, 22] },
      ],
      "server-version": "3.6.28",
    });
    expect(schemas.checkResponse(login, reply)).toEqual([]);
  });

  it("enforces `required` and field names on replies", () => {
    const reply = ok({
      "user-info": { identity: "user-admin", "controller-access": "superuser", "model-access": "" },
      "server-version": "3.6.28",
      "server-versoin": "3.6.28",
    });
    const violations = schemas.checkResponse(login, reply);
    expect(violations.join("\n")).toMatch(/\/user-info must have required property 'display-name'/);
    expect(violations.join("\n")).toMatch(/"server-versoin"/);
  });

  it("accepts error replies and answers to unknown methods", () => {
    const error: ResponseFrame = { "request-id": 7, error: "bad", "error-code": "not found" };
    expect(schemas.checkResponse(login, error)).toEqual([]);
    expect(schemas.checkResponse(req("Foo", 1, "Bar"), ok({ x: 1 }))).toEqual([]);
  });

  it("requires {} from methods without a result", () => {
    expect(schemas.checkResponse(req("Pinger", 1, "Ping"), ok({}))).toEqual([]);
    expect(schemas.checkResponse(req("Pinger", 1, "Ping"), ok({ pong: true }))).toHaveLength(1);
    expect(schemas.checkResponse(req("Pinger", 1, "Ping"), { "request-id": 7 })).toHaveLength(1);
  });

  it("accepts an AllWatcher.Next reply of Delta tuples, with null collections", () => {
    const uuid = "5f0c2d1e-8a3b-4c6d-9e0f-112233445566";
    const next = req("AllWatcher", 3, "Next", {}, "1");
    const deltas = [
      [
        "application",
        "change",
        {
          "model-uuid": uuid,
          name: "mysql",
          exposed: false,
          "charm-url": "ch:amd64/jammy/mysql-58",
          life: "alive",
          status: {
            current: "active",
            message: "Primary",
            since: "2025-01-10T10:03:00Z",
            version: "",
          },
        },
      ],
      [
        "relation",
        "remove",
        { "model-uuid": uuid, key: "wordpress:db mysql:db", id: 0, endpoints: null },
      ],
    ];
    expect(schemas.checkResponse(next, ok({ deltas }))).toEqual([]);
    expect(schemas.checkResponse(next, ok({ deltas: [] }))).toEqual([]);
    expect(schemas.checkResponse(next, ok({ deltas: null }))).toEqual([]);
    // The schema's own {entity, removed} shape is not what goes over the wire.
    const wrong = { deltas: [{ entity: { name: "mysql" }, removed: false }] };
    expect(schemas.checkResponse(next, ok(wrong))).not.toEqual([]);
    expect(schemas.checkResponse(next, ok({ deltas: [["unit", "update", {}]] }))).not.toEqual([]);
  });

  it("accepts a minimal FullStatus result and rejects a misspelt one", () => {
    const full = {
      model: {
        name: "default",
        type: "iaas",
        "cloud-tag": "cloud-localhost",
        region: "localhost",
        version: "3.6.28",
        "available-version": "",
        "model-status": status("available"),
        "meter-status": { color: "", message: "" },
        sla: "unsupported",
      },
      machines: {},
      applications: {},
      "remote-applications": {},
      offers: {},
      relations: null,
      "controller-timestamp": "2025-01-10T10:00:05Z",
      branches: {},
    };
    for (const version of [6, 7, 8]) {
      expect(
        schemas.checkResponse(req("Client", version, "FullStatus", { patterns: [] }), ok(full)),
      ).toEqual([]);
    }
    const { branches: _, ...missing } = full;
    const bad = { ...missing, brnaches: {} };
    const violations = schemas.checkResponse(
      req("Client", 8, "FullStatus", { patterns: [] }),
      ok(bad),
    );
    expect(violations.join("\n")).toMatch(/required property 'branches'/);
    expect(violations.join("\n")).toMatch(/"brnaches"/);
  });

  it("applies the overrides: version Number and []byte as strings, no ghost properties", () => {
    const info = req("ModelManager", 10, "ModelInfo", { entities: [{ tag: "model-x" }] });
    const modelInfo = ok({
      results: [{ error: { message: "model not found", code: "not found" } }],
    });
    expect(schemas.checkResponse(info, modelInfo)).toEqual([]);
    const summary = req("UserManager", 3, "AddUser", {
      users: [{ username: "bob", "display-name": "Bob", password: "pw" }],
    });
    const added = ok({ results: [{ tag: "user-bob", "secret-key": "c2VjcmV0" }] });
    expect(schemas.checkResponse(summary, added)).toEqual([]);
    const upgrade = req("ModelUpgrader", 1, "UpgradeModel", {
      "model-tag": "model-x",
      "target-version": "3.6.28",
      "agent-stream": "",
      "dry-run": false,
      "ignore-agent-versions": false,
    });
    expect(schemas.checkRequest(upgrade)).toEqual([]);
    expect(schemas.checkResponse(upgrade, ok({ "chosen-version": "3.6.28" }))).toEqual([]);
    expect(schemas.checkResponse(upgrade, ok({ "chosen-version": { Major: 3 } }))).not.toEqual([]);
  });
});

describe("SchemaConformance of Juju 4", () => {
  const four = SchemaConformance.forMajor(4);

  it("tells the major from a Login's server-version", () => {
    expect(majorOfServerVersion("4.0.15")).toBe(4);
    expect(majorOfServerVersion("3.6.28")).toBe(3);
    expect(majorOfServerVersion(undefined)).toBe(3);
  });

  it("checks 4.x frames against schema-4.0.json, not 3.6's shape of the same version", () => {
    const create3 = req("ModelManager", 10, "CreateModel", { name: "m", "owner-tag": "user-a" });
    expect(schemas.checkRequest(create3)).toEqual([]);
    const create4 = req("ModelManager", 11, "CreateModel", { name: "m", "owner-tag": "user-a" });
    expect(four.checkRequest(create4).join("\n")).toMatch(/"owner-tag"/);
    expect(
      four.checkRequest(req("ModelManager", 11, "CreateModel", { name: "m", qualifier: "a" })),
    ).toEqual([]);
    // Charms 7 exists in both: 4.x dropped IsMetered.
    expect(four.knownFacadeVersions()).toContain("Charms/7");
    expect(four.knownFacadeVersions()).not.toContain("AllWatcher/3");
    expect(four.knownFacadeVersions()).toContain("MachineManager/12");
  });

  it("flags 3.6-only fields in a 4.x reply (Client 8 meter-statuses)", () => {
    const full = req("Client", 8, "FullStatus", { patterns: [] });
    const reply = (app: Record<string, unknown>) =>
      ok({
        model: {
          name: "m",
          type: "iaas",
          "cloud-tag": "cloud-lxd",
          version: "4.0.15",
          "available-version": "",
          "model-status": status("available"),
        },
        machines: {},
        applications: { a: app },
        "remote-applications": {},
        offers: {},
        relations: null,
        "controller-timestamp": "2025-01-10T10:00:05Z",
        branches: {},
      });
    const app = {
      charm: "ch:amd64/ubuntu-24",
      "charm-version": "",
      "charm-profile": "",
      "charm-channel": "stable",
      "charm-rev": 24,
      base: { name: "ubuntu", channel: "22.04" },
      exposed: false,
      life: "",
      relations: {},
      "can-upgrade-to": "",
      "subordinate-to": null,
      units: null,
      status: status("active"),
      "workload-version": "",
      "endpoint-bindings": null,
      "public-address": "",
    };
    expect(four.checkResponse(full, reply(app)).join("\n")).not.toMatch(/meter/);
    expect(four.checkResponse(full, reply({ ...app, "meter-statuses": {} })).join("\n")).toMatch(
      /"meter-statuses"/,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOld, type Frame, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

let sim: Simulator;
let w: RawClient;

const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
  w = await RawClient.open(sim);
  await deployOld(w, "ubuntu", "ubuntu", 1);
});

afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.close();
  await sim.stop();
});

const create = (args: Frame[]) => w.ok("Secrets", 2, "CreateSecrets", { args });
const list = (p: Frame = {}) =>
  w.ok("Secrets", 2, "ListSecrets", { filter: {}, "show-secrets": false, ...p });

describe("Secrets facade", () => {
  it("creates secrets with Juju's ids, rejects empty content, a taken name and a foreign owner", async () => {
    const r = await create([
      { content: { data: { user: b64("me") } }, label: "db-pass", description: "the db" },
      { content: { data: { user: b64("me") } }, label: "db-pass" },
      { content: { data: {} }, label: "empty" },
      { content: { data: { a: b64("x") } }, "owner-tag": "model-x" },
    ]);
    const results = r.results as Frame[];
    expect(results[0]?.result).toMatch(/^secret:[0-9a-v]{20}$/);
    expect(results.slice(1)).toEqual([
      {
        result: "",
        error: { message: 'secret with name "db-pass" already exists', code: "already exists" },
      },
      { result: "", error: { message: "empty secret value not valid", code: "not valid" } },
      { result: "", error: { message: 'owner tag "model-x" not valid', code: "not valid" } },
    ]);
  });

  it("lists with and without values, on v1 and v2, filtered by label, uri and revision", async () => {
    const plain = (await list()).results as Frame[];
    const s = plain.find((x) => x.label === "db-pass") as Frame;
    expect(s).toMatchObject({
      version: 1,
      "owner-tag": `model-${sim.defaultModelUuid}`,
      description: "the db",
      "latest-revision": 1,
      revisions: [{ revision: 1, "backend-name": "internal" }],
    });
    expect(s.value).toBeUndefined();
    expect(s["latest-revision-checksum"]).toMatch(/^[0-9a-f]{64}$/);
    const shown = (await list({ "show-secrets": true, filter: { label: "db-pass" } }))
      .results as Frame[];
    expect(shown).toHaveLength(1);
    expect(shown[0]?.value).toEqual({ data: { user: b64("me") } });
    const byUri = (await list({ filter: { uri: s.uri } })).results as Frame[];
    expect(byUri.map((x) => x.uri)).toEqual([s.uri]);
    const v1 = (await w.ok("Secrets", 1, "ListSecrets", { filter: {}, "show-secrets": false }))
      .results as Frame[];
    expect(v1[0]).not.toHaveProperty("latest-revision-checksum");
    const noRev = await w.call("Secrets", 2, "ListSecrets", {
      filter: { revision: 7 },
      "show-secrets": false,
    });
    expect(noRev.error).toBe(`revison 7 for secret "${s.uri}" not found`);
    expect(noRev["error-code"]).toBe("not found");
    const badUri = await w.call("Secrets", 2, "ListSecrets", {
      filter: { uri: "http://x" },
      "show-secrets": false,
    });
    expect(badUri.error).toBe('secret URI scheme "http" not valid');
  });

  it("updates content into revisions (same content makes none), renames, and auto-prunes", async () => {
    const up = (arg: Frame) => w.ok("Secrets", 2, "UpdateSecrets", { args: [arg] });
    expect(
      (await up({ "existing-label": "db-pass", content: { data: { user: b64("me") } } })).results,
    ).toEqual([{}]);
    expect(
      (await up({ "existing-label": "db-pass", content: { data: { user: b64("you") } } })).results,
    ).toEqual([{}]);
    let s = ((await list({ filter: { label: "db-pass" } })).results as Frame[])[0] as Frame;
    expect(s["latest-revision"]).toBe(2);
    expect((s.revisions as Frame[]).map((r) => r.revision)).toEqual([1, 2]);
    expect(
      (await up({ "existing-label": "db-pass", label: "db", "auto-prune": true })).results,
    ).toEqual([{}]);
    s = ((await list({ filter: { label: "db" } })).results as Frame[])[0] as Frame;
    expect((s.revisions as Frame[]).map((r) => r.revision)).toEqual([2]);
    const errs = await w.ok("Secrets", 2, "UpdateSecrets", {
      args: [
        { "existing-label": "db" },
        { "existing-label": "nope", description: "x" },
        { "existing-label": "db", uri: s.uri, description: "x" },
        { uri: "secret:aaaaaaaaaaaaaaaaaaaa", description: "x" },
      ],
    });
    expect(errs.results).toEqual([
      { error: { message: "at least one attribute to update must be specified", code: "" } },
      { error: { message: 'secret "nope" not found', code: "not found" } },
      { error: { message: "must specify either URI or label but not both", code: "" } },
      {
        error: { message: 'secret "secret:aaaaaaaaaaaaaaaaaaaa" not found', code: "not found" },
      },
    ]);
  });

  it("grants and revokes application access with Juju's errors", async () => {
    const g = await w.ok("Secrets", 2, "GrantSecret", {
      label: "db",
      applications: ["ubuntu", "ghost"],
    });
    const s = ((await list({ filter: { label: "db" } })).results as Frame[])[0] as Frame;
    expect(g.results).toEqual([
      {},
      {
        error: {
          message: `cannot change access to "${s.uri}" for "ghost": invalid subject reference: remote application "ghost" not found`,
          code: "not found",
        },
      },
    ]);
    expect(s.access).toEqual([
      {
        "target-tag": "application-ubuntu",
        "scope-tag": `model-${sim.defaultModelUuid}`,
        role: "view",
      },
    ]);
    const unknown = await w.call("Secrets", 2, "GrantSecret", {
      label: "nope",
      applications: ["ubuntu"],
    });
    expect(unknown.error).toBe('secret "nope" not found');
    expect(unknown["error-code"]).toBe("not found");
    const gone = "secret:aaaaaaaaaaaaaaaaaaaa";
    const byUri = await w.ok("Secrets", 2, "GrantSecret", { uri: gone, applications: ["ubuntu"] });
    expect(byUri.results).toEqual([
      {
        error: {
          message: `cannot change access to "${gone}" for "ubuntu": secret "${gone}" not found`,
          code: "not found",
        },
      },
    ]);
    const revokeGone = await w.ok("Secrets", 2, "RevokeSecret", {
      uri: gone,
      applications: ["ubuntu"],
    });
    expect(revokeGone.results).toEqual([{}]);
    const none = await w.call("Secrets", 2, "GrantSecret", {
      label: "",
      uri: "",
      applications: [],
    });
    expect(none.error).toBe("must specify either URI or name");
    const r = await w.ok("Secrets", 2, "RevokeSecret", {
      label: "db",
      applications: ["ubuntu", "ghost"],
    });
    expect(r.results).toEqual([{}, {}]);
    const after = ((await list({ filter: { label: "db" } })).results as Frame[])[0] as Frame;
    expect(after.access).toBeUndefined();
    const v1 = await w.call("Secrets", 1, "GrantSecret", { label: "db", applications: [] });
    expect(v1["error-code"]).toBe("not implemented");
  });

  it("removes revisions and whole secrets, and counts secrets per backend on the controller", async () => {
    await create([{ content: { data: { k: b64("1") } }, label: "multi" }]);
    await w.ok("Secrets", 2, "UpdateSecrets", {
      args: [{ "existing-label": "multi", content: { data: { k: b64("2") } } }],
    });
    const ctl = await RawClient.open(sim, "/api");
    const backends = await ctl.ok("SecretBackends", 1, "ListSecretBackends", {
      names: [],
      reveal: true,
    });
    expect(backends.results).toEqual([
      {
        result: { name: "internal", "backend-type": "controller", config: {} },
        id: sim.controllerUuid,
        "num-secrets": 2,
        status: "active",
      },
    ]);
    const rm = await w.ok("Secrets", 2, "RemoveSecrets", {
      args: [
        { label: "multi", revisions: [1] },
        { label: "multi", revisions: [9] },
        { label: "ghost" },
        { label: "", uri: "" },
        { label: "db" },
      ],
    });
    expect(rm.results).toEqual([
      {},
      {
        error: {
          message: "cannot delete any of revisions [9] - revisions not found",
          code: "not found",
        },
      },
      { error: { message: 'secret "ghost" not found', code: "not found" } },
      { error: { message: "must specify either URI or label", code: "" } },
      {},
    ]);
    const left = (await list()).results as Frame[];
    expect(left.map((s) => [s.label, (s.revisions as Frame[]).map((r) => r.revision)])).toEqual([
      ["multi", [2]],
    ]);
    const one = await ctl.ok("SecretBackends", 1, "ListSecretBackends", {
      names: ["internal"],
      reveal: false,
    });
    expect((one.results as Frame[])[0]?.["num-secrets"]).toBe(1);
    const other = await ctl.ok("SecretBackends", 1, "ListSecretBackends", {
      names: ["vault"],
      reveal: false,
    });
    expect(other.results).toEqual([]);
    expect(ctl.violations).toEqual([]);
    ctl.close();
    const onModel = await w.call("SecretBackends", 1, "ListSecretBackends", {
      names: [],
      reveal: false,
    });
    expect(onModel["error-code"]).toBe("not supported");
  });

  it("checks model access: read lists without values, reveal needs admin, changes need write", async () => {
    const ctl = await RawClient.open(sim, "/api");
    await ctl.ok("UserManager", 3, "AddUser", {
      users: [{ username: "reader", "display-name": "", password: "pw" }],
    });
    await ctl.ok("ModelManager", 10, "ModifyModelAccess", {
      changes: [
        {
          "user-tag": "user-reader",
          action: "grant",
          access: "read",
          "model-tag": `model-${sim.defaultModelUuid}`,
        },
      ],
    });
    ctl.close();
    const r = await RawClient.connect(sim);
    await r.call("Admin", 3, "Login", {
      "auth-tag": "user-reader",
      credentials: "pw",
      "client-version": "3.6.28",
    });
    const listed = await r.ok("Secrets", 2, "ListSecrets", { filter: {}, "show-secrets": false });
    expect((listed.results as Frame[]).length).toBeGreaterThan(0);
    for (const [method, params] of [
      ["ListSecrets", { filter: {}, "show-secrets": true }],
      ["CreateSecrets", { args: [{ content: { data: { k: b64("v") } } }] }],
      ["GrantSecret", { label: "multi", applications: ["ubuntu"] }],
    ] as const) {
      const denied = await r.call("Secrets", 2, method, params);
      expect([method, denied.error, denied["error-code"]]).toEqual([
        method,
        "permission denied",
        "unauthorized access",
      ]);
    }
    const rm = await r.ok("Secrets", 2, "RemoveSecrets", { args: [{ label: "multi" }] });
    expect(rm.results).toEqual([
      { error: { message: "permission denied", code: "unauthorized access" } },
    ]);
    expect(r.violations).toEqual([]);
    r.close();
  });
});

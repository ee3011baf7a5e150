import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

class Wire extends RawClient {
  um(request: string, params?: unknown): Promise<Frame> {
    return this.ok("UserManager", 3, request, params);
  }
  access(action: string, user: string, access: string, uuid: string): Promise<Frame> {
    return this.ok("ModelManager", 10, "ModifyModelAccess", {
      changes: [{ "user-tag": `user-${user}`, action, access, "model-tag": `model-${uuid}` }],
    });
  }
  loginAs(user: string, password: string): Promise<Frame> {
    return this.call("Admin", 3, "Login", {
      "auth-tag": `user-${user}`,
      credentials: password,
      "client-version": "3.6.28",
    });
  }
}

let sim: Simulator;
let w: Wire;
const clients: Wire[] = [];

async function loginAs(user: string, password: string, path?: string): Promise<Frame> {
  const c = await Wire.connect(sim, path);
  clients.push(c);
  return c.loginAs(user, password);
}

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
  w = await Wire.open(sim, "/api");
});

afterAll(async () => {
  expect(w.violations).toEqual([]);
  for (const c of clients) {
    expect(c.violations).toEqual([]);
    c.close();
  }
  w.close();
  await sim.stop();
});

describe("UserManager and ModifyModelAccess", () => {
  it("adds users who log in to the controller but to models only once granted", async () => {
    const add = await w.um("AddUser", {
      users: [
        { username: "bob", "display-name": "Bob", password: "pw" },
        { username: "bob", "display-name": "", password: "x" },
      ],
    });
    expect(add).toEqual({
      results: [
        { tag: "user-bob" },
        { error: { message: "failed to create user: username unavailable", code: "" } },
      ],
    });
    const info = await w.um("UserInfo", {
      entities: [{ tag: "user-bob" }],
      "include-disabled": false,
    });
    const r = (info.results as Frame[])[0]?.result as Frame;
    expect(r).toMatchObject({
      username: "bob",
      "display-name": "Bob",
      access: "login",
      "created-by": "admin",
      disabled: false,
    });

    const ctl = await loginAs("bob", "pw", "/api");
    expect((ctl.response as Frame)["user-info"]).toMatchObject({
      "controller-access": "login",
      "model-access": "",
    });
    const denied = await loginAs("bob", "pw");
    expect(denied.error).toBe("permission denied");
    expect(denied["error-code"]).toBe("unauthorized access");

    const uuid = sim.defaultModelUuid;
    expect(await w.access("grant", "bob", "read", uuid)).toEqual({ results: [{}] });
    const ok = await loginAs("bob", "pw");
    expect((ok.response as Frame)["user-info"]).toMatchObject({ "model-access": "read" });

    expect(await w.access("grant", "bob", "read", uuid)).toEqual({
      results: [{ error: { message: 'user already has "read" access or greater', code: "" } }],
    });
    expect(await w.access("grant", "bob", "admin", uuid)).toEqual({ results: [{}] });
    expect(await w.access("revoke", "bob", "admin", uuid)).toEqual({ results: [{}] });
    const mi = await w.ok("ModelManager", 10, "ModelInfo", {
      entities: [{ tag: `model-${uuid}` }],
    });
    const users = (((mi.results as Frame[])[0] as Frame).result as Frame).users as Frame[];
    expect(users.find((u) => u.user === "bob")).toMatchObject({ access: "write" });

    expect(await w.access("grant", "bob", "superuser", uuid)).toEqual({
      results: [
        {
          error: {
            message: 'could not modify model access: "superuser" model access not valid',
            code: "not valid",
          },
        },
      ],
    });
    expect(await w.access("revoke", "bob", "read", uuid)).toEqual({ results: [{}] });
    expect((await loginAs("bob", "pw")).error).toBe("permission denied");
  });

  it("changes passwords, disables, enables and removes users", async () => {
    await w.um("AddUser", { users: [{ username: "carol", "display-name": "", password: "a" }] });
    expect(await w.um("SetPassword", { changes: [{ tag: "user-carol", password: "b" }] })).toEqual({
      results: [{}],
    });
    expect((await loginAs("carol", "a", "/api")).error).toBe("invalid entity name or password");
    expect((await loginAs("carol", "b", "/api")).error).toBeUndefined();
    expect(await w.um("DisableUser", { entities: [{ tag: "user-carol" }] })).toEqual({
      results: [{}],
    });
    expect((await loginAs("carol", "b", "/api")).error).toBe("invalid entity name or password");
    expect(await w.um("EnableUser", { entities: [{ tag: "user-carol" }] })).toEqual({
      results: [{}],
    });
    expect((await loginAs("carol", "b", "/api")).error).toBeUndefined();
    expect(
      await w.um("RemoveUser", { entities: [{ tag: "user-carol" }, { tag: "user-admin" }] }),
    ).toEqual({
      results: [{}, { error: { message: 'cannot delete controller owner "admin"', code: "" } }],
    });
    const gone = await w.um("UserInfo", {
      entities: [{ tag: "user-carol" }],
      "include-disabled": true,
    });
    expect(gone).toEqual({
      results: [{ error: { message: 'user "carol" not found', code: "user not found" } }],
    });
    expect((await loginAs("carol", "b", "/api")).error).toBe("invalid entity name or password");
  });

  it("is controller-only", async () => {
    const m = await Wire.open(sim);
    clients.push(m);
    const r = await m.call("UserManager", 3, "UserInfo", {
      entities: [],
      "include-disabled": false,
    });
    expect(r["error-code"]).toBe("not supported");
  });
});

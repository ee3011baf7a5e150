import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LOGIN_FACADES_3_6 } from "../facades/generated/login-facades.js";
import type { MethodSpec } from "./facades/registry.js";
import { checkCall, PERMISSIONS, permissionOf } from "./permissions.js";
import { ControllerStore } from "./store.js";
import { changeCloudAccess, changeModelAccess } from "./users.js";

const facadesDir = join(dirname(fileURLToPath(import.meta.url)), "facades");

function isSpecList(v: unknown): v is MethodSpec[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (s) =>
        typeof s === "object" &&
        s !== null &&
        typeof (s as MethodSpec).facade === "string" &&
        typeof (s as MethodSpec).method === "string" &&
        typeof (s as MethodSpec).call === "function",
    )
  );
}

/** Every method spec exported by any module under facades/ (so a new facade file is covered too). */
async function allSpecs(): Promise<MethodSpec[]> {
  const out: MethodSpec[] = [];
  for (const f of readdirSync(facadesDir)) {
    if (!f.endsWith(".ts") || f.endsWith(".test.ts")) continue;
    const mod = (await import(join(facadesDir, f))) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (isSpecList(v)) out.push(...v);
  }
  return out;
}

function store(): ControllerStore {
  const s = new ControllerStore({ agentVersion: "3.6.28", adminPassword: "pw" });
  s.createModel({ name: "controller", owner: "admin", isController: true });
  s.createModel({ name: "default", owner: "admin" });
  for (const name of ["reader", "writer", "modeladmin", "nobody", "boss"]) {
    s.users.set(name, { name, displayName: "", password: "pw", controllerAccess: "login" });
  }
  const boss = s.users.get("boss");
  if (boss) boss.controllerAccess = "superuser";
  const m = defaultModel(s);
  changeModelAccess(s, m, "reader", "grant", "read");
  changeModelAccess(s, m, "writer", "grant", "write");
  changeModelAccess(s, m, "modeladmin", "grant", "admin");
  return s;
}

function defaultModel(s: ControllerStore) {
  const m = [...s.models.values()].find((x) => x.name === "default");
  if (m === undefined) throw new Error("no default model");
  return m;
}

describe("permission table", () => {
  it("has an entry for every facade method the simulator implements", async () => {
    const specs = await allSpecs();
    expect(specs.length).toBeGreaterThan(100);
    const missing = [...new Set(specs.map((s) => `${s.facade}.${s.method}`))].filter(
      (k) => !Object.hasOwn(PERMISSIONS, k),
    );
    expect(missing).toEqual([]);
  });

  it("names only facades Juju 3.6 registers, each with the source it follows", () => {
    const facades = new Set(LOGIN_FACADES_3_6.allRegistered.map((f) => f.name));
    for (const [key, p] of Object.entries(PERMISSIONS)) {
      expect(facades.has(key.split(".")[0] ?? ""), key).toBe(true);
      expect(p.source, key).toMatch(/^apiserver\//);
    }
  });

  it("never finds inherited keys", () => {
    expect(permissionOf("Object", "toString")).toBeUndefined();
    expect(permissionOf("constructor", "")).toBeUndefined();
  });

  it("applies model levels by the user's own grant", () => {
    const s = store();
    const m = defaultModel(s);
    const who = (user: string, facade: string, method: string) =>
      checkCall(s, user, m, facade, method)?.toWire() ?? "ok";
    const denied = { message: "permission denied", code: "unauthorized access" };
    // read
    expect(who("reader", "Application", "Get")).toBe("ok");
    expect(who("reader", "Application", "Deploy")).toEqual(denied);
    expect(who("nobody", "Application", "Get")).toEqual(denied);
    // write
    expect(who("writer", "Application", "Deploy")).toBe("ok");
    expect(who("writer", "Action", "Run")).toEqual(denied);
    expect(who("writer", "KeyManager", "AddKeys")).toEqual(denied);
    // admin
    expect(who("modeladmin", "Action", "Run")).toBe("ok");
    expect(who("modeladmin", "KeyManager", "AddKeys")).toBe("ok");
    // A superuser without a grant: only where Juju asks for SuperuserAccess first.
    expect(who("boss", "Client", "FullStatus")).toBe("ok");
    expect(who("boss", "KeyManager", "AddKeys")).toBe("ok");
    expect(who("boss", "Charms", "AddCharm")).toBe("ok");
    expect(who("boss", "Application", "Deploy")).toEqual(denied);
  });

  it("applies controller and cloud levels", () => {
    const s = store();
    const m = defaultModel(s);
    const denied = "permission denied";
    expect(checkCall(s, "reader", m, "UserManager", "AddUser")?.message).toBe(denied);
    expect(checkCall(s, "boss", m, "UserManager", "AddUser")).toBeUndefined();
    expect(checkCall(s, "nobody", m, "ModelManager", "CreateModel")?.message).toBe(denied);
    expect(checkCall(s, "boss", m, "ModelManager", "CreateModel")).toBeUndefined();
    changeCloudAccess(s, "nobody", "grant", "add-model");
    expect(checkCall(s, "nobody", m, "ModelManager", "CreateModel")).toBeUndefined();
    expect(checkCall(s, "nobody", m, "Controller", "ControllerVersion")).toBeUndefined();
    const nobody = s.users.get("nobody");
    if (nobody) nobody.controllerAccess = "";
    expect(checkCall(s, "nobody", m, "Controller", "ControllerVersion")?.message).toBe(denied);
  });

  it("refuses a method without an entry to everyone but superusers", () => {
    const s = store();
    const m = defaultModel(s);
    expect(checkCall(s, "modeladmin", m, "Application", "FrobnicateAll")?.code).toBe(
      "unauthorized access",
    );
    expect(checkCall(s, "admin", m, "Application", "FrobnicateAll")).toBeUndefined();
  });
});

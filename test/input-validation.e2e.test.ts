/**
 * Wrong JavaScript types and out-of-range values given to the public API:
 * each call must reject with a typed libjuju error naming the argument,
 * before any request goes out (never a raw TypeError, never a silently
 * changed wire value).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, LibjujuError, type Model } from "../src/index.js";
import { recordingModel, useSimController } from "./support/sim-controller.js";

const env = useSimController("input-validation");
let model: Model;
let sent: string[];

beforeAll(async () => {
  ({ model, sent } = await recordingModel(env.dir, "input-validation"));
});
afterAll(async () => {
  await model?.disconnect();
});

/** Values of the wrong type for almost any argument. */
const WRONG = [5, null, true, {}, [], Symbol("s"), () => 1, 10n] as const;

type Case = [label: string, call: (m: Model) => unknown];

// biome-ignore lint/suspicious/noExplicitAny: calling the API with wrong types on purpose
const any = (v: unknown): any => v;

function cases(): Case[] {
  const out: Case[] = [];
  for (const w of WRONG) {
    const x = any(w);
    const d =
      typeof w === "symbol"
        ? "symbol"
        : typeof w === "bigint"
          ? "bigint"
          : (JSON.stringify(w) ?? typeof w);
    const push = (label: string, call: (m: Model) => unknown) =>
      out.push([`${label} ← ${d}`, call]);
    push("deploy(charm)", (m) => m.deploy(x));
    if (w !== null && !isEmptyRecord(w)) push("deploy(options)", (m) => m.deploy("ubuntu", x));
    for (const opt of [
      "applicationName",
      "channel",
      "revision",
      "config",
      "constraints",
      "numUnits",
      "base",
      "series",
      "storage",
      "bind",
      "resources",
      "to",
      "force",
      "trust",
      "attachStorage",
      "onUploadProgress",
      "timeout",
      "signal",
    ]) {
      // Each option has some wrong types; a function is a wrong type except for callbacks.
      if (opt === "onUploadProgress" && typeof w === "function") continue;
      if ((opt === "config" || opt === "storage" || opt === "resources") && isEmptyRecord(w))
        continue;
      if ((opt === "to" || opt === "attachStorage") && Array.isArray(w)) continue;
      if ((opt === "force" || opt === "trust") && typeof w === "boolean") continue;
      if ((opt === "constraints" || opt === "bind") && isEmptyRecord(w)) continue;
      if (w === null) continue;
      if ((opt === "numUnits" || opt === "revision" || opt === "timeout") && w === 5) continue;
      push(`deploy({${opt}})`, (m) => m.deploy("ubuntu", { [opt]: x }));
    }
    push("addMachine(spec)", (m) => m.addMachine(x));
    for (const opt of ["constraints", "disks", "base", "series", "timeout", "signal"]) {
      if (w === null || (opt === "constraints" && isEmptyRecord(w))) continue;
      if (opt === "disks" && Array.isArray(w)) continue;
      if (opt === "timeout" && w === 5) continue;
      push(`addMachine({${opt}})`, (m) => m.addMachine(undefined, { [opt]: x }));
    }
    push("integrate(endpoint1)", (m) => m.integrate(x, "b"));
    push("integrate(endpoint2)", (m) => m.integrate("a", x));
    push("removeApplication(name)", (m) => m.removeApplication(x));
    push("destroyUnit(name)", (m) => m.destroyUnit(x));
    if (!Array.isArray(w)) push("destroyUnits(names)", (m) => m.destroyUnits(x));
    push("removeMachine(id)", (m) => m.removeMachine(x));
    if (!Array.isArray(w)) push("removeMachines(ids)", (m) => m.removeMachines(x));
    push("setConfig(config)", (m) => m.setConfig(isEmptyRecord(w) ? { a: () => 1 } : x));
    push("unsetConfig(key)", (m) => m.unsetConfig(x));
    push("setConstraints(constraints)", (m) =>
      m.setConstraints(isEmptyRecord(w) ? ({ mem: "x" } as never) : x),
    );
    push("setAnnotations(annotations)", (m) =>
      m.setAnnotations(isEmptyRecord(w) ? ({ a: 1 } as never) : x),
    );
    push("addSshKey(user)", (m) => m.addSshKey(x, "ssh-ed25519 AAAA"));
    push("addSshKey(key)", (m) => m.addSshKey("admin", x));
    push("removeSshKey(user)", (m) => m.removeSshKey(x, "k"));
    push("addSpace(name)", (m) => m.addSpace(x));
    push("addSpace(cidr)", (m) => m.addSpace("db", x));
    push("addSubnet(cidr)", (m) => m.addSubnet(x, "db"));
    push("createStoragePool(name)", (m) => m.createStoragePool(x, "lxd"));
    push("removeStoragePool(name)", (m) => m.removeStoragePool(x));
    push("showStorage(id)", (m) => m.showStorage(x));
    if (!Array.isArray(w)) push("removeStorage(ids)", (m) => m.removeStorage(x));
    push("importSshKey(identity)", (m) => m.importSshKey(x));
    push("addSecret(name)", (m) => m.addSecret(x, { a: "b" }));
    push("updateSecret(name)", (m) => m.updateSecret(x, {}));
    push("removeSecret(name)", (m) => m.removeSecret(x));
    push("grantSecret(app)", (m) => m.grantSecret("s", x));
    push("run(command)", (m) => m.run(x));
    push("waitForAction(id)", (m) => m.waitForAction(x));
    if (w !== 5) push("listOperations({limit})", (m) => m.listOperations({ limit: x }));
    push("grant(user)", (m) => m.grant(x));
    push("grant(acl)", (m) => m.grant("bob", x));
    if (w !== null && !isEmptyRecord(w)) push("getSubnets(options)", (m) => m.getSubnets(x));
  }
  return out;
}

function isEmptyRecord(w: unknown): boolean {
  return typeof w === "object" && w !== null && !Array.isArray(w);
}

describe("wrong-type arguments to Model methods", () => {
  const all = cases();
  it(`reject with a typed libjuju error naming the argument, sending nothing (${all.length} calls)`, async () => {
    const failures: string[] = [];
    for (const [label, call] of all) {
      const before = sent.length;
      let err: unknown;
      try {
        await call(model);
      } catch (e) {
        err = e;
      }
      if (!(err instanceof LibjujuError))
        failures.push(`${label}: ${err === undefined ? "no error" : String(err)}`);
      else if (sent.length !== before)
        failures.push(`${label}: sent ${sent.slice(before).join(", ")}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("numbers Juju cannot carry", () => {
  it.each([
    ["mem=1e400", "too large"],
    ["cores=18446744073709551616", "too large"],
    ["root-disk=9007199254740993M", "too large"],
    ["mem=4G\u0000", "control character"],
    ["tags=a\nb", "control character"],
  ])("constraints %j are refused", async (c, why) => {
    const before = sent.length;
    const err = await model.addMachine(undefined, { constraints: c }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibjujuError);
    // Numbers out of range are grammar errors (ParseError), control characters bad arguments.
    expect(["ERR_PARSE", "ERR_INVALID_ARGUMENT"]).toContain((err as LibjujuError).code);
    expect((err as Error).message).toContain(why);
    expect(sent.length).toBe(before);
  });

  it.each([
    [{ mem: Number.POSITIVE_INFINITY }, "constraints.mem"],
    [{ cores: 2 ** 64 }, "constraints.cores"],
    [{ cores: -1 }, "constraints.cores"],
    [{ mem: 1.5 }, "constraints.mem"],
    [{ memory: 4096 }, "unknown constraint"],
    [{ tags: ["a", 5] }, "constraints.tags[1]"],
  ])("constraints object %j is refused", async (c, where) => {
    const err = await model.addMachine(undefined, { constraints: c as never }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain(where);
  });

  it("a placement list with a non-string names the item", async () => {
    const err = await model.deploy("ubuntu", { to: ["0", 5] as never }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).argument).toBe("to");
    expect((err as Error).message).toContain("to[1]");
  });

  it("numUnits beyond 2^53 is refused with its reason", async () => {
    const err = await model.deploy("ubuntu", { numUnits: 2 ** 60 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/numUnits: .*2\^53-1/);
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "series %j is not found on Object.prototype",
    async (s) => {
      const err = await model.deploy("ubuntu", { series: s }).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe("series");
    },
  );

  it("an application name with a newline is refused", async () => {
    const err = await model.deploy("ubuntu", { applicationName: "a\nb" }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain("control characters");
  });
});

describe("Controller methods", () => {
  it("still serve valid calls", async () => {
    expect(await env.controller.listModelNames()).toContain("admin/input-validation");
    expect((await env.controller.getUser("admin")).username).toBe("admin");
    expect((await env.controller.getUsers()).map((u) => u.username)).toContain("admin");
    await env.controller.addUser("val-bob", { displayName: "Bob" });
    await env.controller.grantModel("val-bob", "input-validation", "read");
    await env.controller.removeUser("val-bob");
  });

  it.each([
    ["addModel(5)", () => env.controller.addModel(any(5))],
    ["addModel(name, {config: 5})", () => env.controller.addModel("m", any({ config: 5 }))],
    ["destroyModel(null)", () => env.controller.destroyModel(any(null))],
    ["getModel({})", () => env.controller.getModel(any({}))],
    ["addUser(5)", () => env.controller.addUser(any(5))],
    ["addUser(bob\\n)", () => env.controller.addUser("bob\n")],
    ["getUser([])", () => env.controller.getUser(any([]))],
    ["getUsers('yes')", () => env.controller.getUsers(any("yes"))],
    ["changeUserPassword(bob, 5)", () => env.controller.changeUserPassword("bob", any(5))],
    ["grantModel(bob, m, 'root')", () => env.controller.grantModel("bob", "m", "root")],
    ["listModels({timeout: 'x'})", () => env.controller.listModels(any({ timeout: "x" }))],
  ])("%s rejects with InvalidArgumentError", async (_label, call) => {
    await expect(call()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

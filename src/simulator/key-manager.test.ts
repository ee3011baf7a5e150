import { createHash, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { Simulator } from "./index.js";

/** An OpenSSH `ssh-ed25519` public key line and its MD5 fingerprint, computed here. */
function newKey(comment: string): { line: string; fingerprint: string } {
  const raw = generateKeyPairSync("ed25519")
    .publicKey.export({ format: "der", type: "spki" })
    .subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
  const hex = createHash("md5").update(blob).digest("hex");
  const fingerprint = (hex.match(/../g) ?? []).join(":");
  return { line: `ssh-ed25519 ${blob.toString("base64")} ${comment}`, fingerprint };
}

class Wire extends RawClient {
  km(request: string, params?: unknown): Promise<Frame> {
    return this.ok("KeyManager", 1, request, params);
  }
  list(mode: boolean, tag = "user-admin"): Promise<Frame> {
    return this.km("ListKeys", { entities: { entities: [{ tag }] }, mode });
  }
}

let sim: Simulator;
let w: Wire;

beforeAll(async () => {
  sim = await Simulator.start({ timing: "instant" });
  w = await Wire.open(sim);
});

afterAll(async () => {
  expect(w.violations).toEqual([]);
  w.close();
  await sim.stop();
});

describe("KeyManager facade", () => {
  it("hides the internal client key and adds, lists and deletes keys", async () => {
    expect(await w.list(false)).toEqual({ results: [{}] });
    const a = newKey("alice@laptop");
    const b = newKey("bob@desk");
    const add = await w.km("AddKeys", { user: "admin", "ssh-keys": [a.line, b.line] });
    expect(add).toEqual({ results: [{}, {}] });
    expect(await w.list(false)).toEqual({
      results: [{ result: [`${a.fingerprint} (alice@laptop)`, `${b.fingerprint} (bob@desk)`] }],
    });
    expect(await w.list(true)).toEqual({ results: [{ result: [a.line, b.line] }] });

    const bad = await w.km("AddKeys", {
      user: "admin",
      "ssh-keys": [a.line, "ssh-rsa notakey x", `${newKey("juju-client-key").line}`],
    });
    const results = bad.results as Array<{ error: { message: string; code: string } }>;
    expect(results[0]?.error).toEqual({ message: `duplicate ssh key: ${a.line}`, code: "" });
    expect(results[1]?.error).toEqual({ message: "invalid ssh key: ssh-rsa notakey x", code: "" });
    expect(results[2]?.error.message).toMatch(/^may not add key with comment juju-client-key: /);

    const del = await w.km("DeleteKeys", {
      user: "admin",
      "ssh-keys": ["alice@laptop", b.fingerprint, "nope", "juju-client-key"],
    });
    expect(del).toEqual({
      results: [
        {},
        {},
        { error: { message: "invalid ssh key: nope", code: "" } },
        { error: { message: "may not delete internal key: juju-client-key", code: "" } },
      ],
    });
    expect(await w.list(true)).toEqual({ results: [{}] });
  });

  it("refuses the system key's user", async () => {
    const r = await w.call("KeyManager", 1, "AddKeys", {
      user: "juju-system-key",
      "ssh-keys": [newKey("x").line],
    });
    expect(r.error).toBe("permission denied");
    expect(r["error-code"]).toBe("unauthorized access");
    expect(await w.list(false, "juju-system-key")).toEqual({
      results: [{ error: { message: "permission denied", code: "unauthorized access" } }],
    });
  });

  it("answers imports like a controller that cannot reach GitHub or Launchpad", async () => {
    const r = await w.km("ImportKeys", { user: "admin", "ssh-keys": ["gh:someone", "lp:other"] });
    expect(r).toEqual({
      results: [
        { error: { message: "exit status 1", code: "" } },
        { error: { message: "exit status 1", code: "" } },
      ],
    });
  });

  it("keeps ModelGet free of authorized-keys", async () => {
    const r = await w.ok("ModelConfig", 3, "ModelGet");
    expect(Object.keys(r.config as Frame)).not.toContain("authorized-keys");
  });
});

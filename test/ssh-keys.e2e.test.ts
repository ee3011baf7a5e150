import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JujuBulkError, JujuError, sshKeyFingerprint } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("ssh-keys");

/** A fresh ed25519 key as an OpenSSH public key line, and its MD5 fingerprint computed here. */
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

describe("SSH keys", () => {
  it("adds, lists, removes, refuses bad keys and reports failed imports", async () => {
    await using model = await env.controller.addModel("keys");
    expect(await model.getSshKeys()).toEqual([]);

    const a = newKey("alice@laptop");
    const b = newKey("bob@desk");
    const c = newKey("carol@home");
    expect(sshKeyFingerprint(a.line)).toBe(a.fingerprint);
    await model.addSshKey("admin", a.line);
    await model.addSshKeys("admin", [b.line, c.line]);

    expect(await model.getSshKeys({ raw: true })).toEqual([a.line, b.line, c.line]);
    expect(await model.getSshKey()).toEqual([
      `${a.fingerprint} (alice@laptop)`,
      `${b.fingerprint} (bob@desk)`,
      `${c.fingerprint} (carol@home)`,
    ]);

    await model.removeSshKey("admin", "alice@laptop");
    await model.removeSshKey("admin", b.fingerprint);
    await model.removeSshKeys("admin", [c.line]);
    expect(await model.getSshKeys()).toEqual([]);

    const bad = await model.addSshKey("admin", "ssh-ed25519 AAAAnotakey x").catch((e) => e);
    expect(bad).toBeInstanceOf(JujuError);
    expect(bad).not.toBeInstanceOf(JujuBulkError);
    expect((bad as JujuError).message).toContain("invalid ssh key: ssh-ed25519 AAAAnotakey x");

    await model.addSshKey("admin", a.line);
    const dup = await model.addSshKeys("admin", [b.line, a.line]).catch((e) => e);
    expect(dup).toBeInstanceOf(JujuBulkError);
    const failures = (dup as JujuBulkError).failures;
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(failures[0]?.error.message).toContain(`duplicate ssh key: ${a.line}`);
    expect(await model.getSshKeys({ raw: true })).toEqual([a.line, b.line]);

    const missing = await model.removeSshKey("admin", "nobody").catch((e) => e);
    expect(missing).toBeInstanceOf(JujuError);
    expect((missing as JujuError).message).toContain("invalid ssh key: nobody");

    // The simulator cannot reach GitHub or Launchpad, like an offline env.controller.
    const imp = await model.importSshKey("gh:someone").catch((e) => e);
    expect(imp).toBeInstanceOf(JujuError);
    expect((imp as JujuError).message).toContain("exit status 1");
    const imps = await model.importSshKeys(["gh:a", "lp:b"]).catch((e) => e);
    expect(imps).toBeInstanceOf(JujuBulkError);
    expect((imps as JujuBulkError).failures).toHaveLength(2);
  });
});

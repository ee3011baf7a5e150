import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import ssh2 from "ssh2";
import { beforeAll, describe, expect, it } from "vitest";
import { Controller, type Model } from "../src/index.js";
import { DeadEntityError } from "../src/model/entity.js";
import { InvalidArgumentError, NotSupportedError } from "../src/model/errors.js";
import { SshError } from "../src/model/ops/manual-provision.js";
import { parseSshOpts, SshCommandError } from "../src/model/ops/ssh.js";
import type { Simulator } from "../src/simulator/index.js";
import { type SshModel, useSshModel } from "./support/ssh-model.js";

// The simulator's machines answer ssh at their loopback addresses (docs/ssh.md).
const run = promisify(execFile);
const hasScp = (() => {
  try {
    execFileSync("scp", ["-h"], { stdio: "ignore" });
    return true;
  } catch (e) {
    // `scp -h` prints usage and exits 1; only a missing binary is ENOENT.
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
})();
const env = useSshModel("ssh", "ssh");
let sim: Simulator;
let model: Model;
let dir: string;
let ssh: SshModel["ssh"];
const { unit } = env;

beforeAll(() => {
  ({ sim, dir, model, ssh } = env);
});

/** A fresh ed25519 key pair: the OpenSSH public line and the private key in OpenSSH form. */
function newKey(comment: string): { publicLine: string; privateKey: string } {
  const k = ssh2.utils.generateKeyPairSync("ed25519", { comment });
  return { publicLine: k.public.trim(), privateKey: k.private };
}

describe("ssh and scp to simulated machines", () => {
  it("gives machines loopback addresses with an sshd on each, and runs commands as ubuntu", async () => {
    const machine = unit().machine!;
    expect(machine.dnsName).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(await unit().ssh("hostname", ssh)).toBe(`${machine.hostname}\n`);
    expect(await machine.ssh("whoami", ssh)).toBe("ubuntu\n");
    // python-libjuju passes the port in ssh_opts; the same options are read here.
    expect(
      await machine.ssh("echo via opts", {
        jujuData: dir,
        agent: false,
        sshOpts: `-p ${sim.sshPort} -q`,
      }),
    ).toBe("via opts\n");
  });

  it("reports a failing command with its exit status, output and error text", async () => {
    const err = await unit()
      .ssh("echo partial; nosuchcommand; exit 3", ssh)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshCommandError);
    const e = err as SshCommandError;
    expect(e.code).toBe("ERR_COMMAND_FAILED");
    expect(e.exitCode).toBe(3);
    expect(e.stdout).toBe("partial\n");
    expect(e.stderr).toBe("bash: line 1: nosuchcommand: command not found\n");
    expect(e.target).toBe(`ubuntu@${unit().machine!.dnsName}`);
  });

  it("copies a file there and back unchanged (scpTo, scpFrom), into directories too", async () => {
    const local = join(dir, "payload.bin");
    const bytes = randomBytes(300_000);
    await writeFile(local, bytes);
    await unit().scpTo(local, "payload.bin", ssh);
    const back = join(dir, "back.bin");
    await unit().machine!.scpFrom("/home/ubuntu/payload.bin", back, ssh);
    expect((await readFile(back)).equals(bytes)).toBe(true);

    // Into a directory the file keeps its name; the shell sees what scp put there.
    const note = join(dir, "note.txt");
    await writeFile(note, "hello from scp\n");
    await unit().scpTo(note, "/tmp", ssh);
    expect(await unit().ssh("cat /tmp/note.txt", ssh)).toBe("hello from scp\n");
    const outDir = await mkdtemp(join(dir, "out-"));
    await unit().scpFrom("/tmp/note.txt", outDir, ssh);
    expect(await readFile(join(outDir, "note.txt"), "utf8")).toBe("hello from scp\n");
  });

  it("fails copies as scp does: missing files, places ubuntu cannot write", async () => {
    const missing = await unit()
      .scpFrom("nope.txt", join(dir, "x"), ssh)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SshCommandError);
    expect((missing as SshCommandError).stderr).toBe("scp: nope.txt: No such file or directory\n");

    const note = join(dir, "denied.txt");
    await writeFile(note, "x");
    const denied = await unit()
      .scpTo(note, "/etc/denied.txt", ssh)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SshCommandError);
    expect((denied as SshCommandError).stderr).toBe("scp: /etc/denied.txt: Permission denied\n");

    const noLocal = await unit()
      .scpTo(join(dir, "absent"), "x", ssh)
      .catch((e: unknown) => e);
    expect(noLocal).toBeInstanceOf(SshCommandError);
  });

  it("refuses a key the model does not authorise, and accepts it once added with addSshKey", async () => {
    const key = newKey("carol@laptop");
    const wrong = {
      port: ssh.port,
      privateKey: key.privateKey,
      defaultKeys: false,
      agent: false as const,
    };
    const err = await unit()
      .ssh("hostname", wrong)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).code).toBe("ERR_SSH_AUTH");

    await model.addSshKey("admin", key.publicLine);
    expect(await unit().ssh("whoami", wrong)).toBe("ubuntu\n");
    await model.removeSshKey("admin", "carol@laptop");
    await expect(unit().ssh("whoami", wrong)).rejects.toMatchObject({ code: "ERR_SSH_AUTH" });
  });

  it("refuses logins other than ubuntu", async () => {
    await expect(unit().ssh("whoami", { ...ssh, user: "root" })).rejects.toMatchObject({
      code: "ERR_SSH_AUTH",
    });
  });

  it("names a removed unit, and a machine without an address", async () => {
    const app = model.applications.get("ubuntu")!;
    const [extra] = await app.addUnit({ count: 1 });
    await model.blockUntil(() => model.units.get(extra!.name)?.machineId !== "");
    const gone = model.units.get(extra!.name)!;
    await gone.destroy({ blockUntilDone: true });
    await expect(gone.ssh("hostname", ssh)).rejects.toBeInstanceOf(DeadEntityError);

    // A machine that is not up yet has no address: nothing to connect to.
    const m = await model.addMachine();
    if (m.dnsName === undefined) {
      await expect(m.ssh("hostname", ssh)).rejects.toMatchObject({ code: "ERR_SSH_UNREACHABLE" });
    }
    // Waiting for it, as python-libjuju's wait_for_active.
    const host = await m.ssh("hostname", { ...ssh, waitForActive: true });
    expect(host.trim()).toBe(model.machines.get(m.id)!.hostname);
  });

  it("refuses options it cannot honour, and a proxy without a jump-capable connector, before connecting", async () => {
    await expect(
      unit().ssh("hostname", { ...ssh, sshOpts: "-L 8080:localhost:80" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    const direct = {
      connect: () => Promise.reject(new Error("must not connect")),
      authorizedKeys: () => Promise.resolve(""),
      defaultUser: () => "ubuntu",
    };
    await expect(
      unit().ssh("hostname", { ...ssh, proxy: true, connector: direct }),
    ).rejects.toBeInstanceOf(NotSupportedError);
    await expect(unit().ssh(42 as unknown as string, ssh)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(
      parseSshOpts(
        ["-p2222", "-o", "User=me", "-i", "/k", "-o", "StrictHostKeyChecking=no"],
        "sshOpts",
      ),
    ).toEqual({ port: 2222, user: "me", identityFile: "/k" });
  });

  it("addModel authorises the Juju client key of the JUJU_DATA it was connected from", async () => {
    // A second client with its own juju_id_rsa, as another juju client would have.
    const other = await mkdtemp(join(dir, "other-client-"));
    for (const f of ["controllers.yaml", "accounts.yaml"])
      await copyFile(join(dir, f), join(other, f));
    const key = newKey("juju-client-key");
    await mkdir(join(other, "ssh"));
    await writeFile(join(other, "ssh", "juju_id_rsa"), key.privateKey, { mode: 0o600 });
    await writeFile(join(other, "ssh", "juju_id_rsa.pub"), `${key.publicLine}\n`);
    const c2 = await Controller.connectCurrent({
      env: { JUJU_DATA: other },
      pingInterval: 0,
      onFrame: env.onFrame,
    });
    try {
      await using m2 = await c2.addModel("own-key");
      const machine = await m2.addMachine();
      const own = { port: ssh.port, jujuData: other, defaultKeys: false, agent: false as const };
      expect(
        await m2.machines.get(machine.id)!.ssh("whoami", { ...own, waitForActive: true }),
      ).toBe("ubuntu\n");
      // The key went to that model only.
      await expect(unit().ssh("whoami", own)).rejects.toMatchObject({ code: "ERR_SSH_AUTH" });
    } finally {
      await c2.disconnect();
    }
  });

  // OpenSSH before 9.0 (Ubuntu 22.04's 8.9, which python-libjuju shells out to
  // there) and `scp -O` speak the legacy protocol over `scp -t` / `scp -f`.
  it.skipIf(!hasScp)("serves the legacy scp protocol to OpenSSH's scp -O", async () => {
    const address = unit().machine!.dnsName!;
    const opts = [
      ["-i", join(dir, "ssh", "juju_id_rsa")],
      [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
      ],
      ["-P", String(ssh.port), "-B", "-O"],
    ].flat();
    const scp = (...args: string[]) => run("scp", [...opts, ...args]);
    const local = join(dir, "legacy.bin");
    const bytes = randomBytes(100_000);
    await writeFile(local, bytes);
    await scp(local, `ubuntu@${address}:legacy.bin`);
    const back = join(dir, "legacy-back.bin");
    await scp(`ubuntu@${address}:legacy.bin`, back);
    expect((await readFile(back)).equals(bytes)).toBe(true);
    // What one protocol wrote the other reads.
    await unit().scpFrom("legacy.bin", join(dir, "legacy-sftp.bin"), ssh);
    expect((await readFile(join(dir, "legacy-sftp.bin"))).equals(bytes)).toBe(true);
    const missing = await scp(`ubuntu@${address}:nope`, join(dir, "nope")).catch((e: unknown) => e);
    expect((missing as { code?: number }).code).toBe(1);
    expect((missing as { stderr?: string }).stderr).toContain(
      "scp: nope: No such file or directory",
    );
  });
});

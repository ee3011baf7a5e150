/**
 * Manual provisioning (`model.addMachine("ssh:…")`) end to end: a real SSH
 * server (ssh2's `Server`, on 127.0.0.1) plays an Ubuntu 22.04 amd64 host
 * and answers the commands Juju's sshprovisioner runs, the simulator plays
 * the controller.
 */
import { createServer } from "node:net";
import { type Connection, Server, utils } from "ssh2";
import { describe, expect, it } from "vitest";
import {
  type Model,
  ParseError,
  ProvisioningError,
  type SshConnector,
  type SshSession,
} from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

// ---- a fake Ubuntu 22.04 amd64 host over SSH --------------------------------

const OS_RELEASE_ANSWER = "ubuntu\n22.04\n";
// Two cores with hyperthreading: four processors, one physical package.
const CPUINFO = [0, 1, 2, 3]
  .map((n) =>
    [
      `processor\t: ${n}`,
      "vendor_id\t: GenuineIntel",
      "model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz",
      "physical id\t: 0",
      `core id\t\t: ${n % 2}`,
      "cpu cores\t: 2",
      "",
    ].join("\n"),
  )
  .join("\n");
const DETECTION_ANSWER = `${OS_RELEASE_ANSWER}x86_64\nMemTotal:        8131480 kB\n${CPUINFO}`;
const SERVICES = ["cron", "ssh", "systemd-journald", "systemd-logind", "udev"];

interface Exec {
  user: string;
  command: string;
  stdin: string;
  pty: boolean;
}

interface FakeHostOptions {
  /** Password per login user. */
  passwords: Record<string, string>;
  /** Users whose sudo needs their password (asked on the PTY). */
  sudoWithPassword?: string[];
  /** A jujud-machine service is installed already. */
  provisioned?: boolean;
}

class FakeHost {
  readonly execs: Exec[] = [];
  /** Public keys (OpenSSH lines) authorised per user. */
  readonly authorized = new Map<string, string[]>();
  readonly server: Server;
  port = 0;

  constructor(private readonly opts: FakeHostOptions) {
    const hostKey = utils.generateKeyPairSync("ed25519");
    this.server = new Server({ hostKeys: [hostKey.private] }, (client) => this.serve(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(client: Connection): void {
    let user = "";
    client.on("authentication", (ctx) => {
      user = ctx.username;
      if (ctx.method === "password" && this.opts.passwords[ctx.username] === ctx.password) {
        ctx.accept();
        return;
      }
      if (ctx.method === "publickey") {
        const line = `${ctx.key.algo} ${ctx.key.data.toString("base64")}`;
        const known = (this.authorized.get(ctx.username) ?? []).some((k) => k.startsWith(line));
        if (known) {
          if (ctx.signature === undefined) {
            ctx.accept();
            return;
          }
          const parsed = utils.parseKey(line);
          const key = Array.isArray(parsed) ? parsed[0] : parsed;
          if (
            !(key instanceof Error) &&
            key !== undefined &&
            ctx.blob !== undefined &&
            key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)
          ) {
            ctx.accept();
            return;
          }
        }
      }
      ctx.reject(["password", "publickey"]);
    });
    client.on("error", () => {});
    client.on("session", (acceptSession) => {
      const session = acceptSession();
      let pty = false;
      session.on("pty", (accept) => {
        pty = true;
        accept?.();
      });
      session.on("exec", (accept, _reject, info) => {
        const stream = accept();
        const exec: Exec = { user, command: info.command, stdin: "", pty };
        this.execs.push(exec);
        const needsPassword =
          pty &&
          info.command.startsWith("sudo ") &&
          (this.opts.sudoWithPassword ?? []).includes(user);
        let authed = !needsPassword;
        if (needsPassword) stream.write(`[sudo] password for ${user}: `);
        const finish = () => {
          const [out, err, code] = this.answer(exec);
          if (out) stream.write(out);
          if (err) stream.stderr.write(err);
          stream.exit(code);
          stream.end();
        };
        stream.on("data", (d: Buffer) => {
          if (!authed) {
            if (d.toString().replace(/\r?\n$/, "") === this.opts.passwords[user]) {
              authed = true;
              stream.write("\r\n");
              finish();
            }
            return;
          }
          exec.stdin += d.toString();
        });
        stream.on("end", () => {
          if (authed) finish();
        });
      });
    });
  }

  /** What Ubuntu would answer: stdout, stderr, exit status. */
  private answer(e: Exec): [string, string, number] {
    if (e.command === "sudo -n true") {
      const needs = (this.opts.sudoWithPassword ?? []).includes(e.user);
      return needs ? ["", "sudo: a password is required\n", 1] : ["", "", 0];
    }
    if (e.command === "/bin/bash" && e.stdin.includes("list-unit-files")) {
      const services = this.opts.provisioned ? [...SERVICES, "jujud-machine-0"] : SERVICES;
      return [`${services.sort().join("\n")}\n`, "", 0];
    }
    if (e.command === "/bin/bash" && e.stdin.includes("/etc/os-release")) {
      return [DETECTION_ANSWER, "", 0];
    }
    if (e.command.startsWith("sudo /bin/bash -c '") && e.command.includes("useradd -m ubuntu")) {
      // The init script (single-quoted for the remote shell): ubuntu gets
      // passwordless sudo and the authorized keys.
      const script = e.command.slice("sudo /bin/bash -c '".length, -1).replaceAll(`'"'"'`, "'");
      const keys = /export authorized_keys='([^']*)'/.exec(script)?.[1] ?? "";
      this.authorized.set(
        "ubuntu",
        keys.split("\n").filter((k) => k !== ""),
      );
      return ["", "", 0];
    }
    if (e.command.startsWith("sudo /bin/bash -c /bin/bash -c")) {
      return ["", "Fetching Juju agent version 3.6.28 for amd64\n", 0];
    }
    return ["", `bash: ${e.command}: command not found\n`, 127];
  }
}

// ---- the controller ----------------------------------------------------------

const env = useSimController("manual", { seed: 11, minFrames: 20 });
let modelSeq = 0;
const freshModel = () => env.controller.addModel(`manual-${++modelSeq}`);
/** Only what the test gives: no keys of whoever runs the tests, no agent. */
const isolated = { defaultKeys: false, agent: false } as const;

async function withHost<T>(opts: FakeHostOptions, f: (host: FakeHost) => Promise<T>): Promise<T> {
  const host = new FakeHost(opts);
  await host.listen();
  try {
    return await f(host);
  } finally {
    await host.close();
  }
}

describe("addMachine('ssh:…')", () => {
  it("provisions an Ubuntu host: detected hardware and base, script run under sudo, agent started", async () => {
    await using model = await freshModel();
    await withHost({ passwords: { ubuntu: "pw" } }, async (host) => {
      const progress: string[] = [];
      const m = await model.addMachine(`ssh:ubuntu@127.0.0.1:${host.port}`, {
        ssh: { password: "pw", ...isolated, onProgress: (t) => progress.push(t) },
      });
      expect(m.instanceId).toBe("manual:127.0.0.1");
      expect(m.base).toBe("ubuntu@22.04");
      expect(m.hardware).toMatchObject({ arch: "amd64", mem: 7940, "cpu-cores": 2 });
      expect(m.addresses).toEqual([{ value: "127.0.0.1", type: "ipv4", scope: "public" }]);
      await model.blockUntil(() => model.machines.get(m.id)?.agentStatus === "started", {
        timeout: 5000,
      });
      const live = model.machines.get(m.id)!;
      expect(live.status).toBe("running");
      expect(live.statusMessage).toBe("Manually provisioned machine");
      expect(progress.join("")).toContain("Fetching Juju agent");

      // The commands sshprovisioner runs, in its order, all as ubuntu.
      const cmds = host.execs.map((e) => e.command);
      expect(cmds.slice(0, 3)).toEqual(["sudo -n true", "/bin/bash", "/bin/bash"]);
      expect(host.execs.every((e) => e.user === "ubuntu")).toBe(true);
      expect(host.execs[0]?.pty).toBe(false);
      expect(host.execs[1]?.stdin).toContain("/bin/systemctl list-unit-files");
      expect(host.execs[2]?.stdin).toContain("grep MemTotal /proc/meminfo");
      // sshinit.RunConfigureScript: sudo bash stores stdin in a temp file and runs it.
      const run = host.execs[3]!;
      expect(run.command).toMatch(
        /^sudo \/bin\/bash -c \/bin\/bash -c "\$\(echo '[A-Za-z0-9+/=]+' \| base64 -d\)"$/,
      );
      const wrapper = Buffer.from(/'([^']+)'/.exec(run.command)![1]!, "base64").toString();
      expect(wrapper).toContain("cat > $tmpfile\n/bin/bash $tmpfile");
      // The script is the one ProvisioningScript gave for this machine and nonce.
      expect(run.stdin).toContain(`tag: machine-${m.id}`);
      expect(run.stdin).toMatch(/nonce: manual:127\.0\.0\.1:[0-9a-f-]{36}/);
      expect(run.stdin).toContain(`/bin/systemctl start jujud-machine-${m.id}.service`);
      expect(run.stdin).toContain("trap dump_file EXIT");
      expect(host.execs).toHaveLength(4);
    });
  });

  it("creates the ubuntu user through another login (sudo password typed on the PTY), then uses ubuntu with the key", async () => {
    await using model = await freshModel();
    const key = utils.generateKeyPairSync("ed25519");
    await withHost(
      { passwords: { admin: "s3cret" }, sudoWithPassword: ["admin"] },
      async (host) => {
        const m = await model.addMachine(`ssh:admin@127.0.0.1:${host.port}`, {
          ssh: { password: "s3cret", privateKey: key.private, ...isolated },
        });
        expect(m.instanceId).toBe("manual:127.0.0.1");
        const init = host.execs.find((e) => e.command.includes("useradd -m ubuntu"))!;
        expect(init.user).toBe("admin");
        expect(init.pty).toBe(true);
        expect(init.command.startsWith("sudo /bin/bash -c '")).toBe(true);
        // The given key was authorised for ubuntu, and every later step logged in with it.
        expect(host.authorized.get("ubuntu")?.[0]).toBe(
          key.public.trim().split(" ").slice(0, 2).join(" "),
        );
        const after = host.execs.slice(host.execs.indexOf(init) + 1);
        expect(after.map((e) => e.user)).toEqual(["ubuntu", "ubuntu", "ubuntu"]);
      },
    );
  });

  it("fails with Juju's message on an already provisioned host, adding nothing", async () => {
    await using model = await freshModel();
    await withHost({ passwords: { ubuntu: "pw" }, provisioned: true }, async (host) => {
      const err = await model
        .addMachine(`ssh:ubuntu@127.0.0.1:${host.port}`, { ssh: { password: "pw", ...isolated } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProvisioningError);
      const pe = err as ProvisioningError;
      expect(pe.step).toBe("check-provisioned");
      expect(pe.code).toBe("ERR_ALREADY_PROVISIONED");
      expect(pe.message).toContain("machine is already provisioned");
      expect(pe.host).toBe(`127.0.0.1:${host.port}`);
      expect(pe.machineId).toBeUndefined();
      expect(model.machines.size).toBe(0);
    });
  });

  it("fails on a wrong password with a typed authentication error", async () => {
    await using model = await freshModel();
    await withHost({ passwords: { ubuntu: "pw" } }, async (host) => {
      const err = await model
        .addMachine(`ssh:ubuntu@127.0.0.1:${host.port}`, {
          ssh: { password: "wrong", ...isolated },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProvisioningError);
      expect((err as ProvisioningError).step).toBe("connect");
      expect((err as ProvisioningError).code).toBe("ERR_SSH_AUTH");
      expect(host.execs).toEqual([]);
    });
  });

  it("fails fast on a host that refuses connections", async () => {
    await using model = await freshModel();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await model
      .addMachine(`ssh:ubuntu@127.0.0.1:${port}`, { ssh: { password: "pw", ...isolated } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisioningError);
    expect((err as ProvisioningError).code).toBe("ERR_SSH_UNREACHABLE");
    expect((err as ProvisioningError).message).toContain(`127.0.0.1:${port}`);
  });

  it("removes the recorded machine when the script fails on the host", async () => {
    await using model = await freshModel();
    await withHost({ passwords: { ubuntu: "pw" } }, async (host) => {
      // A connector over the real one whose script run fails, as a host without network would.
      const { ssh2Connector } = await import("../src/model/ops/manual-provision-ssh2.js");
      const failing: SshConnector = {
        ...ssh2Connector,
        connect: async (t, a, o) => {
          const s = await ssh2Connector.connect(t, a, o);
          const session: SshSession = {
            exec: (command, eo) =>
              command.startsWith("sudo /bin/bash -c /bin/bash")
                ? Promise.resolve({ code: 7, stdout: "", stderr: "curl: (7) Failed to connect" })
                : s.exec(command, eo),
            close: () => s.close(),
          };
          return session;
        },
      };
      const err = await model
        .addMachine(`ssh:ubuntu@127.0.0.1:${host.port}`, {
          ssh: { password: "pw", ...isolated, connector: failing },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProvisioningError);
      const pe = err as ProvisioningError;
      expect(pe.step).toBe("run-script");
      expect(pe.message).toContain("exit status 7 (curl: (7) Failed to connect)");
      expect(pe.machineId).toBeDefined();
      expect(pe.cleanupError).toBeUndefined();
      await model.blockUntil(() => !model.machines.has(pe.machineId!), { timeout: 5000 });
    });
  });

  it("aborts through the signal", async () => {
    await using model = await freshModel();
    await withHost({ passwords: { ubuntu: "pw" } }, async (host) => {
      const ac = new AbortController();
      ac.abort();
      const err = await model
        .addMachine(`ssh:ubuntu@127.0.0.1:${host.port}`, {
          signal: ac.signal,
          ssh: { password: "pw", ...isolated },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProvisioningError);
      expect((err as ProvisioningError).code).toBe("ERR_ABORTED");
    });
  });

  it("rejects bad specs before connecting", async () => {
    await using model: Model = await freshModel();
    await expect(model.addMachine("ssh:")).rejects.toBeInstanceOf(ParseError);
    await expect(model.addMachine("ssh:ubuntu@")).rejects.toBeInstanceOf(ParseError);
    await expect(model.addMachine("ssh:ubuntu@host:x")).rejects.toBeInstanceOf(ParseError);
  });
});

describe("the simulated controller's side of manual provisioning", () => {
  it("answers ProvisioningScript and AddMachines with instances as Juju 3.6 does", async () => {
    await using model = await freshModel();
    const mm = model.connection.facade("MachineManager");
    const missing = await mm
      .call("ProvisioningScript", {
        "machine-id": "42",
        nonce: "n",
        "data-dir": "",
        "disable-package-commands": false,
      })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      jujuCode: "not found",
      message: "getting instance config: getting machine: machine 42 not found",
    });
    const base = {
      addresses: [],
      constraints: {},
      "container-type": "",
      "hardware-characteristics": { arch: "arm64", mem: 2048, "cpu-cores": 4 },
      jobs: ["JobHostUnits"],
      "parent-id": "",
      base: { name: "ubuntu", channel: "24.04/stable" },
    };
    const res = await mm.call("AddMachines", {
      params: [
        { ...base, "instance-id": "manual:10.0.0.7", nonce: "" },
        { ...base, "instance-id": "", nonce: "manual:10.0.0.7:x" },
        { ...base, "instance-id": "manual:10.0.0.7", nonce: "manual:10.0.0.7:x" },
      ],
    });
    expect(res.machines.map((r) => r.error?.message)).toEqual([
      "cannot add a new machine: cannot add a machine with an instance id and no nonce",
      "cannot add a new machine: cannot specify a nonce without an instance id",
      undefined,
    ]);
    const id = res.machines[2]!.machine;
    const script = async (nonce: string, disable: boolean) =>
      (
        await mm.call("ProvisioningScript", {
          "machine-id": id,
          nonce,
          "data-dir": "",
          "disable-package-commands": disable,
        })
      ).script;
    // A script for another nonce makes an agent that cannot log in: nothing starts.
    const wrong = await script("manual:10.0.0.7:other", true);
    expect(wrong).toContain("nonce: manual:10.0.0.7:other");
    expect(wrong).not.toContain(
      "apt-get --option=Dpkg::Options::=--force-confold --option=Dpkg::Options::=--force-unsafe-io --assume-yes --quiet update",
    );
    await model.blockUntil(() => model.machines.get(id)?.status === "running", { timeout: 5000 });
    expect(model.machines.get(id)?.agentStatus).toBe("pending");
    // The script is deterministic, and with the machine's nonce its agent comes up.
    const right = await script("manual:10.0.0.7:x", false);
    expect(await script("manual:10.0.0.7:x", false)).toBe(right);
    expect(right).toContain("--quiet update");
    expect(right).toContain(`/var/lib/juju/tools/3.6`);
    expect(right).toContain("-ubuntu-arm64");
    await model.blockUntil(() => model.machines.get(id)?.agentStatus === "started", {
      timeout: 5000,
    });
  });
});

import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ssh2 from "ssh2";
import { beforeAll, describe, expect, it } from "vitest";
import { SshError } from "../src/model/ops/manual-provision.js";
import { ssh2Connector } from "../src/model/ops/manual-provision-ssh2.js";
import { endpointHost } from "../src/model/ops/ssh.js";
import { type SshModel, useSshModel } from "./support/ssh-model.js";

// `proxy: true` jumps through the controller's sshd on the API host (docs/ssh.md).
const env = useSshModel("ssh-proxy", "proxy");
let dir: string;
let ssh: SshModel["ssh"];
const { unit } = env;

beforeAll(() => {
  ({ dir, ssh } = env);
});

/** Counts the host keys checked: one per SSH login, so two when going through the jump host. */
function countingVerifier(): { hostVerifier: (key: Uint8Array) => boolean; logins: () => number } {
  let n = 0;
  return {
    hostVerifier: () => {
      n++;
      return true;
    },
    logins: () => n,
  };
}

const clientKey = () => ({
  privateKeyPath: join(dir, "ssh", "juju_id_rsa"),
  agent: false as const,
  defaultKeys: false,
});

describe("ssh and scp through the controller (proxy)", () => {
  it("unit.ssh with proxy logs in to the controller, then to the machine through it", async () => {
    const machine = unit().machine!;
    const direct = countingVerifier();
    expect(await unit().ssh("hostname", { ...ssh, hostVerifier: direct.hostVerifier })).toBe(
      `${machine.hostname}\n`,
    );
    expect(direct.logins()).toBe(1);
    const proxied = countingVerifier();
    expect(
      await unit().ssh("hostname", { ...ssh, proxy: true, hostVerifier: proxied.hostVerifier }),
    ).toBe(`${machine.hostname}\n`);
    expect(proxied.logins()).toBe(2);
    expect(await machine.ssh("whoami", { ...ssh, proxy: true })).toBe("ubuntu\n");
  });

  it("scpTo and scpFrom with proxy round-trip a binary file", async () => {
    const data = randomBytes(200_000);
    const src = join(dir, "up.bin");
    const back = join(dir, "down.bin");
    await writeFile(src, data);
    await unit().scpTo(src, "/tmp/proxied.bin", { ...ssh, proxy: true });
    await unit().scpFrom("/tmp/proxied.bin", back, { ...ssh, proxy: true });
    expect((await readFile(back)).equals(data)).toBe(true);
  });

  it("the jump host refuses to forward to an address that is not a simulated machine", async () => {
    const jump = { host: "127.0.0.1", port: ssh.port, user: "ubuntu" };
    // Itself, a machine address at another port, and an address outside the simulator.
    const machineAddress = unit().machine!.dnsName as string;
    for (const target of [
      { host: "127.0.0.1", port: ssh.port },
      { host: machineAddress, port: 80 },
      { host: "192.0.2.1", port: 22 },
    ]) {
      const err = await ssh2Connector
        .connectThrough(jump, { ...target, user: "ubuntu" }, clientKey(), { timeout: 10_000 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(SshError);
      expect(err).toMatchObject({ code: "ERR_SSH_UNREACHABLE", kind: "unreachable" });
      expect(String((err as Error).message)).toContain("refused to open");
    }
    // The same jump host does forward to the machine's sshd.
    const session = await ssh2Connector.connectThrough(
      jump,
      { host: machineAddress, port: ssh.port, user: "ubuntu" },
      clientKey(),
      { timeout: 10_000 },
    );
    try {
      expect((await session.exec("whoami", { timeout: 10_000 })).stdout).toBe("ubuntu\n");
    } finally {
      session.close();
    }
  });

  it("the jump host runs no commands and refuses keys the controller does not authorise", async () => {
    const jump = await ssh2Connector.connect(
      { host: "127.0.0.1", port: ssh.port, user: "ubuntu" },
      clientKey(),
      { timeout: 10_000 },
    );
    try {
      await expect(jump.exec("hostname", { timeout: 10_000 })).rejects.toBeInstanceOf(SshError);
    } finally {
      jump.close();
    }
    const stranger = ssh2.utils.generateKeyPairSync("ed25519").private;
    await expect(
      unit().ssh("hostname", {
        port: ssh.port,
        proxy: true,
        privateKey: stranger,
        agent: false,
        defaultKeys: false,
      }),
    ).rejects.toMatchObject({ code: "ERR_SSH_AUTH" });
  });

  it("a proxyHost that does not answer is unreachable", async () => {
    await expect(
      unit().ssh("hostname", {
        ...ssh,
        proxy: true,
        proxyHost: "127.0.0.1.invalid",
        timeout: 10_000,
      }),
    ).rejects.toBeInstanceOf(SshError);
  });

  it("a jump host that never answers the channel open is a timeout, and the signal aborts it", async () => {
    // A jump host that logs anyone in and leaves direct-tcpip requests unanswered.
    let asked: (() => void) | undefined;
    const silent = new ssh2.Server(
      { hostKeys: [ssh2.utils.generateKeyPairSync("ed25519").private] },
      (client) => {
        client.on("authentication", (ctx) => ctx.accept());
        client.on("ready", () => client.on("tcpip", () => asked?.()));
        client.on("error", () => {});
      },
    );
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const jump = { host: "127.0.0.1", port, user: "ubuntu" };
      const target = { host: unit().machine!.dnsName as string, port: ssh.port, user: "ubuntu" };
      await expect(
        ssh2Connector.connectThrough(jump, target, clientKey(), { timeout: 1_000 }),
      ).rejects.toMatchObject({ code: "ERR_SSH_TIMEOUT", kind: "timeout" });
      const abort = new AbortController();
      asked = () => abort.abort();
      await expect(
        ssh2Connector.connectThrough(jump, target, clientKey(), {
          timeout: 60_000,
          signal: abort.signal,
        }),
      ).rejects.toMatchObject({ code: "ERR_ABORTED" });
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("reads the jump host from API addresses", () => {
    expect(endpointHost("wss://10.0.0.5:17070/model/u/api")).toBe("10.0.0.5");
    expect(endpointHost("10.0.0.5:17070")).toBe("10.0.0.5");
    expect(endpointHost("wss://[fd00::1]:17070/api")).toBe("fd00::1");
    expect(endpointHost("controller.example:17070")).toBe("controller.example");
    expect(endpointHost(undefined)).toBeUndefined();
    expect(endpointHost("")).toBeUndefined();
  });
});

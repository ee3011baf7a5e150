import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Simulator } from "./index.js";

const OTHER_CONTROLLERS = `controllers:
  prod:
    uuid: 0f1e2d3c-4b5a-4968-8776-655443322110
    api-endpoints: [10.0.0.1:17070]
    ca-cert: |
      -----BEGIN CERTIFICATE-----
      MIIB
      -----END CERTIFICATE-----
    cloud: aws
    region: us-east-1
    agent-version: 3.6.1
    controller-machine-count: 3
    active-controller-machine-count: 3
current-controller: prod
`;
const OTHER_ACCOUNTS = `controllers:
  prod:
    user: alice
    password: hunter2
    last-known-access: superuser
`;
const OTHER_MODELS = `controllers:
  prod:
    models:
      alice/web:
        uuid: 7c6b5a49-3827-4165-9483-7261504f3e2d
        type: iaas
        branch: master
    current-model: alice/web
`;

describe("client files", () => {
  it("writes controllers, accounts and models and keeps other controllers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-sim-"));
    await writeFile(join(dir, "controllers.yaml"), OTHER_CONTROLLERS);
    await writeFile(join(dir, "accounts.yaml"), OTHER_ACCOUNTS);
    await writeFile(join(dir, "models.yaml"), OTHER_MODELS);
    const sim = await Simulator.start({ jujuData: dir, controllerName: "sim" });
    try {
      const controllers = parse(await readFile(join(dir, "controllers.yaml"), "utf8"));
      expect(controllers["current-controller"]).toBe("sim");
      expect(controllers.controllers.prod).toEqual(parse(OTHER_CONTROLLERS).controllers.prod);
      expect(controllers.controllers.sim).toEqual({
        uuid: sim.controllerUuid,
        "api-endpoints": [sim.endpoint],
        "ca-cert": sim.caCert,
        cloud: "localhost",
        region: "localhost",
        type: "lxd",
        "agent-version": "3.6.28",
        "controller-machine-count": 1,
        "active-controller-machine-count": 1,
        "machine-count": 0,
      });
      const accounts = parse(await readFile(join(dir, "accounts.yaml"), "utf8"));
      expect(accounts.controllers.prod).toEqual(parse(OTHER_ACCOUNTS).controllers.prod);
      expect(accounts.controllers.sim).toEqual({
        user: "admin",
        password: sim.password,
        "last-known-access": "superuser",
      });
      const models = parse(await readFile(join(dir, "models.yaml"), "utf8"));
      expect(models.controllers.prod).toEqual(parse(OTHER_MODELS).controllers.prod);
      expect(models.controllers.sim).toEqual({
        models: {
          "admin/controller": { uuid: sim.controllerModelUuid, type: "iaas", branch: "master" },
          "admin/default": { uuid: sim.defaultModelUuid, type: "iaas", branch: "master" },
        },
        "current-model": "admin/default",
      });
      for (const f of ["controllers.yaml", "accounts.yaml", "models.yaml"]) {
        expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
      }

      // The written CA verifies the server under the name Juju clients use.
      const caCert = controllers.controllers.sim["ca-cert"] as string;
      const [host, port] = (controllers.controllers.sim["api-endpoints"][0] as string).split(":");
      const socket = connect({
        host,
        port: Number(port),
        ca: caCert,
        servername: "juju-apiserver",
      });
      await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
      });
      expect(socket.authorized).toBe(true);
      socket.destroy();
    } finally {
      await sim.stop();
    }
  });

  it("writes the CA as an LF block literal and an empty cookie jar, keeping an existing jar", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-sim-"));
    await mkdir(join(dir, "cookies"));
    await writeFile(join(dir, "cookies", "kept.json"), '[{"Name":"x"}]');
    await using sim = await Simulator.start({ jujuData: dir });
    await using kept = await Simulator.start({ jujuData: dir, controllerName: "kept" });
    const text = await readFile(join(dir, "controllers.yaml"), "utf8");
    expect(text).not.toContain("\r");
    expect(text).toContain("    ca-cert: |\n      -----BEGIN CERTIFICATE-----\n");
    expect(sim.caCert).not.toContain("\r");
    expect(sim.caCert.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    expect(parse(text).controllers[sim.controllerName]["ca-cert"]).toBe(sim.caCert);
    expect(await readFile(join(dir, "cookies", `${sim.controllerName}.json`), "utf8")).toBe("[]");
    expect(await readFile(join(dir, "cookies", `${kept.controllerName}.json`), "utf8")).toBe(
      '[{"Name":"x"}]',
    );
  });

  it("creates the directory and files when absent", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "libjuju-sim-")), "nested", "juju");
    await using sim = await Simulator.start({ jujuData: dir });
    const controllers = parse(await readFile(join(dir, "controllers.yaml"), "utf8"));
    expect(Object.keys(controllers.controllers)).toEqual([sim.controllerName]);
    expect(sim.controllerName).toBe("libjuju-sim");
  });

  it("creates the client SSH identity once, as the Juju client does, and keeps an existing one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-sim-"));
    await using _sim = await Simulator.start({ jujuData: dir });
    const pub = await readFile(join(dir, "ssh", "juju_id_rsa.pub"), "utf8");
    expect(pub).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ juju-client-key\n$/);
    const key = await readFile(join(dir, "ssh", "juju_id_rsa"), "utf8");
    expect(key.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
    expect((await stat(join(dir, "ssh", "juju_id_rsa"))).mode & 0o777).toBe(0o600);
    await using _again = await Simulator.start({ jujuData: dir, controllerName: "again" });
    expect(await readFile(join(dir, "ssh", "juju_id_rsa.pub"), "utf8")).toBe(pub);
  });
});

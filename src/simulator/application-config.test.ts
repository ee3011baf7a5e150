import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { deployOld, type Frame, modelPath, RawClient } from "../../test/support/raw-client.js";
import { type CharmSpec, Simulator, StaticCharmSource } from "./index.js";

const CHARMS: CharmSpec[] = [
  {
    name: "mysql",
    revision: 58,
    channels: ["latest/stable"],
    bases: [
      { name: "ubuntu", channel: "20.04" },
      { name: "ubuntu", channel: "22.04" },
    ],
    config: { flavour: { type: "string", default: "mysql" } },
  },
];

const TRUST_DEFAULT = {
  description: "Does this application have access to trusted credentials",
  type: "bool",
  source: "default",
  value: false,
  default: false,
};
const TRUST_SET = { ...TRUST_DEFAULT, source: "user", value: true };

const clients: RawClient[] = [];
/** The model uuid of each client `modelClient` opened. */
const uuids = new Map<RawClient, string>();
let sim: Simulator;

beforeAll(async () => {
  sim = await Simulator.start({
    timing: "instant",
    seed: 3,
    charms: new StaticCharmSource(CHARMS),
  });
});
afterAll(async () => {
  for (const c of clients) expect(c.violations).toEqual([]);
  await sim.stop();
});

async function modelClient(name: string): Promise<RawClient> {
  const c = await RawClient.open(sim, "/api");
  const r = await c.call("ModelManager", 10, "CreateModel", { name, "owner-tag": "user-admin" });
  c.close();
  const uuid = (r.response as Frame).uuid as string;
  const w = await RawClient.open(sim, modelPath(sim, uuid));
  clients.push(w);
  uuids.set(w, uuid);
  return w;
}

async function get(w: RawClient, application: string): Promise<Frame> {
  return w.ok("Application", 19, "Get", { application, branch: "" });
}

describe("trust is application config, split from the charm's options", () => {
  it("deploys trusted from `config` (deploy --trust), reported under application-config only", async () => {
    const w = await modelClient("trust-config");
    const { deploy } = await deployOld(w, "mysql", "db", 1, { config: { trust: "true" } });
    expect(deploy.results).toEqual([{}]);
    const g = await get(w, "db");
    expect(g["application-config"]).toEqual({ trust: TRUST_SET });
    expect(Object.keys(g.config as Frame)).toEqual(["flavour"]);
    const charmCfg = await w.ok("Application", 19, "CharmConfig", {
      args: [{ application: "db", branch: "" }],
    });
    expect(Object.keys(((charmCfg.Results as Frame[])[0] as Frame).config as Frame)).toEqual([
      "flavour",
    ]);
  });

  it("takes trust from config-yaml too (bundle options), beside charm options", async () => {
    const w = await modelClient("trust-yaml");
    const { deploy } = await deployOld(w, "mysql", "db", 0, {
      // yaml.v2 reads a plain `yes` as a bool (YAML 1.1).
      "config-yaml": "db:\n  trust: yes\n  flavour: percona\n",
    });
    expect(deploy.results).toEqual([{}]);
    const g = await get(w, "db");
    expect(g["application-config"]).toEqual({ trust: TRUST_SET });
    expect((g.config as Record<string, Frame>).flavour).toMatchObject({
      source: "user",
      value: "percona",
    });
  });

  it("refuses a trust value that is not a Go bool, as the schema coercion words it", async () => {
    const w = await modelClient("trust-bad");
    const { deploy } = await deployOld(w, "mysql", "db", 0, { config: { trust: "maybe" } });
    expect(deploy.results).toEqual([
      { error: { message: 'trust: expected bool, got string("maybe")', code: "" } },
    ]);
    await expect(get(w, "db")).rejects.toThrow(/not found/);
    // Quoted in YAML it stays a string, which ParseBool refuses.
    const { deploy: quoted } = await deployOld(w, "mysql", "db", 0, {
      "config-yaml": 'db:\n  trust: "yes"\n',
    });
    expect(quoted.results).toEqual([
      { error: { message: 'trust: expected bool, got string("yes")', code: "" } },
    ]);
  });

  it("sets, reports and unsets trust through SetConfigs / UnsetApplicationsConfig", async () => {
    const w = await modelClient("trust-set");
    await deployOld(w, "mysql", "db", 0);
    expect((await get(w, "db"))["application-config"]).toEqual({ trust: TRUST_DEFAULT });
    const set = await w.ok("Application", 19, "SetConfigs", {
      Args: [
        {
          application: "db",
          config: { trust: "True", flavour: "maria" },
          "config-yaml": "",
          generation: "",
        },
        { application: "db", config: { trust: "yes" }, "config-yaml": "", generation: "" },
      ],
    });
    // APIBase.setConfig annotates: "parsing settings for application".
    expect(set.results).toEqual([
      {},
      {
        error: {
          message: 'parsing settings for application: trust: expected bool, got string("yes")',
          code: "",
        },
      },
    ]);
    const g = await get(w, "db");
    expect(g["application-config"]).toEqual({ trust: TRUST_SET });
    expect((g.config as Record<string, Frame>).flavour).toMatchObject({ value: "maria" });
    // The bundle export marks the trusted application, after its charm options.
    const exported = (await w.ok("Bundle", 6, "ExportBundle", {})).result as string;
    expect(exported).toMatch(
      /\n {2}db:\n(?: {4}.*\n)* {4}options:\n {6}flavour: maria\n {4}trust: true\n/,
    );
    const unset = await w.ok("Application", 19, "UnsetApplicationsConfig", {
      Args: [{ application: "db", branch: "", options: ["trust"] }],
    });
    expect(unset.results).toEqual([{}]);
    expect((await get(w, "db"))["application-config"]).toEqual({ trust: TRUST_DEFAULT });
    expect((await w.ok("Bundle", 6, "ExportBundle", {})).result).not.toMatch(/trust/);
  });

  it("DeployFromRepository's Trust flag becomes the trust setting", async () => {
    const w = await modelClient("trust-dfr");
    const r = await w.ok("Application", 19, "DeployFromRepository", {
      Args: [
        {
          CharmName: "mysql",
          ApplicationName: "db",
          AttachStorage: [],
          ConfigYAML: "",
          Cons: {},
          Devices: {},
          DryRun: false,
          Placement: [],
          Storage: {},
          Trust: true,
        },
      ],
    });
    expect(((r.Results as Frame[])[0] as Frame).Errors).toBeNull();
    expect((await get(w, "db"))["application-config"]).toEqual({ trust: TRUST_SET });
  });
});

describe("the deployed base's OS must be one the charm supports", () => {
  it("refuses another OS with Juju's error, but leaves the channel to the client", async () => {
    const w = await modelClient("charm-os");
    const { deploy } = await deployOld(w, "mysql", "db", 0, {
      "charm-origin": {
        source: "charm-hub",
        type: "charm",
        risk: "stable",
        architecture: "amd64",
        base: { name: "centos", channel: "7" },
      },
    });
    expect(deploy.results).toEqual([
      {
        error: {
          message:
            'cannot add application "db": OS "centos" not supported by charm "mysql", supported OSes are: ubuntu',
          code: "not supported",
        },
      },
    ]);
    // Same OS, a channel the charm does not list: state.AddApplication accepts it.
    const { deploy: other } = await deployOld(w, "mysql", "db2", 0, {
      "charm-origin": {
        source: "charm-hub",
        type: "charm",
        risk: "stable",
        architecture: "amd64",
        base: { name: "ubuntu", channel: "18.04" },
      },
    });
    expect(other.results).toEqual([{}]);
    expect((await get(w, "db2")).base).toEqual({ name: "ubuntu", channel: "18.04/stable" });
  });
});

/** Uploads a two-file charm (built for ubuntu@22.04) as python-libjuju's add_local_charm does. */
async function uploadLocal(uuid: string): Promise<string> {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.from("name: jammy-only\nsummary: s\ndescription: d\n"), "metadata.yaml");
  z.addBuffer(
    Buffer.from("bases:\n- name: ubuntu\n  channel: '22.04'\n  architectures: [amd64]\n"),
    "manifest.yaml",
  );
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const auth = `Basic ${Buffer.from(`user-admin:${sim.password}`).toString("base64")}`;
  const reply = await new Promise<string>((res, rej) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: sim.port,
        method: "POST",
        path: `/model/${uuid}/charms?series=jammy`,
        headers: {
          Authorization: auth,
          "Content-Type": "application/zip",
          "Content-Length": body.length,
        },
        ca: sim.caCert,
        servername: "juju-apiserver",
      },
      (r) => {
        const got: Buffer[] = [];
        r.on("data", (c: Buffer) => got.push(c));
        r.on("end", () => res(Buffer.concat(got).toString("utf8")));
      },
    );
    req.on("error", rej);
    req.end(body);
  });
  return (JSON.parse(reply) as { "charm-url": string })["charm-url"];
}

describe("a local charm's OS is checked the same way", () => {
  it("refuses a local charm on an OS its manifest does not list", async () => {
    const w = await modelClient("local-os");
    const url = await uploadLocal(uuids.get(w) as string);
    expect(url).toBe("local:jammy/jammy-only-0");
    const deploy = (application: string, base: { name: string; channel: string }) =>
      w.ok("Application", 19, "Deploy", {
        applications: [
          {
            application,
            "charm-url": url,
            "charm-origin": { source: "local", type: "charm", architecture: "amd64", base },
            channel: "",
            "num-units": 0,
            "config-yaml": "",
            constraints: {},
            Force: false,
          },
        ],
      });
    expect((await deploy("win", { name: "windows", channel: "2022" })).results).toEqual([
      {
        error: {
          message:
            'cannot add application "win": OS "windows" not supported by charm "jammy-only", supported OSes are: ubuntu',
          code: "not supported",
        },
      },
    ]);
    expect((await deploy("focal", { name: "ubuntu", channel: "20.04" })).results).toEqual([{}]);
  });
});

import { describe, expect, it } from "vitest";
import { fakeModelFactory } from "../../../test/support/fake-model.js";
import { type FakeReply, loginResponse } from "../../../test/support/fake-server.js";
import { ParseError } from "../../parse/errors.js";
import type { RequestFrame } from "../../protocol/frames.js";
import { Credentials } from "../../rpc/credentials.js";
import { ConnectionClosedError, JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError, NotSupportedError, type ObserverError } from "../errors.js";
import { Model } from "../model.js";
import { parseBase } from "./bases.js";
import { charmNameOf, parseChannel, selectBase } from "./charm-origin.js";
import { parseBindings } from "./deploy.js";
import { addMachineParams, sshSpecOf } from "./machines.js";
import { parseStorageConstraint } from "./storage.js";

const UUID = "11111111-2222-4333-8444-555555555555";
const facades = [
  "Client:8",
  "AllWatcher:3",
  "Application:22",
  "Charms:7",
  "MachineManager:10",
  "ModelConfig:3",
  "Annotations:2",
  "Resources:3",
].map((s) => {
  const [name, v] = s.split(":") as [string, string];
  return { name, versions: [Number(v)] };
});

/** A model over a scripted server; `script` answers by `Facade.Method`. */
async function open(
  script: Record<string, (req: RequestFrame) => FakeReply>,
  extra: Parameters<typeof Model.open>[0] extends infer O ? Partial<O> : never = {},
) {
  const { factory, server } = fakeModelFactory((req) => {
    const key = `${req.type}.${req.request}`;
    if (key === "Admin.Login") return loginResponse(facades, { "model-tag": `model-${UUID}` });
    const fn = script[key];
    return fn ? fn(req) : { error: `${key} not scripted`, code: "not implemented" };
  });
  const model = await Model.open({
    endpoints: ["ctl:17070"],
    modelUuid: UUID,
    credentials: new Credentials({ username: "admin", password: "pw" }),
    pingInterval: 0,
    transportFactory: factory,
    ...extra,
  });
  return { model, server };
}

const calls = (server: { requests: { req: RequestFrame }[] }) =>
  server.requests
    .map((r) => `${r.req.type}.${r.req.request}`)
    .filter((k) => !k.startsWith("AllWatcher") && k !== "Client.WatchAll" && k !== "Admin.Login");

describe("parsers and selectors", () => {
  it("channels normalize as Juju's ParseChannelNormalize", () => {
    expect(parseChannel("edge")).toEqual({ risk: "edge" });
    expect(parseChannel("8.0")).toEqual({ track: "8.0", risk: "stable" });
    expect(parseChannel("latest/stable")).toEqual({ risk: "stable" });
    expect(parseChannel("8.0/edge/fix-1")).toEqual({ track: "8.0", risk: "edge", branch: "fix-1" });
    expect(() => parseChannel("8.0/wobbly")).toThrow(InvalidArgumentError);
    expect(() => parseChannel("a//b")).toThrow(InvalidArgumentError);
  });

  it("charm references: Charmhub names only", () => {
    expect(charmNameOf("mysql")).toBe("mysql");
    expect(charmNameOf("ch:amd64/jammy/mysql-58")).toBe("mysql");
    expect(() => charmNameOf("cs:mysql")).toThrow(NotSupportedError);
    expect(() => charmNameOf("./my-charm")).toThrow(NotSupportedError);
    expect(() => charmNameOf("My Charm")).toThrow(InvalidArgumentError);
  });

  it("bases: base strings, series names, selection order of Juju 3.6", () => {
    expect(parseBase("ubuntu@22.04")).toEqual({ name: "ubuntu", channel: "22.04" });
    expect(parseBase("jammy")).toEqual({ name: "ubuntu", channel: "22.04" });
    expect(() => parseBase("windows")).toThrow(InvalidArgumentError);
    const b = (c: string) => ({ name: "ubuntu", channel: c });
    const supported = [b("20.04/stable"), b("22.04/stable"), b("24.04/stable")];
    expect(selectBase(supported, undefined, undefined, false)).toEqual(b("24.04"));
    expect(selectBase([b("20.04"), b("22.04")], undefined, undefined, false)).toEqual(b("22.04"));
    expect(selectBase([b("20.04")], undefined, undefined, false)).toEqual(b("20.04"));
    expect(selectBase(supported, undefined, b("20.04"), false)).toEqual(b("20.04"));
    expect(selectBase(supported, b("22.04"), b("20.04"), false)).toEqual(b("22.04"));
    expect(() => selectBase([b("22.04")], b("18.04"), undefined, false)).toThrow(
      /base "ubuntu@18.04" is not supported by the charm; supported bases: ubuntu@22.04/,
    );
    expect(selectBase([b("22.04")], b("18.04"), undefined, true)).toEqual(b("18.04"));
  });

  it("add-machine specs become AddMachineParams as juju add-machine builds them", () => {
    const p = (spec?: string) => addMachineParams(spec, {}, UUID);
    expect(p()).toMatchObject({ "container-type": "", "parent-id": "", jobs: ["JobHostUnits"] });
    expect(p().placement).toBeUndefined();
    expect(p("lxd")).toMatchObject({ "container-type": "lxd", "parent-id": "" });
    expect(p("lxd:4")).toMatchObject({ "container-type": "lxd", "parent-id": "4" });
    expect(p("zone=us-east-1a").placement).toEqual({ scope: UUID, directive: "zone=us-east-1a" });
    expect(p("maas2.name").placement).toEqual({ scope: UUID, directive: "maas2.name" });
    // ssh: specs are provisioned over SSH (manual-provision.ts), never sent as params.
    expect(() => p("ssh:ubuntu@10.0.0.1")).toThrow(ParseError);
    const ssh = (spec: string) => sshSpecOf(spec, UUID);
    expect(ssh("ssh:ubuntu@10.0.0.1")).toEqual({
      user: "ubuntu",
      host: "10.0.0.1",
      port: undefined,
      privateKeyPath: undefined,
    });
    expect(ssh("ssh:10.0.0.1:2222")).toMatchObject({ user: undefined, port: 2222 });
    expect(ssh("ssh:ubuntu@[fd00::4]:2222")).toMatchObject({ host: "fd00::4", port: 2222 });
    expect(ssh("ssh:ubuntu@fd00::4")).toMatchObject({ host: "fd00::4", port: undefined });
    // python-libjuju's form: the third field is the private key's path.
    expect(ssh("ssh:ubuntu@10.0.0.1:/home/me/.ssh/id_rsa")).toMatchObject({
      privateKeyPath: "/home/me/.ssh/id_rsa",
    });
    expect(ssh("lxd")).toBeUndefined();
    expect(() => ssh("ssh:")).toThrow(ParseError);
    expect(() => ssh("ssh:ubuntu@")).toThrow(/missing host/);
    expect(() => ssh("ssh:ubuntu@host:99999")).toThrow(/out of range/);
    expect(() => p("lxd:x")).toThrow(ParseError);
    const full = addMachineParams(
      undefined,
      { constraints: "mem=2G", series: "noble", disks: [{ pool: "ebs", size: 1024 }] },
      UUID,
    );
    expect(full).toMatchObject({
      constraints: { mem: 2048 },
      base: { name: "ubuntu", channel: "24.04" },
      disks: [{ Pool: "ebs", Size: 1024, Count: 1 }],
    });
  });

  it("storage constraints and endpoint bindings", () => {
    expect(parseStorageConstraint("ebs,10G,2")).toEqual({ Pool: "ebs", Size: 10240, Count: 2 });
    expect(parseStorageConstraint("512M")).toEqual({ Pool: "", Size: 512, Count: 1 });
    expect(() => parseStorageConstraint("10G,ebs")).toThrow(ParseError);
    expect(parseBindings("db-space website=public")).toEqual({ "": "db-space", website: "public" });
    expect(() => parseBindings("a=x a=y")).toThrow(InvalidArgumentError);
  });
});

describe("deploy over a scripted controller", () => {
  const origin = {
    source: "charm-hub",
    type: "charm",
    id: "abc",
    risk: "stable",
    track: "8.0",
    architecture: "amd64",
    base: { name: "ubuntu", channel: "22.04" },
  };
  const script = (meta: Record<string, unknown>) => ({
    "ModelConfig.GetModelConstraints": () => ({ response: { constraints: {} } }),
    "ModelConfig.ModelGet": () => ({
      response: { config: { "default-base": { value: "", source: "default" } } },
    }),
    "Charms.ResolveCharms": () => ({
      response: {
        Results: [
          {
            url: "ch:amd64/mysql-58",
            "charm-origin": origin,
            "supported-bases": [{ name: "ubuntu", channel: "22.04" }],
          },
        ],
      },
    }),
    "Charms.AddCharm": (req: RequestFrame) => ({
      response: { "charm-origin": (req.params as { "charm-origin": unknown })["charm-origin"] },
    }),
    "Charms.CharmInfo": () => ({
      response: { url: "ch:amd64/mysql-58", revision: 58, config: {}, meta },
    }),
    "Resources.AddPendingResources": () => ({ response: { "pending-ids": ["pend-1"] } }),
    "Application.Deploy": () => ({ response: { results: [{}] } }),
  });

  it("sends ResolveCharms → AddCharm → CharmInfo → Deploy and waits for the application", async () => {
    const { model, server } = await open(script({ name: "mysql", subordinate: false }));
    const deploying = model.deploy("mysql", {
      channel: "8.0/stable",
      numUnits: 2,
      config: { "profile-limit-memory": 2048, flag: true },
      constraints: "mem=4G",
      to: "lxd:1,zone=az1",
      trust: true,
    });
    // The application shows up in a later watcher batch.
    await new Promise((r) => setTimeout(r, 20));
    server.push([["application", "change", { name: "mysql", "charm-url": "ch:amd64/mysql-58" }]]);
    const app = await deploying;
    expect(app.name).toBe("mysql");
    expect(calls(server)).toEqual([
      "ModelConfig.GetModelConstraints",
      "ModelConfig.ModelGet",
      "Charms.ResolveCharms",
      "Charms.AddCharm",
      "Charms.CharmInfo",
      "Application.Deploy",
    ]);
    const byKey = (k: string) =>
      server.requests.find((r) => `${r.req.type}.${r.req.request}` === k)?.req.params;
    expect(byKey("Charms.ResolveCharms")).toEqual({
      resolve: [
        {
          reference: "ch:mysql",
          "charm-origin": {
            source: "charm-hub",
            type: "charm",
            id: "",
            risk: "stable",
            track: "8.0",
            architecture: "amd64",
          },
        },
      ],
    });
    expect(byKey("Application.Deploy")).toEqual({
      applications: [
        {
          application: "mysql",
          "charm-url": "ch:amd64/mysql-58",
          "charm-origin": { ...origin, base: { name: "ubuntu", channel: "22.04" } },
          channel: "8.0/stable",
          "num-units": 2,
          "config-yaml": "",
          config: { "profile-limit-memory": "2048", flag: "true", trust: "true" },
          constraints: { mem: 4096 },
          placement: [
            { scope: "lxd", directive: "1" },
            { scope: UUID, directive: "zone=az1" },
          ],
          Force: false,
        },
      ],
    });
    await model.disconnect();
  });

  it("subordinates get no units; store resources become pending resources", async () => {
    const { model, server } = await open(
      script({
        name: "mysql",
        subordinate: true,
        resources: { img: { name: "img", type: "oci-image", path: "", description: "" } },
      }),
    );
    const deploying = model.deploy("mysql", { resources: { img: 12 } });
    await new Promise((r) => setTimeout(r, 20));
    server.push([["application", "change", { name: "mysql" }]]);
    await deploying;
    const req = (k: string) =>
      server.requests.find((r) => `${r.req.type}.${r.req.request}` === k)?.req.params as Record<
        string,
        unknown
      >;
    expect(req("Resources.AddPendingResources")).toMatchObject({
      tag: "application-mysql",
      url: "ch:amd64/mysql-58",
      resources: [{ name: "img", type: "oci-image", origin: "store", revision: 12 }],
    });
    const deploy = (req("Application.Deploy").applications as Record<string, unknown>[])[0];
    expect(deploy).toMatchObject({ "num-units": 0, resources: { img: "pend-1" } });
    await expect(model.deploy("mysql", { numUnits: 3 })).rejects.toThrow(
      /cannot use numUnits with a subordinate/,
    );
    // An OCI image resource takes a details file or a registry path; this is neither.
    await expect(model.deploy("mysql", { resources: { img: "./img.tar" } })).rejects.toThrow(
      /filepath or registry path: \.\/img\.tar not valid/,
    );
    await model.disconnect();
  });

  it("a Deploy error names the application and keeps Juju's code", async () => {
    const { model } = await open({
      ...script({ name: "mysql" }),
      "Application.Deploy": () => ({
        response: {
          results: [
            { error: { message: 'application "mysql" already exists', code: "already exists" } },
          ],
        },
      }),
    });
    const err = (await model.deploy("mysql").catch((e: unknown) => e)) as JujuError;
    expect(err).toBeInstanceOf(JujuError);
    expect(err.message).toBe('cannot deploy "mysql": application "mysql" already exists');
    expect(err.jujuCode).toBe("already exists");
    expect(err.method).toBe("Deploy");
    await model.disconnect();
  });
});

describe("live state plumbing", () => {
  it("observer errors go to onObserverError when given", async () => {
    const errors: ObserverError[] = [];
    const { model, server } = await open({}, { onObserverError: (e) => errors.push(e) });
    model.addObserver(() => {
      throw new Error("bad observer");
    });
    server.push([["machine", "change", { id: "0" }]]);
    await model.blockUntil(() => model.machines.has("0"), { timeout: 2000 });
    // Observers run after the state is applied; give the queue a turn.
    await new Promise((r) => setTimeout(r, 10));
    expect(errors.map((e) => e.message)).toEqual([
      'observer failed on add machine "0": bad observer',
    ]);
    await model.blockUntil(() => true);
    await model.disconnect();
  });

  it("with reconnect: false, a dropped connection rejects pending waits and ends the live state", async () => {
    const { model, server } = await open({}, { reconnect: false });
    const waiting = model.waitForIdle({ apps: ["x"], timeout: 5000 }).catch((e: unknown) => e);
    server.drop();
    expect(await waiting).toBeInstanceOf(ConnectionClosedError);
    expect(model.watching).toBe(false);
    await model.disconnect();
  });

  it("without the watcher, state operations throw NotWatchingError before any call", async () => {
    const { model, server } = await open({}, { watch: false });
    expect(() => model.allUnitsIdle()).toThrow(/needs the model's live state/);
    await expect(model.deploy("mysql")).rejects.toThrow(/deploy needs the model's live state/);
    expect(server.requests.map((r) => r.req.request)).toEqual(["Login"]);
    await model.disconnect();
  });
});

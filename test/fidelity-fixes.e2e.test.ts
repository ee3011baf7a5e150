/**
 * Simulator behaviours checked against what Juju 3.6 does, each citing the
 * Juju source it follows (issue #10, "Simulator fidelity fixes").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, JujuError, type Model } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("fidelity");
const idle = { idlePeriod: 0, timeout: 10_000 };

let controller: Controller;
/** Every AllWatcher delta the client received, in order. */
const deltas: Array<[string, string, Record<string, unknown>]> = [];
let modelSeq = 0;
const freshModel = (): Promise<Model> => controller.addModel(`fidelity-${++modelSeq}`);

beforeAll(async () => {
  controller = await Controller.connectCurrent({
    env: { JUJU_DATA: env.dir },
    pingInterval: 0,
    onFrame: (d, f) => {
      env.onFrame(d, f);
      const r = (f as { response?: { deltas?: unknown } }).response;
      if (d === "in" && Array.isArray(r?.deltas)) deltas.push(...(r.deltas as typeof deltas));
    },
  });
});

afterAll(async () => {
  await controller?.disconnect();
});

/** The error a promise rejects with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as JujuError,
  );

describe("AllWatcher deltas", () => {
  // Juju's multiwatcher store drops an update equal to what it holds
  // (core/multiwatcher/store.go, store.Update: `reflect.DeepEqual(info, entry.info)`),
  // so a watcher never sees the same entity state twice in a row.
  it("sends an entity's delta only when its own fields changed", async () => {
    await using model = await freshModel();
    const from = deltas.length;
    await model.deploy("ubuntu", { numUnits: 2 });
    await model.waitForIdle({ ...idle, apps: ["ubuntu"], status: "active" });
    const mine = deltas
      .slice(from)
      .filter(([, , e]) => e["model-uuid"] === model.uuid && e.name !== undefined);
    const last = new Map<string, string>();
    let repeats = 0;
    const appDeltas = mine.filter(([kind]) => kind === "application");
    for (const [kind, op, e] of mine) {
      const key = `${kind}/${String(e.name ?? e.id ?? e.key ?? e.tag)}`;
      const json = `${op}${JSON.stringify(e)}`;
      if (last.get(key) === json) repeats++;
      last.set(key, json);
    }
    expect(repeats).toBe(0);
    // The application changes a few times (created, status unset → waiting → active,
    // workload version): a handful of deltas, not one per unit or machine change.
    expect(appDeltas.length).toBeGreaterThan(0);
    expect(appDeltas.length).toBeLessThanOrEqual(6);
  });
});

describe("trust is application config", () => {
  // apiserver/facades/client/application: `trust` is the application config key
  // of application.ConfigSchema; deploy config, SetConfigs and Get carry it.
  it("deploy({trust}) trusts; getTrusted/setTrusted round-trip through SetConfigs", async () => {
    await using model = await freshModel();
    const pg = await model.deploy("postgresql", { channel: "14/stable", trust: true });
    const ub = await model.deploy("ubuntu");
    expect(await pg.getTrusted()).toBe(true);
    expect(await ub.getTrusted()).toBe(false);
    await ub.setTrusted(true);
    expect(await ub.getTrusted()).toBe(true);
    expect((await ub.getConfig()).trust).toMatchObject({ value: true, source: "user" });
    await ub.setTrusted(false);
    expect(await ub.getTrusted()).toBe(false);
    await expect(ub.setTrusted("yes" as unknown as boolean)).rejects.toThrow(/boolean/);
  });
});

describe("refresh", () => {
  // apiserver/facades/client/application/application.go: SetCharm →
  // applicationSetCharm stores `state.SetCharmConfig{CharmOrigin: newOrigin}`,
  // the origin the client sent, so the application follows the new channel.
  it("refresh({channel}) stores the new origin: status shows the new channel", async () => {
    await using model = await freshModel();
    const pg = await model.deploy("postgresql", { channel: "14/stable" });
    await model.waitForIdle({ ...idle, apps: ["postgresql"] });
    const url = await pg.refresh({ channel: "14/edge" });
    expect(url).toMatch(/postgresql-529$/);
    const status = await model.getStatus();
    expect(status.applications?.postgresql?.["charm-channel"]).toBe("14/edge");
    expect(status.applications?.postgresql?.["charm-rev"]).toBe(529);
  });

  // apiserver/facades/client/charms/client.go resolveOneCharm:
  // `repo.ResolveWithPreferredChannel(ctx, curl.Name, requestedOrigin)`: the
  // revision comes from the origin, never from the URL being refreshed.
  it("refresh({revision}) resolves by name and origin, not the current URL's revision", async () => {
    await using model = await freshModel();
    const ub = await model.deploy("ubuntu");
    await model.waitForIdle({ ...idle, apps: ["ubuntu"] });
    expect(ub.charmUrl).toMatch(/ubuntu-26$/);
    expect(await ub.refresh({ revision: 30 })).toMatch(/ubuntu-30$/);
    await model.blockUntil(
      () => model.applications.get("ubuntu")?.charmUrl.endsWith("-30") === true,
      {
        timeout: 5000,
      },
    );
    const err = await failure(ub.refresh({ revision: 9999 }));
    expect(err).toBeInstanceOf(JujuError);
  });
});

describe("Juju's error texts", () => {
  // apiserver/facades/client/machinemanager/machinemanager.go addOneMachine: a
  // placement scope that is no container type must be the model's name or UUID.
  it("AddMachines with a zone as the scope: invalid model name", async () => {
    await using model = await freshModel();
    const mm = model.connection.facade("MachineManager");
    const machine = (scope: string, directive: string) => ({
      addresses: [],
      constraints: {},
      "container-type": "",
      "hardware-characteristics": {},
      "instance-id": "",
      jobs: ["JobHostUnits"],
      nonce: "",
      "parent-id": "",
      placement: { scope, directive },
    });
    const res = await mm.call("AddMachines", { params: [machine("zone=az1", "")] });
    expect(res.machines?.[0]?.error?.message).toBe('invalid model name "zone=az1"');
    // The model's name works as its UUID does.
    const ok = await mm.call("AddMachines", {
      params: [machine((model.name ?? "").replace(/^.*\//, ""), "zone=az1")],
    });
    expect(ok.machines?.[0]?.error).toBeUndefined();
  });

  // state/relation.go AddRelation: `errors.AlreadyExistsf("relation %v", key)` under
  // `errors.DeferredAnnotatef(&err, "cannot add relation %q", key)`.
  it("a duplicate relation", async () => {
    await using model = await freshModel();
    await model.deploy("haproxy");
    await model.deploy("easyrsa");
    const app = model.connection.facade("Application");
    const eps = ["easyrsa:client", "haproxy:certificates"];
    await app.call("AddRelation", { endpoints: eps });
    const err = await failure(app.call("AddRelation", { endpoints: eps }));
    expect(err.message).toBe(
      'cannot add relation "haproxy:certificates easyrsa:client": relation haproxy:certificates easyrsa:client already exists',
    );
    expect(err.jujuCode).toBe("already exists");
  });

  // apiserver/facades/client/application/application.go setConfig:
  // `errors.Annotate(err, "parsing settings for application")`.
  it("an unknown config option", async () => {
    await using model = await freshModel();
    const ub = await model.deploy("ubuntu");
    const err = await failure(ub.setConfig({ "no-such-option": "1" }));
    expect(err.message).toContain(
      'parsing settings for application: unknown option "no-such-option"',
    );
  });

  // juju/names ParseTag: a known kind with a bad id is `%q is not a valid %s tag`.
  it("a malformed model tag", async () => {
    const mm = controller.connection.facade("ModelManager");
    const res = await mm.call("ModelInfo", { entities: [{ tag: "model-notauuid" }] });
    expect(res.results[0]?.error?.message).toBe('"model-notauuid" is not a valid model tag');
  });

  // state.AddApplication: `errors.Errorf("invalid name")` annotated "cannot add application %q".
  it("an invalid application name", async () => {
    await using model = await freshModel();
    const charms = model.connection.facade("Charms");
    const resolved = await charms.call("ResolveCharms", {
      resolve: [
        {
          reference: "ubuntu",
          "charm-origin": { source: "charm-hub", type: "charm", architecture: "amd64", id: "" },
        },
      ],
    });
    const r = resolved.Results[0]!;
    await charms.call("AddCharm", { url: r.url, "charm-origin": r["charm-origin"], force: false });
    const app = model.connection.facade("Application");
    const res = await app.call("Deploy", {
      applications: [
        {
          application: "Bad_Name",
          "charm-url": r.url,
          "charm-origin": r["charm-origin"],
          "num-units": 1,
          "config-yaml": "",
          channel: "stable",
          Force: false,
          constraints: {},
        },
      ],
    });
    expect(res.results[0]?.error?.message).toBe('cannot add application "Bad_Name": invalid name');
  });
});

describe("model config is validated as Juju validates it", () => {
  // environs/config/config.go: configSchema coerced by environschema/juju-schema
  // checkers (Tbool: schema.Bool, Tint: schema.ForceInt, Values: oneOfValues),
  // then config.Validate's duration checks, e.g. "invalid update status hook
  // interval in model configuration: " + time.ParseDuration's error.
  it("refuses bad durations, booleans, integers and enumerations with Go's messages", async () => {
    await using model = await freshModel();
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        { "update-status-hook-interval": "often" },
        'invalid update status hook interval in model configuration: time: invalid duration "often"',
      ],
      [
        { "max-status-history-age": "5" },
        'invalid max status history age in model configuration: time: missing unit in duration "5"',
      ],
      [
        { "max-action-results-size": "5X" },
        'invalid max action size in model configuration: invalid multiplier suffix "X", expected one of MGTPEZY',
      ],
      [{ "enable-os-upgrade": "maybe" }, 'enable-os-upgrade: expected bool, got string("maybe")'],
      [
        { "num-provision-workers": "many" },
        'num-provision-workers: expected number, got string("many")',
      ],
      [{ "http-proxy": 5 }, "http-proxy: expected string, got float64(5)"],
      [
        { "provisioner-harvest-mode": "some" },
        'provisioner-harvest-mode: expected one of [all none unknown destroyed], got "some"',
      ],
      [{ "firewall-mode": "global" }, 'cannot change firewall-mode from "instance" to "global"'],
      [{ "my-unknown-key": "" }, "empty my-unknown-key in model configuration"],
    ];
    for (const [config, message] of bad) {
      const err = await failure(model.setConfig(config));
      expect(err.message, JSON.stringify(config)).toBe(message);
    }
    // Values are stored coerced; unknown keys are kept, as Juju keeps them.
    await model.setConfig({
      "enable-os-upgrade": "false",
      "num-provision-workers": "8",
      "update-status-hook-interval": "10m",
      "my-unknown-key": "kept",
    });
    const cfg = await model.getConfig();
    expect(cfg["enable-os-upgrade"]).toMatchObject({ value: false, source: "model" });
    expect(cfg["num-provision-workers"]).toMatchObject({ value: 8 });
    expect(cfg["update-status-hook-interval"]).toMatchObject({ value: "10m" });
    expect(cfg["my-unknown-key"]).toMatchObject({ value: "kept" });
  });
});

describe("deploy honours storage, bindings, assumes and machine placements", () => {
  // core/assumes sat_checker.go + error.go: an unmet feature is reported under
  // "Charm feature requirements cannot be met:"; a machine model has no k8s-api.
  it("refuses a k8s-api charm in a machine model with Juju's assumes error", async () => {
    await using model = await freshModel();
    const err = await failure(model.deploy("alertmanager-k8s"));
    expect(err.message).toContain(
      'Charm feature requirements cannot be met:\n  - charm requires feature "k8s-api" but model does not support it',
    );
    expect(err.jujuCode).toBe("not supported");
    expect(model.applications.has("alertmanager-k8s")).toBe(false);
  });

  // state/endpoint_bindings.go NewBindings: values neither all space names nor
  // all ids → errors.NotFoundf("space").
  it("refuses a binding to an unknown space", async () => {
    await using model = await freshModel();
    const err = await failure(model.deploy("ubuntu", { bind: { "juju-info": "no-such-space" } }));
    expect(err.message).toMatch(/space not found$/);
    expect(err.jujuCode).toBe("not found");
    await model.deploy("ubuntu", { bind: "alpha" });
  });

  // state.AddApplication validates storage directives against the pools.
  it("refuses a storage directive naming an unknown pool", async () => {
    await using model = await freshModel();
    const err = await failure(
      model.deploy("postgresql", { channel: "14/stable", storage: { pgdata: { pool: "nope" } } }),
    );
    expect(err.message).toContain('"nope"');
  });

  // apiserver/facades/client/application checkMachinePlacement: a `#` placement
  // must name an existing machine ("cannot deploy %q to machine %s"), and
  // deployFromRepositoryValidator.platformFromPlacement adds "verifying machine
  // for placement"; a container on a missing machine is left to the assigner.
  it("refuses a placement on a machine that does not exist, at deploy time", async () => {
    await using model = await freshModel();
    const app = model.connection.facade("Application");
    const res = await app.call("DeployFromRepository", {
      Args: [
        {
          ApplicationName: "ubuntu",
          AttachStorage: [],
          CharmName: "ubuntu",
          ConfigYAML: "",
          Cons: {},
          Devices: {},
          DryRun: false,
          Placement: [{ scope: "#", directive: "99" }],
          Storage: {},
          Trust: false,
        },
      ],
    });
    expect(res.Results[0]?.Errors?.map((e) => e.message)).toEqual([
      'cannot deploy "ubuntu" to machine 99: machine 99 not found',
      "verifying machine for placement: machine 99 not found",
    ]);
    expect(model.applications.has("ubuntu")).toBe(false);
    const err = await failure(model.deploy("ubuntu", { to: "99" }));
    expect(err.message).toContain('cannot deploy "ubuntu" to machine 99: machine 99 not found');
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Frame, RawClient } from "../../test/support/raw-client.js";
import { LOGIN_FACADES_4_0 } from "../facades/generated/login-facades.js";
import { jujuProfile, Simulator, UnknownJujuProfileError } from "./index.js";

let sim: Simulator;
const clients: RawClient[] = [];

async function open(path?: string): Promise<RawClient> {
  const w = await RawClient.open(sim, path);
  clients.push(w);
  return w;
}

beforeAll(async () => {
  sim = await Simulator.start({ juju: "4.0", password: "s3cret", timing: "instant" });
});
afterAll(async () => {
  for (const w of clients) {
    w.close();
    // Every frame of every test was checked against Juju 4.0's schema.
    expect(w.violations).toEqual([]);
  }
  await sim.stop();
});

describe("the Juju 4.0 profile", () => {
  it("logs in as Juju 4.0.15 with 4.0's model facades", async () => {
    const w = await RawClient.connect(sim);
    clients.push(w);
    const r = (await w.login(sim.password)).response as Frame;
    expect(r["server-version"]).toBe("4.0.15");
    expect(r.facades).toEqual(LOGIN_FACADES_4_0.modelLogin);
    const names = (r.facades as { name: string }[]).map((f) => f.name);
    expect(names).not.toContain("AllWatcher");
    expect(names).not.toContain("AllModelWatcher");
    expect(names).not.toContain("ModelGeneration");
    expect(sim.juju).toBe("4.0");
    expect(sim.jujuVersion).toBe("4.0.15");
  });

  it("logs in on /api with 4.0's controller facades (no HighAvailability)", async () => {
    const w = await RawClient.connect(sim, "/api");
    clients.push(w);
    const r = (await w.login(sim.password)).response as Frame;
    expect(r.facades).toEqual(LOGIN_FACADES_4_0.controllerLogin);
    const mm = (r.facades as { name: string; versions: number[] }[]).find(
      (f) => f.name === "ModelManager",
    );
    expect(mm?.versions).toEqual([10, 11]);
  });

  it("answers Client.WatchAll as Juju 4 does: not implemented", async () => {
    const w = await open();
    const r = await w.call("Client", 8, "WatchAll");
    expect(r.error).toBe("WatchAll not implemented");
    expect(r["error-code"]).toBe("not implemented");
  });

  it("has no AllWatcher facade and no Bundle 6", async () => {
    const w = await open();
    const all = await w.call("AllWatcher", 3, "Next", undefined, "1");
    expect(all["error-code"]).toBe("not implemented");
    expect(all.error).toBe('unknown version (3) of interface "AllWatcher"');
    const b6 = await w.call("Bundle", 6, "GetChanges", { yaml: "", bundleURL: "" });
    expect(b6["error-code"]).toBe("not implemented");
  });

  it("plans bundles with Bundle 8 GetChangesMapArgs, and has no GetChanges", async () => {
    const w = await open();
    const yaml = "applications:\n  ubuntu:\n    charm: ubuntu\n    num_units: 1\n";
    const r = await w.ok("Bundle", 8, "GetChangesMapArgs", { yaml, bundleURL: "" });
    const changes = r.changes as { method: string }[];
    expect(changes.map((c) => c.method)).toContain("deploy");
    const old = await w.call("Bundle", 8, "GetChanges", { yaml, bundleURL: "" });
    expect(old["error-code"]).toBe("not implemented");
    expect(String(old.error)).toMatch(/no such request - method Bundle\(8\)\.GetChanges/);
  });

  it("names model owners by qualifier in ModelManager 11", async () => {
    const w = await open("/api");
    const list = await w.ok("ModelManager", 11, "ListModels", { tag: "user-admin" });
    const models = (list["user-models"] as { model: Frame }[]).map((u) => u.model);
    expect(models.map((m) => m.qualifier).sort()).toEqual(["admin", "admin"]);
    expect(models.some((m) => "owner-tag" in m)).toBe(false);
    const created = await w.ok("ModelManager", 11, "CreateModel", {
      name: "four",
      qualifier: "admin",
    });
    expect(created.qualifier).toBe("admin");
    expect(created["owner-tag"]).toBeUndefined();
    const info = await w.ok("ModelManager", 11, "ModelInfo", {
      entities: [{ tag: `model-${created.uuid}` }],
    });
    expect((info.results as { result: Frame }[])[0]?.result.qualifier).toBe("admin");
    const summaries = await w.ok("ModelManager", 11, "ListModelSummaries", {
      "user-tag": "user-admin",
    });
    const summary = (summaries.results as { result: Frame }[])[0]?.result;
    expect(summary?.qualifier).toBe("admin");
    expect(summary?.sla).toBeUndefined();
  });

  it("refuses an invalid qualifier as Juju 4 does", async () => {
    const w = await open("/api");
    const r = await w.call("ModelManager", 11, "CreateModel", { name: "x", qualifier: "-bad-" });
    expect(r.error).toBe("cannot create model with invalid qualifier");
    expect(r["error-code"]).toBe("not valid");
  });

  it("deploys with storage directives, adds units and integrates through 4.x facades", async () => {
    const w = await open();
    const deploy = async (charm: string, app: string, extra: Frame = {}) => {
      const res = await w.ok("Charms", 7, "ResolveCharms", {
        resolve: [
          {
            reference: `ch:${charm}`,
            "charm-origin": { source: "charm-hub", type: "charm", architecture: "amd64" },
          },
        ],
      });
      const r = (res.Results as Frame[])[0] as Frame;
      const added = await w.ok("Charms", 7, "AddCharm", {
        url: r.url,
        "charm-origin": r["charm-origin"],
        force: false,
      });
      return w.ok("Application", 22, "Deploy", {
        applications: [
          {
            application: app,
            "charm-url": r.url,
            "charm-origin": added["charm-origin"],
            "num-units": 1,
            "config-yaml": "",
            constraints: {},
            Force: false,
            ...extra,
          },
        ],
      });
    };
    // Application 22 of Juju 4: storage directives are storage.Directive, whose
    // fields have no json tags (Pool, Size, Count on the wire).
    const ub = await deploy("ubuntu", "ub", {
      storage: { files: { Pool: "rootfs", Size: 200, Count: 1 } },
    });
    expect(ub).toEqual({ results: [{}] });
    // mysql 8.0 assumes juju < 4: a Juju 4 controller refuses it, as the assumes check says.
    expect(await deploy("haproxy", "db")).toEqual({ results: [{}] });
    expect(await deploy("easyrsa", "easyrsa")).toEqual({ results: [{}] });
    const units = await w.ok("Application", 22, "AddUnits", {
      application: "db",
      "num-units": 1,
      placement: [],
    });
    expect(units.units).toEqual(["db/1"]);
    const rel = await w.ok("Application", 22, "AddRelation", {
      endpoints: ["db:certificates", "easyrsa:client"],
    });
    expect(Object.keys(rel.endpoints as Frame).sort()).toEqual(["db", "easyrsa"]);
    const status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    expect(Object.keys(status.applications as Frame).sort()).toEqual(["db", "easyrsa", "ub"]);
    const model = status.model as Frame;
    expect(model.version).toBe("4.0.15");
    expect(model.sla).toBeUndefined();
  });
});

describe("Charms 7 of Juju 4", () => {
  it("describes charms in 4.x shapes and has no IsMetered", async () => {
    const w = await open();
    const res = await w.ok("Charms", 7, "ResolveCharms", {
      resolve: [
        {
          reference: "ch:mysql",
          "charm-origin": { source: "charm-hub", type: "charm", architecture: "amd64" },
        },
      ],
    });
    const r = (res.Results as Frame[])[0] as Frame;
    await w.ok("Charms", 7, "AddCharm", { url: r.url, "charm-origin": r["charm-origin"] });
    // The reply is schema-checked (afterAll): no metrics, series or payload classes.
    const info = await w.ok("Charms", 7, "CharmInfo", { url: r.url });
    expect((info.meta as Frame).name).toBe("mysql");
    const metered = await w.call("Charms", 7, "IsMetered", { url: r.url });
    expect(metered["error-code"]).toBe("not implemented");
  });
});

describe("client files of Juju 4", () => {
  it("write models.yaml as Juju 4's CLI does: qualifier/name, no branch", async () => {
    const dir = await mkdtemp(join(tmpdir(), "libjuju-sim4-files-"));
    try {
      await sim.writeClientFiles(dir);
      const models = parse(await readFile(join(dir, "models.yaml"), "utf8"));
      const own = models.controllers["libjuju-sim"];
      expect(own["current-model"]).toBe("admin/default");
      expect(own.models["admin/default"]).toEqual({ uuid: sim.defaultModelUuid, type: "iaas" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("profiles", () => {
  it("default to 3.6 and refuse unknown versions with a typed error", async () => {
    expect(jujuProfile(undefined).jujuVersion).toBe("3.6.28");
    expect(() => jujuProfile("5.0")).toThrow(UnknownJujuProfileError);
    await expect(Simulator.start({ juju: "2.9" as "3.6" })).rejects.toThrow(
      /cannot play Juju "2.9"/,
    );
  });
});

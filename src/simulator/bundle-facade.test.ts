import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOld, RawClient } from "../../test/support/raw-client.js";
import { Simulator, VirtualClock } from "./index.js";

let sim: Simulator;
let w: RawClient;
const clock = new VirtualClock();

beforeAll(async () => {
  sim = await Simulator.start({ clock, timing: "instant" });
  w = await RawClient.open(sim);
});
afterAll(async () => {
  w.close();
  await sim.stop();
});

describe("Bundle(6).ExportBundle", () => {
  it("refuses an empty model as Juju does", async () => {
    const r = await w.call("Bundle", 6, "ExportBundle", {});
    expect(r.error).toBe("nothing to export as there are no applications");
    expect(r["error-code"]).toBeUndefined();
    expect(w.violations).toEqual([]);
  });

  it("writes the model in Juju's export format", async () => {
    const db = await deployOld(w, "mysql", "db", 2, {
      config: { "cluster-name": "c1", binlog_retention_days: "3" },
      constraints: { mem: 4096, cores: 2 },
    });
    expect(db.deploy).toEqual({ results: [{}] });
    const rsa = await deployOld(w, "easyrsa", "easyrsa", 1);
    expect(rsa.deploy).toEqual({ results: [{}] });
    await w.ok("Application", 19, "AddRelation", {
      endpoints: ["db:certificates", "easyrsa:client"],
    });
    await w.ok("Application", 19, "Expose", { application: "easyrsa" });
    await w.ok("Annotations", 2, "Set", {
      annotations: [{ entity: "application-db", annotations: { "gui-x": "10", "gui-y": "20" } }],
    });
    // The unit assigner places the units.
    await clock.advance(60_000);
    const r = await w.ok("Bundle", 6, "ExportBundle", {});
    expect(r.result).toBe(`default-base: ubuntu@24.04/stable
applications:
  db:
    charm: mysql
    channel: 8.0/stable
    revision: 313
    base: ubuntu@22.04/stable
    num_units: 2
    to:
    - "0"
    - "1"
    options:
      binlog_retention_days: 3
      cluster-name: c1
    annotations:
      gui-x: "10"
      gui-y: "20"
    constraints: cpu-cores=2 mem=4096
  easyrsa:
    charm: easyrsa
    channel: stable
    revision: 70
    num_units: 1
    to:
    - "2"
    expose: true
machines:
  "0":
    constraints: cpu-cores=2 mem=4096
    base: ubuntu@22.04/stable
  "1":
    constraints: cpu-cores=2 mem=4096
    base: ubuntu@22.04/stable
  "2": {}
relations:
- - db:certificates
  - easyrsa:client
`);
    expect(w.violations).toEqual([]);
  });
});

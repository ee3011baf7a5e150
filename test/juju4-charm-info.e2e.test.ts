import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Controller, type Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";

const DUMMY = resolve(import.meta.dirname, "../../shared/testdata/charm-dirs/juju-dummy");

// Charms.CharmInfo differs between the majors under the same version (7):
// Juju 4's params.Charm carries the charm's `version` (and no `metrics`). A
// status-polled model reads it to give its `charm` entities the
// `charm-version` the AllWatcher gives them on 3.6.
describe.each(JUJU_VERSIONS)("charm entities and CharmInfo on Juju %s", (juju) => {
  let dir: string;
  let sim: Simulator;
  let controller: Controller;
  let model: Model;
  // Every frame is checked against the schema of the login's major.
  const tap = createConformanceTap();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-charminfo-"));
    sim = await Simulator.start({ juju, timing: "instant", jujuData: dir, controllerName: "sim" });
    controller = await Controller.connectCurrent({
      env: { JUJU_DATA: dir },
      pingInterval: 0,
      onFrame: tap.onFrame,
    });
    model = await controller.addModel("charms");
  });

  afterAll(async () => {
    await model?.disconnect();
    await controller?.disconnect();
    expect(tap.framesSeen).toBeGreaterThan(5);
    expect(tap.violations).toEqual([]);
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a deployed charm is a charm entity with its version and default config", async () => {
    // The dummy's version file reads "revision-id: dummy-146-g725cfd3-dirty", as `git describe` wrote it.
    const version = "dummy-146-g725cfd3-dirty";
    const app = await model.deploy(DUMMY);
    const url = app.charmUrl;
    await vi.waitFor(() => expect(model.entity("charm", url)).toBeDefined(), { timeout: 10_000 });
    const charm = model.entity("charm", url)!;
    expect(charm.charmVersion).toBe(version);
    expect(charm.url).toBe(url);
    expect(charm.config).toEqual({ title: "My Title", username: "admin001" });
    expect(model.stateSource).toBe(juju === "4.0" ? "status-poll" : "allwatcher");
  });

  it("CharmInfo answers version only on 4.x, and only the 4.x schema types it", async () => {
    const app = [...model.applications.values()][0]!;
    const charms = model.connection.facade("Charms");
    const info = (await charms.call("CharmInfo", { url: app.charmUrl })) as unknown as Record<
      string,
      unknown
    >;
    if (juju === "4.0") {
      expect(charms.major).toBe(4);
      const info4 = await charms.juju4().call("CharmInfo", { url: app.charmUrl });
      expect(info4.version).toBe(model.entity("charm", app.charmUrl)?.charmVersion);
    } else {
      expect(info).not.toHaveProperty("version");
    }
  });
});

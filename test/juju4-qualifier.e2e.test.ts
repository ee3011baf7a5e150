import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, JujuError, Model } from "../src/index.js";
import { JujuData, qualifyModelName } from "../src/jujudata/index.js";
import { isValidModelQualifier, modelQualifier } from "../src/protocol/model-qualifier.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

describe("Juju 4's model qualifier of a user (QualifierFromUserTag)", () => {
  it("is the user name lower-cased, anything but letters and digits as -", () => {
    // core/model's own cases.
    expect(modelQualifier("fred")).toBe("fred");
    expect(modelQualifier("Fred")).toBe("fred");
    expect(modelQualifier("fred@external")).toBe("fred-external");
    expect(modelQualifier("fred+mary@external")).toBe("fred-mary-external");
    expect(modelQualifier("bob-external")).toBe("bob-external");
  });

  it("is valid as Qualifier.Validate has it", () => {
    expect(isValidModelQualifier("qualifier-123")).toBe(true);
    for (const bad of ["", "-invalid", "Invalid", "bob@external"]) {
      expect(isValidModelQualifier(bad), bad).toBe(false);
    }
  });

  it("qualifies a model name on 4.x; 3.x keeps the user name", () => {
    expect(qualifyModelName("prod", "bob@external")).toBe("bob@external/prod");
    expect(qualifyModelName("prod", "bob@external", 4)).toBe("bob-external/prod");
    expect(qualifyModelName("alice/prod", "bob@external", 4)).toBe("alice/prod");
  });
});

describe("models of other users on a Juju 4.0 controller", () => {
  let dir: string;
  let sim: Simulator;
  let controller: Controller;
  // Every frame is checked against the Juju 4.0 schema.
  const tap = createConformanceTap(4);
  const sent: Array<Record<string, unknown>> = [];
  const onFrame: typeof tap.onFrame = (dirn, frame) => {
    const f = frame as { request?: string; params?: Record<string, unknown> };
    if (dirn === "out" && f.request === "CreateModel" && f.params) sent.push(f.params);
    tap.onFrame(dirn, frame);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-qualifier-"));
    sim = await Simulator.start({
      juju: "4.0",
      timing: "instant",
      jujuData: dir,
      controllerName: "sim",
    });
    controller = await Controller.connectCurrent({
      env: { JUJU_DATA: dir },
      pingInterval: 0,
      onFrame,
    });
  });

  afterAll(async () => {
    await controller?.disconnect();
    expect(tap.violations).toEqual([]);
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a model added for bob@external is under bob-external, found by that name", async () => {
    const model = await controller.addModel("prod", { owner: "bob@external" });
    try {
      expect(sent.at(-1)).toMatchObject({ name: "prod", qualifier: "bob-external" });
      expect(sent.at(-1)).not.toHaveProperty("owner-tag");
      expect(model.name).toBe("bob-external/prod");
    } finally {
      await model.disconnect();
    }
    const listed = (await controller.listModels()).find((m) => m.name === "prod");
    expect(listed).toMatchObject({ owner: "bob-external", qualifiedName: "bob-external/prod" });
    // Not in models.yaml: found on the controller by its qualified name.
    await using byName = await Model.connectModel("sim:bob-external/prod", {
      env: { JUJU_DATA: dir },
      pingInterval: 0,
      onFrame: tap.onFrame,
    });
    expect(byName.uuid).toBe(listed?.uuid);
    // Its offers list under the qualifier (crossmodel.MakeURL), and are found by it.
    // A superuser is not a model writer (as offers-juju4 has it): admin takes admin access.
    await controller.grantModel("admin", byName.uuid, "admin");
    await byName.deploy("easyrsa");
    await byName.createOffer("easyrsa:client", { offerName: "certs" });
    expect((await byName.listOffers()).map((o) => o.offerUrl)).toEqual(["bob-external/prod.certs"]);
    const found = await controller.listOffers("prod", { owner: "bob-external" });
    expect(found.map((o) => o.offerName)).toEqual(["certs"]);
  });

  it("the controller refuses a qualifier that is not one (Qualifier.Validate)", async () => {
    const err = await controller.addModel("bad", { owner: "-bob" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).message).toContain("cannot create model with invalid qualifier");
    expect((err as JujuError).jujuCode).toBe("not valid");
  });

  it("client files of a 4.x controller qualify an unqualified name by the account's qualifier", async () => {
    // As Juju 4's CLI writes them for bob@external: the name is bob-external/prod.
    const files = join(dir, "bob");
    const uuid = (await controller.listModels()).find((m) => m.name === "prod")?.uuid ?? "";
    const controllers = (await readFile(join(dir, "controllers.yaml"), "utf8")).replace(
      /current-controller: .*/,
      "current-controller: sim",
    );
    await rm(files, { recursive: true, force: true });
    await mkdir(files, { recursive: true });
    await writeFile(join(files, "controllers.yaml"), controllers);
    await writeFile(
      join(files, "accounts.yaml"),
      "controllers:\n  sim:\n    user: bob@external\n    last-known-access: login\n",
    );
    await writeFile(
      join(files, "models.yaml"),
      `controllers:\n  sim:\n    models:\n      bob-external/prod:\n        uuid: ${uuid}\n        type: iaas\n    current-model: bob-external/prod\n`,
    );
    const resolved = await new JujuData({ dir: files }).resolveModel("prod");
    expect(resolved.modelName).toBe("bob-external/prod");
    expect(resolved.model?.uuid).toBe(uuid);
  });
});

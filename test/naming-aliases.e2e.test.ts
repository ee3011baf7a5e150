/**
 * One name for one thing: where the public API keeps a second spelling (a
 * python-libjuju name, or a name earlier versions shipped), that alias
 * gives the same value as the canonical name. See the naming table in
 * docs/migrating-from-python-libjuju.md.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Application,
  Controller,
  InvalidArgumentError,
  Machine,
  Model,
  Unit,
} from "../src/index.js";
import { caCertOption } from "../src/model/connect-options.js";
import { startTestController, type TestController } from "../src/testing/index.js";

describe("caCert and its alias cacert", () => {
  it("resolve to the same CA, and disagreeing values are refused", () => {
    expect(caCertOption({ cacert: "PEM" })).toBe("PEM");
    expect(caCertOption({ caCert: "PEM" })).toBe("PEM");
    expect(caCertOption({ caCert: "PEM", cacert: "PEM" })).toBe("PEM");
    expect(caCertOption({})).toBeUndefined();
    expect(() => caCertOption({ caCert: "A", cacert: "B" })).toThrow(InvalidArgumentError);
  });
});

describe("aliases against a test controller", () => {
  let ctl: TestController;
  beforeAll(async () => {
    ctl = await startTestController({ timing: "instant" });
  });
  afterAll(async () => {
    await ctl?.dispose();
  });

  it("connectionInfo.cacert is connectionInfo.caCert", () => {
    const info = ctl.connectionInfo;
    expect(info.caCert).toContain("BEGIN CERTIFICATE");
    expect(info.cacert).toBe(info.caCert);
  });

  it("Model.connect and Controller.connect accept cacert as they accept caCert", async () => {
    const info = ctl.connectionInfo;
    const uuid = (await ctl.model()).uuid;
    const base = { username: info.username, password: info.password, uuid };
    const byCaCert = await Model.connect({ ...base, endpoint: info.endpoint, caCert: info.caCert });
    const byAlias = await Model.connect({
      ...base,
      endpoints: [info.endpoint],
      cacert: info.cacert,
    });
    try {
      expect(byAlias.uuid).toBe(byCaCert.uuid);
      expect(byAlias.endpoint).toBe(byCaCert.endpoint);
    } finally {
      await byCaCert.disconnect();
      await byAlias.disconnect();
    }
    const controller = await Controller.connect({
      username: info.username,
      password: info.password,
      endpoint: info.endpoint,
      cacert: info.cacert,
    });
    try {
      expect(controller.controllerUuid).toBe(info.controllerUuid);
    } finally {
      await controller.disconnect();
    }
    await expect(
      Model.connect({ ...base, endpoint: info.endpoint, caCert: info.caCert, cacert: "other" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("getStatus patterns (deprecated) filter as filters do", async () => {
    const model = await ctl.model();
    await model.deploy("juju-qa-test", { applicationName: "qa" });
    await model.deploy("juju-qa-test", { applicationName: "other" });
    const byFilters = await model.getStatus({ filters: ["qa"] });
    const byPatterns = await model.getStatus({ patterns: ["qa"] });
    expect(Object.keys(byFilters.applications ?? {})).toEqual(["qa"]);
    expect(Object.keys(byPatterns.applications ?? {})).toEqual(["qa"]);
  });
});

describe("method aliases delegate to the canonical method", () => {
  const classes: Record<string, { prototype: object }> = { Application, Unit, Machine, Model };
  const cases: Array<[string, string, string]> = [
    ["Model", "addRelation", "integrate"],
    ["Model", "relate", "integrate"],
    ["Application", "addRelation", "relate"],
    ["Application", "removeRelation", "destroyRelation"],
    ["Application", "remove", "destroy"],
    ["Unit", "remove", "destroy"],
    ["Machine", "remove", "destroy"],
  ];
  it.each(cases)("%s.%s is %s", async (cls, alias, canonical) => {
    const target = Object.create(classes[cls]!.prototype) as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    const result = { done: true };
    const spy = vi.fn(async () => result);
    target[canonical] = spy;
    const args = /relat|Relation/.test(alias)
      ? ["db", "mysql", { force: true }]
      : [{ force: true }];
    await expect(target[alias]!(...args)).resolves.toBe(result);
    expect(spy).toHaveBeenCalledWith(...args);
  });
});

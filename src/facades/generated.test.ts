import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyOverrides,
  DEFAULT_SHARED_DIR,
  type FacadeSchema,
  loadClientFacades,
  loadJuju4Facades,
  loadLoginFacades,
  registeredClientFacades,
  type SchemaNode,
} from "../../scripts/facade-schema.js";
import {
  findNameClashes,
  findShapeClashes,
  generateFacades,
  HEADER,
  JUJU4_DIR,
  main,
} from "../../scripts/generate-facades.js";
import {
  CLIENT_FACADE_VERSIONS,
  CLIENT_FACADE_VERSIONS_4,
  CLIENT_FACADE_VERSIONS_BY_MAJOR,
  FACADES,
  FACADES_4,
  type Juju4,
  type JujuFacadesByMajor,
  LATEST_CLIENT_FACADE_VERSIONS,
  LATEST_CLIENT_FACADE_VERSIONS_4,
  LOGIN_FACADES_3_6,
  LOGIN_FACADES_4_0,
} from "./generated/index.js";

/** The generated `.ts` files under `dir` and its juju4/ sub-directory, as relative paths. */
function tsFiles(dir: string): string[] {
  return ["", JUJU4_DIR]
    .flatMap((sub) => {
      try {
        return readdirSync(join(dir, sub)).map((f) => (sub === "" ? f : `${sub}/${f}`));
      } catch {
        return [];
      }
    })
    .filter((f) => f.endsWith(".ts"))
    .sort();
}

const committedDir = join(import.meta.dirname, "generated");
const hint =
  "src/facades/generated/ is out of date: run `npm run gen:facades` and commit the result";

describe("src/facades/generated", () => {
  const tmp = mkdtempSync(join(tmpdir(), "libjuju-facades-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  main(["--out", tmp]);
  const generated = tsFiles(tmp);

  it("has exactly the files the generator produces", () => {
    expect(tsFiles(committedDir), hint).toEqual(generated);
  });

  it.each(generated)("%s is up to date", (name) => {
    const fresh = readFileSync(join(tmp, name), "utf8");
    expect(fresh.startsWith(HEADER)).toBe(true);
    let committed: string;
    try {
      committed = readFileSync(join(committedDir, name), "utf8");
    } catch {
      throw new Error(`${name} is missing; ${hint}`);
    }
    if (committed !== fresh)
      throw new Error(`${name} differs from the generator's output; ${hint}`);
  });

  it("is deterministic", () => {
    const again = mkdtempSync(join(tmpdir(), "libjuju-facades-"));
    try {
      generateFacades(again);
      for (const name of generated) {
        expect(readFileSync(join(again, name), "utf8")).toBe(readFileSync(join(tmp, name), "utf8"));
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe("generated facade tables", () => {
  it("cover every registered version of every client facade, plus Admin v3", () => {
    for (const { name, versions } of LOGIN_FACADES_3_6.allRegistered) {
      const known = CLIENT_FACADE_VERSIONS[name];
      if (known !== undefined) expect(known, name).toEqual(versions);
    }
    expect(CLIENT_FACADE_VERSIONS.Admin).toEqual([3]);
    expect(CLIENT_FACADE_VERSIONS.Application).toEqual([15, 16, 17, 18, 19, 20, 21, 22]);
    expect(LATEST_CLIENT_FACADE_VERSIONS.Client).toBe(8);
    expect(Object.keys(CLIENT_FACADE_VERSIONS)).toHaveLength(33);
  });

  it("list methods with their schema definition names", () => {
    expect(FACADES.Application?.[22]?.Deploy).toEqual({
      params: "ApplicationsDeploy",
      result: "ErrorResults",
    });
    expect(FACADES.AllWatcher?.[3]?.Stop).toEqual({});
    expect(FACADES.Client?.[6]?.WatchAll).toEqual({ result: "AllWatcherId" });
  });

  it("carry the 3.6 Login facade lists", () => {
    expect(LOGIN_FACADES_3_6.jujuVersion).toBe("3.6.28");
    expect(LOGIN_FACADES_3_6.allRegistered).toHaveLength(117);
    expect(LOGIN_FACADES_3_6.modelLogin).toHaveLength(106);
    expect(LOGIN_FACADES_3_6.controllerLogin).toHaveLength(16);
  });

  it("carry the 4.0 Login facade lists, without the AllWatchers", () => {
    expect(LOGIN_FACADES_4_0.jujuVersion).toBe("4.0.15");
    const names = (l: readonly { name: string }[]) => l.map((f) => f.name);
    expect(names(LOGIN_FACADES_4_0.allRegistered)).not.toContain("AllWatcher");
    expect(names(LOGIN_FACADES_4_0.allRegistered)).not.toContain("AllModelWatcher");
    expect(LOGIN_FACADES_4_0.modelLogin.find((f) => f.name === "Bundle")?.versions).toEqual([8]);
    expect(LOGIN_FACADES_4_0.modelLogin.find((f) => f.name === "Application")?.versions).toEqual([
      19, 20, 21, 22,
    ]);
    expect(names(LOGIN_FACADES_4_0.controllerLogin)).toContain("ModelManager");
    expect(names(LOGIN_FACADES_4_0.modelLogin)).not.toContain("ModelManager");
  });
});

describe("generated Juju 4.x facade tables", () => {
  it("are kept apart from 3.x: same version numbers, other shapes", () => {
    expect(CLIENT_FACADE_VERSIONS_4.Bundle).toEqual([8]);
    expect(CLIENT_FACADE_VERSIONS_4.ModelManager).toEqual([11]);
    expect(CLIENT_FACADE_VERSIONS_4.MachineManager).toEqual([11, 12]);
    expect(CLIENT_FACADE_VERSIONS_4.AllWatcher).toBeUndefined();
    expect(LATEST_CLIENT_FACADE_VERSIONS_4.Application).toBe(22);
    expect(CLIENT_FACADE_VERSIONS_BY_MAJOR[4]).toBe(CLIENT_FACADE_VERSIONS_4);
    expect(CLIENT_FACADE_VERSIONS_BY_MAJOR[3]).toBe(CLIENT_FACADE_VERSIONS);
    expect(FACADES_4.Bundle?.[8]?.GetChanges).toBeUndefined();
    expect(FACADES_4.Bundle?.[8]?.GetChangesMapArgs).toEqual({
      params: "BundleChangesParams",
      result: "BundleChangesMapArgsResults",
    });
    expect(FACADES.Bundle?.[6]?.GetChanges).toBeDefined();
  });

  it("type the 4.x shapes: storage directives, qualifier, cluster-role", () => {
    const arg: Juju4.Application.DeployFromRepositoryArg["storage"] = {
      data: { Count: 1, Size: 1024, Pool: "rootfs" },
    };
    const model: Juju4.ModelManager.ModelCreateArgs = { name: "m", qualifier: "admin" };
    type Status4 = JujuFacadesByMajor[4]["Client"][8]["FullStatus"]["result"];
    type Machine4 = Status4["machines"][string];
    const role: Machine4["cluster-role"] = "primary";
    // 3.6's ModelCreateArgs (ModelManager 10) has an owner-tag and no qualifier.
    type Create3 = JujuFacadesByMajor[3]["ModelManager"][10]["CreateModel"]["params"];
    const qualifier3: "qualifier" extends keyof Create3 ? true : false = false;
    const owner3: "owner-tag" extends keyof Create3 ? true : false = true;
    expect([arg, model, role, qualifier3, owner3]).toHaveLength(5);
  });
});

describe("Go type name clashes in Juju's schema (NAME_CLASHES)", () => {
  const registered36 = registeredClientFacades(loadClientFacades(), loadLoginFacades());
  const juju4 = loadJuju4Facades();

  it("are found where one definition stands for two Go types (devices and storage Constraints in 3.6)", () => {
    const clashes = findNameClashes(registered36, juju4);
    expect(clashes).toHaveLength(1);
    expect(clashes[0]).toContain("Application v22: Constraints of the first schema is");
    expect(clashes[0]).toContain("ApplicationDeploy/properties/devices");
    expect(clashes[0]).toContain("ApplicationDeploy/properties/storage");
  });

  it("are all resolved by the override table, so the generator does not stop", () => {
    expect(findNameClashes(registered36.map(applyOverrides), juju4.map(applyOverrides))).toEqual(
      [],
    );
  });

  it("stop the generator when a clash is not in the table", () => {
    const facade = (version: number, defs: Record<string, SchemaNode>): FacadeSchema => ({
      Name: "Demo",
      Version: version,
      Schema: { type: "object", properties: {}, definitions: defs },
    });
    const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
    const merged = facade(1, {
      Args: { type: "object", properties: { a: ref("Thing"), b: ref("Thing") } },
      Thing: { type: "object", properties: { x: { type: "string" } } },
    });
    const split = facade(1, {
      Args: { type: "object", properties: { a: ref("Thing"), b: ref("Other") } },
      Thing: { type: "object", properties: { x: { type: "string" } } },
      Other: { type: "object", properties: { y: { type: "integer" } } },
    });
    expect(findNameClashes([merged], [split])).toEqual([
      "Demo v1: Thing of the first schema is Other (/definitions/Args/properties/b) and Thing (/definitions/Args/properties/a) in the other",
    ]);
    expect(findNameClashes([split], [merged])).toHaveLength(1);
    expect(findNameClashes([split], [split])).toEqual([]);
    // Within one release: one name, two shapes in two facades.
    expect(
      findShapeClashes([
        merged,
        { ...facade(2, { Thing: { type: "object", properties: { y: { type: "integer" } } } }) },
      ]),
    ).toEqual(["Thing: Demo v1 / Demo v2"]);
  });

  it("leave no name with two shapes within the 3.6 or the 4.0 release", () => {
    for (const file of ["schema-3.6.json", "schema-4.0.json"]) {
      const facades = JSON.parse(
        readFileSync(join(DEFAULT_SHARED_DIR, "juju-schema", file), "utf8"),
      ) as FacadeSchema[];
      expect(findShapeClashes(facades.map(applyOverrides)), file).toEqual([]);
    }
  });

  it("type devices as devices.Constraints on both majors", () => {
    const device = { Type: "nvidia.com/gpu", Count: 2, Attributes: { gpu: "fast" } };
    const deploy3: JujuFacadesByMajor[3]["Application"][22]["Deploy"]["params"]["applications"][number]["devices"] =
      { gpu: device };
    const deploy4: Juju4.Application.ApplicationDeploy["devices"] = { gpu: device };
    // Storage keeps storage.Constraints on 3.6.
    const storage3: JujuFacadesByMajor[3]["Application"][22]["Deploy"]["params"]["applications"][number]["storage"] =
      { data: { Pool: "rootfs", Size: 1024, Count: 1 } };
    expect([deploy3, deploy4, storage3]).toHaveLength(3);
  });
});

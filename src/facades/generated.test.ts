import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFacades, HEADER, main } from "../../scripts/generate-facades.js";
import {
  CLIENT_FACADE_VERSIONS,
  FACADES,
  LATEST_CLIENT_FACADE_VERSIONS,
  LOGIN_FACADES_3_6,
} from "./generated/index.js";

const committedDir = join(import.meta.dirname, "generated");
const hint =
  "src/facades/generated/ is out of date: run `npm run gen:facades` and commit the result";

describe("src/facades/generated", () => {
  const tmp = mkdtempSync(join(tmpdir(), "libjuju-facades-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  main(["--out", tmp]);
  const generated = readdirSync(tmp).sort();

  it("has exactly the files the generator produces", () => {
    const committed = readdirSync(committedDir)
      .filter((f) => f.endsWith(".ts"))
      .sort();
    expect(committed, hint).toEqual(generated);
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
});

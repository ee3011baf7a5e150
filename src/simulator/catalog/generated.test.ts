import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BUNDLES_FILE,
  BUNDLES_HEADER,
  CATALOG_FILE,
  CATALOG_HEADER,
  renderBundleCatalog,
  renderCatalog,
} from "../../../scripts/generate-catalog.js";
import { GENERATED_BUNDLES } from "./generated/bundles.js";
import { GENERATED_CHARMS } from "./generated/charms.js";

const hint =
  "src/simulator/catalog/generated/charms.ts is out of date: run `npx tsx scripts/generate-catalog.ts` and commit the result";

describe("src/simulator/catalog/generated/charms.ts", () => {
  const fresh = renderCatalog();

  it("is up to date with testdata/charms and src/charm/metadata.ts", () => {
    expect(fresh.startsWith(CATALOG_HEADER)).toBe(true);
    if (readFileSync(CATALOG_FILE, "utf8") !== fresh) throw new Error(hint);
  });

  it("is deterministic", () => {
    expect(renderCatalog()).toBe(fresh);
  });

  it("holds every charm of testdata/charms", () => {
    expect(Object.keys(GENERATED_CHARMS)).toHaveLength(28);
    expect(GENERATED_CHARMS["mysql-router-openstack"]?.name).toBe("mysql-router");
    expect(GENERATED_CHARMS.mysql?.provides.database?.interface).toBe("mysql_client");
  });
});

describe("src/simulator/catalog/generated/bundles.ts", () => {
  const fresh = renderBundleCatalog();

  it("is up to date with testdata/bundles and the catalog's charms", () => {
    expect(fresh.startsWith(BUNDLES_HEADER)).toBe(true);
    if (readFileSync(BUNDLES_FILE, "utf8") !== fresh) {
      throw new Error(hint.replace("charms.ts", "bundles.ts"));
    }
  });

  it("holds exactly the valid testdata bundles whose charms are all in the catalog", () => {
    expect(Object.keys(GENERATED_BUNDLES)).toEqual([
      "charmed-kubernetes",
      "cos-lite",
      "juju-qa-test-full-options",
      "kubernetes-core",
    ]);
    expect(GENERATED_BUNDLES["charmed-kubernetes"]?.bases).toEqual(["ubuntu@24.04"]);
    expect(GENERATED_BUNDLES["cos-lite"]?.type).toBe("kubernetes");
    expect(GENERATED_BUNDLES["juju-qa-test-full-options"]?.charms).toEqual(["juju-qa-test"]);
  });
});

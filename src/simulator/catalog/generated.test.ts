import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG_FILE, CATALOG_HEADER, renderCatalog } from "../../../scripts/generate-catalog.js";
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

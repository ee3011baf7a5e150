import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/index.js";
import { parseOfferEndpoint, parseOfferUrl } from "../src/model/ops/offers.js";

describe("offer URLs and endpoints (python-libjuju's parsing)", () => {
  it("parses [controller:][user/]model.offer", () => {
    expect(parseOfferUrl("admin/prod.db")).toEqual({
      source: "",
      user: "admin",
      model: "prod",
      application: "db",
    });
    expect(parseOfferUrl("ctrl:bob/prod.db")).toMatchObject({ source: "ctrl", user: "bob" });
    expect(parseOfferUrl("prod.db:server")).toMatchObject({ source: "", application: "db:server" });
    expect(parseOfferUrl("ctrl:prod.db:server")).toMatchObject({
      source: "ctrl",
      application: "db:server",
    });
  });

  it("refuses malformed URLs with python-libjuju's texts", () => {
    const msg = (u: string) => {
      try {
        parseOfferUrl(u);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${u}`);
    };
    expect(msg("prod")).toBe("application offer URL is missing application");
    expect(msg(".db")).toBe("application offer URL is missing model");
    expect(msg("a/b/c.db")).toContain("application offer URL has invalid form");
    expect(msg("admin/Prod.db")).toBe("model name Prod not valid");
    expect(msg("admin/prod.Db")).toBe("application name Db not valid");
    expect(msg("")).toBe("an offer URL is required");
  });

  it("parses offer endpoints app:ep[,ep]", () => {
    expect(parseOfferEndpoint("mysql:db")).toEqual({ application: "mysql", endpoints: ["db"] });
    expect(parseOfferEndpoint("prod.mysql:db,admin")).toEqual({
      application: "mysql",
      endpoints: ["db", "admin"],
    });
    for (const bad of ["mysql", "mysql:", "Mysql:db", "mysql:a:b"]) {
      expect(() => parseOfferEndpoint(bad)).toThrow(InvalidArgumentError);
    }
  });
});

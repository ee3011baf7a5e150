import { describe, expect, it } from "vitest";
import type { Frame, RawClient } from "../../test/support/raw-client.js";
import { useRawSimulator } from "../../test/support/raw-simulator.js";

let w: RawClient;

useRawSimulator((_, c) => {
  w = c;
});

describe("Charms facade replies in Juju's shapes", () => {
  it("ResolveCharms takes a macaroon object, as Go decodes macaroon.Macaroon", async () => {
    const res = await w.ok("Charms", 7, "ResolveCharms", {
      macaroon: { c: "sim", l: "", i: "id", s64: "" },
      resolve: [{ reference: "ch:etcd", "charm-origin": { source: "charm-hub", type: "charm" } }],
    });
    const r = (res.Results as Frame[])[0] as Frame;
    expect(r.error).toBeUndefined();
    expect(r.url).toMatch(/^ch:amd64\/etcd-\d+$/);
  });

  it("ListCharmResources answers one list of the charm's resources per charm ([][]CharmResourceResult)", async () => {
    const res = await w.ok("Charms", 7, "ResolveCharms", {
      resolve: [{ reference: "ch:etcd", "charm-origin": { source: "charm-hub", type: "charm" } }],
    });
    const r = (res.Results as Frame[])[0] as Frame;
    await w.ok("Charms", 7, "AddCharm", { url: r.url, "charm-origin": r["charm-origin"] });
    const list = await w.ok("Charms", 7, "ListCharmResources", {
      entities: [{ "charm-url": r.url, "charm-origin": r["charm-origin"] }],
    });
    const results = list.results as Frame[][];
    expect(results).toHaveLength(1);
    expect(results[0]?.map((x) => [x.name, x.origin]).sort()).toEqual([
      ["core", "store"],
      ["etcd", "store"],
      ["snapshot", "store"],
    ]);
  });

  it("ListCharmResources of a charm not in the model fails the call", async () => {
    const reply = await w.call("Charms", 7, "ListCharmResources", {
      entities: [{ "charm-url": "ch:amd64/nosuch-1" }],
    });
    expect(reply.error).toBe('charm "ch:amd64/nosuch-1" not found');
  });
});

describe("Application facade replies in Juju's shapes", () => {
  it("GetConstraints' failed item still carries constraints ({}), as Go marshals it", async () => {
    const res = await w.ok("Application", 20, "GetConstraints", {
      entities: [{ tag: "application-nosuch" }],
    });
    expect(res.results).toEqual([
      {
        constraints: {},
        error: { message: 'application "nosuch" not found', code: "not found" },
      },
    ]);
  });
});

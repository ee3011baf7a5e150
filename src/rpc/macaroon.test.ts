import { describe, expect, it } from "vitest";
import { ProtocolError } from "./errors.js";
import {
  bakeryMacaroonFromJson,
  bakeryMacaroonToJson,
  base64url,
  bindForRequest,
  expiryOf,
  macaroonFromJson,
  macaroonToJson,
  thirdPartyCaveats,
} from "./macaroon.js";

// Made with pymacaroons 0.13 (an independent implementation): a root macaroon
// (key "root-key-0123456789") with a time-before and a third-party caveat, its
// discharge (key "caveat-key-abcdef") and the discharge bound for the request.
const ROOT = {
  i: "root-id",
  s64: "VT9NNZ6S2ExZYOZxAKV3CJ0H8LXeMzUYQyyYLDXYpr8",
  l: "juju",
  c: [
    { i: "time-before 2030-01-01T00:00:00Z" },
    {
      i: "cav-id",
      v64: "ewFsmThSqPpz6PujzjW4sxnPGFiF4zrkU1EgQj4A5lm_oU9KTkIGk7PLKXxkv1OFyD6jmr6c8HofRwONkYqmxLnYx4GLttAi",
      l: "https://idm.example",
    },
  ],
};
const DISCHARGE = {
  i: "cav-id",
  s64: "9RF4cAE6cTMCJpKxbeoSd_GEVggn1aryYsTHiZJITDc",
  c: [{ i: "declared username bob" }],
};
const BOUND_S64 = "EuXEvBAlnu8yx0NPgpbfQ7sWEr-MKKMmoiWO0c3D7SI";

describe("macaroon JSON (go-macaroon v2)", () => {
  it("round-trips a macaroon with first- and third-party caveats", () => {
    const m = macaroonFromJson(ROOT);
    expect(m.location).toBe("juju");
    expect(m.caveats).toHaveLength(2);
    expect(thirdPartyCaveats(m).map((c) => c.location)).toEqual(["https://idm.example"]);
    expect(macaroonToJson(m)).toEqual(ROOT);
  });

  it("binds a discharge to the root as pymacaroons' prepare_for_request does", async () => {
    const bound = await bindForRequest(macaroonFromJson(ROOT), macaroonFromJson(DISCHARGE));
    expect(base64url(bound.signature)).toBe(BOUND_S64);
    expect(macaroonToJson(bound)).toEqual({ ...DISCHARGE, s64: BOUND_S64 });
  });

  it("puts binary ids in i64 and reads them back", () => {
    const m = { ...macaroonFromJson(DISCHARGE), id: Uint8Array.from([3, 0xff, 0]) };
    const j = macaroonToJson(m);
    expect(j.i).toBeUndefined();
    expect(j.i64).toBe("A_8A");
    expect(macaroonFromJson(j).id).toEqual(Uint8Array.from([3, 0xff, 0]));
  });

  it("reads version 1 JSON", () => {
    const m = macaroonFromJson({
      identifier: "id1",
      location: "loc",
      signature: "ab".repeat(32),
      caveats: [{ cid: "a = b" }, { cid: "tp", vid: "AAEC", cl: "https://x" }],
    });
    expect(m.caveats[1]?.verificationId).toEqual(Uint8Array.from([0, 1, 2]));
    expect(m.signature[0]).toBe(0xab);
  });

  it.each([
    ["not an object", "x"],
    ["no id", { s64: DISCHARGE.s64 }],
    ["short signature", { i: "x", s64: "AAAA" }],
    ["both i and i64", { i: "x", i64: "eA", s64: DISCHARGE.s64 }],
    ["caveats not an array", { i: "x", s64: DISCHARGE.s64, c: {} }],
    ["bad base64", { i64: "***", s64: DISCHARGE.s64 }],
  ])("refuses %s with ProtocolError", (_what, json) => {
    expect(() => macaroonFromJson(json)).toThrow(ProtocolError);
  });
});

describe("bakery macaroons", () => {
  it("reads {m, v, ns, cdata} and writes it back", () => {
    const b = bakeryMacaroonFromJson({
      m: ROOT,
      v: 3,
      ns: "std:",
      cdata: { Y2F2LWlk: "AQID" },
    });
    expect(b.version).toBe(3);
    expect(b.namespace).toBe("std:");
    expect([...b.caveatData.values()]).toEqual([Uint8Array.from([1, 2, 3])]);
    expect(bakeryMacaroonToJson(b)).toEqual({
      m: ROOT,
      v: 3,
      ns: "std:",
      cdata: { Y2F2LWlk: "AQID" },
    });
  });

  it("takes a bare macaroon as an older bakery version", () => {
    const b = bakeryMacaroonFromJson(ROOT);
    expect(b.version).toBe(2);
    expect(b.caveatData.size).toBe(0);
  });

  it("refuses an unknown bakery version", () => {
    expect(() => bakeryMacaroonFromJson({ m: ROOT, v: 9.5 })).toThrow(ProtocolError);
    expect(() => bakeryMacaroonFromJson({ m: ROOT, v: 3, cdata: { x: 1 } })).toThrow(ProtocolError);
  });
});

describe("expiryOf", () => {
  it("is the earliest time-before of the slice", () => {
    const d = { ...DISCHARGE, c: [{ i: "time-before 2029-06-01T00:00:00Z" }] };
    expect(expiryOf([macaroonFromJson(ROOT), macaroonFromJson(d)])?.toISOString()).toBe(
      "2029-06-01T00:00:00.000Z",
    );
    expect(expiryOf([macaroonFromJson(DISCHARGE)])).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import {
  addFirstParty,
  b64any,
  bindSig,
  deriveKey,
  loadNacl,
  macFromJson,
  macToJson,
  newMac,
} from "./macaroon.js";

// Made with pymacaroons 0.13 (see src/rpc/macaroon.test.ts for the same vectors).
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
const DISCHARGE_S64 = "9RF4cAE6cTMCJpKxbeoSd_GEVggn1aryYsTHiZJITDc";
const BOUND_S64 = "EuXEvBAlnu8yx0NPgpbfQ7sWEr-MKKMmoiWO0c3D7SI";

describe("the simulator's macaroon primitives agree with pymacaroons", () => {
  it("signs a macaroon and its first-party caveats the same way", () => {
    const d = newMac(Buffer.from("caveat-key-abcdef"), Buffer.from("cav-id"), "");
    addFirstParty(d, "declared username bob");
    expect(d.sig.toString("base64url")).toBe(DISCHARGE_S64);
    expect(bindSig(b64any(ROOT.s64)!, d.sig).toString("base64url")).toBe(BOUND_S64);
  });

  it("opens pymacaroons' verification id with the signature at that caveat", async () => {
    const nacl = await loadNacl();
    const root = macFromJson(ROOT)!;
    const m = newMac(Buffer.from("root-key-0123456789"), root.id, "juju");
    addFirstParty(m, "time-before 2030-01-01T00:00:00Z");
    const vid = root.caveats[1]!.vid!;
    const key = nacl.secretbox.open(vid.subarray(24), vid.subarray(0, 24), m.sig);
    expect(key && Buffer.from(key).equals(deriveKey(Buffer.from("caveat-key-abcdef")))).toBe(true);
    expect(macToJson(root)).toEqual(ROOT);
  });
});

describe("the simulator reads macaroon JSON with the shared codec", () => {
  it("refuses what go-macaroon refuses instead of guessing, and reads version 1 JSON", () => {
    // Both encodings of one field: go-macaroon's jsonBinaryField calls it ambiguous.
    expect(macFromJson({ ...ROOT, i64: "cm9vdC1pZA" })).toBeUndefined();
    expect(macFromJson({ ...ROOT, s64: "c2hvcnQ" })).toBeUndefined();
    const v1 = macFromJson({
      identifier: "root-id",
      location: "juju",
      caveats: [{ cid: "time-before 2030-01-01T00:00:00Z" }],
      signature: b64any(ROOT.s64)!.toString("hex"),
    });
    expect(v1?.id.toString("utf8")).toBe("root-id");
    expect(v1?.caveats.map((c) => c.id.toString("utf8"))).toEqual([
      "time-before 2030-01-01T00:00:00Z",
    ]);
    expect(Buffer.isBuffer(v1?.sig)).toBe(true);
  });
});

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

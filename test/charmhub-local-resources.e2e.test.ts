import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("charmhub-resources");
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "libjuju-res-"));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a Charmhub charm deployed with a local resource file", () => {
  it("registers pending resources, uploads the file to its pending id, and deploys with it", async () => {
    await using model = await env.controller.addModel("res");
    const file = join(work, "snap.tar.gz");
    const bytes = Buffer.from("snapshot bytes from a local file\n");
    await writeFile(file, bytes);
    const app = await model.deploy("etcd", { resources: { snapshot: file }, numUnits: 0 });
    const res = await app.getResources();
    expect(res.resources.snapshot).toMatchObject({
      name: "snapshot",
      type: "file",
      origin: "upload",
      size: bytes.length,
    });
    // The fingerprint is Go's []byte: base64 on the wire.
    expect(Buffer.from(res.resources.snapshot!.fingerprint, "base64").toString("hex")).toBe(
      createHash("sha384").update(bytes).digest("hex"),
    );
    // The charm's other resources come from Charmhub at the channel's revision.
    for (const [name, r] of Object.entries(res.resources)) {
      if (name !== "snapshot") expect(r.origin).toBe("store");
    }
  });
});

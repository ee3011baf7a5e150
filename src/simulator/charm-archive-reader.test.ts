import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { CharmZip, DEFAULT_ZIP_LIMITS, readCharm, repackage } from "./charm-archive-reader.js";

let dir: string;
let seq = 0;

/** Writes a zip of the given entries to a file and returns its path. */
function zipFile(entries: Array<{ name: string; data?: string | Buffer; mode?: number }>) {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    if (e.name.endsWith("/")) z.addEmptyDirectory(e.name);
    else z.addBuffer(Buffer.from(e.data ?? ""), e.name, { mode: e.mode ?? 0o100644 });
  }
  z.end();
  const path = join(dir, `z${++seq}.zip`);
  return new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => {
      writeFileSync(path, Buffer.concat(chunks));
      resolve(path);
    });
  });
}

const META = "name: demo\nsummary: s\ndescription: d\nseries: [jammy]\n";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charm-reader-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CharmZip limits", () => {
  it("refuses more entries than the limit from the central directory", async () => {
    const path = await zipFile([
      { name: "metadata.yaml", data: META },
      { name: "a" },
      { name: "b" },
      { name: "c" },
    ]);
    await expect(CharmZip.open(path, { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 })).rejects.toThrow(
      "cannot open charm archive: too many entries (4, the limit is 3)",
    );
  });

  it("refuses entries that inflate past the total size limit", async () => {
    const path = await zipFile([
      { name: "metadata.yaml", data: META },
      { name: "blob", data: Buffer.alloc(10_000, 7) },
    ]);
    await expect(
      CharmZip.open(path, { ...DEFAULT_ZIP_LIMITS, maxUncompressedBytes: 5000 }),
    ).rejects.toThrow("invalid charm archive: entries inflate to more than 5000 bytes");
  });

  it("says Go's words for a file that is not a zip", async () => {
    const path = join(dir, "text.charm");
    writeFileSync(path, "plain text, no central directory\n");
    await expect(CharmZip.open(path)).rejects.toThrow(
      "cannot open charm archive: zip: not a valid zip file",
    );
  });
});

describe("readCharm", () => {
  it("refuses two metadata.yaml at the same depth as an ambiguous root", async () => {
    const path = await zipFile([
      { name: "one/metadata.yaml", data: META },
      { name: "two/metadata.yaml", data: META },
    ]);
    const zip = await CharmZip.open(path);
    try {
      await expect(readCharm(zip)).rejects.toThrow(
        "cannot read charm archive: invalid charm archive: ambiguous root directory",
      );
    } finally {
      zip.close();
    }
  });

  it("reads metadata, revision and version, and repackages with the new revision", async () => {
    const path = await zipFile([
      { name: "metadata.yaml", data: META },
      { name: "config.yaml", data: "options:\n  x: {type: int, default: 3}\n" },
      { name: "revision", data: "7\n" },
      { name: "version", data: "abc123\nmore\n" },
      { name: "hooks/", mode: 0o40755 },
      { name: "hooks/install", data: "#!/bin/sh\n", mode: 0o100755 },
    ]);
    const zip = await CharmZip.open(path);
    try {
      const c = await readCharm(zip);
      expect(c.info.name).toBe("demo");
      expect(c.info.config.x?.default).toBe(3);
      expect(c.revision).toBe(7);
      expect(c.version).toBe("abc123");
      expect(c.info.bases).toEqual([{ name: "ubuntu", channel: "22.04" }]);
      const out = await repackage(zip, c.root, 9, join(dir, "out.charm"));
      expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
      const again = await CharmZip.open(out.path);
      try {
        const names = again.entries.map((e) => `${e.name}:${e.kind}:${e.mode.toString(8)}`);
        expect(names).toContain("hooks/install:file:755");
        expect(names).toContain("revision:file:644");
        const rev = again.entries.find((e) => e.name === "revision");
        expect(rev === undefined ? "" : (await again.read(rev)).toString()).toBe("9");
      } finally {
        again.close();
      }
    } finally {
      zip.close();
    }
  });
});

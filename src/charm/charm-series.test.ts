import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CharmArchiveGenerator } from "./archive.js";
import { getCharmBases, getCharmSeries } from "./charm-series.js";
import { CharmArchiveError, CharmDirError, CharmMetadataError } from "./errors.js";

const DIRS = "/work/shared/testdata/charm-dirs";
const tmp = mkdtempSync(join(tmpdir(), "libjuju-series-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
function makeDir(files: Record<string, string>): string {
  const dir = join(tmp, `c${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return dir;
}

const META = "name: t\nsummary: s\ndescription: d\n";

describe("getCharmSeries / getCharmBases", () => {
  it("metadata.yaml series: the first one; bases in the order written", async () => {
    const dir = join(DIRS, "juju-dummy");
    expect(await getCharmSeries(dir)).toBe("noble");
    expect(await getCharmBases(dir)).toEqual([
      { name: "ubuntu", channel: "24.04" },
      { name: "ubuntu", channel: "22.04" },
      { name: "ubuntu", channel: "20.04" },
      { name: "ubuntu", channel: "18.04" },
    ]);
  });

  it("metadata series wins for the series; charmcraft bases win for the bases", async () => {
    const dir = join(DIRS, "juju-dummy-source");
    // metadata.yaml lists series (xenial first); charmcraft.yaml has bases.
    expect(await getCharmSeries(dir)).toBe("xenial");
    const bases = await getCharmBases(dir);
    expect(bases[0]).toEqual({
      name: "ubuntu",
      channel: "16.04",
      architectures: ["amd64", "arm64", "s390x"],
    });
    expect(bases.map((b) => b.channel)).toEqual(["16.04", "18.04", "20.04", "22.04"]);
  });

  it("charmcraft bases (long and short form) and base + platforms, in the order written", async () => {
    const long = makeDir({
      "metadata.yaml": META,
      "charmcraft.yaml":
        "type: charm\nbases:\n  - build-on:\n      - name: ubuntu\n        channel: '22.04'\n    run-on:\n      - name: ubuntu\n        channel: '22.04'\n        architectures: [aarch64]\n      - name: ubuntu\n        channel: '20.04'\n",
    });
    expect(await getCharmSeries(long)).toBe("jammy");
    expect(await getCharmBases(long)).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["arm64"] },
      { name: "ubuntu", channel: "20.04", architectures: ["amd64"] },
    ]);
    const short = makeDir({
      "metadata.yaml": META,
      "charmcraft.yaml": "type: charm\nbases:\n  - name: ubuntu\n    channel: '24.04'\n",
    });
    expect(await getCharmSeries(short)).toBe("noble");
    const platforms = makeDir({
      "charmcraft.yaml": `${META}type: charm\nbase: ubuntu@22.04\nplatforms:\n  amd64:\n  arm64:\n`,
    });
    expect(await getCharmSeries(platforms)).toBe("jammy");
    expect(await getCharmBases(platforms)).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["amd64", "arm64"] },
    ]);
    const multi = makeDir({
      "charmcraft.yaml": `${META}type: charm\nplatforms:\n  ubuntu@24.04:amd64:\n  ubuntu@22.04:amd64:\n`,
    });
    expect(await getCharmSeries(multi)).toBe("noble");
  });

  it("manifest.yaml bases when nothing else names one; manifest wins for the bases", async () => {
    const dir = makeDir({
      "metadata.yaml": META,
      "manifest.yaml":
        "analysis:\n  attributes: []\nbases:\n  - name: ubuntu\n    channel: '20.04'\n    architectures: [amd64]\n",
    });
    expect(await getCharmSeries(dir)).toBe("focal");
    const both = makeDir({
      "metadata.yaml": `${META}series: [jammy]\n`,
      "manifest.yaml":
        "bases:\n  - name: ubuntu\n    channel: '20.04'\n    architectures: [amd64]\n",
    });
    expect(await getCharmSeries(both)).toBe("jammy");
    expect(await getCharmBases(both)).toEqual([
      { name: "ubuntu", channel: "20.04", architectures: ["amd64"] },
    ]);
  });

  it("legacy kubernetes series", async () => {
    const dir = makeDir({ "metadata.yaml": `${META}series: [kubernetes]\n` });
    expect(await getCharmSeries(dir)).toBe("kubernetes");
    expect(await getCharmBases(dir)).toEqual([{ name: "kubernetes", channel: "kubernetes" }]);
  });

  it("undefined / [] when nothing names a series or a known base", async () => {
    const dir = makeDir({ "metadata.yaml": META });
    expect(await getCharmSeries(dir)).toBeUndefined();
    expect(await getCharmBases(dir)).toEqual([]);
    const unknown = makeDir({
      "metadata.yaml": META,
      "charmcraft.yaml": "type: charm\nbases:\n  - name: ubuntu\n    channel: '99.04'\n",
    });
    expect(await getCharmSeries(unknown)).toBeUndefined();
    expect(await getCharmBases(unknown)).toEqual([
      { name: "ubuntu", channel: "99.04", architectures: ["amd64"] },
    ]);
  });

  it("malformed YAML: a typed error with the file's path and the line", async () => {
    const dir = makeDir({ "metadata.yaml": `${META}series:\n  - jammy\n   - focal: [\n` });
    try {
      await getCharmSeries(dir);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(CharmMetadataError);
      const err = e as CharmMetadataError;
      expect(err.file).toBe(join(dir, "metadata.yaml"));
      expect(err.line).toBeGreaterThanOrEqual(5);
      expect(err.message).toContain(join(dir, "metadata.yaml"));
      expect(err.message).toMatch(/line \d+/);
    }
    const craft = makeDir({ "metadata.yaml": META, "charmcraft.yaml": "bases: {a: [}\n" });
    await expect(getCharmBases(craft)).rejects.toBeInstanceOf(CharmMetadataError);
    const wrongType = makeDir({ "metadata.yaml": `${META}series: jammy\n` });
    await expect(getCharmSeries(wrongType)).rejects.toThrow(/series: expected list of strings/);
    await expect(getCharmSeries(join(tmp, "missing"))).rejects.toBeInstanceOf(CharmDirError);
  });

  it("reads a .charm archive: only its YAML entries", async () => {
    const src = makeDir({
      "metadata.yaml": META,
      "charmcraft.yaml": "type: charm\nbases:\n  - name: ubuntu\n    channel: '22.04'\n",
    });
    const file = join(tmp, "t.charm");
    await new CharmArchiveGenerator(src).makeArchive(file);
    expect(await getCharmSeries(file)).toBe("jammy");
    expect(await getCharmBases(file)).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["amd64"] },
    ]);
    const legacy = join(tmp, "dummy.charm");
    await new CharmArchiveGenerator(join(DIRS, "juju-dummy")).makeArchive(legacy);
    expect(await getCharmSeries(legacy)).toBe("noble");
  });

  it("a file that is not a zip: CharmArchiveError bad-archive", async () => {
    const file = join(tmp, "not-a.charm");
    writeFileSync(file, "hello, not a zip");
    try {
      await getCharmSeries(file);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(CharmArchiveError);
      expect((e as CharmArchiveError).reason).toBe("bad-archive");
      expect((e as CharmArchiveError).message).toContain(file);
    }
  });
});

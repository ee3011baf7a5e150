import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCharmDir } from "./charm-dir.js";
import { CharmDirError, CharmMetadataError } from "./errors.js";

const DIRS = "/work/shared/testdata/charm-dirs";
const tmp = mkdtempSync(join(tmpdir(), "libjuju-charmdir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function makeDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("readCharmDir", () => {
  it("juju-dummy: legacy series, revision and version files, ignored build/", () => {
    const c = readCharmDir(join(DIRS, "juju-dummy"));
    expect(c.info.name).toBe("dummy");
    expect(c.info.series).toEqual(["noble", "jammy", "focal", "bionic"]);
    expect(c.info.bases.map((b) => b.channel)).toEqual(["18.04", "20.04", "22.04", "24.04"]);
    expect(c.info.format).toBe(1);
    expect(c.revision).toBe(1);
    expect(c.version).toBe("dummy-146-g725cfd3-dirty");
    expect(c.info.config.title).toEqual({
      type: "string",
      default: "My Title",
      description: "A descriptive title used for the application.",
    });
    expect(c.info.config["skill-level"]?.type).toBe("int");
    expect(c.info.actions.snapshot?.params).toMatchObject({
      properties: { outfile: { default: "foo.bz2" } },
    });
    // Juju's default ignore rules drop /build/, /revision, /version; dotfiles stay.
    expect(c.files).toEqual([
      ".dir/ignored",
      ".ignored",
      "actions.yaml",
      "config.yaml",
      "empty/.gitkeep",
      "hooks/install",
      "hooks/remove",
      "hooks/stop",
      "metadata.yaml",
      "src/hello.c",
    ]);
  });

  it("juju-dummy-source: charmcraft bases win over metadata series; the hook symlink is listed", () => {
    const c = readCharmDir(join(DIRS, "juju-dummy-source"));
    expect(c.info.name).toBe("dummy-source");
    expect(c.info.format).toBe(2);
    expect(c.info.bases.map((b) => b.channel)).toEqual(["16.04", "18.04", "20.04", "22.04"]);
    // aarch64 and arm64 fold into one architecture.
    expect(c.info.bases[0]?.architectures).toEqual(["amd64", "arm64", "s390x"]);
    expect(c.info.requires.sink).toMatchObject({ interface: "dummy-token", role: "requirer" });
    expect(c.revision).toBeUndefined();
    expect(c.files).toContain("hooks/sink-relation-joined");
    expect(c.files).toContain("actions/echo");
  });

  it("a unified charmcraft.yaml alone is enough", () => {
    const dir = makeDir("unified", {
      "charmcraft.yaml":
        "name: u\nsummary: s\ndescription: d\ntype: charm\nbase: ubuntu@24.04\nplatforms:\n  amd64:\nconfig:\n  options:\n    x: {type: int, default: 3}\n",
      revision: "7\n",
    });
    const c = readCharmDir(dir);
    expect(c.info.bases).toEqual([{ name: "ubuntu", channel: "24.04", architectures: ["amd64"] }]);
    expect(c.info.config.x).toEqual({ type: "int", default: 3 });
    expect(c.revision).toBe(7);
    expect(c.files).toEqual(["charmcraft.yaml"]);
  });

  it("applies .jujuignore rules, with negation", () => {
    const dir = makeDir("ignoring", {
      "metadata.yaml": "name: i\nsummary: s\ndescription: d\n",
      ".jujuignore": "# comment\nbar/\ntox/**\n!tox/keep\n*.pyc\n",
      "foo/bar/baz/x": "",
      "tox/keep": "",
      "tox/ignore": "",
      "lib/a.pyc": "",
      "lib/a.py": "",
      ".git/HEAD": "",
    });
    expect(readCharmDir(dir).files).toEqual(["lib/a.py", "metadata.yaml", "tox/keep"]);
  });

  it("errors: missing directory, no metadata, nameless charmcraft.yaml, bad revision", () => {
    expect(() => readCharmDir(join(tmp, "nope"))).toThrow(CharmDirError);
    const empty = makeDir("empty", { README: "" });
    try {
      readCharmDir(empty);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(CharmDirError);
      expect((e as CharmDirError).path).toBe(empty);
      expect((e as CharmDirError).message).toContain(empty);
      expect((e as CharmDirError).code).toBe("ERR_CHARM_DIR");
    }
    const nameless = makeDir("nameless", { "charmcraft.yaml": "type: charm\n" });
    expect(() => readCharmDir(nameless)).toThrow(/does not name the charm/);
    const badRev = makeDir("badrev", {
      "metadata.yaml": "name: r\nsummary: s\ndescription: d\n",
      revision: "one\n",
    });
    expect(() => readCharmDir(badRev)).toThrow(/invalid revision file/);
    const badMeta = makeDir("badmeta", { "metadata.yaml": "name: [\n" });
    expect(() => readCharmDir(badMeta)).toThrow(CharmMetadataError);
  });

  it("rejects symlinks leaving the charm", () => {
    const dir = makeDir("links", { "metadata.yaml": "name: l\nsummary: s\ndescription: d\n" });
    symlinkSync("../../etc/passwd", join(dir, "escape"));
    expect(() => readCharmDir(dir)).toThrow(/links out of charm/);
  });
});

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { CharmArchiveGenerator } from "./archive.js";
import { CharmArchiveError, CharmDirError, CharmMetadataError } from "./errors.js";

const DIRS = "/work/shared/testdata/charm-dirs";
const tmp = mkdtempSync(join(tmpdir(), "libjuju-archive-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ZipEntry {
  name: string;
  mode: number;
  method: number;
  content: Buffer;
  madeBy: number;
  dosDate: number;
  dosTime: number;
}

/** Reads every entry of a zip with yauzl (which validates names and sizes). */
async function readZip(path: string): Promise<ZipEntry[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true });
  const out: ZipEntry[] = [];
  try {
    for await (const e of zip.eachEntry()) {
      const stream = await zip.openReadStreamPromise(e);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      out.push({
        name: e.fileName,
        mode: e.externalFileAttributes >>> 16,
        method: e.compressionMethod,
        content: Buffer.concat(chunks),
        madeBy: e.versionMadeBy >> 8,
        dosDate: e.lastModFileDate,
        dosTime: e.lastModFileTime,
      });
    }
  } finally {
    zip.close();
  }
  return out;
}

let counter = 0;
function makeDir(files: Record<string, string>): string {
  const dir = join(tmp, `charm-${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const META =
  "name: t\nsummary: s\ndescription: d\nseries: [jammy]\nrequires:\n  db:\n    interface: pgsql\n";

/** A copy of a shared charm dir, writable, with modes as git committed them. */
function copyShared(name: string): string {
  const dir = join(tmp, `${name}-${counter++}`);
  cpSync(join(DIRS, name), dir, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", dir]);
  return dir;
}

function dest(): string {
  return join(tmp, `out-${counter++}.charm`);
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("CharmArchiveGenerator.makeArchive", () => {
  it("juju-dummy: Juju's entries, order, modes and methods; build/ left out, dotfiles kept", async () => {
    const out = dest();
    const res = await new CharmArchiveGenerator(join(DIRS, "juju-dummy")).makeArchive(out);
    const zip = await readZip(out);
    expect(zip.map((e) => e.name)).toEqual([
      "revision",
      "version",
      "./",
      ".dir/",
      ".dir/ignored",
      ".ignored",
      "actions.yaml",
      "config.yaml",
      "empty/",
      "empty/.gitkeep",
      "hooks/",
      "hooks/install",
      "hooks/remove",
      "hooks/stop",
      "metadata.yaml",
      "src/",
      "src/hello.c",
    ]);
    const byName = new Map(zip.map((e) => [e.name, e]));
    expect(byName.get("revision")?.content.toString()).toBe("1");
    expect(byName.get("version")?.content.toString()).toBe("dummy-146-g725cfd3-dirty");
    // Files 0644, executables 0755, directories 0755, whatever the checkout's modes are.
    expect(byName.get("hooks/install")?.mode).toBe(0o100755);
    expect(byName.get("metadata.yaml")?.mode).toBe(0o100644);
    expect(byName.get("./")?.mode).toBe(0o040755);
    expect(byName.get("empty/")?.mode).toBe(0o040755);
    // Deflated files, stored directories and generated entries; Unix attributes; fixed time.
    expect(byName.get("metadata.yaml")?.method).toBe(8);
    expect(byName.get("hooks/")?.method).toBe(0);
    expect(byName.get("revision")?.method).toBe(0);
    for (const e of zip) {
      expect(e.madeBy).toBe(3);
      expect([e.dosDate, e.dosTime]).toEqual([(0 << 9) | (1 << 5) | 1, 0]);
    }
    for (const name of ["metadata.yaml", "hooks/install", "src/hello.c", ".ignored"]) {
      expect(byName.get(name)?.content).toEqual(readFileSync(join(DIRS, "juju-dummy", name)));
    }
    expect(res.path).toBe(out);
    expect(res.size).toBe(statSync(out).size);
    expect(res.sha256).toBe(createHash("sha256").update(readFileSync(out)).digest("hex"));
    expect(res.entries.map((e) => e.name)).toEqual(zip.map((e) => e.name));
    expect(res.info.name).toBe("dummy");
    expect(res.revision).toBe(1);
    expect(res.version).toBe("dummy-146-g725cfd3-dirty");
  });

  it("juju-dummy-source: the hook symlink is stored as a link; no revision file gives revision 0", async () => {
    const dir = copyShared("juju-dummy-source");
    // The shared copy holds the link's target as a file; restore the link git has.
    unlinkSync(join(dir, "hooks/sink-relation-joined"));
    symlinkSync("config-changed", join(dir, "hooks/sink-relation-joined"));
    const out = dest();
    const res = await new CharmArchiveGenerator(dir).makeArchive(out);
    const zip = new Map((await readZip(out)).map((e) => [e.name, e]));
    const link = zip.get("hooks/sink-relation-joined");
    expect(link?.mode).toBe(0o120777);
    expect(link?.method).toBe(0);
    expect(link?.content.toString()).toBe("config-changed");
    expect(zip.get("actions/echo")?.mode).toBe(0o100755);
    expect(zip.get("revision")?.content.toString()).toBe("0");
    expect(zip.has("version")).toBe(false);
    expect(res.entries.find((e) => e.name === "hooks/sink-relation-joined")?.type).toBe("symlink");
  });

  it("the same tree gives the same bytes: twice, and as a copy with other mtimes and modes", async () => {
    const src = join(DIRS, "juju-dummy");
    const a = await new CharmArchiveGenerator(src).makeArchive(dest());
    const b = await new CharmArchiveGenerator(src).makeArchive(dest());
    expect(readFileSync(b.path as string)).toEqual(readFileSync(a.path as string));
    const copy = copyShared("juju-dummy");
    utimesSync(join(copy, "metadata.yaml"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    utimesSync(join(copy, "hooks"), new Date(2030, 5, 5), new Date(2030, 5, 5));
    chmodSync(join(copy, "config.yaml"), 0o600);
    chmodSync(join(copy, "hooks/install"), 0o700);
    const c = await new CharmArchiveGenerator(copy).makeArchive(dest());
    expect(c.sha256).toBe(a.sha256);
    expect(readFileSync(c.path as string)).toEqual(readFileSync(a.path as string));
    // And one changed byte changes the archive.
    writeFileSync(join(copy, "src/hello.c"), `${readFileSync(join(copy, "src/hello.c"))} `);
    const d = await new CharmArchiveGenerator(copy).makeArchive(dest());
    expect(d.sha256).not.toBe(a.sha256);
  });

  it("a charm directory that is itself a symlink archives like its target", async () => {
    const real = copyShared("juju-dummy");
    const link = join(tmp, `link-${counter++}`);
    symlinkSync(real, link);
    const a = await new CharmArchiveGenerator(real).makeArchive(dest());
    const b = await new CharmArchiveGenerator(link).makeArchive(dest());
    expect(b.sha256).toBe(a.sha256);
    expect(b.entries.length).toBe(17);
  });

  it("writes to a stream, with sha384 and progress", async () => {
    const dir = makeDir({ "metadata.yaml": META, "data/blob": "x".repeat(300_000) });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));
    const progress: number[] = [];
    const res = await new CharmArchiveGenerator(dir).makeArchive(sink, {
      sha384: true,
      onProgress: (p) => {
        progress.push(p.bytesRead);
        expect(p.totalBytes).toBe(300_000 + META.length);
      },
    });
    const bytes = Buffer.concat(chunks);
    expect(res.path).toBeUndefined();
    expect(res.size).toBe(bytes.length);
    expect(res.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(res.sha384).toBe(createHash("sha384").update(bytes).digest("hex"));
    expect(progress.at(-1)).toBe(300_000 + META.length);
    expect(progress.length).toBeGreaterThan(2);
    expect(sink.writableEnded).toBe(true);
  });

  it("keeps a lib/ that links into the charm as a symlink entry, not a copy", async () => {
    const dir = makeDir({ "metadata.yaml": META, "src/lib/mod.py": "print(1)\n" });
    symlinkSync("src/lib", join(dir, "lib"));
    const out = dest();
    await new CharmArchiveGenerator(dir).makeArchive(out);
    const zip = await readZip(out);
    const names = zip.map((e) => e.name);
    expect(names).toContain("lib");
    expect(names.filter((n) => n.startsWith("lib/"))).toEqual([]);
    expect(names).toContain("src/lib/mod.py");
    const lib = zip.find((e) => e.name === "lib");
    expect(lib?.mode).toBe(0o120777);
    expect(lib?.content.toString()).toBe("src/lib");
    // unzip recreates the link.
    const x = join(tmp, `x-${counter++}`);
    execFileSync("unzip", ["-q", out, "-d", x]);
    expect(readFileSync(join(x, "lib/mod.py"), "utf8")).toBe("print(1)\n");
  });

  it("0-byte files are entries with empty content", async () => {
    const dir = makeDir({ "metadata.yaml": META, "empty.txt": "", "hooks/install": "" });
    const out = dest();
    await new CharmArchiveGenerator(dir).makeArchive(out);
    const zip = new Map((await readZip(out)).map((e) => [e.name, e]));
    expect(zip.get("empty.txt")?.content.length).toBe(0);
    // A known hook that is not executable is made so, as Juju does (0644 | 0100).
    expect(zip.get("hooks/install")?.mode).toBe(0o100744);
  });

  it("makes known hooks executable, including relation hooks, but not other files in hooks/", async () => {
    const dir = makeDir({
      "metadata.yaml": META,
      "hooks/db-relation-joined": "#!/bin/sh\n",
      "hooks/helper.sh": "#!/bin/sh\n",
    });
    const out = dest();
    await new CharmArchiveGenerator(dir).makeArchive(out);
    const zip = new Map((await readZip(out)).map((e) => [e.name, e]));
    expect(zip.get("hooks/db-relation-joined")?.mode).toBe(0o100744);
    expect(zip.get("hooks/helper.sh")?.mode).toBe(0o100644);
  });

  it("applies Juju's default ignore rules and .jujuignore", async () => {
    const dir = makeDir({
      "metadata.yaml": META,
      ".jujuignore": "  *.pyc\n/venv/\ndocs/draft\n!keep.pyc\n",
      ".git/HEAD": "ref",
      "sub/.git/HEAD": "ref",
      "sub/.tox/x": "",
      "build/out": "",
      "sub/build/kept": "",
      "a.pyc": "",
      "keep.pyc": "",
      "venv/bin/python": "",
      "sub/venv/kept": "",
      "x/docs/draft": "",
      ".env": "A=1\n",
      revision: "5\n",
    });
    const out = dest();
    await new CharmArchiveGenerator(dir).makeArchive(out);
    expect((await readZip(out)).map((e) => e.name)).toEqual([
      "revision",
      "./",
      ".env",
      "keep.pyc",
      "metadata.yaml",
      "sub/",
      "sub/build/",
      "sub/build/kept",
      "sub/venv/",
      "sub/venv/kept",
      "x/",
      "x/docs/",
    ]);
  });

  it("refuses a symlink leaving the charm, naming it, and writes nothing", async () => {
    const dir = makeDir({ "metadata.yaml": META, "hooks/install": "" });
    symlinkSync("../../../etc/passwd", join(dir, "hooks/escape"));
    const out = dest();
    const e = await thrown(new CharmArchiveGenerator(dir).makeArchive(out));
    expect(e).toBeInstanceOf(CharmArchiveError);
    expect(e).toBeInstanceOf(CharmDirError);
    const err = e as CharmArchiveError;
    expect(err.reason).toBe("symlink-escapes");
    expect(err.file).toBe("hooks/escape");
    expect(err.code).toBe("ERR_CHARM_ARCHIVE");
    expect(err.message).toBe('symlink "hooks/escape" links out of charm: "../../../etc/passwd"');
    expect(existsSync(out)).toBe(false);

    unlinkSync(join(dir, "hooks/escape"));
    symlinkSync("/etc/passwd", join(dir, "abs"));
    const abs = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(dest()),
    )) as CharmArchiveError;
    expect(abs.reason).toBe("symlink-absolute");
    expect(abs.message).toBe('symlink "abs" is absolute: "/etc/passwd"');
  });

  it("refuses named pipes", async () => {
    const dir = makeDir({ "metadata.yaml": META });
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const e = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(dest()),
    )) as CharmArchiveError;
    expect(e.reason).toBe("special-file");
    expect(e.message).toBe('file is a named pipe: "pipe"');
  });

  it("missing metadata.yaml, a charmcraft-only source, invalid YAML, a missing directory", async () => {
    const none = makeDir({ README: "" });
    expect(await thrown(new CharmArchiveGenerator(none).makeArchive(dest()))).toBeInstanceOf(
      CharmDirError,
    );
    const craftOnly = makeDir({
      "charmcraft.yaml": "name: c\nsummary: s\ndescription: d\ntype: charm\n",
    });
    const e1 = (await thrown(
      new CharmArchiveGenerator(craftOnly).makeArchive(dest()),
    )) as CharmDirError;
    expect(e1.message).toMatch(/has no metadata.yaml/);
    const bad = makeDir({ "metadata.yaml": "name: x\nsummary: [\n" });
    const e2 = (await thrown(
      new CharmArchiveGenerator(bad).makeArchive(dest()),
    )) as CharmMetadataError;
    expect(e2).toBeInstanceOf(CharmMetadataError);
    expect(e2.file).toBe("metadata.yaml");
    expect(e2.line).toBeGreaterThanOrEqual(2);
    expect(e2.message).toMatch(/line \d+/);
    expect(
      await thrown(new CharmArchiveGenerator(join(tmp, "nope")).makeArchive(dest())),
    ).toBeInstanceOf(CharmDirError);
    expect(() => new CharmArchiveGenerator("")).toThrow(CharmDirError);
  });

  it("a file without read permission: refused with its name, unless running as root (root reads it, as Juju would)", async () => {
    const dir = makeDir({ "metadata.yaml": META, "secret.txt": "s3cret" });
    chmodSync(join(dir, "secret.txt"), 0o000);
    const out = dest();
    const p = new CharmArchiveGenerator(dir).makeArchive(out);
    if (process.getuid?.() === 0) {
      await p;
      const zip = new Map((await readZip(out)).map((e) => [e.name, e]));
      expect(zip.get("secret.txt")?.content.toString()).toBe("s3cret");
      // chmod 000 keeps no exec bit: stored 0644 like any other file.
      expect(zip.get("secret.txt")?.mode).toBe(0o100644);
    } else {
      const e = (await thrown(p)) as CharmArchiveError;
      expect(e.reason).toBe("unreadable");
      expect(e.file).toBe("secret.txt");
      expect(e.code).toBe("ERR_CHARM_ARCHIVE_IO");
      expect(existsSync(out)).toBe(false);
    }
  });

  it("a file that disappears or changes size while archiving fails with its name; the partial file is removed", async () => {
    const dir = makeDir({
      "metadata.yaml": META,
      "a.txt": "a".repeat(100),
      "z.txt": "z".repeat(100),
    });
    const out = dest();
    const e = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(out, {
        onProgress: (p) => {
          if (p.entry === "a.txt" && existsSync(join(dir, "z.txt"))) unlinkSync(join(dir, "z.txt"));
        },
      }),
    )) as CharmArchiveError;
    expect(e).toBeInstanceOf(CharmArchiveError);
    expect(e.reason).toBe("unreadable");
    expect(e.file).toBe("z.txt");
    expect(existsSync(out)).toBe(false);

    writeFileSync(join(dir, "z.txt"), "z".repeat(100));
    const out2 = dest();
    const e2 = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(out2, {
        onProgress: (p) => {
          if (p.entry === "a.txt") truncateSync(join(dir, "z.txt"), 10);
        },
      }),
    )) as CharmArchiveError;
    expect(e2.reason).toBe("changed");
    expect(e2.file).toBe("z.txt");
    expect(existsSync(out2)).toBe(false);
  });

  it("an abort stops writing with a typed error and removes the file", async () => {
    const dir = makeDir({ "metadata.yaml": META, big: "b".repeat(2_000_000) });
    const ac = new AbortController();
    const out = dest();
    const e = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(out, {
        signal: ac.signal,
        onProgress: () => ac.abort(),
      }),
    )) as CharmArchiveError;
    expect(e).toBeInstanceOf(CharmArchiveError);
    expect(e.reason).toBe("write-failed");
    expect(existsSync(out)).toBe(false);
    const pre = new AbortController();
    pre.abort();
    const e2 = await thrown(
      new CharmArchiveGenerator(dir).makeArchive(dest(), { signal: pre.signal }),
    );
    expect((e2 as CharmArchiveError).reason).toBe("write-failed");
  });

  it("an archive written inside the charm directory leaves itself out, run after run", async () => {
    const dir = makeDir({ "metadata.yaml": META });
    const out = join(dir, "self.charm");
    const a = await new CharmArchiveGenerator(dir).makeArchive(out);
    const b = await new CharmArchiveGenerator(dir).makeArchive(out);
    expect(b.sha256).toBe(a.sha256);
    expect(b.entries.map((e) => e.name)).not.toContain("self.charm");
  });

  it('{version: "vcs"} takes the version from git describe, as the Juju CLI does', async () => {
    const dir = makeDir({ "metadata.yaml": META, version: "from-file\n" });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
        cwd: dir,
        encoding: "utf8",
      });
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "c");
    const described = git("describe", "--dirty", "--always").trim();
    const out = dest();
    const res = await new CharmArchiveGenerator(dir).makeArchive(out, { version: "vcs" });
    expect(res.version).toBe(described);
    const zip = new Map((await readZip(out)).map((e) => [e.name, e]));
    expect(zip.get("version")?.content.toString()).toBe(described);
    // .git itself is never archived.
    expect([...zip.keys()].some((n) => n.startsWith(".git"))).toBe(false);
    // By default the version file wins, whatever the VCS says.
    const plain = await new CharmArchiveGenerator(dir).makeArchive(dest());
    expect(plain.version).toBe("from-file");
  });

  it("a destination that cannot be written is a typed error", async () => {
    const dir = makeDir({ "metadata.yaml": META });
    const e = (await thrown(
      new CharmArchiveGenerator(dir).makeArchive(join(tmp, "no-such-dir", "x.charm")),
    )) as CharmArchiveError;
    expect(e).toBeInstanceOf(CharmArchiveError);
    expect(e.reason).toBe("write-failed");
  });
});

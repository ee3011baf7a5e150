import { describe, expect, it } from "vitest";
import { FsError, MachineFs, normalisePath } from "./ssh-server-fs.js";

const fsErr = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof FsError) return e.kind;
    throw e;
  }
  return "no error";
};

describe("a simulated machine's filesystem", () => {
  it("resolves paths as sftp-server does: relative to the home, no . or ..", () => {
    expect(normalisePath("a/./b/../c", "/home/ubuntu")).toBe("/home/ubuntu/a/c");
    expect(normalisePath("/../../etc//x/", "/home/ubuntu")).toBe("/etc/x");
    expect(normalisePath(".", "/home/ubuntu")).toBe("/home/ubuntu");
  });

  it("creates, writes at offsets, truncates, renames, lists and removes", () => {
    const fs = new MachineFs({ now: () => 1000 });
    const f = fs.openFile("/tmp/a", { create: true, exclusive: true, truncate: false }, 1000);
    fs.write(f, 0, Buffer.from("hello"), "/tmp/a");
    fs.write(f, 7, Buffer.from("!"), "/tmp/a");
    expect([...fs.readFile("/tmp/a")]).toEqual([...Buffer.from("hello\0\0!")]);
    expect(fs.stat("/tmp/a")).toMatchObject({ size: 8, mode: 0o100644, uid: 1000, mtime: 1000 });
    expect(
      fsErr(() => fs.openFile("/tmp/a", { create: true, exclusive: true, truncate: false }, 0)),
    ).toBe("EEXIST");
    fs.openFile("/tmp/a", { create: false, exclusive: false, truncate: true }, 0);
    expect(fs.stat("/tmp/a").size).toBe(0);
    fs.mkdir("/tmp/d", 1000);
    fs.rename("/tmp/a", "/tmp/d/b");
    expect(fs.list("/tmp")).toEqual(["d"]);
    expect(fs.list("/tmp/d")).toEqual(["b"]);
    expect(fsErr(() => fs.rmdir("/tmp/d"))).toBe("ENOTEMPTY");
    fs.unlink("/tmp/d/b");
    fs.rmdir("/tmp/d");
    expect(fs.list("/tmp")).toEqual([]);
    expect(fs.stat("/home/ubuntu").mode).toBe(0o040750);
  });

  it("refuses what the kernel would: missing parents, directories as files, a full disk", () => {
    const fs = new MachineFs({ maxBytes: 10 });
    expect(
      fsErr(() => fs.openFile("/nope/a", { create: true, exclusive: false, truncate: false }, 0)),
    ).toBe("ENOENT");
    expect(fsErr(() => fs.readFile("/tmp"))).toBe("EISDIR");
    expect(fsErr(() => fs.mkdir("/tmp/x/y", 0))).toBe("ENOENT");
    const f = fs.openFile("/tmp/big", { create: true, exclusive: false, truncate: false }, 0);
    fs.write(f, 0, Buffer.alloc(10), "/tmp/big");
    expect(fsErr(() => fs.write(f, 10, Buffer.alloc(1), "/tmp/big"))).toBe("ENOSPC");
    // Freed space can be used again.
    fs.unlink("/tmp/big");
    const g = fs.openFile("/tmp/g", { create: true, exclusive: false, truncate: false }, 0);
    fs.write(g, 0, Buffer.alloc(10), "/tmp/g");
    expect(fs.stat("/tmp/g").size).toBe(10);
  });
});

import { describe, expect, it } from "vitest";
import {
  DEFAULT_JUJU_IGNORE,
  JujuIgnoreSyntaxError,
  jujuIgnoreMatches,
  parseJujuIgnore,
} from "./jujuignore.js";

function ignores(text: string, path: string, isDir = false): boolean {
  return jujuIgnoreMatches(parseJujuIgnore(text), path, isDir);
}

describe("jujuignore with Juju's semantics", () => {
  it("default rules: VCS and tox dirs anywhere, build/ revision version at the top, .jujuignore anywhere", () => {
    const rules = parseJujuIgnore(DEFAULT_JUJU_IGNORE);
    for (const [p, dir] of [
      [".git", true],
      ["lib/.git", true],
      ["a/b/.svn", true],
      [".tox", true],
      ["build", true],
      ["revision", false],
      ["version", false],
      ["sub/.jujuignore", false],
    ] as const) {
      expect(jujuIgnoreMatches(rules, p, dir), p).toBe(true);
    }
    for (const [p, dir] of [
      ["build", false],
      ["sub/build", true],
      ["sub/revision", false],
      [".gitignore", false],
      [".env", false],
      [".github", true],
      ["hooks", true],
    ] as const) {
      expect(jujuIgnoreMatches(rules, p, dir), p).toBe(false);
    }
  });

  it("a pattern without a leading slash matches at any depth, even with a slash inside", () => {
    expect(ignores("foo/bar", "foo/bar")).toBe(true);
    expect(ignores("foo/bar", "x/foo/bar")).toBe(true);
    expect(ignores("/foo/bar", "x/foo/bar")).toBe(false);
    expect(ignores("/foo/bar", "foo/bar")).toBe(true);
  });

  it("globs: * stays in a segment, ** crosses them, ? [] [!] {a,b}", () => {
    expect(ignores("*.pyc", "a/b/c.pyc")).toBe(true);
    expect(ignores("/*.pyc", "a/c.pyc")).toBe(false);
    expect(ignores("/*.pyc", "c.pyc")).toBe(true);
    expect(ignores("a/**/z", "a/z")).toBe(true);
    expect(ignores("a/**/z", "a/b/c/z")).toBe(true);
    expect(ignores("tox/**", "tox")).toBe(false);
    expect(ignores("tox/**", "tox/x/y")).toBe(true);
    expect(ignores("fil?.txt", "file.txt")).toBe(true);
    expect(ignores("fil?.txt", "fil/.txt")).toBe(false);
    expect(ignores("[ab].txt", "b.txt")).toBe(true);
    expect(ignores("[!ab].txt", "b.txt")).toBe(false);
    expect(ignores("[!ab].txt", "c.txt")).toBe(true);
    expect(ignores("[a-c]x", "bx")).toBe(true);
    expect(ignores("*.{md,rst}", "docs/a.rst")).toBe(true);
    expect(ignores("*.{md,rst}", "docs/a.txt")).toBe(false);
    expect(ignores("a+b(c).txt", "a+b(c).txt")).toBe(true);
  });

  it("dir-only rules, negation, comments, leading whitespace and escapes", () => {
    expect(ignores("logs/", "logs", true)).toBe(true);
    expect(ignores("logs/", "logs", false)).toBe(false);
    const text = "# comment\n   *.log\n!keep.log\n\\#hash\n\\!bang\ntrail\\ \nspace   \n";
    expect(ignores(text, "x.log")).toBe(true);
    expect(ignores(text, "a/keep.log")).toBe(false);
    expect(ignores(text, "#hash")).toBe(true);
    expect(ignores(text, "!bang")).toBe(true);
    expect(ignores(text, "trail ")).toBe(true);
    expect(ignores(text, "space")).toBe(true);
    expect(ignores(text, "# comment")).toBe(false);
    // A later rule excluding again wins over an earlier negation.
    expect(ignores("!a.txt\na.txt\n", "a.txt")).toBe(true);
    expect(ignores("a.txt\n!a.txt\n", "a.txt")).toBe(false);
  });

  it("bad patterns name their line", () => {
    try {
      parseJujuIgnore("ok\n\n[abc\n");
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(JujuIgnoreSyntaxError);
      expect((e as JujuIgnoreSyntaxError).line).toBe(3);
      expect((e as Error).message).toMatch(/\[line 3\]/);
    }
    expect(() => parseJujuIgnore("{a,b\n")).toThrow(JujuIgnoreSyntaxError);
  });
});

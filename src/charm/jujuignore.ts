/**
 * `.jujuignore` rules with the semantics of Juju's charm archiver
 * (`jujuignore.go` of github.com/juju/charm v12, used by `juju deploy ./dir`
 * in 3.6). Pure: no file system access.
 *
 * Juju's reading of the gitignore syntax differs from git's in ways that
 * change which files a charm archive holds, so they are kept:
 * - a pattern without a leading `/` matches at any depth, even when it has a
 *   `/` in the middle (`foo/bar` matches `x/foo/bar`; git anchors it);
 * - leading whitespace of a line is dropped;
 * - globs are gobwas globs with `/` as separator: `*`, `?`, `**`, `[…]`,
 *   `[!…]` and `{a,b}` alternatives;
 * - a negated rule (`!x`) re-includes a path, but never a path inside a
 *   directory that an earlier rule excluded: excluded directories are not
 *   walked.
 * @module
 */
import { LibjujuError } from "../protocol/libjuju-error.js";

/**
 * The rules Juju puts before a charm's own `.jujuignore` (`defaultJujuIgnore`
 * in charmdir.go): VCS and tox directories, `build/` at the top, the
 * `revision` and `version` files (the archiver writes its own) and
 * `.jujuignore` itself. Hidden files are *not* excluded.
 */
export const DEFAULT_JUJU_IGNORE = `
.git
.svn
.hg
.bzr
.tox

/build/
/revision
/version

.jujuignore
`;

type RuleResult = "keep" | "skip" | "force-keep";

/** One compiled rule of a `.jujuignore` file. */
export interface JujuIgnoreRule {
  /** The line as written (after trimming leading whitespace). */
  readonly source: string;
  /** The line number in the file it came from (1-based). */
  readonly line: number;
  /** How the rule judges a path (`/`-prefixed, `/`-separated). */
  readonly evaluate: (path: string, isDir: boolean) => RuleResult;
}

/**
 * A `.jujuignore` pattern that does not compile (an unclosed `[` or `{`, a
 * trailing backslash). The code is `not valid`.
 */
export class JujuIgnoreSyntaxError extends LibjujuError {
  /** The line number of the bad rule (1-based). */
  readonly line: number;
  constructor(message: string, line: number) {
    super(message, "ERR_JUJUIGNORE_SYNTAX");
    this.line = line;
  }
}

const REGEX_SPECIAL = /[.+^${}()|[\]\\*?/]/g;

function escapeLiteral(c: string): string {
  return c.replace(REGEX_SPECIAL, "\\$&");
}

/** Compiles a gobwas glob (separator `/`) into a regular expression body. */
function compileGlob(glob: string, line: number): string {
  let i = 0;
  const fail = (what: string): never => {
    throw new JujuIgnoreSyntaxError(
      `[line ${line}]: ${what} in pattern ${JSON.stringify(glob)}`,
      line,
    );
  };
  const parse = (inBraces: boolean): string => {
    let out = "";
    while (i < glob.length) {
      const c = glob[i] as string;
      if (inBraces && (c === "," || c === "}")) return out;
      i++;
      if (c === "\\") {
        if (i >= glob.length) fail("unexpected end after escape");
        out += escapeLiteral(glob[i] as string);
        i++;
      } else if (c === "*") {
        if (glob[i] === "*") {
          while (glob[i] === "*") i++;
          out += ".*";
        } else {
          out += "[^/]*";
        }
      } else if (c === "?") {
        out += "[^/]";
      } else if (c === "[") {
        const end = glob.indexOf("]", i);
        if (end < 0) fail("unclosed '['");
        let body = glob.slice(i, end);
        i = end + 1;
        let negate = false;
        if (body.startsWith("!")) {
          negate = true;
          body = body.slice(1);
        }
        if (body === "") fail("empty character class");
        let cls = "";
        for (let j = 0; j < body.length; j++) {
          const ch = body[j] as string;
          if (ch === "-" && j > 0 && j < body.length - 1) cls += "-";
          else cls += ch.replace(/[\]\\^-]/g, "\\$&");
        }
        out += negate ? `[^${cls}]` : `[${cls}]`;
      } else if (c === "{") {
        const alternatives: string[] = [];
        for (;;) {
          alternatives.push(parse(true));
          if (i >= glob.length) fail("unclosed '{'");
          const sep = glob[i];
          i++;
          if (sep === "}") break;
        }
        out += `(?:${alternatives.join("|")})`;
      } else {
        out += escapeLiteral(c);
      }
    }
    return out;
  };
  return parse(false);
}

/**
 * Expands every `/**\/` into the variants where it matches zero directories,
 * as Juju's `genIgnorePatternPermutations` does.
 */
function permutations(pattern: string): string[] {
  const out: string[] = [];
  const remaining = [pattern];
  let addedWithoutStars = false;
  while (remaining.length > 0) {
    const next = remaining.shift() as string;
    const parts = next.split("/**/");
    if (parts.length === 1) {
      if (!addedWithoutStars) {
        out.push(next);
        addedWithoutStars = true;
      }
      continue;
    }
    out.push(next);
    for (let i = 1; i < parts.length; i++) {
      remaining.push(`${parts.slice(0, i).join("/**/")}/${parts.slice(i).join("/**/")}`);
    }
  }
  return out;
}

/** Drops unescaped trailing spaces and unescapes `\#`, `\!` and `\ `. */
function unescapePattern(pattern: string): string {
  let p = pattern;
  for (let i = p.length - 1; i > 0 && p[i] === " "; i--) {
    if (p[i - 1] !== "\\") p = p.slice(0, i);
  }
  return p.replace(/\\([#! ])/g, "$1");
}

function compileRule(source: string, line: number): JujuIgnoreRule {
  let rule = source;
  let negate = false;
  if (rule.startsWith("!")) {
    rule = rule.slice(1);
    negate = true;
  }
  rule = unescapePattern(rule);
  let dirOnly = false;
  if (rule.endsWith("/")) {
    rule = rule.slice(0, -1);
    dirOnly = true;
  }
  if (rule.startsWith("**/")) rule = rule.slice(3);
  if (!rule.startsWith("/")) rule = `**/${rule}`;
  const regexps = permutations(rule).map((p) => new RegExp(`^${compileGlob(p, line)}$`, "s"));
  const matches = (path: string): boolean => regexps.some((re) => re.test(path));
  const evaluate = (path: string, isDir: boolean): RuleResult => {
    if (dirOnly && !isDir) return "keep";
    const hit = matches(path);
    if (negate) return hit ? "force-keep" : "keep";
    return hit ? "skip" : "keep";
  };
  return { source, line, evaluate };
}

/**
 * Parses `.jujuignore` text into rules, in order. Blank lines and lines
 * starting with `#` (after leading whitespace) are skipped.
 * @throws JujuIgnoreSyntaxError naming the line of a pattern that does not compile.
 */
export function parseJujuIgnore(text: string): JujuIgnoreRule[] {
  const rules: JujuIgnoreRule[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const rule = raw.replace(/\r$/, "").replace(/^\s+/, "");
    if (rule === "" || rule.startsWith("#")) continue;
    rules.push(compileRule(rule, index + 1));
  }
  return rules;
}

/**
 * Whether `relPath` (relative to the charm root, `/`-separated, no trailing
 * slash) is excluded by `rules`. Later rules override earlier ones; a
 * negated rule re-includes a path an earlier rule excluded.
 */
export function jujuIgnoreMatches(
  rules: readonly JujuIgnoreRule[],
  relPath: string,
  isDir: boolean,
): boolean {
  const path = relPath.startsWith("/") ? relPath : `/${relPath}`;
  let keep = true;
  for (const r of rules) {
    const res = r.evaluate(path, isDir);
    if (res === "skip") keep = false;
    else if (res === "force-keep") keep = true;
  }
  return !keep;
}

/**
 * `parseBundle`: bundle YAML (plus overlays) → typed {@link BundleData}, read,
 * merged and verified as Juju 3.6's `juju deploy` does, every problem
 * reported at once in one {@link BundleValidationError}. Pure: files
 * (overlays, `include-file://`) are read through an injected `readFile`.
 * @module
 */
import {
  type DecodedBundle,
  decodeBundle,
  describeType,
  fromPlain,
  METADATA_ONLY,
} from "./decode.js";
import { type BundleProblem, type BundleProblemStage, BundleValidationError } from "./errors.js";
import {
  applyOverlay,
  dirName,
  type IncludeContent,
  type IncludeRef,
  includeRefs,
  joinPath,
  overlayOnlyProblems,
  resolveCharmPaths,
  substituteIncludes,
} from "./overlay.js";
import type { BundleApplication, BundleData, BundleMachine, BundleSaas } from "./types.js";
import { verifyBundle } from "./validate.js";
import { readYamlStream } from "./yaml.js";

/** Reads a file for the parser: the Node implementation is `readBundleFile` (`libjuju`'s main entry). */
export type BundleFileReader = (path: string) => Promise<string | Uint8Array>;

/**
 * An overlay: a file path (read with `readFile`, like `juju deploy --overlay`),
 * or YAML text with an optional path that names it and anchors its relative includes.
 */
export type BundleOverlay =
  | string
  | {
      /** The overlay's YAML text. */
      text: string;
      /** Where it came from: names it in problems; its directory resolves its relative paths. */
      path?: string;
    };

/** Options of {@link parseBundle}. */
export interface ParseBundleOptions {
  /** Overlays applied in order after the bundle's own documents. */
  overlays?: readonly BundleOverlay[];
  /** The bundle file's path: names it in problems; its directory is the default `baseDir`. */
  path?: string;
  /** Directory that relative `include-file://` paths and `./charm` paths of the bundle are resolved against. */
  baseDir?: string;
  /** Reads overlay and include files; without it, overlays must be given as text and includes fail. */
  readFile?: BundleFileReader;
  /**
   * Unknown keys and duplicate keys are problems (default). Juju's own CLI
   * only warns about them (`These fields … will be ignored during
   * deployment`) and ignores them: pass `strict: false` to do the same.
   */
  strict?: boolean;
  /** Receives unknown/duplicate-key notices when `strict` is false. */
  onWarning?: (warning: BundleProblem) => void;
  /**
   * Whose checks to apply. `cli` (default): `juju deploy`'s, which also
   * verify the base bundle alone (no `image-id` constraint there) and that a
   * series and a base given together agree. `controller`: only what the
   * Bundle facade (`GetChanges`) checks, for a simulated controller.
   */
  checks?: "cli" | "controller";
}

/** Options of {@link parseBundleSync}: no file reading. */
export type ParseBundleSyncOptions = Omit<ParseBundleOptions, "readFile" | "overlays"> & {
  /** Overlays, as text, applied in order after the bundle's own documents. */
  overlays?: readonly {
    /** The overlay's YAML text. */
    text: string;
    /** Where it came from: names it in problems; its directory resolves its relative paths. */
    path?: string;
  }[];
};

interface Source {
  label: string;
  text: string;
  dir: string | undefined;
}

interface Part {
  data: DecodedBundle;
  source: number;
}

/** Checks the arguments' JS types; every problem becomes part of the one error. */
function checkArgs(
  text: unknown,
  opts: unknown,
  problems: BundleProblem[],
  sync: boolean,
): ParseBundleOptions {
  if (typeof text !== "string") {
    problems.push({
      path: "",
      message: `bundle must be YAML text (a string), got ${describeType(text)}`,
    });
  }
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) {
    problems.push({ path: "", message: `options must be an object, got ${describeType(opts)}` });
    return {};
  }
  const o = opts as Record<string, unknown>;
  const out: ParseBundleOptions = {};
  const optString = (key: "path" | "baseDir") => {
    const v = o[key];
    if (v === undefined) return;
    if (typeof v !== "string")
      problems.push({ path: key, message: `${key} must be a string, got ${describeType(v)}` });
    else out[key] = v;
  };
  optString("path");
  optString("baseDir");
  if (o.readFile !== undefined) {
    if (sync)
      problems.push({
        path: "readFile",
        message: "parseBundleSync reads no files: use parseBundle",
      });
    else if (typeof o.readFile !== "function") {
      problems.push({
        path: "readFile",
        message: `readFile must be a function, got ${describeType(o.readFile)}`,
      });
    } else out.readFile = o.readFile as BundleFileReader;
  }
  if (o.strict !== undefined) {
    if (typeof o.strict !== "boolean") {
      problems.push({
        path: "strict",
        message: `strict must be a boolean, got ${describeType(o.strict)}`,
      });
    } else out.strict = o.strict;
  }
  if (o.checks !== undefined) {
    if (o.checks !== "cli" && o.checks !== "controller") {
      problems.push({
        path: "checks",
        message: `checks must be "cli" or "controller", got ${JSON.stringify(o.checks)}`,
      });
    } else out.checks = o.checks;
  }
  if (o.onWarning !== undefined) {
    if (typeof o.onWarning !== "function") {
      problems.push({
        path: "onWarning",
        message: `onWarning must be a function, got ${describeType(o.onWarning)}`,
      });
    } else out.onWarning = o.onWarning as (w: BundleProblem) => void;
  }
  if (o.overlays !== undefined) {
    if (!Array.isArray(o.overlays)) {
      problems.push({
        path: "overlays",
        message: `overlays must be an array, got ${describeType(o.overlays)}`,
      });
    } else {
      const list: BundleOverlay[] = [];
      o.overlays.forEach((ov: unknown, i) => {
        const path = `overlays[${i}]`;
        if (typeof ov === "string") {
          if (sync)
            problems.push({
              path,
              message: `overlay ${JSON.stringify(ov)} is a path: parseBundleSync reads no files; pass the overlay's text instead`,
            });
          else list.push(ov);
          return;
        }
        if (typeof ov === "object" && ov !== null && !Array.isArray(ov)) {
          const { text: t, path: p } = ov as { text?: unknown; path?: unknown };
          if (typeof t !== "string") {
            problems.push({
              path: `${path}.text`,
              message: `overlay text must be a string, got ${describeType(t)}`,
            });
            return;
          }
          if (p !== undefined && typeof p !== "string") {
            problems.push({
              path: `${path}.path`,
              message: `overlay path must be a string, got ${describeType(p)}`,
            });
            return;
          }
          list.push(p === undefined ? { text: t } : { text: t, path: p });
          return;
        }
        problems.push({
          path,
          message: `overlay must be a file path or {text, path?}, got ${describeType(ov)}`,
        });
      });
      out.overlays = list;
    }
  }
  return out;
}

function mainSource(text: string, opts: ParseBundleOptions): Source {
  return {
    label: opts.path ?? "bundle",
    text,
    dir: opts.baseDir ?? (opts.path !== undefined ? dirName(opts.path) : undefined),
  };
}

function inlineOverlaySource(
  ov: { text: string; path?: string },
  i: number,
  opts: ParseBundleOptions,
  base: Source,
): Source {
  return {
    label: ov.path ?? `overlays[${i}]`,
    text: ov.text,
    dir: ov.path !== undefined ? dirName(ov.path) : (opts.baseDir ?? base.dir),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Tags problems with the stage Juju would have stopped at. */
function staged(list: readonly BundleProblem[], stage: BundleProblemStage): BundleProblem[] {
  return list.map((p) => ({ ...p, stage }));
}

/** Phase 1: every document of every source, decoded; syntax and type errors collected. */
function readParts(sources: Source[], problems: BundleProblem[], ignored: BundleProblem[]): Part[] {
  const parts: Part[] = [];
  sources.forEach((src, index) => {
    const docs = readYamlStream(src.text);
    docs.forEach((doc, d) => {
      const label = docs.length > 1 ? `${src.label} (document ${d})` : src.label;
      for (const e of doc.errors) {
        problems.push({ path: "", message: e.message, source: label, line: e.line, stage: "read" });
      }
      if (doc.errors.length > 0) return;
      const decoded = decodeBundle(doc.root, label);
      problems.push(...staged(decoded.problems, "read"));
      if (decoded.usedServices && parts.length > 0) {
        problems.push({
          path: "services",
          message:
            "bundle overlay file used deprecated 'services' key, this is not valid for bundle overlay files",
          source: label,
          stage: "merge",
        });
      }
      ignored.push(...staged(decoded.ignored, "read"));
      parts.push({ data: decoded.data, source: index });
    });
    if (index === 0 && docs.length === 0) {
      problems.push({
        path: "",
        message: "malformed bundle: bundle is empty not valid",
        source: src.label,
        stage: "read",
      });
    }
  });
  return parts;
}

const includeKey = (dir: string | undefined, ref: IncludeRef) =>
  `${ref.encoding}\0${dir ?? ""}\0${ref.path}`;
const includePath = (dir: string | undefined, ref: IncludeRef) =>
  dir === undefined ? ref.path : joinPath(dir, ref.path);

/** Phase 2: includes resolved, overlays merged, everything verified; throws or returns the bundle. */
function finish(
  sources: Source[],
  parts: Part[],
  problems: BundleProblem[],
  ignored: BundleProblem[],
  includes: Map<string, IncludeContent>,
  opts: ParseBundleOptions,
): BundleData {
  const strict = opts.strict !== false;
  const fail = (list: BundleProblem[]): never => {
    throw new BundleValidationError(strict ? [...list, ...ignored] : list);
  };
  if (problems.length > 0 || parts.length === 0) fail(problems);
  for (const part of parts) {
    const src = sources[part.source] as Source;
    const found = substituteIncludes(part.data, (ref) => includes.get(includeKey(src.dir, ref)));
    for (const p of found) problems.push({ ...p, source: src.label, stage: "merge" });
    resolveCharmPaths(part.data, src.dir);
  }
  const [basePart, ...overlays] = parts as [Part, ...Part[]];
  const controller = opts.checks === "controller";
  // The Juju CLI verifies the base bundle on its own first (refusing image-id
  // there); both CLI and controller refuse overlay-only fields in it, then
  // verify the merged bundle.
  if (!controller)
    problems.push(...staged(verifyBundle(basePart.data, { baseBundle: true }), "verify"));
  problems.push(...staged(overlayOnlyProblems(basePart.data), "merge"));
  const merged = structuredClone(basePart.data);
  for (const o of overlays) applyOverlay(merged, o.data);
  const seen = new Set(problems.map((p) => `${p.path}\0${p.message}`));
  for (const p of verifyBundle(merged, { seriesBaseMatch: !controller })) {
    if (!seen.has(`${p.path}\0${p.message}`)) problems.push({ ...p, stage: "verify" });
  }
  if (problems.length > 0 || (strict && ignored.length > 0)) fail(problems);
  for (const w of ignored) opts.onWarning?.(w);
  return toBundleData(merged);
}

/**
 * Parses a bundle: its YAML documents (the first is the bundle, later ones
 * are overlays, as in `juju deploy`), then `opts.overlays` in order, with
 * `include-file://` / `include-base64://` values read through
 * `opts.readFile`. Returns the merged bundle; throws
 * {@link BundleValidationError} listing every problem (syntax, types,
 * placements, relations, …) with its YAML path.
 */
export async function parseBundle(text: string, opts?: ParseBundleOptions): Promise<BundleData> {
  const problems: BundleProblem[] = [];
  const o = checkArgs(text, opts, problems, false);
  if (problems.length > 0) throw new BundleValidationError(problems);
  const base = mainSource(text, o);
  const sources: Source[] = [base];
  const overlays = o.overlays ?? [];
  for (const [i, ov] of overlays.entries()) {
    if (typeof ov !== "string") {
      sources.push(inlineOverlaySource(ov, i, o, base));
      continue;
    }
    if (!o.readFile) {
      problems.push({
        path: `overlays[${i}]`,
        message: `unable to process overlays: cannot read ${JSON.stringify(ov)} without a readFile option`,
        stage: "read",
      });
      continue;
    }
    try {
      const data = await o.readFile(ov);
      sources.push({
        label: ov,
        text: typeof data === "string" ? data : new TextDecoder().decode(data),
        dir: dirName(ov),
      });
    } catch (e) {
      problems.push({
        path: `overlays[${i}]`,
        message: `unable to process overlays: ${errorText(e)}`,
        stage: "read",
      });
    }
  }
  const ignored: BundleProblem[] = [];
  const parts = readParts(sources, problems, ignored);
  const includes = new Map<string, IncludeContent>();
  if (problems.length === 0) {
    const reads: Promise<void>[] = [];
    for (const part of parts) {
      const dir = (sources[part.source] as Source).dir;
      for (const ref of includeRefs(part.data)) {
        const key = includeKey(dir, ref);
        if (includes.has(key)) continue;
        const path = includePath(dir, ref);
        if (!o.readFile) {
          includes.set(key, {
            error: `cannot read ${JSON.stringify(path)} without a readFile option`,
          });
          continue;
        }
        const reader = o.readFile;
        includes.set(key, { error: "not read" });
        reads.push(
          (async () => {
            try {
              includes.set(key, { data: await reader(path) });
            } catch (e) {
              includes.set(key, { error: errorText(e) });
            }
          })(),
        );
      }
    }
    await Promise.all(reads);
  }
  return finish(sources, parts, problems, ignored, includes, o);
}

/**
 * {@link parseBundle} without file access: overlays are given as text and
 * include directives are problems. For browsers and quick checks.
 */
export function parseBundleSync(text: string, opts?: ParseBundleSyncOptions): BundleData {
  const problems: BundleProblem[] = [];
  const o = checkArgs(text, opts, problems, true);
  if (problems.length > 0) throw new BundleValidationError(problems);
  const base = mainSource(text, o);
  const sources: Source[] = [base];
  for (const [i, ov] of (o.overlays ?? []).entries()) {
    if (typeof ov !== "string") sources.push(inlineOverlaySource(ov, i, o, base));
  }
  const ignored: BundleProblem[] = [];
  const parts = readParts(sources, problems, ignored);
  const includes = new Map<string, IncludeContent>();
  for (const part of parts) {
    const dir = (sources[part.source] as Source).dir;
    for (const ref of includeRefs(part.data)) {
      includes.set(includeKey(dir, ref), {
        error: `cannot read ${JSON.stringify(includePath(dir, ref))}: parseBundleSync reads no files (use parseBundle with readFile)`,
      });
    }
  }
  return finish(sources, parts, problems, ignored, includes, o);
}

/** Options of {@link checkBundleData}. */
export interface CheckBundleDataOptions {
  /** As {@link ParseBundleOptions.strict}. */
  strict?: boolean;
  /** Also apply the checks Juju reserves for a base bundle (no `image-id` constraint). */
  baseBundle?: boolean;
}

/**
 * Checks bundle data given as a JS object (e.g. built in code rather than
 * parsed) exactly as parsed YAML is checked, and returns it normalised
 * (`scale` folded into `num_units`, empty values dropped). Throws
 * {@link BundleValidationError} listing every problem.
 */
export function checkBundleData(data: unknown, opts: CheckBundleDataOptions = {}): BundleData {
  const problems: BundleProblem[] = [];
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new BundleValidationError([
      { path: "", message: `bundle data must be an object, got ${describeType(data)}` },
    ]);
  }
  const node = fromPlain(data, "", problems);
  const decoded = decodeBundle(node);
  problems.push(...staged(decoded.problems, "read"));
  const strict = opts.strict !== false;
  if (problems.length === 0) {
    const found = verifyBundle(decoded.data, { baseBundle: opts.baseBundle === true });
    problems.push(...staged(found, "verify"));
  }
  const all = strict ? [...problems, ...staged(decoded.ignored, "read")] : problems;
  if (all.length > 0) throw new BundleValidationError(all);
  return toBundleData(decoded.data);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Drops what Go's omitempty would: null, "", empty lists and maps. */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObj(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

function toBundleData(d: DecodedBundle): BundleData {
  const rest: Obj = { ...d, applications: undefined, machines: undefined, saas: undefined };
  for (const key of METADATA_ONLY) delete rest[key];
  const out = compact(rest) as Partial<BundleData>;
  const applications: Record<string, BundleApplication> = {};
  for (const [name, app] of Object.entries(isObj(d.applications) ? d.applications : {})) {
    const a = isObj(app) ? compact(app) : {};
    if (isObj(a.offers)) {
      a.offers = Object.fromEntries(
        Object.entries(a.offers).map(([k, v]) => [
          k,
          { endpoints: [], ...(isObj(v) ? compact(v) : {}) },
        ]),
      );
    }
    if (isObj(a["exposed-endpoints"])) {
      a["exposed-endpoints"] = Object.fromEntries(
        Object.entries(a["exposed-endpoints"]).map(([k, v]) => [k, isObj(v) ? compact(v) : {}]),
      );
    }
    applications[name] = { charm: "", ...a } as BundleApplication;
  }
  const result: BundleData = { ...out, applications } as BundleData;
  if (isObj(d.machines) && Object.keys(d.machines).length > 0) {
    const machines: Record<string, BundleMachine> = {};
    for (const [id, m] of Object.entries(d.machines))
      machines[id] = (isObj(m) ? compact(m) : {}) as BundleMachine;
    result.machines = machines;
  }
  if (isObj(d.saas) && Object.keys(d.saas).length > 0) {
    const saas: Record<string, BundleSaas> = {};
    for (const [name, s] of Object.entries(d.saas)) {
      saas[name] = { url: isObj(s) && typeof s.url === "string" ? s.url : "" };
    }
    result.saas = saas;
  }
  return result;
}

/**
 * The series and bases of a local charm, read from a charm directory or a
 * `.charm` archive (the Node edge of the charm module; the pure series
 * tables are in `./series.ts`).
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import yauzl from "yauzl";
import { CharmArchiveError, CharmDirError, CharmMetadataError } from "./errors.js";
import { basesFromList, basesFromPlatforms } from "./metadata.js";
import { baseToSeries, type CharmBase, seriesToBase } from "./series.js";
import { describeValue, isYamlMap, loadYaml, type YamlMap } from "./yaml.js";

const FILES = ["metadata.yaml", "charmcraft.yaml", "manifest.yaml"] as const;
type CharmYamlName = (typeof FILES)[number];

/** Larger YAML files than this in an archive are refused rather than inflated into memory. */
const MAX_YAML_BYTES = 4 * 2 ** 20;

/** The YAML files that decide a charm's series, parsed, with the label errors use. */
interface CharmYamls {
  docs: Partial<Record<CharmYamlName, YamlMap>>;
  label(name: CharmYamlName): string;
}

async function readDirYaml(dir: string, name: CharmYamlName): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") {
      throw new CharmDirError(`"${name}" in charm directory "${dir}" is not a file`, dir, {
        cause: e,
      });
    }
    throw new CharmDirError(
      `reading "${name}" file in charm directory "${dir}": ${(e as Error).message}`,
      dir,
      { cause: e },
    );
  }
}

async function readArchiveYamls(path: string): Promise<Partial<Record<CharmYamlName, string>>> {
  const bad = (message: string, cause?: unknown): CharmArchiveError =>
    new CharmArchiveError(
      `reading charm archive "${path}": ${message}`,
      path,
      "bad-archive",
      undefined,
      cause === undefined ? undefined : { cause },
    );
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (e) {
    throw bad((e as Error).message, e);
  }
  const out: Partial<Record<CharmYamlName, string>> = {};
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName.replace(/^(\.\/)+/, "");
      if (!(FILES as readonly string[]).includes(name)) continue;
      if (entry.uncompressedSize > MAX_YAML_BYTES) {
        throw bad(`"${name}" is larger than ${MAX_YAML_BYTES} bytes`);
      }
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      out[name as CharmYamlName] = Buffer.concat(chunks).toString("utf8");
    }
  } catch (e) {
    if (e instanceof CharmArchiveError) throw e;
    throw bad((e as Error).message, e);
  } finally {
    zip.close();
  }
  return out;
}

/** Reads and parses the charm's metadata.yaml, charmcraft.yaml and manifest.yaml, those that exist. */
async function readCharmYamls(path: string): Promise<CharmYamls> {
  if (typeof path !== "string" || path === "") {
    throw new CharmDirError("charm path must be a non-empty string", String(path));
  }
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    throw new CharmDirError(`charm "${path}" not found`, path, { cause: e });
  }
  const texts: Partial<Record<CharmYamlName, string>> = {};
  if (isDir) {
    for (const name of FILES) {
      const text = await readDirYaml(path, name);
      if (text !== undefined) texts[name] = text;
    }
  } else {
    Object.assign(texts, await readArchiveYamls(path));
  }
  const label = (name: CharmYamlName): string => join(path, name);
  const docs: Partial<Record<CharmYamlName, YamlMap>> = {};
  for (const name of FILES) {
    const text = texts[name];
    if (text === undefined) continue;
    const doc = loadYaml(text, label(name));
    if (doc === undefined || doc === null) continue;
    if (!isYamlMap(doc)) {
      throw new CharmMetadataError(
        `parsing "${label(name)}" file: expected map, got ${describeValue(doc)}`,
        label(name),
      );
    }
    docs[name] = doc;
  }
  return { docs, label };
}

function metadataSeries(y: CharmYamls): string[] {
  const meta = y.docs["metadata.yaml"];
  const series = meta?.series;
  if (series === undefined || series === null) return [];
  const file = y.label("metadata.yaml");
  if (!Array.isArray(series) || series.some((s) => typeof s !== "string")) {
    throw new CharmMetadataError(
      `parsing "${file}" file: metadata: series: expected list of strings, got ${describeValue(series)}`,
      file,
      "series",
    );
  }
  return series as string[];
}

function charmcraftBases(y: CharmYamls): CharmBase[] {
  const craft = y.docs["charmcraft.yaml"];
  if (!craft) return [];
  const file = y.label("charmcraft.yaml");
  if (craft.bases !== undefined && craft.bases !== null) return basesFromList(craft.bases, file);
  if (craft.platforms !== undefined && craft.platforms !== null) {
    return basesFromPlatforms(craft, file);
  }
  return [];
}

function manifestBases(y: CharmYamls): CharmBase[] {
  const manifest = y.docs["manifest.yaml"];
  if (!manifest || manifest.bases === undefined || manifest.bases === null) return [];
  return basesFromList(manifest.bases, y.label("manifest.yaml"));
}

function firstSeries(bases: readonly CharmBase[]): string | undefined {
  for (const b of bases) {
    const s = baseToSeries(b);
    if (s !== undefined) return s;
  }
  return undefined;
}

/**
 * The series to deploy a local charm on when none is given
 * (python-libjuju's `get_charm_series`, extended to modern charms): the
 * first of metadata.yaml's `series:`, else the first base of charmcraft.yaml
 * (`bases:` run-on, or `base:` + `platforms:`), else the first base of
 * manifest.yaml, in the order written, named as a series (`ubuntu@22.04` →
 * `jammy`). A base Juju has no series name for is skipped.
 *
 * @param path A charm directory, or a `.charm` archive (only its
 *   metadata.yaml, charmcraft.yaml and manifest.yaml entries are read).
 * @returns `undefined` when none of the files names a series or a known base.
 * @throws CharmMetadataError for malformed YAML (its `file` is the file's
 *   path, its `line` the line) or wrongly typed `series`/`bases`/`platforms`.
 * @throws CharmDirError when `path` does not exist or a file cannot be read.
 * @throws CharmArchiveError (reason `bad-archive`) when a file is not a readable zip.
 */
export async function getCharmSeries(path: string): Promise<string | undefined> {
  const y = await readCharmYamls(path);
  const series = metadataSeries(y);
  if (series.length > 0) return series[0];
  return firstSeries(charmcraftBases(y)) ?? firstSeries(manifestBases(y));
}

/**
 * The bases a local charm runs on, the modern answer to
 * {@link getCharmSeries}, with Juju's precedence: manifest.yaml `bases:` (a
 * built charm), else charmcraft.yaml (`bases:`, or `base:` + `platforms:`),
 * else metadata.yaml's `series:` mapped to bases. In the order written,
 * one entry per OS version with its architectures merged and normalised
 * (`aarch64` → `arm64`; charmcraft's default `amd64` when none is listed);
 * bases from series carry no architectures. Legacy Kubernetes charms give
 * `{name: "kubernetes", channel: "kubernetes"}`.
 *
 * @param path A charm directory or a `.charm` archive.
 * @returns An empty list when no file names a base or a known series.
 * @throws CharmMetadataError, CharmDirError, CharmArchiveError as {@link getCharmSeries}.
 */
export async function getCharmBases(path: string): Promise<CharmBase[]> {
  const y = await readCharmYamls(path);
  const fromManifest = manifestBases(y);
  if (fromManifest.length > 0) return fromManifest;
  const fromCraft = charmcraftBases(y);
  if (fromCraft.length > 0) return fromCraft;
  const out: CharmBase[] = [];
  for (const s of metadataSeries(y)) {
    const b = seriesToBase(s);
    if (b && !out.some((x) => x.name === b.name && x.channel === b.channel)) out.push(b);
  }
  return out;
}

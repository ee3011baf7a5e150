/**
 * Where a bundle comes from, as `juju deploy` finds it: a local file, a
 * directory holding `bundle.yaml`, an `http(s)://` URL, or a Charmhub
 * bundle by name. File access goes through {@link BundleFileSystem} so that
 * this module carries no Node import (the Node one is loaded on demand).
 * @module
 */
import type { Charmhub } from "../charm/charmhub.js";
import { BundleSourceError } from "./bundle-errors.js";
import { looksLikeZip, readZipEntry } from "./bundle-zip.js";

/** The file access bundle loading needs (paths are POSIX-style). */
export interface BundleFileSystem {
  /** `"file"`, `"dir"`, or undefined when nothing is there. */
  stat(path: string): Promise<"file" | "dir" | "other" | undefined>;
  /** The file's text (UTF-8). */
  readFile(path: string): Promise<string>;
}

/** The fetch bundle download needs (a subset of the global `fetch`). */
export type BundleFetch = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{
  /** Whether the status is 2xx. */
  ok: boolean;
  /** The HTTP status. */
  status: number;
  /** Reads the body. */
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** A bundle's text and where it came from. */
export interface LoadedBundle {
  /** Where the bundle came from. */
  kind: "file" | "url" | "charmhub";
  /** The bundle YAML. */
  text: string;
  /** The file, URL or Charmhub name the text came from. */
  location: string;
  /** Directory relative paths in the bundle (local charms, resources, includes) start from. */
  baseDir: string | undefined;
  /** The bundle URL Juju's planner records (`ch:<name>` for Charmhub bundles). */
  bundleURL: string | undefined;
}

/** True for what `juju deploy` treats as a local path rather than a store name. */
export function isLocalPath(s: string): boolean {
  return (
    s.startsWith(".") ||
    s.startsWith("/") ||
    s.startsWith("~") ||
    s.endsWith(".yaml") ||
    s.endsWith(".yml")
  );
}

/** True for an `http://` or `https://` URL. */
export function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** The directory part of a POSIX path (`.` when it has none). */
export function dirnameOf(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

/** Loads the Node file system lazily: only local bundles need it. */
export async function nodeBundleFileSystem(): Promise<BundleFileSystem> {
  return (await import("./bundle-node-fs.js")).nodeBundleFs;
}

/**
 * Reads a local bundle: a file, or a directory's `bundle.yaml`. Returns
 * undefined when nothing exists at `path` (so the caller may try Charmhub).
 */
export async function loadLocalBundle(
  path: string,
  fs: BundleFileSystem,
): Promise<LoadedBundle | undefined> {
  const kind = await fs.stat(path);
  if (kind === undefined) return undefined;
  let file = path;
  if (kind === "dir") {
    file = `${path.replace(/\/+$/, "")}/bundle.yaml`;
    if ((await fs.stat(file)) !== "file")
      throw new BundleSourceError(path, `no bundle.yaml in directory ${JSON.stringify(path)}`);
  } else if (kind !== "file") {
    throw new BundleSourceError(path, `${JSON.stringify(path)} is not a file or directory`);
  }
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (e) {
    throw new BundleSourceError(path, `cannot read bundle ${JSON.stringify(file)}: ${String(e)}`, {
      cause: e,
    });
  }
  return { kind: "file", text, location: file, baseDir: dirnameOf(file), bundleURL: undefined };
}

/** Downloads a bundle YAML (or a bundle archive holding `bundle.yaml`) from a URL. */
export async function loadUrlBundle(
  url: string,
  fetchFn: BundleFetch,
  signal?: AbortSignal,
): Promise<LoadedBundle> {
  const text = await download(url, url, fetchFn, signal);
  return { kind: "url", text, location: url, baseDir: undefined, bundleURL: undefined };
}

/**
 * Resolves a Charmhub bundle by name (and channel) and downloads it, as
 * the Juju CLI does with the model's Charmhub. A name that is a charm
 * rather than a bundle returns undefined.
 */
export async function loadCharmhubBundle(
  name: string,
  charmhub: Charmhub,
  fetchFn: BundleFetch,
  options: { channel?: string; signal?: AbortSignal } = {},
): Promise<LoadedBundle | undefined> {
  const bare = name.replace(/^ch:/, "");
  const resolved = await charmhub.resolve(bare, {
    ...(options.channel !== undefined ? { channel: options.channel } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (resolved.raw.charm?.type !== undefined && resolved.raw.charm.type !== "bundle")
    return undefined;
  const url = resolved.download.url;
  if (!url) throw new BundleSourceError(name, `Charmhub gave no download URL for bundle ${bare}`);
  const text = await download(name, url, fetchFn, options.signal);
  return {
    kind: "charmhub",
    text,
    location: `ch:${bare}`,
    baseDir: undefined,
    bundleURL: `ch:${bare}`,
  };
}

async function download(
  source: string,
  url: string,
  fetchFn: BundleFetch,
  signal?: AbortSignal,
): Promise<string> {
  let bytes: Uint8Array;
  try {
    const res = await fetchFn(url, signal ? { signal } : {});
    if (!res.ok)
      throw new BundleSourceError(source, `cannot download bundle from ${url}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof BundleSourceError) throw e;
    if (signal?.aborted) throw e;
    throw new BundleSourceError(source, `cannot download bundle from ${url}: ${String(e)}`, {
      cause: e,
    });
  }
  if (!looksLikeZip(bytes)) return new TextDecoder().decode(bytes);
  let entry: Uint8Array | undefined;
  try {
    entry = await readZipEntry(bytes, "bundle.yaml");
  } catch (e) {
    throw new BundleSourceError(source, `bad bundle archive from ${url}: ${String(e)}`, {
      cause: e,
    });
  }
  if (!entry)
    throw new BundleSourceError(source, `the bundle archive from ${url} has no bundle.yaml`);
  return new TextDecoder().decode(entry);
}

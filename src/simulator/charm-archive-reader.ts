/**
 * Reads an uploaded charm archive the way a Juju 3.6 controller does
 * (`apiserver/charms.go` `processUploadedArchive` + `charm.ReadCharmArchive`
 * + `RepackageAndUploadCharm`): the zip is opened lazily from a file with
 * yauzl (only the central directory and the few metadata files are read into
 * memory), the charm root is the directory of the shallowest
 * `metadata.yaml`, the metadata is parsed with the shared charm reader, and
 * the charm is repackaged with its allocated revision into a new zip.
 *
 * Limits the real controller does not have guard the simulator's process: an
 * entry count, a total uncompressed size and a compression ratio (a zip
 * bomb is refused from its central directory, before anything is inflated;
 * yauzl checks while inflating that no entry exceeds its declared size).
 * @module
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import yazl from "yazl";
import { type CharmInfo, parseCharmFiles } from "../charm/metadata.js";
import { ServerError } from "./errors.js";

/** Limits on an uploaded archive; see {@link DEFAULT_ZIP_LIMITS}. */
export interface ZipLimits {
  /** Most entries (files, directories, symlinks) an archive may hold. */
  maxEntries: number;
  /** Most bytes all entries may inflate to, together. */
  maxUncompressedBytes: number;
  /**
   * Highest uncompressed/compressed ratio of an entry larger than
   * {@link ZipLimits.ratioFloorBytes} (and of the whole archive past that size).
   */
  maxCompressionRatio: number;
  /** Entries smaller than this are not ratio-checked (tiny files compress extremely well). */
  ratioFloorBytes: number;
}

/** Defaults: generous for real charms (tens of thousands of files, a few GiB), fatal for zip bombs. */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = {
  maxEntries: 100_000,
  maxUncompressedBytes: 4 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioFloorBytes: 1024 ** 2,
};

/** Metadata files are read into memory; none of them may be larger than this. */
const MAX_METADATA_FILE = 16 * 1024 ** 2;

/** One entry of an opened archive. */
export interface ArchiveEntry {
  /** Path inside the zip, `/`-separated, no trailing slash for directories. */
  name: string;
  kind: "file" | "dir" | "symlink";
  /** Unix permission bits (0o755, 0o644…), from the entry's external attributes. */
  mode: number;
  size: number;
  compressedSize: number;
  mtime: Date;
  raw: yauzl.Entry;
}

/** An opened archive: its entries, and reads of entry contents. Close it when done. */
export class CharmZip {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly entries: readonly ArchiveEntry[],
  ) {}

  /**
   * Opens `path` and reads its central directory, checking `limits`.
   * @throws ServerError `cannot open charm archive: zip: not a valid zip
   *   file` (as Go's archive/zip says) when it is not a zip, or a
   *   `bad request` naming the limit it breaks.
   */
  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<CharmZip> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.open(
        path,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true },
        (err, z) => {
          if (err !== null || z === undefined) {
            reject(new ServerError("cannot open charm archive: zip: not a valid zip file"));
          } else {
            resolve(z);
          }
        },
      );
    });
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw new ServerError(
          `cannot open charm archive: too many entries (${zip.entryCount}, the limit is ${limits.maxEntries})`,
          "bad request",
        );
      }
      const entries = await readEntries(zip, limits);
      return new CharmZip(zip, entries);
    } catch (e) {
      zip.close();
      throw e;
    }
  }

  /** A stream of an entry's (inflated) contents. */
  openStream(entry: ArchiveEntry): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry.raw, (err, stream) => {
        if (err !== null || stream === undefined) reject(readError(entry.name, err));
        else resolve(stream);
      });
    });
  }

  /** An entry's contents in memory (metadata files, symlink targets): at most `max` bytes. */
  async read(entry: ArchiveEntry, max = MAX_METADATA_FILE): Promise<Buffer> {
    if (entry.size > max) {
      throw new ServerError(
        `invalid charm archive: ${entry.name} is ${entry.size} bytes, more than ${max}`,
        "bad request",
      );
    }
    const stream = await this.openStream(entry);
    const chunks: Buffer[] = [];
    try {
      for await (const c of stream) chunks.push(c as Buffer);
    } catch (e) {
      throw readError(entry.name, e);
    }
    return Buffer.concat(chunks);
  }

  /** Releases the file. */
  close(): void {
    this.zip.close();
  }
}

function readError(name: string, err: unknown): ServerError {
  const msg = err instanceof Error ? err.message : String(err);
  return new ServerError(`cannot read charm archive: ${name}: ${msg}`, "bad request");
}

function readEntries(zip: yauzl.ZipFile, limits: ZipLimits): Promise<ArchiveEntry[]> {
  return new Promise((resolve, reject) => {
    const out: ArchiveEntry[] = [];
    let total = 0;
    let totalCompressed = 0;
    const fail = (e: unknown) => {
      zip.removeAllListeners("entry");
      reject(
        e instanceof ServerError
          ? e
          : new ServerError(
              `cannot open charm archive: ${e instanceof Error ? e.message : String(e)}`,
              "bad request",
            ),
      );
    };
    zip.on("error", fail);
    zip.on("end", () => resolve(out));
    zip.on("entry", (raw: yauzl.Entry) => {
      try {
        const isDir = raw.fileName.endsWith("/");
        const name = posix.normalize(raw.fileName.replace(/\/+$/, "") || ".");
        const attrs = raw.externalFileAttributes >>> 16;
        const type = attrs & 0o170000;
        const kind = isDir || type === 0o040000 ? "dir" : type === 0o120000 ? "symlink" : "file";
        const mode = attrs & 0o7777 || (kind === "dir" ? 0o755 : 0o644);
        total += raw.uncompressedSize;
        totalCompressed += raw.compressedSize;
        if (total > limits.maxUncompressedBytes) {
          throw new ServerError(
            `invalid charm archive: entries inflate to more than ${limits.maxUncompressedBytes} bytes`,
            "bad request",
          );
        }
        const ratio = (size: number, compressed: number) =>
          size > limits.ratioFloorBytes && size > limits.maxCompressionRatio * compressed;
        if (ratio(raw.uncompressedSize, raw.compressedSize) || ratio(total, totalCompressed)) {
          throw new ServerError(
            `invalid charm archive: ${name} compresses more than ${limits.maxCompressionRatio}:1 (a zip bomb?)`,
            "bad request",
          );
        }
        out.push({
          name,
          kind,
          mode,
          size: raw.uncompressedSize,
          compressedSize: raw.compressedSize,
          mtime: raw.getLastModDate(),
          raw,
        });
        zip.readEntry();
      } catch (e) {
        fail(e);
      }
    });
    zip.readEntry();
  });
}

/** `ziputil.Find` + `findArchiveRootDir`: the directory holding the shallowest metadata.yaml. */
export function findRootDir(entries: readonly ArchiveEntry[]): string {
  const paths = entries
    .filter((e) => e.kind !== "dir" && posix.basename(e.name) === "metadata.yaml")
    .map((e) => posix.normalize(e.name));
  if (paths.length === 0) {
    throw new ServerError(
      "cannot read charm archive: invalid charm archive: missing metadata.yaml",
      "bad request",
    );
  }
  const depth = (p: string) => p.split("/").length - 1;
  paths.sort((a, b) => depth(a) - depth(b));
  if (paths.length > 1 && depth(paths[0] ?? "") === depth(paths[1] ?? "")) {
    throw new ServerError(
      "cannot read charm archive: invalid charm archive: ambiguous root directory",
      "bad request",
    );
  }
  return posix.dirname(paths[0] ?? "metadata.yaml");
}

/** What the controller learns from an uploaded archive. */
export interface ReadCharm {
  info: CharmInfo;
  /** The `revision` file's number, 0 without one. */
  revision: number;
  /** The first line of the `version` file, `""` without one. */
  version: string;
  /** The charm root inside the zip (`.` for a normal archive). */
  root: string;
}

/** `charm.ReadCharmArchive`: metadata, config, actions, manifest, lxd-profile, revision, version. */
export async function readCharm(zip: CharmZip): Promise<ReadCharm> {
  const root = findRootDir(zip.entries);
  const at = (file: string) => {
    const name = root === "." ? file : `${root}/${file}`;
    return zip.entries.find((e) => e.kind === "file" && e.name === name);
  };
  const text = async (file: string): Promise<string | undefined> => {
    const e = at(file);
    return e === undefined ? undefined : (await zip.read(e)).toString("utf8");
  };
  const files: Record<string, string> = {};
  for (const [key, file] of [
    ["metadata", "metadata.yaml"],
    ["config", "config.yaml"],
    ["actions", "actions.yaml"],
    ["manifest", "manifest.yaml"],
    ["lxdProfile", "lxd-profile.yaml"],
  ] as const) {
    const t = await text(file);
    if (t !== undefined) files[key] = t;
  }
  let info: CharmInfo;
  try {
    info = parseCharmFiles(files);
  } catch (e) {
    throw new ServerError(
      `invalid charm archive: ${e instanceof Error ? e.message : String(e)}`,
      "bad request",
    );
  }
  let revision = 0;
  const revText = await text("revision");
  if (revText !== undefined) {
    const t = revText.trim();
    if (!/^\d+$/.test(t)) {
      throw new ServerError(
        `invalid charm archive: invalid revision file: ${JSON.stringify(t)}`,
        "bad request",
      );
    }
    revision = Number(t);
  }
  const version = ((await text("version")) ?? "").split("\n")[0]?.trim() ?? "";
  return { info, revision, version, root };
}

/** The stored (repackaged) archive of a local charm. */
export interface StoredArchive {
  path: string;
  /** Hex SHA-256 of the stored archive (Juju's `bundlesha256`). */
  sha256: string;
  size: number;
}

/**
 * `RepackageAndUploadCharm`: writes the charm under `root` to `dest` as a
 * new zip, with `revision` holding the allocated revision. Modes, directory
 * entries and symlinks are kept; a symlink that leaves the charm is refused.
 */
export async function repackage(
  zip: CharmZip,
  root: string,
  revision: number,
  dest: string,
): Promise<StoredArchive> {
  const prefix = root === "." ? "" : `${root}/`;
  const members: Array<{ entry: ArchiveEntry; rel: string }> = [];
  const targets = new Map<ArchiveEntry, string>();
  for (const e of zip.entries) {
    if (prefix !== "" && !e.name.startsWith(prefix)) continue;
    const rel = e.name.slice(prefix.length);
    if (rel === "" || rel === "." || rel === "revision") continue;
    members.push({ entry: e, rel });
    if (e.kind !== "symlink") continue;
    // Symlinks are checked before anything is written, like `ziputil.Extract`.
    const target = (await zip.read(e, 4096)).toString("utf8");
    const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
    if (target.startsWith("/") || resolved === ".." || resolved.startsWith("../")) {
      throw new ServerError(
        `cannot extract uploaded charm: symlink ${JSON.stringify(rel)} leads out of scope (${JSON.stringify(target)})`,
        "bad request",
      );
    }
    targets.set(e, target);
  }
  const out = new yazl.ZipFile();
  const hash = createHash("sha256");
  let size = 0;
  let fail: (e: unknown) => void = () => {};
  const written = new Promise<void>((resolve, reject) => {
    const file = createWriteStream(dest, { mode: 0o600 });
    fail = (e) => {
      file.destroy();
      reject(e);
    };
    out.outputStream.on("data", (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    out.outputStream.on("error", (e) => fail(e));
    file.on("error", (e) => fail(e));
    file.on("finish", () => resolve());
    out.outputStream.pipe(file);
  });
  // Whatever fails first (a lying entry, a full disk) fails the whole write.
  written.catch(() => {});
  for (const { entry: e, rel } of members) {
    if (e.kind === "dir") {
      out.addEmptyDirectory(rel, { mode: e.mode, mtime: e.mtime });
    } else if (e.kind === "symlink") {
      out.addBuffer(Buffer.from(targets.get(e) ?? ""), rel, {
        mode: 0o120000 | (e.mode & 0o777 || 0o777),
        mtime: e.mtime,
      });
    } else {
      const entry = e;
      out.addReadStreamLazy(
        rel,
        { mode: 0o100000 | entry.mode, mtime: entry.mtime, size: entry.size },
        (cb) => {
          zip.openStream(entry).then(
            (s) => {
              s.on("error", (err: Error) => fail(readError(entry.name, err)));
              cb(null, s);
            },
            (err: unknown) => fail(err),
          );
        },
      );
    }
  }
  out.addBuffer(Buffer.from(String(revision)), "revision", {
    mode: 0o100644,
    mtime: new Date(0),
  });
  out.end();
  await written;
  return { path: dest, sha256: hash.digest("hex"), size };
}

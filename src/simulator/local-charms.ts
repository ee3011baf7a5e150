/**
 * Local charms of a simulated model: an uploaded archive is read, given the
 * next revision of its charm URL (`state.PrepareLocalCharmUpload`: a
 * sequence per URL without revision, starting at the archive's own
 * revision, so every upload — even of identical bytes — gets a new
 * revision, as in Juju), repackaged and recorded in the model's charms with
 * its metadata, config and actions. Nothing is recorded unless every step
 * succeeded.
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CharmInfo } from "../charm/metadata.js";
import { specFromInfo } from "./catalog-source.js";
import { CharmZip, type ReadCharm, readCharm, repackage } from "./charm-archive-reader.js";
import type { CharmSpec } from "./charm-source.js";
import { type BaseValue, baseOfSeries, type CharmRecord } from "./entities.js";
import { ServerError } from "./errors.js";
import type { ModelRecord } from "./store.js";

/** `charm.ValidateName`'s pattern. */
const CHARM_NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;
/** `charm.ValidateSeries`'s pattern. */
const SERIES_RE = /^[a-z]+(?:[a-z0-9]+)?$/;

/** The parts of a charm URL, as `charm.URL` holds them. */
export interface CharmUrlParts {
  schema: string;
  architecture: string;
  series: string;
  name: string;
  /** -1 when the URL has none. */
  revision: number;
}

/** `charm.URL.String()` (with the legacy series segment when there is one). */
export function formatCharmUrl(u: CharmUrlParts): string {
  const path = [u.architecture, u.series, u.name].filter((p) => p !== "").join("/");
  return `${u.schema}:${path}${u.revision >= 0 ? `-${u.revision}` : ""}`;
}

/**
 * `charm.ParseURL` for the forms a client sends: `local:name[-rev]`,
 * `local:series/name[-rev]`, `local:arch/series/name[-rev]`, `ch:…`.
 * @throws ServerError when it is not a charm URL.
 */
export function parseCharmUrl(s: string): CharmUrlParts {
  const m = /^([a-z]+):(.+)$/.exec(s);
  if (m === null) throw new ServerError(`cannot parse URL ${JSON.stringify(s)}: schema missing`);
  const [, schema = "", rest = ""] = m;
  if (schema !== "local" && schema !== "ch") {
    throw new ServerError(
      `cannot parse URL ${JSON.stringify(s)}: schema ${JSON.stringify(schema)} not valid`,
    );
  }
  const parts = rest.split("/");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw new ServerError(`charm or bundle URL has invalid form: ${JSON.stringify(s)}`);
  }
  const last = parts.pop() ?? "";
  const rm = /^(.*)-(\d+)$/.exec(last);
  const name = rm === null ? last : (rm[1] ?? "");
  const revision = rm === null ? -1 : Number(rm[2]);
  if (!CHARM_NAME_RE.test(name)) {
    throw new ServerError(
      `cannot parse URL ${JSON.stringify(s)}: name ${JSON.stringify(name)} not valid`,
    );
  }
  const architecture = parts.length === 2 ? (parts[0] ?? "") : "";
  const series = parts.length === 2 ? (parts[1] ?? "") : (parts[0] ?? "");
  return { schema, architecture, series, name, revision };
}

/** `charm.ValidateSeries`. */
export function validateSeries(series: string): void {
  if (!SERIES_RE.test(series)) {
    throw new ServerError(`series name ${JSON.stringify(series)} not valid`, "bad request");
  }
}

/** `charm.ValidateName`. */
export function validateCharmName(name: string): void {
  if (!CHARM_NAME_RE.test(name)) {
    throw new ServerError(`invalid charm name ${JSON.stringify(name)}`, "bad request");
  }
}

/** Revision sequences per model and URL-without-revision (`sequenceWithMin`). */
const sequences = new WeakMap<ModelRecord, Map<string, number>>();

/** @internal Saved and restored by `snapshot.ts`. */
export { sequences as localCharmSequences };

/** Allocates the revision of a local charm URL: at least `min`, above every earlier one. */
function allocateRevision(model: ModelRecord, key: string, min: number): number {
  let m = sequences.get(model);
  if (m === undefined) {
    m = new Map();
    sequences.set(model, m);
  }
  const next = m.get(key) ?? 0;
  const rev = Math.max(next, min);
  m.set(key, rev + 1);
  return rev;
}

/** The spec the facades and agents use for an uploaded charm. */
export function localCharmSpec(info: CharmInfo, revision: number): CharmSpec {
  return {
    ...specFromInfo(info),
    revision,
    channels: [],
    bases: info.bases.map((b) => ({ name: b.name, channel: b.channel })),
    resources: Object.fromEntries(
      Object.values(info.resources).map((r) => [
        r.name,
        {
          type: r.type,
          ...(r.filename === undefined ? {} : { filename: r.filename }),
          ...(r.description === undefined ? {} : { description: r.description }),
          // Local charms have no repository resources: only what gets uploaded.
          revision: 0,
          fingerprint: "",
          size: 0,
        },
      ]),
    ),
    // The simulator runs no hooks: a charm that sets no status shows `unknown`, as in Juju.
    workload: { status: "unknown", message: "" },
  };
}

/** What an upload asks for. */
export interface UploadRequest {
  /** Charm URL parts from the query or the `Juju-Curl` header; `name` `""` means the metadata's. */
  url: CharmUrlParts;
  /** POST: find the charm root like `processUploadedArchive`; PUT reads the archive as is. */
  findRoot: boolean;
}

/**
 * Reads the archive at `file` (a finished upload), allocates the revision,
 * repackages and records the charm. `file` is left for the caller to remove.
 */
export async function storeLocalCharm(
  model: ModelRecord,
  file: string,
  req: UploadRequest,
): Promise<CharmRecord> {
  const store = model.controller;
  const zip = await CharmZip.open(file, store.zipLimits);
  let dest: string | undefined;
  try {
    let charm: ReadCharm;
    if (req.findRoot) {
      charm = await readCharm(zip);
    } else {
      if (!zip.entries.some((e) => e.kind === "file" && e.name === "metadata.yaml")) {
        throw new ServerError(
          'invalid charm archive: archive file "metadata.yaml" not found',
          "bad request",
        );
      }
      charm = await readCharm(zip);
    }
    const name = req.url.name === "" ? charm.info.name : req.url.name;
    validateCharmName(name);
    const wanted = { ...req.url, name };
    const key = formatCharmUrl({ ...wanted, revision: -1 });
    const revision = allocateRevision(
      model,
      key,
      wanted.revision >= 0 ? wanted.revision : charm.revision,
    );
    const url = formatCharmUrl({ ...wanted, revision });
    dest = join(store.charmBlobDir(), `${model.uuid}-${name}-${revision}-${Date.now()}.charm`);
    const archive = await repackage(zip, charm.root, revision, dest);
    const base: BaseValue = (wanted.series === "" ? undefined : baseOfSeries(wanted.series)) ??
      charm.info.bases.at(-1) ?? { name: "ubuntu", channel: "22.04" };
    const rec = model.state.addCharm(
      url,
      localCharmSpec(charm.info, revision),
      {
        source: "local",
        type: "charm",
        id: "",
        revision,
        architecture: wanted.architecture || "amd64",
        base: { name: base.name, channel: base.channel },
      },
      { archive, charmVersion: charm.version },
    );
    dest = undefined;
    return rec;
  } finally {
    zip.close();
    if (dest !== undefined) rmSync(dest, { force: true });
  }
}

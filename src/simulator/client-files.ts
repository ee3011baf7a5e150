/**
 * Writes the Juju client files (`controllers.yaml`, `accounts.yaml`,
 * `models.yaml`) into a JUJU_DATA directory so that real clients (the `juju`
 * CLI, python-libjuju) can reach the simulator. Entries of other
 * controllers are left as they are: the files are edited as YAML documents,
 * not rewritten from scratch. Key names follow `jujuclient` (controllers.go,
 * accounts.go, models.go).
 * @module
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Document, parseDocument, Scalar } from "yaml";
import { opensshPublicKey } from "./certs.js";

/** What the client files record about the simulated controller. */
export interface ClientFilesSpec {
  /** The controller's name in controllers.yaml. */
  controllerName: string;
  /** The controller UUID. */
  controllerUuid: string;
  /** `host:port` strings. */
  apiEndpoints: string[];
  /** The controller's CA certificate (PEM). */
  caCert: string;
  /** The controller's cloud name. */
  cloud: string;
  /** The controller's cloud region. */
  region: string;
  /** The cloud type, e.g. `lxd`. */
  cloudType: string;
  /** The controller's Juju version. */
  agentVersion: string;
  /** Machines across all models (for `juju controllers`). */
  machineCount: number;
  /** The account's user name. */
  user: string;
  /** The account's password. */
  password: string;
  /** Models as `owner/name` → uuid and type, e.g. `admin/default`. */
  models: Array<{
    /** `owner/name`. */
    qualifiedName: string;
    /** The model UUID. */
    uuid: string;
    /** `iaas` or `caas`. */
    type: string;
  }>;
  /** The `current-model`, e.g. `admin/default`. */
  currentModel: string;
  /**
   * Write each model's `branch: master` (default true), as Juju 3's CLI does;
   * Juju 4 has no model generations and its models.yaml has no `branch`.
   */
  modelBranches?: boolean;
}

async function editYaml(path: string, edit: (doc: Document) => void): Promise<void> {
  let doc: Document;
  try {
    const text = await readFile(path, "utf8");
    doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`cannot parse ${path}: ${doc.errors[0]?.message}`);
    if (doc.contents === null) doc = new Document({});
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    doc = new Document({});
  }
  edit(doc);
  // Write-then-rename so a concurrent reader never sees half a file.
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, doc.toString({ lineWidth: 0 }), { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * Creates `cookies/<controller>.json` as an empty Go persistent cookie jar
 * (`[]`) unless it exists: python-libjuju reads it on connect.
 */
async function ensureCookieJar(jujuData: string, controllerName: string): Promise<void> {
  const dir = join(jujuData, "cookies");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(join(dir, `${controllerName}.json`), "[]", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

/**
 * The client's SSH identity, `ssh/juju_id_rsa` and `.pub`, created on first
 * use as the Juju client does (`juju-client-key`); clients such as
 * python-libjuju read the public key when they create a model. Kept when present.
 */
async function ensureClientSshKey(jujuData: string): Promise<void> {
  const dir = join(jujuData, "ssh");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, "juju_id_rsa");
  try {
    await readFile(`${key}.pub`);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const pub = opensshPublicKey(privateKey, "juju-client-key");
  await writeFile(key, privateKey, { mode: 0o600 });
  await writeFile(`${key}.pub`, `${pub}\n`, { mode: 0o644 });
}

/** Writes or updates the three client files in `jujuData` for one controller, and its cookie jar if absent. */
export async function writeClientFiles(jujuData: string, spec: ClientFilesSpec): Promise<void> {
  await mkdir(jujuData, { recursive: true, mode: 0o700 });
  const name = spec.controllerName;

  await editYaml(join(jujuData, "controllers.yaml"), (doc) => {
    // Juju writes the CA as a block literal (`ca-cert: |`), LF line endings.
    const caCert = new Scalar(`${spec.caCert.replace(/\r\n?/g, "\n").trimEnd()}\n`);
    caCert.type = Scalar.BLOCK_LITERAL;
    doc.setIn(["controllers", name], {
      uuid: spec.controllerUuid,
      "api-endpoints": spec.apiEndpoints,
      "ca-cert": caCert,
      cloud: spec.cloud,
      region: spec.region,
      type: spec.cloudType,
      "agent-version": spec.agentVersion,
      "controller-machine-count": 1,
      "active-controller-machine-count": 1,
      "machine-count": spec.machineCount,
    });
    doc.set("current-controller", name);
  });

  await editYaml(join(jujuData, "accounts.yaml"), (doc) => {
    doc.setIn(["controllers", name], {
      user: spec.user,
      password: spec.password,
      "last-known-access": "superuser",
    });
  });

  await editYaml(join(jujuData, "models.yaml"), (doc) => {
    const models: Record<string, unknown> = {};
    for (const m of [...spec.models].sort((a, b) => (a.qualifiedName < b.qualifiedName ? -1 : 1))) {
      models[m.qualifiedName] =
        spec.modelBranches === false
          ? { uuid: m.uuid, type: m.type }
          : { uuid: m.uuid, type: m.type, branch: "master" };
    }
    doc.setIn(["controllers", name], { models, "current-model": spec.currentModel });
  });

  await ensureCookieJar(jujuData, name);
  await ensureClientSshKey(jujuData);
}

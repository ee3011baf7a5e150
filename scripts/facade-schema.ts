/**
 * Loading Juju's facade schemas (`../shared/juju-schema/`), shared by the
 * facade generator (`scripts/generate-facades.ts`) and the schema-conformance
 * validator used by tests (`test/support/schema-conformance.ts`).
 *
 * Nothing here is used by the product at run time: the product only uses the
 * generated output in `src/facades/generated/`.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A JSON schema node as found in Juju's schema files (draft-ish, loosely typed). */
export interface SchemaNode {
  type?: string;
  $ref?: string;
  description?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  required?: string[];
  definitions?: Record<string, SchemaNode>;
  [key: string]: unknown;
}

/** One element of `client-facades-by-version.json`: one version of one facade. */
export interface FacadeSchema {
  Name: string;
  Version: number;
  Description?: string;
  AvailableTo?: string[];
  Schema: SchemaNode;
  _from_commit?: string;
  _commit_date?: string;
}

/** A facade and its versions, as in a Login reply (`{name, versions}`). */
export interface FacadeVersionsEntry {
  name: string;
  versions: number[];
}

/** `login-facades-3.6.json`. */
export interface LoginFacadesFile {
  juju_branch: string;
  juju_version: string;
  commit: string;
  all_registered: FacadeVersionsEntry[];
  model_login_facades: FacadeVersionsEntry[];
  controller_login_facades: FacadeVersionsEntry[];
}

/** The repository root: the parent of `scripts/`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Default location of the read-only reference material: `<repo>/../shared`. */
export const DEFAULT_SHARED_DIR = resolve(REPO_ROOT, "..", "shared");

/**
 * The Admin facade is never listed in a Login reply (nor in
 * `all_registered`), but every client speaks Admin v3 to log in.
 */
export const IMPLICIT_CLIENT_FACADES: readonly FacadeVersionsEntry[] = [
  { name: "Admin", versions: [3] },
];

export function loadClientFacades(sharedDir: string = DEFAULT_SHARED_DIR): FacadeSchema[] {
  const path = join(sharedDir, "juju-schema", "client-facades-by-version.json");
  return JSON.parse(readFileSync(path, "utf8")) as FacadeSchema[];
}

export function loadLoginFacades(sharedDir: string = DEFAULT_SHARED_DIR): LoginFacadesFile {
  const path = join(sharedDir, "juju-schema", "login-facades-3.6.json");
  return JSON.parse(readFileSync(path, "utf8")) as LoginFacadesFile;
}

/**
 * Errors of the client's bundle deployment that are neither planner
 * errors (`bundle/`) nor server errors.
 * @module
 */
import { LibjujuError, type LibjujuErrorCode } from "../rpc/errors.js";

export { BundleAbortError, BundleChangeError } from "./bundle-execute.js";

/**
 * A bundle names a local charm that cannot be deployed from it: a local
 * path (or `local:` name) in a bundle read from a URL or Charmhub, since
 * paths are relative to a bundle file's directory, as Juju resolves them.
 * It is refused before anything is sent.
 */
export class BundleLocalCharmError extends LibjujuError {
  /** The applications whose charm is local. */
  readonly applications: string[];
  constructor(
    applications: { name: string; charm: string }[],
    reason?: string,
    code: LibjujuErrorCode = "ERR_BUNDLE_LOCAL_CHARM",
  ) {
    super(
      `bundle application${applications.length === 1 ? "" : "s"} ` +
        applications.map((a) => `${JSON.stringify(a.name)} (charm ${a.charm})`).join(", ") +
        `: ${reason ?? "local charms can only be deployed from a bundle file or directory"}`,
      code,
    );
    this.applications = applications.map((a) => a.name);
  }
}

/**
 * A bundle's local charm path (resolved against the bundle's directory)
 * names nothing. Refused before anything is sent, as `juju deploy` does.
 */
export class BundleLocalCharmNotFoundError extends BundleLocalCharmError {
  /** Each application with its missing path, as resolved. */
  readonly missing: {
    /** The bundle application. */
    application: string;
    /** Its `charm` as the bundle wrote it. */
    charm: string;
    /** The path it resolved to, which does not exist. */
    path: string;
  }[];
  constructor(missing: { application: string; charm: string; path: string }[]) {
    super(
      missing.map((m) => ({ name: m.application, charm: m.charm })),
      `charm path${missing.length === 1 ? "" : "s"} not found: ${missing.map((m) => JSON.stringify(m.path)).join(", ")}`,
      "ERR_BUNDLE_LOCAL_CHARM_NOT_FOUND",
    );
    this.missing = missing;
  }
}

/** The bundle could not be found or read (file, directory, URL or Charmhub). */
export class BundleSourceError extends LibjujuError {
  /** What was asked for: a path, URL or Charmhub name. */
  readonly source: string;
  constructor(source: string, message: string, options?: ErrorOptions) {
    super(message, "ERR_BUNDLE_SOURCE", options);
    this.source = source;
  }
}

/** The entity given to `deploy` resolved to a bundle on Charmhub (internal routing signal). */
export class CharmIsBundleError extends LibjujuError {
  /** The Charmhub name. */
  readonly entity: string;
  constructor(entity: string) {
    super(`${JSON.stringify(entity)} is a bundle, not a charm`, "ERR_CHARM_IS_BUNDLE");
    this.entity = entity;
  }
}

/**
 * The bundle has applications that ask for `trust: true` and the deployment
 * was not told to trust them (Juju's `--trust`).
 */
export class BundleTrustError extends LibjujuError {
  /** The applications that ask for `trust: true`. */
  readonly applications: string[];
  constructor(applications: string[]) {
    super(
      "Bundle cannot be deployed without trusting applications with your cloud credentials.\n" +
        "Please repeat the deploy command with the --trust argument if you consent to trust the following application(s):\n" +
        applications.map((a) => `  - ${a}`).join("\n"),
      "ERR_BUNDLE_TRUST",
    );
    this.applications = applications;
  }
}

/** A change refers to a placeholder (`$deploy-3`) whose change has not run. */
export class BundlePlaceholderError extends LibjujuError {
  /** The placeholder, e.g. `$deploy-3`. */
  readonly placeholder: string;
  constructor(placeholder: string) {
    super(
      `placeholder ${placeholder} refers to a change that has not completed`,
      "ERR_BUNDLE_PLACEHOLDER",
    );
    this.placeholder = placeholder;
  }
}

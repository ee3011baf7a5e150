/**
 * Bundle data as Juju reads it (charm.BundleData in Juju 3.6), keyed by the YAML
 * names so a parsed bundle and its source document read the same way. Pure types:
 * shared by the planner, the client and the simulator.
 */

/** One application (legacy: service) of a bundle. */
export interface BundleApplication {
  charm: string;
  channel?: string;
  revision?: number;
  series?: string;
  base?: string;
  /** Resource name → revision number or local path. */
  resources?: Record<string, number | string>;
  num_units?: number;
  /**
   * Kubernetes bundles' spelling of num_units. `parseBundle` folds it into
   * `num_units` as Juju does, so parsed bundles never carry it.
   */
  scale?: number;
  to?: string[];
  expose?: boolean;
  "exposed-endpoints"?: Record<string, BundleExposedEndpoint>;
  options?: Record<string, unknown>;
  annotations?: Record<string, string>;
  constraints?: string;
  storage?: Record<string, string>;
  devices?: Record<string, string>;
  /** Endpoint → space; the "" key is the application's default space. */
  bindings?: Record<string, string>;
  offers?: Record<string, BundleOffer>;
  plan?: string;
  trust?: boolean;
}

/** Spaces and CIDRs an endpoint is exposed to. */
export interface BundleExposedEndpoint {
  "expose-to-spaces"?: string[];
  "expose-to-cidrs"?: string[];
}

/** An offer made from an application in the bundle. */
export interface BundleOffer {
  endpoints: string[];
  /** User → access level (read, consume, admin). */
  acl?: Record<string, string>;
}

/** A machine declared in the bundle's `machines` section. */
export interface BundleMachine {
  constraints?: string;
  annotations?: Record<string, string>;
  series?: string;
  base?: string;
}

/** A remote application consumed from an offer URL. */
export interface BundleSaas {
  url: string;
}

/** A whole bundle after overlays are applied. */
export interface BundleData {
  /** `bundle: kubernetes` for Kubernetes bundles. */
  bundle?: string;
  applications: Record<string, BundleApplication>;
  machines?: Record<string, BundleMachine | null>;
  saas?: Record<string, BundleSaas>;
  series?: string;
  "default-base"?: string;
  /** Each relation as the pair of endpoints ("app:endpoint" or "app"). */
  relations?: string[][];
  description?: string;
  /** Charmhub's bundle name (charmcraft requires it; Juju ignores it). */
  name?: string;
  /** Categories, as charms have them. */
  tags?: string[];
}

/** The change methods Juju's bundle planner emits. */
export type BundleChangeMethod =
  | "addCharm"
  | "deploy"
  | "addMachines"
  | "addUnit"
  | "addRelation"
  | "expose"
  | "setAnnotations"
  | "scale"
  | "setOptions"
  | "setConstraints"
  | "upgradeCharm"
  | "createOffer"
  | "consumeOffer"
  | "grantOfferAccess";

/** One step of a bundle plan, as Juju's bundlechanges library describes it. */
export interface BundleChange {
  /** `<method>-<n>`, numbered in creation order. */
  id: string;
  method: BundleChangeMethod;
  /** Ids of the changes that must finish first, sorted as Juju sorts them. */
  requires: string[];
  /** Named arguments exactly as Bundle.GetChangesMapArgs returns them. */
  args: Record<string, unknown>;
  /** Positional arguments exactly as Bundle.GetChanges (v6) returns them. */
  positionalArgs: unknown[];
  /** The line `juju deploy --dry-run` prints for this change. */
  description: string;
}

/** A plan: the ordered changes that deploy a bundle. */
export interface BundlePlan {
  changes: BundleChange[];
}

/**
 * Bundle data as Juju reads it (charm.BundleData in Juju 3.6), keyed by the YAML
 * names so a parsed bundle and its source document read the same way. Pure types:
 * shared by the planner, the client and the simulator.
 */

/** One application (legacy: service) of a bundle. */
export interface BundleApplication {
  /** The charm: a Charmhub name, `ch:name`, or a local path. */
  charm: string;
  /** The channel to deploy from, e.g. `8.0/stable`. */
  channel?: string;
  /** A charm revision (needs `channel` in Juju 3.x). */
  revision?: number;
  /** The series to deploy on (legacy; prefer `base`). */
  series?: string;
  /** The base to deploy on, e.g. `ubuntu@22.04`. */
  base?: string;
  /** Resource name → revision number or local path. */
  resources?: Record<string, number | string>;
  /** How many units to add. */
  num_units?: number;
  /**
   * Kubernetes bundles' spelling of num_units. `parseBundle` folds it into
   * `num_units` as Juju does, so parsed bundles never carry it.
   */
  scale?: number;
  /** Placement directives, one per unit (`"0"`, `lxd:1`, `new`, …). */
  to?: string[];
  /** Whether to expose the application to everyone. */
  expose?: boolean;
  /** Endpoint → who it is exposed to (the `""` key: every endpoint). */
  "exposed-endpoints"?: Record<string, BundleExposedEndpoint>;
  /** Charm config settings. */
  options?: Record<string, unknown>;
  /** Annotations to set on the application. */
  annotations?: Record<string, string>;
  /** Constraints, e.g. `mem=4G cores=2`. */
  constraints?: string;
  /** Storage name → directive, e.g. `ebs,10G,1`. */
  storage?: Record<string, string>;
  /** Device name → directive, e.g. `1,nvidia.com/gpu`. */
  devices?: Record<string, string>;
  /** Endpoint → space; the "" key is the application's default space. */
  bindings?: Record<string, string>;
  /** Offers to create from this application, by offer name. */
  offers?: Record<string, BundleOffer>;
  /** The plan the application is deployed under (Juju's bundle `plan` field, from metered charms). */
  plan?: string;
  /** Whether to grant the charm access to the cloud credential. */
  trust?: boolean;
}

/** Spaces and CIDRs an endpoint is exposed to. */
export interface BundleExposedEndpoint {
  /** Spaces whose subnets may reach the endpoint. */
  "expose-to-spaces"?: string[];
  /** CIDRs that may reach the endpoint. */
  "expose-to-cidrs"?: string[];
}

/** An offer made from an application in the bundle. */
export interface BundleOffer {
  /** The application endpoints the offer exposes. */
  endpoints: string[];
  /** User → access level (read, consume, admin). */
  acl?: Record<string, string>;
}

/** A machine declared in the bundle's `machines` section. */
export interface BundleMachine {
  /** Constraints for the machine. */
  constraints?: string;
  /** Annotations to set on the machine. */
  annotations?: Record<string, string>;
  /** The machine's series (legacy; prefer `base`). */
  series?: string;
  /** The machine's base, e.g. `ubuntu@22.04`. */
  base?: string;
}

/** A remote application consumed from an offer URL. */
export interface BundleSaas {
  /** The offer URL, e.g. `admin/other.mysql`. */
  url: string;
}

/** A whole bundle after overlays are applied. */
export interface BundleData {
  /** `bundle: kubernetes` for Kubernetes bundles. */
  bundle?: string;
  /** The applications, by name. */
  applications: Record<string, BundleApplication>;
  /** The machines, by bundle machine id. */
  machines?: Record<string, BundleMachine | null>;
  /** Consumed offers (remote applications), by local name. */
  saas?: Record<string, BundleSaas>;
  /** The default series (legacy; prefer `default-base`). */
  series?: string;
  /** The default base of applications and machines. */
  "default-base"?: string;
  /** Each relation as the pair of endpoints ("app:endpoint" or "app"). */
  relations?: string[][];
  /** The bundle's description. */
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
  /** What the change does. */
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
  /** The changes, in the order Juju applies them. */
  changes: BundleChange[];
}

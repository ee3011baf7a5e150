/**
 * The existing model as the bundle planner sees it (Juju 3.6's
 * `bundlechanges.Model`): what is deployed already, so a plan only adds what
 * is missing or different. Plain JSON-able data, so the client can build it
 * from its watcher state and the simulator from its own state.
 * @module
 */

/** Spaces and CIDRs an exposed endpoint is reachable from. */
export interface ModelExposedEndpointView {
  exposeToSpaces?: string[];
  exposeToCidrs?: string[];
}

/** One unit and the machine it runs on (`"0"`, `"0/lxd/1"`). */
export interface ModelUnitView {
  /** Unit name, `app/N`. */
  name: string;
  /** Machine id; empty for Kubernetes units. */
  machine: string;
}

/** An application already deployed in the model. */
export interface ModelApplicationView {
  /**
   * The charm as a bundle would name it: a Charmhub name (`mysql`, or a
   * `ch:` URL, compared by name) or a local charm URL/path.
   */
  charm: string;
  /** Kubernetes scale (unit count). */
  scale?: number;
  options?: Record<string, unknown>;
  annotations?: Record<string, string>;
  constraints?: string;
  exposed?: boolean;
  /** Endpoint → expose settings; the `""` key stands for every endpoint. */
  exposedEndpoints?: Record<string, ModelExposedEndpointView>;
  subordinateTo?: string[];
  /** Base, e.g. `ubuntu@22.04` or `ubuntu@22.04/stable`. */
  base?: string;
  /** Charm channel, e.g. `stable` or `8.0/stable`. */
  channel?: string;
  /** Charm revision; -1 or absent when unknown. */
  revision?: number;
  /** Names of the offers made from this application. */
  offers?: string[];
  /**
   * Offer name → its endpoints and ACL, when known: unchanged offers and
   * grants are then not planned again (Juju plans them on every deploy).
   */
  offerDetails?: Record<string, { endpoints: string[]; acl?: Record<string, string> }>;
  units?: ModelUnitView[];
}

/** A machine (or container) already in the model. */
export interface ModelMachineView {
  base?: string;
  annotations?: Record<string, string>;
}

/** A relation between two application endpoints. */
export interface ModelRelationView {
  app1: string;
  endpoint1: string;
  app2: string;
  endpoint2: string;
}

/** The existing model, keyed by application name and machine id. */
export interface BundleModelView {
  applications?: Record<string, ModelApplicationView>;
  machines?: Record<string, ModelMachineView>;
  relations?: ModelRelationView[];
  /**
   * Applications consumed from offers (a bundle's `saas`), by name. Those
   * present are not consumed again and count as existing for relations.
   */
  remoteApplications?: Record<string, { url?: string }>;
  /**
   * Bundle machine id → model machine id, like `juju deploy --map-machines`;
   * missing entries are inferred from the units already placed, as Juju does.
   */
  machineMap?: Record<string, string>;
  /**
   * The model's sequences (`application-<name>`, `machine`,
   * `machine-<id>/<container>`) → next number; inferred from the existing
   * units and machines when absent, as Juju does.
   */
  sequence?: Record<string, number>;
}

/**
 * The existing model as the bundle planner sees it (Juju 3.6's
 * `bundlechanges.Model`): what is deployed already, so a plan only adds what
 * is missing or different. Plain JSON-able data, so the client can build it
 * from its watcher state and the simulator from its own state.
 * @module
 */

/** Spaces and CIDRs an exposed endpoint is reachable from. */
export interface ModelExposedEndpointView {
  /** Spaces whose subnets may reach the endpoint. */
  exposeToSpaces?: string[];
  /** CIDRs that may reach the endpoint. */
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
  /** Charm config settings. */
  options?: Record<string, unknown>;
  /** The application's annotations. */
  annotations?: Record<string, string>;
  /** The application's constraints, e.g. `mem=4G`. */
  constraints?: string;
  /** Whether the application is exposed. */
  exposed?: boolean;
  /** Endpoint → expose settings; the `""` key stands for every endpoint. */
  exposedEndpoints?: Record<string, ModelExposedEndpointView>;
  /** For a subordinate: the principal applications it is related to. */
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
  offerDetails?: Record<
    string,
    {
      /** The application endpoints the offer exposes. */
      endpoints: string[];
      /** User → access level (read, consume, admin). */
      acl?: Record<string, string>;
    }
  >;
  /** The application's units. */
  units?: ModelUnitView[];
}

/** A machine (or container) already in the model. */
export interface ModelMachineView {
  /** The machine's base, e.g. `ubuntu@22.04`. */
  base?: string;
  /** The machine's annotations. */
  annotations?: Record<string, string>;
}

/** A relation between two application endpoints. */
export interface ModelRelationView {
  /** The first application. */
  app1: string;
  /** Its endpoint. */
  endpoint1: string;
  /** The second application. */
  app2: string;
  /** Its endpoint. */
  endpoint2: string;
}

/** The existing model, keyed by application name and machine id. */
export interface BundleModelView {
  /** Deployed applications, by name. */
  applications?: Record<string, ModelApplicationView>;
  /** Machines and containers, by id. */
  machines?: Record<string, ModelMachineView>;
  /** Existing relations. */
  relations?: ModelRelationView[];
  /**
   * Applications consumed from offers (a bundle's `saas`), by name. Those
   * present are not consumed again and count as existing for relations.
   */
  remoteApplications?: Record<
    string,
    {
      /** The consumed offer's URL, when known. */
      url?: string;
    }
  >;
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

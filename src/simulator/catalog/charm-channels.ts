/**
 * Hand-written overlay for the simulator's charm catalog: the facts about
 * each charm that its metadata does not hold, i.e. what Charmhub knows
 * (default track, channels, revisions per base and architecture) and how a
 * simulated unit of it behaves.
 *
 * The channel names, default tracks and bases follow the real Charmhub
 * listings as used by the bundles under testdata/bundles (e.g. `8.0/stable`
 * for mysql-router in openstack-base, `1.35/stable` for Charmed Kubernetes,
 * `quincy/stable` for Ceph, `yoga/stable` for keystone, `edge` for COS Lite).
 * Revision numbers are ILLUSTRATIVE: plausible, stable values chosen for
 * the simulator, not verified against Charmhub. Workload messages paraphrase
 * what the charms set.
 * @module
 */

/** One release of a charm into a channel. */
export interface ChannelRelease {
  /** Full channel name, `track/risk` or `track/risk/branch`: `8.0/stable`. */
  channel: string;
  /**
   * Bases of this release, `ubuntu@22.04` style. Absent means the bases of
   * the charm's metadata (older releases may run on other bases).
   */
  bases?: string[];
  /** Revision per architecture; the release exists only for these architectures. */
  revisions: Readonly<Record<string, number>>;
  /**
   * Key of the generated metadata this release carries, when it is not the
   * charm's name (Charmhub's `mysql-router` serves two different charms on
   * different tracks).
   */
  source?: string;
  /** The workload version the release reports (overrides the charm's). */
  workloadVersion?: string;
}

/** Workload statuses a simulated unit can settle in. */
export type WorkloadStatusName = "active" | "blocked" | "waiting" | "maintenance" | "unknown";

/** How a simulated unit of the charm behaves once installed. */
export interface WorkloadBehaviour {
  /** The status the unit settles in when nothing blocks it. */
  status: WorkloadStatusName;
  /** The workload status message in that status. */
  message: string;
  /**
   * The unit stays `blocked` with `message` until the application has a
   * relation on each named endpoint.
   */
  blockedUntil?: {
    /** The endpoints that each need a relation. */
    relations: string[];
    /** The blocked status message until then. */
    message: string;
  };
  /** What `workload-version` the unit reports. */
  workloadVersion?: string;
}

/** Charmhub facts and simulated behaviour for one charm name. */
export interface CharmOverlay {
  /** The track a risk-only or empty channel resolves to (`latest` unless the publisher changed it). */
  defaultTrack: string;
  /** Every published release, by channel. */
  releases: readonly ChannelRelease[];
  /** How the simulated units behave. */
  workload: WorkloadBehaviour;
  /** Ports the unit opens once active: `3306/tcp`, `8000-8010/udp`, `icmp`. */
  ports?: readonly string[];
  /**
   * Relations the published charm has but its source metadata lacks: a
   * reactive charm's layers (e.g. `layer:tls-client`) add endpoints when it
   * is built, so the layer source in testdata does not list them.
   */
  builtRequires?: Readonly<
    Record<
      string,
      {
        /** The endpoint's interface name. */
        interface: string;
      }
    >
  >;
  /**
   * The newest published revision of each resource (Charmhub keeps every
   * revision from 1 up to it); resources not named here are at revision 1.
   */
  resourceRevisions?: Readonly<Record<string, number>>;
}

const COS_STABLE_BASES = ["ubuntu@20.04"];
/** Bases of the Charmed Kubernetes 1.35 releases of charms whose source predates noble. */
const K8S_135_BASES = ["ubuntu@20.04", "ubuntu@22.04", "ubuntu@24.04"];

/** The overlay, keyed by Charmhub charm name. */
export const CHARM_CHANNELS: Readonly<Record<string, CharmOverlay>> = {
  "alertmanager-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 125 } },
      { channel: "latest/edge", revisions: { amd64: 158 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "0.27.0" },
    ports: ["9093/tcp"],
  },
  calico: {
    defaultTrack: "latest",
    // Charmed Kubernetes 1.35 is a noble bundle, so Charmhub carries its calico
    // for 24.04 too; the charm source at the recorded commit still lists only
    // 20.04 and 22.04.
    releases: [
      { channel: "1.35/stable", bases: K8S_135_BASES, revisions: { amd64: 125, arm64: 126 } },
      { channel: "1.34/stable", revisions: { amd64: 118, arm64: 119 } },
      { channel: "latest/stable", bases: K8S_135_BASES, revisions: { amd64: 125, arm64: 126 } },
      { channel: "latest/edge", bases: K8S_135_BASES, revisions: { amd64: 131, arm64: 132 } },
    ],
    workload: { status: "active", message: "Calico is active", workloadVersion: "3.27.4" },
  },
  "catalogue-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 59 } },
      { channel: "latest/edge", revisions: { amd64: 81 } },
    ],
    workload: { status: "active", message: "" },
    ports: ["80/tcp"],
  },
  "ceph-mon": {
    defaultTrack: "squid",
    releases: [
      {
        channel: "quincy/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 201, arm64: 202, ppc64el: 203, s390x: 204 },
      },
      { channel: "reef/stable", bases: ["ubuntu@22.04"], revisions: { amd64: 227, arm64: 228 } },
      { channel: "squid/stable", revisions: { amd64: 253, arm64: 254, ppc64el: 255, s390x: 256 } },
    ],
    workload: {
      status: "active",
      message: "Unit is ready and clustered",
      workloadVersion: "19.2.0",
    },
    ports: ["6789/tcp"],
  },
  "ceph-osd": {
    defaultTrack: "squid",
    releases: [
      {
        channel: "quincy/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 564, arm64: 565, ppc64el: 566, s390x: 567 },
      },
      { channel: "reef/stable", bases: ["ubuntu@22.04"], revisions: { amd64: 601, arm64: 602 } },
      { channel: "squid/stable", revisions: { amd64: 640, arm64: 641, ppc64el: 642, s390x: 643 } },
    ],
    workload: {
      status: "active",
      message: "Unit is ready (1 OSD)",
      blockedUntil: { relations: ["mon"], message: "Missing relation: monitor" },
      workloadVersion: "19.2.0",
    },
  },
  containerd: {
    defaultTrack: "latest",
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 83, arm64: 84, s390x: 85 } },
      { channel: "1.34/stable", revisions: { amd64: 78, arm64: 79, s390x: 80 } },
      { channel: "latest/stable", revisions: { amd64: 83, arm64: 84, s390x: 85 } },
      { channel: "latest/edge", revisions: { amd64: 90, arm64: 91, s390x: 92 } },
    ],
    workload: {
      status: "active",
      message: "Container runtime available",
      workloadVersion: "1.7.24",
    },
  },
  easyrsa: {
    defaultTrack: "latest",
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 70, arm64: 71, s390x: 72 } },
      { channel: "1.34/stable", revisions: { amd64: 66, arm64: 67, s390x: 68 } },
      { channel: "latest/stable", revisions: { amd64: 70, arm64: 71, s390x: 72 } },
    ],
    workload: {
      status: "active",
      message: "Certificate Authority ready.",
      workloadVersion: "3.0.8",
    },
  },
  etcd: {
    defaultTrack: "latest",
    // layer:tls-client adds the certificates endpoint at build time.
    builtRequires: { certificates: { interface: "tls-certificates" } },
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 781, arm64: 782, s390x: 783 } },
      { channel: "1.34/stable", revisions: { amd64: 772, arm64: 773, s390x: 774 } },
      { channel: "latest/stable", revisions: { amd64: 781, arm64: 782, s390x: 783 } },
    ],
    workload: {
      status: "active",
      message: "Healthy with 1 known peer",
      workloadVersion: "3.4.22",
    },
    ports: ["2379/tcp"],
  },
  "grafana-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 117 } },
      { channel: "latest/edge", revisions: { amd64: 138 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "9.5.3" },
    ports: ["3000/tcp"],
  },
  haproxy: {
    defaultTrack: "2.8",
    releases: [
      { channel: "2.8/edge", revisions: { amd64: 142, arm64: 143 } },
      { channel: "2.8/stable", revisions: { amd64: 115, arm64: 116 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "2.8.5" },
    ports: ["80/tcp", "443/tcp"],
  },
  "juju-qa-test": {
    defaultTrack: "latest",
    // Juju's own test bundle (juju-qa-test-full-options) pins foo-file revision 2.
    resourceRevisions: { "foo-file": 2 },
    releases: [
      {
        channel: "latest/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 31, arm64: 32 },
      },
      { channel: "latest/candidate", bases: ["ubuntu@20.04"], revisions: { amd64: 33 } },
      { channel: "latest/edge", revisions: { amd64: 35, arm64: 36 } },
      { channel: "2.0/stable", revisions: { amd64: 34, arm64: 37 } },
    ],
    workload: { status: "active", message: "" },
  },
  keystone: {
    defaultTrack: "2024.1",
    releases: [
      {
        channel: "yoga/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 591, arm64: 592, ppc64el: 593, s390x: 594 },
      },
      {
        channel: "2023.2/stable",
        bases: ["ubuntu@22.04"],
        revisions: { amd64: 633, arm64: 634 },
      },
      { channel: "2024.1/stable", revisions: { amd64: 671, arm64: 672, ppc64el: 673, s390x: 674 } },
    ],
    workload: {
      status: "active",
      message: "Unit is ready",
      blockedUntil: { relations: ["shared-db"], message: "Missing relations: database" },
      workloadVersion: "25.0.0",
    },
    ports: ["5000/tcp", "35357/tcp"],
  },
  "kubeapi-load-balancer": {
    defaultTrack: "latest",
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 154, arm64: 155, s390x: 156 } },
      { channel: "1.34/stable", revisions: { amd64: 147, arm64: 148, s390x: 149 } },
      { channel: "latest/stable", revisions: { amd64: 154, arm64: 155, s390x: 156 } },
    ],
    workload: {
      status: "active",
      message: "Loadbalancer ready.",
      blockedUntil: { relations: ["apiserver"], message: "Waiting for apiserver relation" },
      workloadVersion: "1.24.0",
    },
    ports: ["443/tcp"],
  },
  "kubernetes-control-plane": {
    defaultTrack: "latest",
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 612, arm64: 613, s390x: 614 } },
      { channel: "1.34/stable", revisions: { amd64: 598, arm64: 599, s390x: 600 } },
      { channel: "1.34/edge", revisions: { amd64: 605, arm64: 606, s390x: 607 } },
      { channel: "latest/stable", revisions: { amd64: 612, arm64: 613, s390x: 614 } },
      { channel: "latest/edge", revisions: { amd64: 630, arm64: 631, s390x: 632 } },
    ],
    workload: {
      status: "active",
      message: "Kubernetes control-plane running.",
      blockedUntil: {
        relations: ["certificates", "etcd"],
        message: "Missing required relations: certificates, etcd",
      },
      workloadVersion: "1.35.0",
    },
    ports: ["6443/tcp"],
  },
  "kubernetes-worker": {
    defaultTrack: "latest",
    releases: [
      { channel: "1.35/stable", revisions: { amd64: 356, arm64: 357, s390x: 358 } },
      { channel: "1.34/stable", revisions: { amd64: 344, arm64: 345, s390x: 346 } },
      { channel: "1.34/edge", revisions: { amd64: 349, arm64: 350, s390x: 351 } },
      { channel: "latest/stable", revisions: { amd64: 356, arm64: 357, s390x: 358 } },
    ],
    workload: {
      status: "active",
      message: "Kubernetes worker running.",
      blockedUntil: {
        relations: ["kube-control", "certificates"],
        message: "Missing required relations: kube-control, certificates",
      },
      workloadVersion: "1.35.0",
    },
    ports: ["80/tcp", "443/tcp"],
  },
  "loki-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 160 } },
      { channel: "latest/edge", revisions: { amd64: 186 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "2.9.6" },
    ports: ["3100/tcp"],
  },
  mysql: {
    defaultTrack: "8.0",
    releases: [
      { channel: "8.0/stable", revisions: { amd64: 313, arm64: 314, s390x: 315 } },
      { channel: "8.0/candidate", revisions: { amd64: 338, arm64: 339, s390x: 340 } },
      { channel: "8.0/edge", revisions: { amd64: 366, arm64: 367, s390x: 368 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "8.0.39-0ubuntu0.22.04.1" },
    ports: ["3306/tcp", "33060/tcp"],
  },
  "mysql-innodb-cluster": {
    defaultTrack: "8.0",
    releases: [
      {
        channel: "8.0/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04", "ubuntu@24.04"],
        revisions: { amd64: 119, arm64: 120, ppc64el: 121, s390x: 122 },
      },
      { channel: "8.0/edge", revisions: { amd64: 131, arm64: 132, ppc64el: 133, s390x: 134 } },
    ],
    workload: {
      status: "active",
      message: "Unit is ready: Mode: R/W, Cluster is ONLINE and can tolerate up to ONE failure.",
      workloadVersion: "8.0.39",
    },
  },
  "mysql-router": {
    defaultTrack: "8.0",
    releases: [
      {
        channel: "8.0/stable",
        source: "mysql-router-openstack",
        bases: ["ubuntu@20.04", "ubuntu@22.04", "ubuntu@24.04"],
        revisions: { amd64: 200, arm64: 201, ppc64el: 202, s390x: 203 },
      },
      {
        channel: "8.0/edge",
        source: "mysql-router-openstack",
        revisions: { amd64: 214, arm64: 215, ppc64el: 216, s390x: 217 },
      },
      { channel: "dpe/edge", revisions: { amd64: 396, arm64: 397 } },
      { channel: "dpe/beta", revisions: { amd64: 380, arm64: 381 } },
    ],
    workload: { status: "active", message: "Unit is ready", workloadVersion: "8.0.39" },
  },
  "nginx-ingress-integrator": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", revisions: { amd64: 139, arm64: 140 } },
      { channel: "latest/edge", revisions: { amd64: 158, arm64: 159 } },
    ],
    workload: {
      status: "active",
      message: "",
      blockedUntil: { relations: ["nginx-route"], message: "Waiting for ingress relation" },
    },
  },
  postgresql: {
    defaultTrack: "14",
    releases: [
      { channel: "14/stable", revisions: { amd64: 468, arm64: 469 } },
      { channel: "14/candidate", revisions: { amd64: 497, arm64: 498 } },
      { channel: "14/edge", revisions: { amd64: 529, arm64: 530 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "14.15" },
    ports: ["5432/tcp"],
  },
  "prometheus-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 210 } },
      { channel: "latest/edge", revisions: { amd64: 245 } },
    ],
    workload: { status: "active", message: "", workloadVersion: "2.52.0" },
    ports: ["9090/tcp"],
  },
  "rabbitmq-server": {
    defaultTrack: "3.9",
    releases: [
      {
        channel: "3.9/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 188, arm64: 189, ppc64el: 190, s390x: 191 },
      },
      { channel: "3.12/stable", revisions: { amd64: 225, arm64: 226, ppc64el: 227, s390x: 228 } },
    ],
    workload: { status: "active", message: "Unit is ready", workloadVersion: "3.9.13" },
    ports: ["5672/tcp"],
  },
  "traefik-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", bases: COS_STABLE_BASES, revisions: { amd64: 203 } },
      { channel: "latest/edge", revisions: { amd64: 236, arm64: 237, s390x: 238 } },
    ],
    workload: { status: "active", message: "Serving at 10.0.0.1", workloadVersion: "2.11.0" },
    ports: ["80/tcp", "443/tcp"],
  },
  ubuntu: {
    defaultTrack: "latest",
    releases: [
      {
        channel: "latest/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04", "ubuntu@24.04"],
        revisions: { amd64: 26, arm64: 27, ppc64el: 28, s390x: 29 },
      },
      { channel: "latest/edge", revisions: { amd64: 30, arm64: 31, ppc64el: 32, s390x: 33 } },
    ],
    workload: { status: "active", message: "" },
  },
  vault: {
    defaultTrack: "1.8",
    releases: [
      {
        channel: "1.7/stable",
        bases: ["ubuntu@20.04", "ubuntu@22.04"],
        revisions: { amd64: 295, arm64: 296, ppc64el: 297, s390x: 298 },
      },
      {
        channel: "1.8/stable",
        bases: ["ubuntu@22.04", "ubuntu@24.04"],
        revisions: { amd64: 359, arm64: 360, ppc64el: 361, s390x: 362 },
      },
    ],
    // The real charm stays blocked until an operator unseals vault with actions.
    workload: {
      status: "blocked",
      message: "Vault needs to be initialized",
      workloadVersion: "1.8.8",
    },
    ports: ["8200/tcp"],
  },
  "wordpress-k8s": {
    defaultTrack: "latest",
    releases: [
      { channel: "latest/stable", revisions: { amd64: 87 } },
      { channel: "latest/edge", revisions: { amd64: 101 } },
    ],
    workload: {
      status: "active",
      message: "",
      blockedUntil: { relations: ["database"], message: "Waiting for db relation" },
      workloadVersion: "6.4.3",
    },
    ports: ["80/tcp"],
  },
};

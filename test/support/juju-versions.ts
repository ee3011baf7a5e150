/**
 * The simulator profiles the model end-to-end suites run on
 * (`describe.each(JUJU_VERSIONS)`): one Model API for Juju 3.6 (AllWatcher)
 * and Juju 4.0 (status polls). A test skipped on one of them names the Juju
 * change that removed the feature there.
 */
export const JUJU_VERSIONS = ["3.6", "4.0"] as const;

/** One of {@link JUJU_VERSIONS}. */
export type JujuVersionUnderTest = (typeof JUJU_VERSIONS)[number];

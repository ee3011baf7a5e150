/**
 * The embedded simulated Juju controller.
 * @module
 */
export {};

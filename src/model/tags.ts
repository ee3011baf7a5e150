/**
 * Juju entity tags (`names` package): `application-mysql`, `unit-mysql-0`,
 * `machine-0-lxd-1`, `model-<uuid>`.
 * @module
 */
import { isMachineId } from "../parse/placement.js";
import { InvalidArgumentError } from "./errors.js";

// names.IsValidApplication: lower-case words joined by single hyphens, the
// words after the first may not be only digits.
const APP_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

/** True when `name` is a valid application name. */
export function isApplicationName(name: string): boolean {
  return APP_NAME.test(name);
}

/** `application-<name>`; throws {@link InvalidArgumentError} for an invalid name. */
export function applicationTag(name: string): string {
  if (!isApplicationName(name))
    throw new InvalidArgumentError(
      "application",
      `invalid application name ${JSON.stringify(name)}`,
    );
  return `application-${name}`;
}

/** `unit-mysql-0` for `mysql/0`; throws {@link InvalidArgumentError} for an invalid unit name. */
export function unitTag(name: string): string {
  const slash = name.lastIndexOf("/");
  const app = name.slice(0, slash);
  const n = name.slice(slash + 1);
  if (slash <= 0 || !isApplicationName(app) || !/^(?:0|[1-9]\d*)$/.test(n))
    throw new InvalidArgumentError("unit", `invalid unit name ${JSON.stringify(name)}`);
  return `unit-${app}-${n}`;
}

/** `machine-0-lxd-1` for `0/lxd/1`; throws {@link InvalidArgumentError} for an invalid id. */
export function machineTag(id: string): string {
  if (!isMachineId(id))
    throw new InvalidArgumentError("machine", `invalid machine id ${JSON.stringify(id)}`);
  return `machine-${id.replaceAll("/", "-")}`;
}

/** `model-<uuid>`. */
export function modelTag(uuid: string): string {
  return `model-${uuid}`;
}

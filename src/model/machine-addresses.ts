/**
 * Choosing a machine address by scope preference, on wire data: shared by
 * `Machine.dnsName` and the ssh/scp operations.
 * @module
 */
import type { AddressData } from "../protocol/entity-data.js";

/** python-libjuju's preference for `dnsName`: public, else cloud-local, else fan. */
export const DNS_SCOPES: readonly string[] = ["public", "local-cloud", "local-fan"];

/** Juju's `PrivateAddress` preference (through the controller): cloud-local, then fan, then public. */
export const PRIVATE_SCOPES: readonly string[] = ["local-cloud", "local-fan", "public"];

/** The value of the first address in the first scope of `scopes` that has one; undefined when none. */
export function addressByScope(
  addresses: readonly AddressData[] | null | undefined,
  scopes: readonly string[],
): string | undefined {
  for (const scope of scopes) {
    const a = addresses?.find((x) => x.scope === scope);
    if (a) return a.value;
  }
  return undefined;
}

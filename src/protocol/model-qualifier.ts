/**
 * Juju 4's model qualifiers. Juju 4 replaced model owners by a qualifier, the
 * namespace of a model's name (`admin/default`, `bob-external/prod`). Where a
 * qualifier comes from a user (the CLI's default for the logged-in account,
 * `CreateModel` of an older client's owner tag, client files written by Juju
 * 3), Juju derives it with `core/model.QualifierFromUserTag`. Pure: shared by
 * the client and the simulator.
 * @module
 */

/**
 * The qualifier Juju 4 derives from a user name (`QualifierFromUserTag`):
 * lower-cased, every character other than a letter or digit replaced by `-`.
 * Juju's own cases: `fred` → `fred`, `Fred` → `fred`, `fred@external` →
 * `fred-external`, `fred+mary@external` → `fred-mary-external`. A qualifier
 * is its own qualifier.
 */
export function modelQualifier(user: string): string {
  return user.toLowerCase().replace(/[^a-z0-9]/g, "-");
}

/**
 * Whether `qualifier` is valid (`core/model.Qualifier.Validate`): not empty,
 * lower-case letters, digits and hyphens, not starting with a hyphen.
 */
export function isValidModelQualifier(qualifier: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(qualifier);
}

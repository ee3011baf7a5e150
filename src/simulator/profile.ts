/**
 * The Juju version the simulator plays: one simulator core, with this profile
 * consulted where Juju 3.6 and 4.0 behave differently (facade lists and
 * versions, the AllWatcher, Bundle.GetChanges, model owners versus
 * qualifiers, series). Nothing else forks.
 * @module
 */
import {
  LOGIN_FACADES_3_6,
  LOGIN_FACADES_4_0,
  type LoginFacadeLists,
} from "../facades/generated/login-facades.js";
import { LibjujuError } from "../protocol/libjuju-error.js";
import { modelQualifier } from "../protocol/model-qualifier.js";

/** The Juju versions the simulator can play. */
export type JujuProfileName = "3.6" | "4.0";

/** What differs between the Juju versions the simulator plays. */
export interface JujuProfile {
  /** `"3.6"` or `"4.0"`. */
  readonly name: JujuProfileName;
  /** The controller's major version. */
  readonly major: 3 | 4;
  /** The `server-version` of a Login and the models' agent version, e.g. `4.0.15`. */
  readonly jujuVersion: string;
  /** The facades the controller registers, split as `Admin.Login` filters them. */
  readonly facades: LoginFacadeLists;
  /**
   * Whether `Client.WatchAll` starts an AllWatcher. Juju 4 removed the
   * AllWatcher and AllModelWatcher facades; its `Client.WatchAll` answers
   * `WatchAll not implemented` (code `not implemented`).
   */
  readonly allWatcher: boolean;
  /**
   * Whether models are named by a `qualifier` (Juju 4: `admin/default` where
   * `admin` is the qualifier) rather than an owner tag (`owner-tag`:
   * `user-admin`) in Model, ModelInfo, ModelSummary and ModelCreateArgs.
   */
  readonly modelQualifier: boolean;
  /** Whether shapes carry series beside bases (3.6: `default-series`, `series`); 4.x has bases only. */
  readonly series: boolean;
}

/** Juju 3.6 LTS (3.6.28): the default. */
export const JUJU_3_6: JujuProfile = {
  name: "3.6",
  major: 3,
  jujuVersion: LOGIN_FACADES_3_6.jujuVersion,
  facades: LOGIN_FACADES_3_6,
  allWatcher: true,
  modelQualifier: false,
  series: true,
};

/** Juju 4.0 (4.0.15). */
export const JUJU_4_0: JujuProfile = {
  name: "4.0",
  major: 4,
  jujuVersion: LOGIN_FACADES_4_0.jujuVersion,
  facades: LOGIN_FACADES_4_0,
  allWatcher: false,
  modelQualifier: true,
  series: false,
};

/** Every profile, by name. */
export const JUJU_PROFILES: Readonly<Record<JujuProfileName, JujuProfile>> = {
  "3.6": JUJU_3_6,
  "4.0": JUJU_4_0,
};

/** Thrown for a Juju version the simulator cannot play. */
export class UnknownJujuProfileError extends LibjujuError {
  constructor(name: string) {
    super(
      `the simulator cannot play Juju ${JSON.stringify(name)}: choose one of ${Object.keys(JUJU_PROFILES).join(", ")}`,
      "ERR_INVALID_ARGUMENT",
    );
  }
}

/** The profile named `name` (`"3.6"`, `"4.0"`; default 3.6), or {@link UnknownJujuProfileError}. */
export function jujuProfile(name: string | undefined): JujuProfile {
  if (name === undefined) return JUJU_3_6;
  const profile = (JUJU_PROFILES as Record<string, JujuProfile | undefined>)[name];
  if (profile === undefined) throw new UnknownJujuProfileError(name);
  return profile;
}

/**
 * The owner of a model as the profile's shapes carry it: `owner-tag`
 * (`user-admin`, `user-bob@external`) on 3.x, `qualifier` on 4.x (Juju 4's
 * `QualifierFromUserTag` of the owner: `admin`, `bob-external`). `owner` is
 * a user name (on 4.x, or a qualifier no user has), or `""` where Juju sends
 * an empty value (a failed ModelStatus entry).
 */
export function modelOwnerFields(
  profile: JujuProfile,
  owner: string,
): { "owner-tag": string } | { qualifier: string } {
  if (profile.modelQualifier) return { qualifier: modelQualifier(owner) };
  return { "owner-tag": owner === "" ? "" : `user-${owner}` };
}

/**
 * The namespace of a model's name on this profile (`<namespace>/<model>`):
 * the owner's name on 3.x (`bob@external/prod`), its qualifier on 4.x
 * (`bob-external/prod`).
 */
export function modelNamespace(profile: JujuProfile, owner: string): string {
  return profile.modelQualifier ? modelQualifier(owner) : owner;
}

/**
 * Whether `namespace` (an owner on 3.x, a qualifier on 4.x, as a client
 * names a model) names the models of `owner`.
 */
export function ownsNamespace(profile: JujuProfile, owner: string, namespace: string): boolean {
  return profile.modelQualifier ? modelQualifier(owner) === namespace : owner === namespace;
}

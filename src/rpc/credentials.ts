/**
 * Login credentials that cannot leak: the password and macaroons live in
 * private fields, so `util.inspect`, `console.log`, `JSON.stringify` and
 * `String()` show only the user name.
 * @module
 */

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** A macaroon in its JSON form (v1 or v2), as stored in cookie jars and sent to Login. */
export type MacaroonJson = Record<string, unknown>;

/** What a caller may pass to build {@link Credentials}. */
export interface CredentialsInit {
  /** User name, e.g. `admin` or `bob@external`. Not a tag. */
  username: string;
  /** Password; when absent, macaroons are used. */
  password?: string | undefined;
  /** Macaroon slices (each one a bound macaroon plus its discharges). */
  macaroons?: MacaroonJson[][] | undefined;
}

/** A user name plus a secret (password and/or macaroons), safe to pass around and log. */
export class Credentials {
  /** User name, e.g. `admin`. */
  readonly username: string;
  readonly #password: string | undefined;
  readonly #macaroons: MacaroonJson[][] | undefined;

  constructor(init: CredentialsInit) {
    this.username = init.username;
    this.#password = init.password;
    this.#macaroons = init.macaroons;
  }

  /** The password, if any. Never log it. */
  get password(): string | undefined {
    return this.#password;
  }

  /** Macaroon slices, if any. Never log them. */
  get macaroons(): MacaroonJson[][] | undefined {
    return this.#macaroons;
  }

  /** `user-<name>`, the tag used by Admin.Login. */
  get userTag(): string {
    return `user-${this.username}`;
  }

  /** A copy with other macaroons. */
  withMacaroons(macaroons: MacaroonJson[][] | undefined): Credentials {
    return new Credentials({ username: this.username, password: this.#password, macaroons });
  }

  /** Redacted JSON form. */
  toJSON(): Record<string, unknown> {
    return {
      username: this.username,
      password: this.#password === undefined ? undefined : "<redacted>",
      macaroons: this.#macaroons === undefined ? undefined : "<redacted>",
    };
  }

  /** Shows the user, never the secret. */
  toString(): string {
    return `Credentials(${this.username})`;
  }

  /** What `util.inspect` and `console.log` show: the user, never the secret. */
  [inspectSymbol](): string {
    return this.toString();
  }
}

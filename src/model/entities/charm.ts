/**
 * `Charm`: a charm added to the model (`charm` deltas).
 * @module
 */
import { TypedEntity } from "./typed-entity.js";

/** A charm known to the model, keyed by its URL. */
export class Charm extends TypedEntity<"charm"> {
  /** The charm URL, e.g. `ch:amd64/mysql-58`. */
  get url(): string {
    return this.entityId;
  }

  /** The charm name (`mysql`). */
  get name(): string {
    const last =
      this.url
        .replace(/^[a-z]+:/, "")
        .split("/")
        .at(-1) ?? "";
    return last.replace(/-\d+$/, "");
  }

  /** The revision from the URL, or -1 when it has none. */
  get revision(): number {
    const m = /-(\d+)$/.exec(this.url);
    return m ? Number(m[1]) : -1;
  }

  /** The charm's version string (`charm-version`). */
  get charmVersion(): string {
    return this.str("charm-version");
  }

  /** The charm's default config, when the watcher reports it. */
  get config(): Record<string, unknown> {
    return { ...this.get("config") };
  }
}

/**
 * A frame tap for the client's `onFrame` option that checks every frame the
 * client sends or receives against the schema of the facade version it uses
 * (see `schema-conformance.ts`). Tests pass `onFrame` to their connections and
 * assert on `violations` (and usually `framesSeen`) when they are done.
 *
 * Schema-vs-wire differences not yet in the override table
 * (scripts/facade-overrides.ts); the wire is right in both cases:
 * - ConfigValue.value is Go `interface{}`, so any JSON value, not only objects;
 * - UserModel/ModelUserInfo.last-connection is a `*time.Time` without
 *   omitempty: null when the user never connected.
 */
import type { RequestFrame, ResponseFrame } from "../../src/protocol/frames.js";
import type { FrameDirection } from "../../src/rpc/connection.js";
import { majorOfServerVersion, SchemaConformance, type SchemaMajor } from "./schema-conformance.js";

export interface ConformanceTap {
  /** The tap, for the client's `onFrame` option. */
  readonly onFrame: (direction: FrameDirection, frame: RequestFrame | ResponseFrame) => void;
  /** Every violation found so far. */
  readonly violations: string[];
  /** How many frames the tap has seen, in both directions. */
  readonly framesSeen: number;
  /** The major version whose schema frames are checked against (3 until a 4.x Login reply is seen). */
  readonly major: SchemaMajor;
}

/**
 * A tap checking frames against the schema of `major`, or (by default) of the
 * major of the first Login reply it sees (`server-version` 4.x: the 4.0
 * schema; 3.6 until then).
 */
export function createConformanceTap(major?: SchemaMajor): ConformanceTap {
  let schemaMajor: SchemaMajor = major ?? 3;
  let schema = SchemaConformance.forMajor(schemaMajor);
  let detected = major !== undefined;
  const violations: string[] = [];
  let framesSeen = 0;
  // Several connections may be open at once and each numbers its requests from
  // 1, so a reply is matched against every pending request with its id.
  const sent = new Map<number, RequestFrame[]>();
  const onFrame = (direction: FrameDirection, frame: RequestFrame | ResponseFrame) => {
    framesSeen++;
    const id = frame["request-id"];
    if (direction === "out") {
      const req = frame as RequestFrame;
      sent.set(id, [...(sent.get(id) ?? []), req]);
      violations.push(...schema.checkRequest(req));
      return;
    }
    const candidates = sent.get(id) ?? [];
    if (!detected) {
      const login = candidates.find((r) => r.type === "Admin" && r.request === "Login");
      const response = (frame as ResponseFrame).response as Record<string, unknown> | undefined;
      if (login !== undefined && response?.["server-version"] !== undefined) {
        schemaMajor = majorOfServerVersion(response["server-version"]);
        schema = SchemaConformance.forMajor(schemaMajor);
        detected = true;
      }
    }
    const results = candidates.map((req) => schema.checkResponse(req, frame as ResponseFrame));
    const ok = results.findIndex((r) => r.length === 0);
    if (ok >= 0) candidates.splice(ok, 1);
    else {
      // Report against the request the reply fits best.
      const best = results.reduce<string[] | undefined>(
        (a, r) => (a === undefined || r.length < a.length ? r : a),
        undefined,
      );
      violations.push(...(best ?? []));
    }
  };
  return {
    onFrame,
    violations,
    get framesSeen() {
      return framesSeen;
    },
    get major() {
      return schemaMajor;
    },
  };
}

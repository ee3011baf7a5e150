/**
 * `Pinger(1)`: keep-alive for clients. User connections are never timed out
 * in 3.6, so both methods only answer `{}`.
 * @module
 */
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The Pinger methods. */
export const pingerMethods: readonly MethodSpec[] = [
  method({ facade: "Pinger", method: "Ping", call: () => undefined }),
  // Stop ends the idle-timeout pinger of agent connections; users have none.
  method({ facade: "Pinger", method: "Stop", call: () => undefined }),
];

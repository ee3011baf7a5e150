/**
 * `AllWatcher(3)`: `Next` and `Stop` on a watcher made by `Client.WatchAll`,
 * addressed by the request `id` (`apiserver/watcher.go`).
 * @module
 */
import type { MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The AllWatcher methods. */
export const allWatcherMethods: readonly MethodSpec[] = [
  method({
    facade: "AllWatcher",
    method: "Next",
    call: async (ctx) => ({ deltas: await ctx.watcher(ctx.id).next() }),
  }),
  method({
    facade: "AllWatcher",
    method: "Stop",
    call: (ctx) => {
      ctx.stopWatcher(ctx.id);
      return undefined;
    },
  }),
];

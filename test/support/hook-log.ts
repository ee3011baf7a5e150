/**
 * Hook runs as the simulated unit agents log them (`ran "<hook>" hook (via
 * hook dispatching script: dispatch)`, Juju's uniter line), read back through
 * the model's debug log: how tests see which hooks a unit ran.
 * @module
 */
import { expect } from "vitest";
import type { Model } from "../../src/index.js";

/** How many times `unit` ran `hook` so far, from the model's debug log. */
export async function hookRuns(model: Model, unit: string, hook: string): Promise<number> {
  const line = `ran "${hook}" hook (via hook dispatching script: dispatch)`;
  let n = 0;
  for await (const r of model.debugLog({ replay: true, noTail: true, include: [unit] })) {
    if (r.message === line) n++;
  }
  return n;
}

/**
 * Polls the debug log until `unit` ran `hook` `n` times, then expects exactly
 * `n` (a hook run once too often fails too). Bounded: gives up after `looks`
 * reads 50 ms apart.
 */
export async function expectHookRuns(
  model: Model,
  unit: string,
  hook: string,
  n: number,
  looks = 200,
): Promise<void> {
  let seen = -1;
  for (let i = 0; i < looks; i++) {
    seen = await hookRuns(model, unit, hook);
    if (seen >= n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(`${unit} ran ${hook} ${seen} times`).toBe(`${unit} ran ${hook} ${n} times`);
}

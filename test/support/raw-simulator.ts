/**
 * The setup most simulator facade tests share: one simulator with instant
 * timing and a raw client on its default model for the whole file, and at
 * the end the check that every request and reply fitted Juju's schema of
 * its facade version.
 * @module
 */
import { afterAll, beforeAll, expect } from "vitest";
import { Simulator, type SimulatorOptions } from "../../src/simulator/index.js";
import { RawClient } from "./raw-client.js";

/**
 * Registers the file's `beforeAll`/`afterAll`: starts the simulator
 * (`options` beside instant timing) and opens the raw client, handing both
 * to `ready`; closes them after checking the client saw no schema violation.
 */
export function useRawSimulator(
  ready: (sim: Simulator, client: RawClient) => void,
  options: SimulatorOptions = {},
): void {
  let sim: Simulator | undefined;
  let client: RawClient | undefined;
  beforeAll(async () => {
    sim = await Simulator.start({ timing: "instant", ...options });
    client = await RawClient.open(sim);
    ready(sim, client);
  });
  afterAll(async () => {
    expect(client?.violations ?? []).toEqual([]);
    client?.close();
    await sim?.stop();
  });
}

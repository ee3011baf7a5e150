import { describe, expect, it } from "vitest";
import { useSimController } from "./support/sim-controller.js";

// The simulator's change counter (what `libjuju sim --state` checks before
// saving): read-only polls leave it alone, changes of any kind move it.
const ctx = useSimController("state-changes");

describe("Simulator.stateChanges", () => {
  it("stays put over status polls and moves on changes inside and outside the entity log", async () => {
    const model = await ctx.controller.addModel("counted");
    try {
      await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
      const idle = ctx.sim.stateChanges;
      await model.getStatus();
      await model.getStatus();
      expect(ctx.sim.stateChanges).toBe(idle);

      // A user is no entity of any model: the API call itself counts.
      await ctx.controller.addUser("counted-alice");
      const afterUser = ctx.sim.stateChanges;
      expect(afterUser).toBeGreaterThan(idle);

      // A change made without any API call (as agents make them) moves it through the entity log.
      await model.deploy("ubuntu");
      await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
      const settled = ctx.sim.stateChanges;
      ctx.sim.control.setWorkloadStatus("ubuntu/0", "blocked", "counted", { model: "counted" });
      expect(ctx.sim.stateChanges).toBeGreaterThan(settled);
    } finally {
      await model.disconnect();
    }
  });
});

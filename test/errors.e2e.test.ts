import { describe, expect, it } from "vitest";
import { JujuBulkError, JujuNotFoundError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("errors");

describe("server errors through the simulator", () => {
  it("a one-item bulk failure is the item's own typed error with Juju's message", async () => {
    await using model = await env.controller.addModel("errors");
    const err = await model.removeApplication("nosuch").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuNotFoundError);
    expect(err).not.toBeInstanceOf(JujuBulkError);
    const e = err as JujuNotFoundError;
    expect(e.message).toBe('application "nosuch" not found');
    expect(e.code).toBe("ERR_JUJU_NOT_FOUND");
    expect(e.jujuCode).toBe("not found");
    expect(e.facade).toBe("Application");
  });
});

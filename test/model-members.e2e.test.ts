import { describe, expect, it } from "vitest";
import { InvalidArgumentError, JujuError } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("members");

describe("blocks (juju disable-command)", () => {
  it("refuses blocked operations with Juju's error, lists and lifts blocks", async () => {
    await using model = await env.controller.addModel("blocks");
    expect(await model.getBlocks()).toEqual([]);
    await model.addMachine();

    await model.block("remove-object", { message: "no removals please" });
    const blocks = await model.getBlocks();
    expect(blocks).toEqual([
      {
        id: expect.stringMatching(new RegExp(`^${model.uuid}:\\d+$`)),
        tag: `model-${model.uuid}`,
        type: "BlockRemove",
        message: "no removals please",
        command: "remove-object",
      },
    ]);
    // remove-object refuses removals (RemoveAllowed) but not changes.
    const removal = await model.removeMachine("0").catch((e: unknown) => e);
    expect(removal).toBeInstanceOf(JujuError);
    expect((removal as JujuError).code).toBe("operation is blocked");
    expect((removal as JujuError).message).toContain("no removals please");
    await model.setConfig({ "update-status-hook-interval": "10m" });

    // all (BlockChange) refuses every change; its message is Juju's default when none is given.
    await model.block("all");
    const change = await model.setConfig({ "update-status-hook-interval": "7m" }).catch((e) => e);
    expect((change as JujuError).code).toBe("operation is blocked");
    expect((change as JujuError).message).toContain("the operation has been blocked");

    // destroy-model: the controller refuses DestroyModels for this model.
    await model.unblock("all", "remove-object");
    await model.block("destroy-model", { message: "keep it" });
    const destroy = await env.controller.destroyModel(model.uuid).catch((e: unknown) => e);
    expect((destroy as JujuError).code).toBe("operation is blocked");
    expect((destroy as JujuError).message).toContain("keep it");

    await model.removeBlocks();
    expect(await model.getBlocks()).toEqual([]);
    await model.removeMachine("0");

    await expect(model.block("everything")).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

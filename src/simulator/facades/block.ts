/**
 * `Block(2)`: `List`, `SwitchBlockOn`, `SwitchBlockOff`
 * (`apiserver/facades/client/block`), and the block checks that Juju's
 * facades run before changing a model (`apiserver/common/blockchecker.go`):
 * - `ChangeAllowed`: refused while `BlockChange` is on;
 * - `RemoveAllowed`: refused while `BlockRemove` or `BlockChange` is on;
 * - `DestroyAllowed`: refused while `BlockDestroy`, `BlockRemove` or `BlockChange` is on.
 * A refused call fails with the block's message (or "the operation has been
 * blocked" when it has none) and the code `operation is blocked`
 * (`apiservererrors.OperationBlockedError`).
 * @module
 */
import { ErrorCodes } from "../../protocol/frames.js";
import type { Fields } from "../decode.js";
import { ServerError } from "../errors.js";
import type { ModelRecord } from "../store.js";
import type { ErrorItem } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method } from "./typed.js";

/** The block types of `state.BlockType.String()`. */
export type BlockType = "BlockDestroy" | "BlockRemove" | "BlockChange";

const BLOCK_TYPES: readonly BlockType[] = ["BlockDestroy", "BlockRemove", "BlockChange"];

/** One switched-on block (`state.Block`). */
interface BlockRecord {
  /** The block document id: `<model-uuid>:<sequence>`, as state's `docID`. */
  id: string;
  type: BlockType;
  message: string;
}

interface ModelBlocks {
  next: number;
  blocks: BlockRecord[];
}

// Kept beside the store rather than in it: blocks are the Block facade's own state.
const byModel = new WeakMap<ModelRecord, ModelBlocks>();

/** @internal Saved and restored by `snapshot.ts`. */
export { byModel as blockStates };

function blocksOf(model: ModelRecord): ModelBlocks {
  let b = byModel.get(model);
  if (b === undefined) {
    b = { next: 0, blocks: [] };
    byModel.set(model, b);
  }
  return b;
}

/** What a facade method checks before it runs (`BlockChecker`'s three checks). */
export type BlockCheck = "change" | "remove" | "destroy";

const CHECKED_TYPES: Record<BlockCheck, readonly BlockType[]> = {
  change: ["BlockChange"],
  remove: ["BlockRemove", "BlockChange"],
  destroy: ["BlockDestroy", "BlockRemove", "BlockChange"],
};

/**
 * Throws Juju's `operation is blocked` error when a block of the model
 * forbids `check`; the types are checked in Go's order.
 */
export function checkBlocks(model: ModelRecord, check: BlockCheck): void {
  const blocks = byModel.get(model)?.blocks;
  if (blocks === undefined || blocks.length === 0) return;
  for (const type of CHECKED_TYPES[check]) {
    const b = blocks.find((x) => x.type === type);
    if (b !== undefined) {
      throw new ServerError(
        b.message === "" ? "the operation has been blocked" : b.message,
        ErrorCodes.operationBlocked,
      );
    }
  }
}

/** The block types switched on in a model (for `Controller.ListBlockedModels`). */
export function blockTypesOf(model: ModelRecord): BlockType[] {
  return (byModel.get(model)?.blocks ?? []).map((b) => b.type);
}

/** Switches every block of the model off (`Controller.RemoveBlocks`). */
export function removeAllBlocks(model: ModelRecord): void {
  const b = byModel.get(model);
  if (b !== undefined) b.blocks = [];
}

function parseBlockType(s: string): BlockType {
  const t = BLOCK_TYPES.find((x) => x === s);
  // Go's state.ParseBlockType panics on an unknown type; the RPC server would
  // drop the connection. An error reply is the useful answer a client can act on.
  if (t === undefined) throw new ServerError(`unknown block type ${s}`);
  return t;
}

/**
 * Which facade methods check which block, from the 3.6 facades: each calls
 * `check.ChangeAllowed` / `RemoveAllowed` / `DestroyAllowed` before any work and
 * returns its error as the call's error. (DeployFromRepository checks
 * `RemoveAllowed` in 3.6, not `ChangeAllowed`.) `ModelManager.DestroyModels`
 * checks per model and is handled there.
 */
export const BLOCK_CHECKED_METHODS: Readonly<Record<string, BlockCheck>> = {
  "Application.Deploy": "change",
  "Application.DeployFromRepository": "remove",
  "Application.SetCharm": "change",
  "Application.SetConfigs": "change",
  "Application.UnsetApplicationsConfig": "change",
  "Application.SetConstraints": "change",
  "Application.AddRelation": "change",
  "Application.SetRelationsSuspended": "change",
  "Application.Expose": "change",
  "Application.Unexpose": "change",
  "Application.AddUnits": "change",
  "Application.ScaleApplications": "change",
  "Application.ResolveUnitErrors": "change",
  "Application.Consume": "change",
  "Application.UpdateApplicationBase": "change",
  "Application.MergeBindings": "change",
  "Application.DestroyApplication": "remove",
  "Application.DestroyUnit": "remove",
  "Application.DestroyRelation": "remove",
  "Application.DestroyConsumedApplications": "remove",
  "MachineManager.AddMachines": "change",
  "MachineManager.DestroyMachineWithParams": "remove",
  "ModelConfig.ModelSet": "change",
  "ModelConfig.ModelUnset": "change",
  "ModelConfig.SetModelConstraints": "change",
  "KeyManager.AddKeys": "change",
  "KeyManager.ImportKeys": "change",
  "KeyManager.DeleteKeys": "remove",
  "Action.Run": "change",
  "Action.RunOnAllMachines": "change",
  "ModelUpgrader.UpgradeModel": "change",
};

/**
 * The methods named in {@link BLOCK_CHECKED_METHODS}, wrapped to check the
 * calling model's blocks first (registered over the plain ones); other
 * methods are left out.
 */
export function blockCheckedMethods(specs: readonly MethodSpec[]): MethodSpec[] {
  return specs.flatMap((spec) => {
    const check = BLOCK_CHECKED_METHODS[`${spec.facade}.${spec.method}`];
    if (check === undefined) return [];
    return [
      {
        ...spec,
        call: (ctx: CallContext, params: Fields) => {
          checkBlocks(ctx.model(), check);
          return spec.call(ctx, params);
        },
      },
    ];
  });
}

/** `params.ErrorResult`: the facade answers its errors inside the result. */
function errorResult(fn: () => void): { error?: ErrorItem["error"] } {
  try {
    fn();
    return {};
  } catch (e) {
    if (e instanceof ServerError) return { error: e.toWire() };
    throw e;
  }
}

/** The Block methods. */
export const blockMethods: readonly MethodSpec[] = [
  method({
    facade: "Block",
    method: "List",
    call: (ctx) => {
      const model = ctx.model();
      return {
        results: blocksOf(model).blocks.map((b) => ({
          result: { id: b.id, tag: `model-${model.uuid}`, type: b.type, message: b.message },
        })),
      };
    },
  }),
  method({
    facade: "Block",
    method: "SwitchBlockOn",
    params: "params.BlockSwitchParams",
    call: (ctx, p) =>
      errorResult(() => {
        const type = parseBlockType(p.string("type"));
        const message = p.string("message");
        const mb = blocksOf(ctx.model());
        // state.setModelBlock: an existing block of the type keeps its id and takes the new message.
        const existing = mb.blocks.find((b) => b.type === type);
        if (existing !== undefined) existing.message = message;
        else mb.blocks.push({ id: `${ctx.model().uuid}:${mb.next++}`, type, message });
      }),
  }),
  method({
    facade: "Block",
    method: "SwitchBlockOff",
    params: "params.BlockSwitchParams",
    call: (ctx, p) =>
      errorResult(() => {
        const type = parseBlockType(p.string("type"));
        const mb = blocksOf(ctx.model());
        // state.RemoveModelBlockOps: switching off a block that is not on is not an error.
        mb.blocks = mb.blocks.filter((b) => b.type !== type);
      }),
  }),
];

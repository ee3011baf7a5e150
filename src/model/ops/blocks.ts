/**
 * Command blocks (`juju disable-command` / `enable-command` /
 * `disabled-commands`), on the `Block` facade of the model connection.
 * @module
 */
import { JujuError } from "../../rpc/errors.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { siteOf } from "./common.js";

/** A command set as `juju disable-command` names it, or Juju's own block type. */
export type BlockCommand =
  | "destroy-model"
  | "remove-object"
  | "all"
  | "BlockDestroy"
  | "BlockRemove"
  | "BlockChange";

/** One block in force (`params.Block`). */
export interface BlockInfo {
  /** Juju's id of the block. */
  id: string;
  /** The model's tag. */
  tag: string;
  /** `BlockDestroy`, `BlockRemove` or `BlockChange`. */
  type: string;
  /** The message the refused operations fail with. */
  message: string;
  /** The command set as the CLI names it (`destroy-model`, `remove-object`, `all`). */
  command: string;
}

// The CLI's names (cmd/juju/block TranslateOperation), plus the pre-2.0 spellings.
const TYPES: Readonly<Record<string, string>> = {
  "destroy-model": "BlockDestroy",
  "destroy-environment": "BlockDestroy",
  "remove-object": "BlockRemove",
  all: "BlockChange",
  "all-changes": "BlockChange",
  BlockDestroy: "BlockDestroy",
  BlockRemove: "BlockRemove",
  BlockChange: "BlockChange",
};
const COMMANDS: Readonly<Record<string, string>> = {
  BlockDestroy: "destroy-model",
  BlockRemove: "remove-object",
  BlockChange: "all",
};

function blockType(command: string): string {
  const t = TYPES[command];
  if (t === undefined) {
    throw new InvalidArgumentError(
      "commands",
      `unknown command set ${JSON.stringify(command)}: valid are destroy-model, remove-object and all`,
    );
  }
  return t;
}

/**
 * Switches blocks on (`Block.SwitchBlockOn`): `destroy-model` refuses
 * destroying the model, `remove-object` also refuses removals, `all` refuses
 * every change. Refused operations fail with a `JujuError` whose code is
 * `operation is blocked` and whose message is `message`.
 */
export async function block(
  ctx: OpsContext,
  commands: readonly string[],
  message = "",
): Promise<void> {
  const types = commands.map(blockType);
  const f = ctx.connection.facade("Block");
  for (const type of types) {
    const r = await f.call("SwitchBlockOn", { type, message });
    if (r.error?.message) throw JujuError.fromWire(r.error, siteOf(f, "SwitchBlockOn"));
  }
}

/** Switches blocks off (`Block.SwitchBlockOff`); a block not in force is no error. */
export async function unblock(ctx: OpsContext, commands: readonly string[]): Promise<void> {
  const types = commands.map(blockType);
  const f = ctx.connection.facade("Block");
  for (const type of types) {
    const r = await f.call("SwitchBlockOff", { type });
    if (r.error?.message) throw JujuError.fromWire(r.error, siteOf(f, "SwitchBlockOff"));
  }
}

/** The blocks in force (`Block.List`). */
export async function getBlocks(ctx: OpsContext): Promise<BlockInfo[]> {
  const f = ctx.connection.facade("Block");
  const res = await f.call("List", undefined);
  const out: BlockInfo[] = [];
  for (const r of res.results ?? []) {
    if (r.error?.message) throw JujuError.fromWire(r.error, siteOf(f, "List"));
    const b = r.result;
    out.push({
      id: b.id,
      tag: b.tag,
      type: b.type,
      message: b.message ?? "",
      command: COMMANDS[b.type] ?? b.type,
    });
  }
  return out;
}

/** Switches every block of the model off. */
export async function removeBlocks(ctx: OpsContext): Promise<void> {
  const blocks = await getBlocks(ctx);
  await unblock(
    ctx,
    blocks.map((b) => b.type),
  );
}

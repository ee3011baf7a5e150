/**
 * `libjuju watch`: streams a model's changes as they happen, one line (or
 * one JSON delta) per change, until interrupted. A lost connection is
 * reported on stderr and reconnected (unless `--no-reconnect`); when the
 * model cannot be reached again the command fails (exit 1) saying why.
 * @module
 */
import type { Command } from "commander";
import type { EntityKind } from "../../index.js";
import { parseDuration, parseEntityKinds } from "../args.js";
import { describeData, formatEvent } from "../describe.js";
import { abortOnSignals } from "../signals.js";

/** Options of `libjuju watch`, as parsed by commander. */
export interface WatchOptions {
  model?: string;
  type?: EntityKind[];
  json?: boolean;
  timeout?: number;
  /** False with `--no-reconnect`. */
  reconnect?: boolean;
}

/** Registers the `watch` command. */
export function registerWatch(program: Command): void {
  program
    .command("watch")
    .description(
      "print the model's changes as they happen (a line only when what it shows changed), until interrupted",
    )
    .option(
      "-m, --model <model>",
      "model to watch, as [controller:][user/]model (default: current)",
    )
    .option(
      "--type <types>",
      "only these entity types, comma-separated (e.g. unit,machine)",
      parseEntityKinds,
    )
    .option("--json", "print each raw AllWatcher delta as one JSON line (NDJSON)")
    .option("--timeout <duration>", "stop after this long (600s, 10m, 1h)", parseDuration)
    .option("--no-reconnect", "fail as soon as the connection to the controller is lost")
    .action(async (opts: WatchOptions) => {
      await runWatch(opts);
    });
}

async function runWatch(opts: WatchOptions): Promise<void> {
  const signals = abortOnSignals();
  const timer =
    opts.timeout !== undefined ? setTimeout(() => signals.abort(), opts.timeout) : undefined;
  // A closed pipe (`libjuju watch | head`) ends the watch like Ctrl-C.
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") signals.abort();
  };
  process.stdout.on("error", onOutputError);
  const types = opts.type ? new Set<string>(opts.type) : undefined;
  try {
    const { connect } = await import("../connect.js");
    const model = await connect(opts.model, { reconnect: opts.reconnect ?? true });
    // On stderr: stdout carries only changes.
    const offChange = model.onConnectionChange((c) => {
      if (c.state === "reconnecting" && c.attempt === 0) {
        process.stderr.write(`connection lost (${c.error?.message ?? "closed"}); reconnecting\n`);
      } else if (c.state === "connected") {
        process.stderr.write(`reconnected to ${c.endpoint ?? "the controller"}\n`);
      }
    });
    try {
      if (signals.signal.aborted) return;
      // On stderr, so that stdout stays pure NDJSON with --json; it also
      // tells scripts that changes from now on will be seen.
      const where = [model.controllerName, model.name].filter(Boolean).join(":");
      process.stderr.write(`watching ${where || model.uuid}; Ctrl-C to stop\n`);
      // Only from now on: the state at connect time is `libjuju status`'s job.
      // The last line printed per entity: Juju resends an entity when any
      // of its fields changed, often none that the line shows.
      const shown = new Map<string, string>();
      for await (const event of model.events(signals.signal)) {
        if (types && !types.has(event.entityType)) continue;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(event.delta)}\n`);
          continue;
        }
        const key = `${event.entityType} ${event.entityId}`;
        const what =
          event.action === "remove" ? "remove" : describeData(event.entityType, event.delta[2]);
        if (event.action === "change" && shown.get(key) === what) continue;
        if (event.action === "remove") shown.delete(key);
        else shown.set(key, what);
        process.stdout.write(`${formatEvent(event)}\n`);
      }
    } finally {
      offChange();
      await model.disconnect();
    }
  } finally {
    if (timer) clearTimeout(timer);
    process.stdout.off("error", onOutputError);
    signals.release();
  }
}

/**
 * `waitForIdle` measured on the controller's clock, against the simulator
 * behind a 50 ms round trip (its `latency` option holds every reply): 20
 * applications, `idlePeriod` 5 s.
 *
 * - settled: every agent has been idle for longer than the idle period; the
 *   wait should return after one round trip (target ≤ 3).
 * - settling: every application runs `config-changed` as the wait starts;
 *   the wait should return at most 2 round trips after the last agent has
 *   been idle for the idle period.
 *
 * The baseline is the same wait on the same model counting the idle period
 * from when it first saw each agent idle (python-libjuju's `wait_for_idle`
 * and libjuju before `since` was used): the same code fed a mirror of the
 * state with every `since` removed and no controller time.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Delta, Model, ModelState, type RequestFrame } from "../src/index.js";
import { parseGoTime } from "../src/model/wait-clock.js";
import { type WaitSource, waitForIdle } from "../src/model/waits.js";
import { Simulator } from "../src/simulator/index.js";
import type { BenchRow } from "./run.js";

const APPS = 20;
const RTT_MS = 50;
const IDLE_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A delta without the statuses' `since`. */
function withoutSince(delta: Delta): Delta {
  const [kind, action, data] = delta;
  const copy: Record<string, unknown> = { ...data };
  for (const [k, v] of Object.entries(copy)) {
    if (v && typeof v === "object" && "since" in v) {
      const { since: _, ...rest } = v as Record<string, unknown>;
      copy[k] = rest;
    }
  }
  return [kind, action, copy];
}

/** The model's state as a client without `since` sees it, kept current from `events()`. */
function sinceBlindSource(model: Model, signal: AbortSignal): WaitSource {
  const state = new ModelState();
  const listeners = new Set<() => void>();
  const events = model.events(signal);
  for (const kind of ["application", "unit", "machine", "relation"] as const) {
    for (const r of model.state.live(kind))
      state.applyDelta(withoutSince([kind, "change", r.current!]));
  }
  void (async () => {
    for await (const e of events) {
      if (!("delta" in e)) continue;
      state.applyDelta(withoutSince(e.delta));
      for (const l of listeners) l();
    }
  })();
  return {
    state,
    onStateChange: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** The latest `since` (ms, wall clock: the simulator runs in this process on real time) of any unit agent. */
function lastAgentIdle(model: Model): number {
  let last = 0;
  for (const r of model.state.live("unit")) {
    const s = parseGoTime((r.current?.["agent-status"] as { since?: string } | undefined)?.since);
    if (s !== undefined && s > last) last = s;
  }
  return last;
}

/** Runs the settled and settling wait benchmarks. */
export async function benchWaitSettle(): Promise<BenchRow[]> {
  const jujuData = await mkdtemp(join(tmpdir(), "libjuju-bench-"));
  const sim = await Simulator.start({ jujuData, timing: "fast", latency: RTT_MS });
  let counting = false;
  const sent = new Map<string, number>();
  const model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    pingInterval: 0,
    onFrame: (direction, frame) => {
      if (!counting || direction !== "out") return;
      const f = frame as RequestFrame;
      const key = `${f.type}.${f.request}`;
      sent.set(key, (sent.get(key) ?? 0) + 1);
    },
  });
  const apps = Array.from({ length: APPS }, (_, i) => `app${i}`);
  const stop = new AbortController();
  try {
    await Promise.all(apps.map((a) => model.deploy("ubuntu", { applicationName: a })));
    await model.waitForIdle({ apps, idlePeriod: 0, status: "active", timeout: 120_000 });
    // Settled for longer than the idle period.
    await sleep(lastAgentIdle(model) + IDLE_MS + 1000 - Date.now());

    counting = true;
    const t0 = performance.now();
    await model.waitForIdle({ apps, idlePeriod: IDLE_MS, timeout: 60_000 });
    const settledMs = performance.now() - t0;
    counting = false;
    const requests = [...sent].filter(([k]) => k !== "AllWatcher.Next");
    const t1 = performance.now();
    await waitForIdle(sinceBlindSource(model, stop.signal), {
      apps,
      idlePeriod: IDLE_MS,
      timeout: 60_000,
    });
    const settledBaseMs = performance.now() - t1;
    // One FullStatus alone, for what a round trip costs here.
    const t2 = performance.now();
    await model.getStatus({ patterns: apps });
    const statusMs = performance.now() - t2;

    // Settling: every application runs config-changed; both waits start
    // once this client has seen every agent run it (before that the model
    // still looks settled, and a wait would rightly return at once).
    const changed = Date.now();
    await Promise.all(
      apps.map((a) => model.applications.get(a)!.setConfig({ hostname: `h${changed}` })),
    );
    await model.blockUntil(
      () =>
        [...model.state.live("unit")].every(
          (r) =>
            (parseGoTime((r.current?.["agent-status"] as { since?: string } | undefined)?.since) ??
              0) >= changed,
        ),
      { timeout: 60_000, waitPeriod: 5 },
    );
    let doneAt = 0;
    let baseDoneAt = 0;
    await Promise.all([
      model.waitForIdle({ apps, idlePeriod: IDLE_MS, timeout: 60_000 }).then(() => {
        doneAt = Date.now();
      }),
      waitForIdle(sinceBlindSource(model, stop.signal), {
        apps,
        idlePeriod: IDLE_MS,
        timeout: 60_000,
      }).then(() => {
        baseDoneAt = Date.now();
      }),
    ]);
    const due = lastAgentIdle(model) + IDLE_MS;
    const late = doneAt - due;
    const baseLate = baseDoneAt - due;
    const rtt = (ms: number) => `${(ms / RTT_MS).toFixed(1)} RTT`;
    return [
      {
        benchmark: "waitForIdle settled",
        case: `${APPS} apps idle > ${IDLE_MS / 1000} s, ${RTT_MS} ms RTT`,
        result: `${settledMs.toFixed(0)} ms = ${rtt(settledMs)} (${requests.map(([k, n]) => `${k}×${n}`).join(", ") || "no requests"}; one FullStatus alone ${statusMs.toFixed(0)} ms)`,
        vsBaseline: `baseline (idle counted from the wait's start) ${(settledBaseMs / 1000).toFixed(2)} s; ${(settledBaseMs / settledMs).toFixed(0)}× faster`,
        target: "≤ 3 RTT",
      },
      {
        benchmark: "waitForIdle settling",
        case: `${APPS} apps run config-changed, idle ${IDLE_MS / 1000} s, ${RTT_MS} ms RTT`,
        result: `${late} ms = ${rtt(late)} after the last agent's idle period ended`,
        vsBaseline: `baseline ${baseLate} ms = ${rtt(baseLate)} after it`,
        target: "≥ 0 and ≤ 2 RTT",
      },
    ];
  } finally {
    stop.abort();
    await model.disconnect();
    await sim.stop();
    await rm(jujuData, { recursive: true, force: true });
  }
}

// `npx tsx bench/wait-settle.ts` runs this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchWaitSettle()) console.log(row);
}

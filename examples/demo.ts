/**
 * `npm run demo`: starts the embedded simulated controller, connects to its
 * default model through the client files it wrote (as any Juju client
 * would), deploys three related real charms, shows their progress, waits
 * for the model to settle, prints `juju status`-like tables and tears down.
 *
 * `LIBJUJU_DEMO_TIMING=instant|fast|realistic` picks the simulated agents'
 * pace (default: realistic).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderStatus } from "../src/cli/status-table.js";
import { Model } from "../src/index.js";
import { Simulator, type TimingProfileName } from "../src/simulator/index.js";

const timing = (process.env.LIBJUJU_DEMO_TIMING ?? "realistic") as TimingProfileName;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (line: string) => process.stdout.write(`${elapsed()}  ${line}\n`);

const jujuData = await mkdtemp(join(tmpdir(), "libjuju-demo-"));
const sim = await Simulator.start({ jujuData, timing });
say(
  `simulated controller ${sim.controllerName} listening on wss://${sim.endpoint} (${timing} agents)`,
);
say(`client files written to ${jujuData}`);

// Point the client at the simulator's files, exactly like `export JUJU_DATA=…`.
process.env.JUJU_DATA = jujuData;
const model = await Model.connectCurrent();
try {
  const info = await model.getInfo();
  say(`connected to model ${info.name} (${info.uuid})`);

  // Progress: one line whenever a unit's or machine's status changes.
  const shown = new Map<string, string>();
  model.addObserver((e) => {
    if (e.action === "remove") return;
    let line: string | undefined;
    // `entityType` narrows the event: `e.new` is a Unit, then a Machine.
    if (e.entityType === "unit") {
      const u = e.new;
      const message = u.workloadStatusMessage ? `: ${u.workloadStatusMessage}` : "";
      line = `unit ${u.name.padEnd(16)} ${u.agentStatus.padEnd(10)} ${u.workloadStatus}${message}`;
    } else if (e.entityType === "machine") {
      const m = e.new;
      line = `machine ${m.id.padEnd(13)} ${m.agentStatus.padEnd(10)} ${m.statusMessage || m.status}`;
    }
    if (line && shown.get(e.entityId) !== line) {
      shown.set(e.entityId, line);
      say(`  ${line}`);
    }
  });

  say("deploying ubuntu (2 units), mysql 8.0/stable and the mysql-router subordinate");
  await Promise.all([
    model.deploy("ubuntu", { numUnits: 2 }),
    model.deploy("mysql", { channel: "8.0/stable" }),
    model.deploy("mysql-router", { channel: "8.0/stable", numUnits: 0 }),
  ]);
  say("relating mysql-router to ubuntu (juju-info) and to mysql (db-router)");
  await model.integrate("mysql-router:juju-info", "ubuntu:juju-info");
  await model.integrate("mysql-router:db-router", "mysql:db-router");

  say("waiting for every unit to be active and idle");
  await model.waitForIdle({ status: "active", idlePeriod: 2_000, timeout: 120_000 });
  say("model is idle:\n");
  const status = await model.getStatus();
  process.stdout.write(`${renderStatus(status, sim.controllerName)}\n`);

  say("tearing down");
  await model.reset({ timeout: 120_000 });
  say("model is empty");
} finally {
  await model.disconnect();
  await sim.stop();
  await rm(jujuData, { recursive: true, force: true });
}

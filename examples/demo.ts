/**
 * `npm run demo`: starts the embedded simulated controller, connects to its
 * default model through the client files it wrote (as any Juju client
 * would), and prints the model's status.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderStatus, type StatusView } from "../src/cli/status-table.js";
import { Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";

const jujuData = await mkdtemp(join(tmpdir(), "libjuju-demo-"));
const sim = await Simulator.start({ jujuData });
process.stdout.write(
  `simulated controller ${sim.controllerName} listening on wss://${sim.endpoint}\n`,
);
process.stdout.write(`client files written to ${jujuData}\n\n`);

// Point the client at the simulator's files, exactly like `export JUJU_DATA=…`.
process.env.JUJU_DATA = jujuData;
const model = await Model.connectCurrent();
try {
  const info = await model.getInfo();
  process.stdout.write(`connected to model ${info.name} (${info.uuid})\n\n`);
  const status = await model.getStatus();
  process.stdout.write(renderStatus(status as unknown as StatusView, sim.controllerName));
} finally {
  await model.disconnect();
  await sim.stop();
  await rm(jujuData, { recursive: true, force: true });
}

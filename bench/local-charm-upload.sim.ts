/**
 * The server side of the local-charm upload benchmark, in its own process so
 * that the client's memory is measured alone: a simulator (the `local:`
 * charm endpoints) and, as the baseline's target, a plain HTTPS server that
 * reads a PUT body and throws it away. Reports both over IPC.
 * @module
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generateControllerCerts, Simulator } from "../src/simulator/index.js";

const jujuData = process.argv[2];
if (jujuData === undefined) throw new Error("usage: local-charm-upload.sim.js <juju-data dir>");
const sim = await Simulator.start({ jujuData, timing: "instant", controllerName: "bench" });
const certs = generateControllerCerts(randomUUID());
const plain = createServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) => {
  let bytes = 0;
  req.on("data", (c: Buffer) => {
    bytes += c.length;
  });
  req.on("end", () => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ bytes }));
  });
});
await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
process.send?.({
  plainPort: (plain.address() as AddressInfo).port,
  plainCa: certs.caCert,
});
process.on("disconnect", () => {
  plain.close();
  void sim.stop().then(() => process.exit(0));
});

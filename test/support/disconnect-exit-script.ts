/**
 * Test support, run as a child process by `test/reconnect.e2e.test.ts`:
 * opens a model from the SIM_* environment variables, reads its events()
 * and debugLog() streams, disconnects, and then must exit by itself (no
 * process.exit): nothing libjuju opened may keep the event loop alive.
 * @module
 */
import { Model } from "../../src/index.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};

const model = await Model.connect({
  endpoint: env("SIM_ENDPOINT"),
  uuid: env("SIM_UUID"),
  username: "admin",
  password: env("SIM_PASSWORD"),
  caCert: env("SIM_CACERT"),
});
const log = model.debugLog({ replay: true });
const first = await log.next();
console.log(`debugLog started: ${first.done ? "done" : "record"}`);
const events = model.events();
const eventsEnded = (async () => {
  for await (const _ of events) {
    // Drained until disconnect ends the stream.
  }
  console.log("events ended");
})();
const logEnded = (async () => {
  for await (const _ of log) {
    // Drained until disconnect ends the stream.
  }
  console.log("debugLog ended");
})();
await model.disconnect();
await Promise.all([eventsEnded, logEnded]);
console.log("disconnected");

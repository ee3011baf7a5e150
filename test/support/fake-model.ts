/**
 * Test support: a scripted model API with a working AllWatcher
 * (`Client.WatchAll`, `AllWatcher.Next` that blocks until deltas are
 * pushed, `AllWatcher.Stop` that fails the blocked Next as Juju does).
 * Other requests go to the test's script. Not part of the package (it lives under `test/`).
 * @module
 */

import type { Delta } from "../../src/model/delta.js";
import type { RequestFrame } from "../../src/protocol/frames.js";
import type { TransportFactory } from "../../src/rpc/connect.js";
import { createMemoryTransportPair, type MemoryTransport } from "../../src/rpc/memory-transport.js";
import type { FakeReply } from "./fake-server.js";

/** The far end of the scripted model connections. */
export interface FakeModelServer {
  /** Every request received, with the URL it came on. */
  requests: { url: string; req: RequestFrame }[];
  /** Makes the blocked (or next) `AllWatcher.Next` return these deltas. */
  push(deltas: Delta[]): void;
  /** Closes every server end, as a dropped connection would. */
  drop(): void;
  /** Fails the blocked `AllWatcher.Next` calls with `watcher was stopped`, as if the server stopped them. */
  stopWatchers(): void;
}

/**
 * A transport factory for `Model.open`. `initial` is the first Next's
 * batch; `script` answers everything but the watcher calls.
 */
export function fakeModelFactory(
  script: (req: RequestFrame, url: string) => FakeReply,
  initial: Delta[] = [],
): { factory: TransportFactory; server: FakeModelServer } {
  const queue: Delta[][] = [initial];
  const held: { id: number; end: MemoryTransport }[] = [];
  const ends: MemoryTransport[] = [];
  const send = (end: MemoryTransport, frame: Record<string, unknown>) => {
    if (!end.isClosed) end.send(JSON.stringify(frame));
  };
  const server: FakeModelServer = {
    requests: [],
    push(deltas) {
      const h = held.shift();
      if (h) send(h.end, { "request-id": h.id, response: { deltas } });
      else queue.push(deltas);
    },
    drop() {
      for (const e of ends) if (!e.isClosed) e.close(1006, "dropped");
      // Nexts held on the dropped ends can never be answered.
      held.splice(0);
    },
    stopWatchers() {
      for (const h of held.splice(0))
        send(h.end, { "request-id": h.id, error: "watcher was stopped" });
    },
  };
  const factory: TransportFactory = async (url) => {
    const [client, end] = createMemoryTransportPair();
    ends.push(end);
    end.setReceiver((text) => {
      const req = JSON.parse(text) as RequestFrame;
      const id = req["request-id"];
      server.requests.push({ url, req });
      const key = `${req.type}.${req.request}`;
      if (key === "Client.WatchAll")
        return send(end, { "request-id": id, response: { "watcher-id": "1" } });
      if (key === "AllWatcher.Next") {
        const batch = queue.shift();
        if (batch) return send(end, { "request-id": id, response: { deltas: batch } });
        held.push({ id, end });
        return;
      }
      if (key === "AllWatcher.Stop") {
        for (const h of held.splice(0))
          send(h.end, { "request-id": h.id, error: "watcher was stopped" });
        return send(end, { "request-id": id, response: {} });
      }
      const reply = script(req, url);
      if (!reply) return;
      if ("response" in reply) send(end, { "request-id": id, response: reply.response });
      else
        send(end, {
          "request-id": id,
          error: reply.error,
          "error-code": reply.code,
          "error-info": reply.info,
        });
    });
    return client;
  };
  return { factory, server };
}

/**
 * The 64 MiB cap on what the simulator holds for one connection
 * (`MAX_OUTGOING_BYTES` in rpc-session.ts) and the client's own frame cap:
 * every way past them ends in a typed error or a closed connection, never a
 * hang. A big reply is made cheaply by asking `Annotations.Get` for the same
 * 1 MiB annotation many times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectedApi,
  ConnectionClosedError,
  Credentials,
  connectApi,
  JujuError,
  ProtocolError,
} from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { MAX_OUTGOING_BYTES } from "../src/simulator/rpc-session.js";
import { createConformanceTap } from "./support/conformance-tap.js";
import { RawClient } from "./support/raw-client.js";

const MIB = 1024 * 1024;

describe("reply size limits", () => {
  const tap = createConformanceTap();
  let sim: Simulator;
  let modelTag: string;
  const dial = (extra: { maxFrameSize?: number } = {}): Promise<ConnectedApi> =>
    connectApi({
      endpoints: [sim.endpoint],
      modelUuid: sim.defaultModelUuid,
      credentials: new Credentials({ username: "admin", password: sim.password }),
      caCert: sim.caCert,
      pingInterval: 0,
      onFrame: tap.onFrame,
      ...extra,
    });
  const getTimes = (api: ConnectedApi, n: number) =>
    api.connection.rpc({
      type: "Annotations",
      version: 2,
      request: "Get",
      params: { entities: Array.from({ length: n }, () => ({ tag: modelTag })) },
    });

  beforeAll(async () => {
    sim = await Simulator.start({ timing: "instant" });
    modelTag = `model-${sim.defaultModelUuid}`;
    const api = await dial();
    await api.connection.rpc({
      type: "Annotations",
      version: 2,
      request: "Set",
      params: { annotations: [{ entity: modelTag, annotations: { big: "x".repeat(MIB) } }] },
    });
    await api.connection.close();
  });
  afterAll(async () => {
    expect(tap.violations).toEqual([]);
    await sim?.stop();
  });

  it("fails a call whose reply exceeds the server's cap with a JujuError, and the connection lives on", async () => {
    const api = await dial({ maxFrameSize: 128 * MIB });
    try {
      const n = Math.ceil(MAX_OUTGOING_BYTES / MIB) + 2;
      const err = await getTimes(api, n).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JujuError);
      expect((err as JujuError).message).toMatch(
        /^Annotations\.Get reply of \d+ bytes exceeds the simulator's limit of 67108864 bytes per connection/,
      );
      // The same connection still answers.
      const ok = (await getTimes(api, 2)) as { results: unknown[] };
      expect(ok.results).toHaveLength(2);
    } finally {
      await api.connection.close();
    }
  });

  it("rejects the call with ConnectionClosedError (cause ProtocolError) when a reply exceeds the client's maxFrameSize", async () => {
    const api = await dial({ maxFrameSize: MIB / 2 });
    const err = await getTimes(api, 1).catch((e: unknown) => e);
    // The in-flight call: connection closed, because of the oversized frame.
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as ConnectionClosedError).mayHaveBeenApplied).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain("larger than the maximum frame size (524288 bytes)");
    // Later calls on the dead connection fail at once rather than hang.
    const again = await getTimes(api, 1).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Error);
    await api.connection.close();
  });

  it("drops a connection that stops reading once its replies pass the cap", async () => {
    const raw = await RawClient.open(sim);
    try {
      const before = sim.connectionCount;
      // The client stops reading; each reply is 20 MiB, so the fourth
      // pushes what the server holds past 64 MiB.
      const socket = (raw.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      const replies = Array.from({ length: 5 }, () =>
        raw.call("Annotations", 2, "Get", {
          entities: Array.from({ length: 20 }, () => ({ tag: modelTag })),
        }),
      );
      for (const r of replies) r.catch(() => undefined);
      // The server lets go of the session; the paused client only notices
      // once it reads again.
      while (sim.connectionCount >= before) await new Promise((r) => setTimeout(r, 20));
      socket.resume();
      const closed = await raw.closed;
      expect(closed.code).not.toBe(1000);
    } finally {
      raw.close();
    }
  });
});

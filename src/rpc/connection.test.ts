import { describe, expect, it, vi } from "vitest";
import { fakePair } from "../../test/support/fake-server.js";
import { Connection } from "./connection.js";
import {
  AbortError,
  ConnectionClosedError,
  JujuError,
  JujuNotFoundError,
  ProtocolError,
  TimeoutError,
} from "./errors.js";
import { createMemoryTransportPair } from "./memory-transport.js";

const call = { type: "Client", version: 8, request: "FullStatus" };

describe("Connection", () => {
  it("numbers requests from 1 and sends params {} when omitted", async () => {
    const { conn, server } = fakePair(() => ({ response: { ok: true } }));
    await conn.rpc(call);
    await conn.rpc({ ...call, params: { patterns: ["a"] }, id: "7" });
    expect(server.requests.map((r) => r["request-id"])).toEqual([1, 2]);
    expect(server.requests[0]).toEqual({ "request-id": 1, ...call, params: {} });
    expect(server.requests[1]?.id).toBe("7");
    await conn.close();
  });

  it("matches replies that arrive out of order", async () => {
    const { conn, server } = fakePair(() => undefined);
    const a = conn.rpc<{ n: number }>(call);
    const b = conn.rpc<{ n: number }>(call);
    const c = conn.rpc<{ n: number }>(call);
    await vi.waitFor(() => expect(server.requests).toHaveLength(3));
    server.reply(3, { response: { n: 3 } });
    server.reply(1, { response: { n: 1 } });
    server.reply(2, { response: { n: 2 } });
    expect(await Promise.all([a, b, c])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await conn.close();
  });

  it("resolves an omitted response as {}", async () => {
    const { conn } = fakePair(() => ({ response: undefined }));
    await expect(conn.rpc(call)).resolves.toEqual({});
    await conn.close();
  });

  it("turns error replies into typed JujuErrors with the call site", async () => {
    const { conn } = fakePair(() => ({
      error: 'application "x" not found',
      code: "not found",
      info: { k: 1 },
    }));
    const err = await conn.rpc({ ...call, request: "Frob" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuNotFoundError);
    expect(err).toMatchObject({
      code: "ERR_JUJU_NOT_FOUND",
      jujuCode: "not found",
      facade: "Client",
      version: 8,
      method: "Frob",
      requestId: 1,
      info: { k: 1 },
    });
    await conn.close();
  });

  it("times out a call with TimeoutError and ignores the late reply", async () => {
    const protocolErrors: ProtocolError[] = [];
    const { conn, server } = fakePair(() => undefined, {
      onProtocolError: (e) => protocolErrors.push(e),
    });
    const err = await conn.rpc(call, { timeout: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toContain("Client(8).FullStatus");
    server.reply(1, { response: {} });
    await new Promise((r) => setTimeout(r, 10));
    expect(protocolErrors).toEqual([]);
    expect(conn.pendingCount).toBe(0);
    expect(conn.isClosed).toBe(false);
    await conn.close();
  });

  it("uses the connection's default timeout when the call gives none", async () => {
    const { conn } = fakePair(() => undefined, { timeout: 15 });
    await expect(conn.rpc(call)).rejects.toBeInstanceOf(TimeoutError);
    await conn.close();
  });

  it("aborts a call through its AbortSignal", async () => {
    const { conn, server } = fakePair(() => undefined);
    const ac = new AbortController();
    const p = conn.rpc(call, { signal: ac.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    server.reply(1, { response: {} }); // late reply ignored
    await expect(conn.rpc(call, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortError,
    );
    await conn.close();
  });

  it("rejects every in-flight call with ConnectionClosedError when the peer closes", async () => {
    const { conn, server } = fakePair(() => undefined);
    const calls = [conn.rpc(call), conn.rpc(call)];
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    server.transport.close(1001, "controller shutting down");
    for (const p of calls) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionClosedError);
      expect((err as Error).message).toContain("controller shutting down");
    }
    const reason = await conn.closed();
    expect(reason).toBeInstanceOf(ConnectionClosedError);
    expect(reason?.message).toContain("1001");
    await expect(conn.rpc(call)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("close() rejects in-flight calls and resolves closed() with undefined", async () => {
    const { conn } = fakePair(() => undefined);
    const p = conn.rpc(call);
    await conn.close();
    await expect(p).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await conn.closed()).toBeUndefined();
    await conn.close(); // idempotent
  });

  it("supports await using", async () => {
    const { conn, server } = fakePair(() => ({ response: {} }));
    {
      await using c = conn;
      await c.rpc(call);
    }
    expect(conn.isClosed).toBe(true);
    expect(server.transport.isClosed).toBe(true);
  });

  it("closes with a ProtocolError when the server sends invalid JSON", async () => {
    const { conn, server } = fakePair(() => undefined);
    const p = conn.rpc(call);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    server.sendRaw("{not json");
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as Error).cause).toBeInstanceOf(ProtocolError);
    const reason = await conn.closed();
    expect(reason).toBeInstanceOf(ProtocolError);
    expect(reason?.message).toContain("not JSON");
  });

  it("closes with a ProtocolError when a frame is not an object", async () => {
    const { conn, server } = fakePair(() => undefined);
    server.sendRaw("[1,2]");
    expect(await conn.closed()).toBeInstanceOf(ProtocolError);
  });

  it("reports replies to unknown request-ids without closing", async () => {
    const seen: ProtocolError[] = [];
    const { conn, server } = fakePair(() => ({ response: { ok: 1 } }), {
      onProtocolError: (e) => seen.push(e),
    });
    server.sendRaw(JSON.stringify({ "request-id": 99, response: {} }));
    server.sendRaw(JSON.stringify({ response: {} }));
    await expect(conn.rpc(call)).resolves.toEqual({ ok: 1 });
    expect(seen.map((e) => e.message)).toEqual([
      "server replied to unknown request-id 99",
      "server sent a frame without a valid request-id: null",
    ]);
    expect(conn.isClosed).toBe(false);
    await conn.close();
  });

  it("closes with a ProtocolError on a frame larger than the maximum", async () => {
    const { conn, server } = fakePair(() => undefined, { maxPayload: 100 });
    const p = conn.rpc(call);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    server.reply(1, { response: { big: "x".repeat(200) } });
    await expect(p).rejects.toBeInstanceOf(ConnectionClosedError);
    const reason = await conn.closed();
    expect(reason).toBeInstanceOf(ProtocolError);
    expect(reason?.message).toContain("maximum frame size");
  });

  it("survives a throwing onFrame tap and redacts credentials in it", async () => {
    const frames: unknown[] = [];
    const { conn } = fakePair(() => ({ response: {} }), {
      onFrame: (dir, frame) => {
        frames.push([dir, frame]);
        throw new Error("tap bug");
      },
    });
    await conn.rpc({
      type: "Admin",
      version: 3,
      request: "Login",
      params: { "auth-tag": "user-admin", credentials: "hunter2" },
    });
    expect(JSON.stringify(frames)).not.toContain("hunter2");
    expect(frames).toHaveLength(2);
    await conn.close();
  });

  it("pings periodically after login and closes when a ping fails", async () => {
    let pings = 0;
    const { conn } = fakePair(
      (req) => {
        if (req.type === "Pinger") {
          pings++;
          return pings >= 2 ? { error: "boom", code: "" } : { response: {} };
        }
        return { response: {} };
      },
      { pingInterval: 10 },
    );
    conn.completeLogin({
      facadeVersions: new Map([["Pinger", 1]]),
      serverFacades: new Map([["Pinger", [1]]]),
      clientFacades: { Pinger: [1] },
      info: {} as never,
    });
    const reason = await conn.closed();
    expect(pings).toBe(2);
    expect(reason).toBeInstanceOf(ConnectionClosedError);
    expect(reason?.message).toContain("ping failed: boom");
  });

  it("does not ping when pingInterval is 0", async () => {
    const { conn, server } = fakePair(() => ({ response: {} }), { pingInterval: 0 });
    conn.completeLogin({
      facadeVersions: new Map([["Pinger", 1]]),
      serverFacades: new Map(),
      clientFacades: {},
      info: {} as never,
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(server.requests).toEqual([]);
    await conn.close();
  });

  it("delivers frames that arrived before the receiver was set", async () => {
    const [a, b] = createMemoryTransportPair();
    b.setReceiver((text) => {
      const req = JSON.parse(text) as { "request-id": number };
      b.send(JSON.stringify({ "request-id": req["request-id"], response: { pong: true } }));
    });
    const conn = new Connection(a);
    await expect(conn.rpc(call)).resolves.toEqual({ pong: true });
    await conn.close();
  });

  it("rejects a call whose params cannot be serialised, without sending it", async () => {
    const { conn, server } = fakePair(() => ({ response: {} }));
    await expect(conn.rpc({ ...call, params: { n: 1n } })).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toEqual([]);
    await conn.close();
  });

  it("keeps JujuError as the base class of server errors", async () => {
    const { conn } = fakePair(() => ({ error: "nope", code: "weird" }));
    const err = await conn.rpc(call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).jujuCode).toBe("weird");
    await conn.close();
  });
});

/**
 * Test support: a scripted Juju API peer on the far end of a memory
 * transport. Not part of the package (it lives under `test/`).
 * @module
 */
import type { RequestFrame } from "../../src/protocol/frames.js";
import type { TransportFactory } from "../../src/rpc/connect.js";
import { Connection, type ConnectionOptions } from "../../src/rpc/connection.js";
import { ConnectError } from "../../src/rpc/errors.js";
import { createMemoryTransportPair, type MemoryTransport } from "../../src/rpc/memory-transport.js";

/** What a handler may answer: a response, an error, or nothing (answer later / never). */
export type FakeReply =
  | { response: unknown }
  | { error: string; code?: string; info?: Record<string, unknown> }
  | undefined;

/** A scripted server. */
export interface FakeServer {
  transport: MemoryTransport;
  /** Every request received, in order. */
  requests: RequestFrame[];
  /** Sends a raw text frame to the client. */
  sendRaw(text: string): void;
  /** Answers request `id` now. */
  reply(id: number, reply: Exclude<FakeReply, undefined>): void;
}

/** Creates a connection whose peer answers with `handler`. */
export function fakePair(
  handler: (req: RequestFrame, server: FakeServer) => FakeReply | Promise<FakeReply>,
  options: ConnectionOptions & { maxPayload?: number } = {},
): { conn: Connection; server: FakeServer } {
  const [client, serverEnd] = createMemoryTransportPair(
    options.maxPayload ? { maxPayload: options.maxPayload } : {},
  );
  const server: FakeServer = {
    transport: serverEnd,
    requests: [],
    sendRaw: (text) => {
      if (!serverEnd.isClosed) serverEnd.send(text);
    },
    reply: (id, reply) => {
      const frame: Record<string, unknown> = { "request-id": id };
      if ("response" in reply) frame.response = reply.response;
      else {
        frame.error = reply.error;
        if (reply.code) frame["error-code"] = reply.code;
        if (reply.info) frame["error-info"] = reply.info;
      }
      server.sendRaw(JSON.stringify(frame));
    },
  };
  serverEnd.setReceiver((text) => {
    const req = JSON.parse(text) as RequestFrame;
    server.requests.push(req);
    void Promise.resolve(handler(req, server)).then((reply) => {
      if (reply) server.reply(req["request-id"], reply);
    });
  });
  const conn = new Connection(client, options);
  return { conn, server };
}

/** A Login reply like a 3.6 controller's, for the given facades. */
export function loginResponse(
  facades: { name: string; versions: number[] }[],
  extra: Record<string, unknown> = {},
): { response: unknown } {
  return {
    response: {
      servers: [[{ value: "127.0.0.1", type: "ipv4", scope: "local-machine", port: 17070 }]],
      "model-tag": "model-11111111-2222-4333-8444-555555555555",
      "controller-tag": "controller-99999999-2222-4333-8444-555555555555",
      "user-info": {
        "display-name": "",
        identity: "user-admin",
        "controller-access": "superuser",
        "model-access": "admin",
      },
      facades,
      "server-version": "3.6.28",
      ...extra,
    },
  };
}

/** A transport factory whose far ends are scripted per URL. */
export function scriptedFactory(
  script: (url: string, req: RequestFrame) => FakeReply,
  dialed: string[],
): TransportFactory {
  return async (url, options) => {
    dialed.push(`${url} ca=${options.ca ?? "-"}`);
    if (url.includes("dead")) throw new ConnectError(`cannot connect to ${url}: refused`, url);
    const [client, server] = createMemoryTransportPair();
    server.setReceiver((text) => {
      const req = JSON.parse(text) as RequestFrame;
      const reply = script(url, req);
      if (!reply) return;
      const frame: Record<string, unknown> = { "request-id": req["request-id"] };
      if ("response" in reply) frame.response = reply.response;
      else
        Object.assign(frame, {
          error: reply.error,
          "error-code": reply.code,
          "error-info": reply.info,
        });
      server.send(JSON.stringify(frame));
    });
    return client;
  };
}

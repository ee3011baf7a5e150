/**
 * One HTTPS request to a simulator's API port (charm and resource endpoints),
 * trusting its CA, for tests that check replies byte for byte.
 */
import type { IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/** A whole reply. */
export interface SimHttpsReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The Content-Type header as a string (`"undefined"` when absent). */
  type: string;
  body: Buffer;
  json: () => Record<string, unknown>;
}

/** Sends `body` (if any) and resolves with the reply. */
export function simHttps(
  sim: { port: number; caCert: string },
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: Buffer,
): Promise<SimHttpsReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: sim.port,
        method,
        path,
        headers,
        ca: sim.caCert,
        servername: "juju-apiserver",
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const buf = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            type: String(res.headers["content-type"]),
            body: buf,
            json: () => JSON.parse(buf.toString("utf8")) as Record<string, unknown>,
          });
        });
      },
    );
    // The server may answer (413) and close before the whole body is sent.
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ECONNRESET") return;
      reject(e);
    });
    req.end(body);
  });
}

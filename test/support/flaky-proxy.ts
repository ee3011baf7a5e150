/**
 * Test support: a loopback TCP proxy that plays a bad network between a
 * client and the simulator. It forwards bytes both ways until told to
 * `drop()` every connection (both sides see a reset), `pause()` (a black
 * hole: connections stay open, nothing moves either way, new connections
 * are accepted but never reach the target) or `resume()`. TLS passes
 * through untouched, so the client still verifies the controller.
 * @module
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A connection through the proxy: the client side and the target side. */
interface Pair {
  client: Socket;
  target: Socket | undefined;
  /** Bytes from the client not yet forwarded (while paused or before the target is up). */
  up: Buffer[];
  /** Bytes from the target not yet forwarded (while paused). */
  down: Buffer[];
}

/** A running proxy; see the module doc. */
export class FlakyProxy implements AsyncDisposable {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #target: { host: string; port: number };
  #paused = false;
  #accepted = 0;

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
    server.on("connection", (socket) => this.#accept(socket));
  }

  /** Starts a proxy on 127.0.0.1 (a free port) towards `target` (`host:port`). */
  static async start(target: string): Promise<FlakyProxy> {
    const server = createServer();
    const proxy = new FlakyProxy(server, parseHostPort(target));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return proxy;
  }

  /** `127.0.0.1:<port>`, to use as an API endpoint. */
  get endpoint(): string {
    const a = this.#server.address();
    if (a === null || typeof a === "string") throw new Error("the proxy is not listening");
    return `127.0.0.1:${a.port}`;
  }

  /** Connections accepted so far. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Connections open now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** True while black-holing. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Changes where new connections go. */
  retarget(target: string): void {
    this.#target = parseHostPort(target);
  }

  /** Resets every open connection, both sides (new ones are still accepted). */
  drop(): void {
    for (const p of [...this.#pairs]) this.#close(p);
  }

  /**
   * Black-holes: open connections stop moving bytes (both directions are
   * held, as by a dead router) and new connections are accepted but never
   * connected to the target.
   */
  pause(): void {
    this.#paused = true;
  }

  /** Lets bytes flow again; held bytes are delivered, held connections go through. */
  resume(): void {
    this.#paused = false;
    for (const p of this.#pairs) {
      if (p.target === undefined) this.#link(p);
      else this.#flush(p);
    }
  }

  /** Drops everything and stops listening. */
  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #accept(client: Socket): void {
    this.#accepted++;
    const pair: Pair = { client, target: undefined, up: [], down: [] };
    this.#pairs.add(pair);
    client.on("error", () => this.#close(pair));
    client.on("close", () => this.#close(pair));
    client.on("data", (chunk: Buffer) => {
      pair.up.push(chunk);
      this.#flush(pair);
    });
    if (!this.#paused) this.#link(pair);
  }

  #link(pair: Pair): void {
    const target = tcpConnect(this.#target.port, this.#target.host);
    pair.target = target;
    target.on("error", () => this.#close(pair));
    target.on("close", () => this.#close(pair));
    target.on("data", (chunk: Buffer) => {
      pair.down.push(chunk);
      this.#flush(pair);
    });
    target.on("connect", () => this.#flush(pair));
  }

  /** Forwards what is held, unless black-holing. */
  #flush(pair: Pair): void {
    const target = pair.target;
    if (this.#paused || target === undefined || target.connecting) return;
    for (const chunk of pair.up.splice(0)) target.write(chunk);
    for (const chunk of pair.down.splice(0)) pair.client.write(chunk);
  }

  #close(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.target?.resetAndDestroy();
  }
}

function parseHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(":");
  const host = hp.slice(0, i).replace(/^\[|\]$/g, "");
  return { host, port: Number(hp.slice(i + 1)) };
}

/**
 * An in-memory {@link Transport} pair: what one end sends, the other end
 * receives, asynchronously and in order. Used by fast tests and by
 * in-process servers. No Node-only imports.
 * @module
 */
import { ConnectionClosedError, ProtocolError } from "./errors.js";
import { CloseCodes, type Transport, type TransportCloseInfo } from "./transport.js";

/** Options of {@link createMemoryTransportPair}. */
export interface MemoryTransportOptions {
  /**
   * Largest frame (in UTF-8 bytes) each end accepts; a larger incoming frame
   * closes the pair with code 1009, as `ws` does. Default: unlimited.
   */
  maxPayload?: number;
}

/** One end of an in-memory transport pair. */
export class MemoryTransport implements Transport {
  #peer: MemoryTransport | undefined;
  #receiver: ((text: string) => void) | undefined;
  #backlog: string[] = [];
  #closed = false;
  #resolveClosed!: (info: TransportCloseInfo) => void;
  readonly #maxPayload: number;
  /** @inheritDoc */
  readonly closed: Promise<TransportCloseInfo>;

  /** @internal Use {@link createMemoryTransportPair}. */
  constructor(maxPayload = 0) {
    this.#maxPayload = maxPayload;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** @internal */
  link(peer: MemoryTransport): void {
    this.#peer = peer;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  send(text: string): void {
    if (this.#closed) throw new ConnectionClosedError("cannot send: the transport is closed");
    const peer = this.#peer;
    queueMicrotask(() => peer?.deliver(text));
  }

  setReceiver(receiver: (text: string) => void): void {
    this.#receiver = receiver;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const text of backlog) receiver(text);
  }

  close(code: number = CloseCodes.normal, reason = "closed"): void {
    this.#finish({ code, reason });
  }

  /** @internal Delivers a frame sent by the peer. */
  deliver(text: string): void {
    if (this.#closed) return;
    if (this.#maxPayload > 0 && utf8Length(text) > this.#maxPayload) {
      this.#finish({
        code: CloseCodes.messageTooBig,
        reason: `frame exceeds the maximum size of ${this.#maxPayload} bytes`,
        error: new ProtocolError(
          `received a frame larger than the maximum frame size (${this.#maxPayload} bytes)`,
        ),
      });
      return;
    }
    if (this.#receiver) this.#receiver(text);
    else this.#backlog.push(text);
  }

  #finish(info: TransportCloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resolveClosed(info);
    const peer = this.#peer;
    // The peer learns of the close after frames already in flight.
    if (peer) queueMicrotask(() => peer.#finish({ code: info.code, reason: info.reason }));
  }
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Creates two linked transports: frames sent on one are received on the other.
 * Closing either end closes both.
 */
export function createMemoryTransportPair(
  options: MemoryTransportOptions = {},
): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(options.maxPayload ?? 0);
  const b = new MemoryTransport(options.maxPayload ?? 0);
  a.link(b);
  b.link(a);
  return [a, b];
}

/**
 * The transport seam between a {@link Connection} and the network. A
 * transport moves whole text frames; it knows nothing of JSON or Juju.
 * Implementations: `WebSocketTransport` (Node `ws` over TLS) and
 * `MemoryTransport` (an in-memory pair for tests and in-process servers).
 * This module has no Node-only imports, so the connection core can run in
 * a browser over a native `WebSocket` adapter.
 * @module
 */

/** Why a transport closed. */
export interface TransportCloseInfo {
  /** WebSocket close code (1000 normal, 1006 abnormal, 1009 frame too big, …). */
  code: number;
  /** Human-readable reason, never containing credentials. */
  reason: string;
  /** The error that caused the close, when it was not a clean close. */
  error?: Error;
}

/** A bidirectional channel of text frames. */
export interface Transport {
  /**
   * Sends one text frame. Throws a `ConnectionClosedError` when the
   * transport is already closed.
   */
  send(text: string): void;
  /**
   * Registers the function that receives every incoming text frame, in
   * order. Frames that arrived before a receiver was set are delivered to
   * it when it is set. Only one receiver is kept.
   */
  setReceiver(receiver: (text: string) => void): void;
  /** Closes the transport. Idempotent. */
  close(code?: number, reason?: string): void;
  /** Resolves (never rejects) once the transport is closed, with why. */
  readonly closed: Promise<TransportCloseInfo>;
  /** True once the transport is closed or closing. */
  readonly isClosed: boolean;
}

/** Close codes used by libjuju transports. */
export const CloseCodes = {
  /** 1000: a normal close. */
  normal: 1000,
  /** 1001: the peer is going away (server shutdown, page left). */
  goingAway: 1001,
  /** 1002: the peer broke the WebSocket protocol. */
  protocolError: 1002,
  /** 1006: the connection dropped without a close frame (never sent, only reported). */
  abnormal: 1006,
  /** 1009: a frame was too big to handle. */
  messageTooBig: 1009,
} as const;

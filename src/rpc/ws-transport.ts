/**
 * A {@link Transport} over a TLS WebSocket, using the `ws` package (Node only).
 *
 * Certificate verification follows Juju's Go client (`api.NewTLSConfig`):
 * the server certificate must chain to the controller CA given in `ca`
 * (from `controllers.yaml` `ca-cert`) and must be valid for the name
 * `juju-apiserver`, whatever host or IP address is dialled. Verification is
 * skipped only when `insecureSkipVerify: true` is passed explicitly.
 * @module
 */
import {
  type ConnectionOptions,
  checkServerIdentity,
  type PeerCertificate,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import WebSocket from "ws";
import { AbortError, ConnectError, ConnectionClosedError, ProtocolError } from "./errors.js";
import { CloseCodes, type Transport, type TransportCloseInfo } from "./transport.js";

/** The TLS server name Juju controllers' certificates are checked against. */
export const JUJU_API_SERVER_NAME = "juju-apiserver";

/** Default maximum frame size: 64 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;

/** Options of {@link WebSocketTransport.connect}. */
export interface WebSocketTransportOptions {
  /** PEM of the controller CA certificate to trust (instead of the system roots). */
  ca?: string;
  /**
   * Name the server certificate must be valid for. Default `"juju-apiserver"`,
   * as Juju's own client does.
   */
  serverName?: string;
  /** Skip certificate verification entirely. Insecure; explicit opt-in only. */
  insecureSkipVerify?: boolean;
  /** Largest incoming frame accepted, in bytes. Default 64 MiB. */
  maxFrameSize?: number;
  /** Milliseconds to wait for the TCP+TLS+WebSocket handshake. Default 30 s; 0 for none. */
  timeout?: number;
  /** Cancels the dial. */
  signal?: AbortSignal;
}

function describeDialError(err: Error & { code?: string }): string {
  const tlsCodes = new Set([
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_SIGNATURE_FAILURE",
  ]);
  if (err.code && tlsCodes.has(err.code)) {
    return `TLS certificate verification failed (${err.code}): ${err.message}`;
  }
  return err.message;
}

/** A {@link Transport} over a `ws` WebSocket. Create with {@link WebSocketTransport.connect}. */
export class WebSocketTransport implements Transport {
  readonly #ws: WebSocket;
  readonly #socket: TLSSocket | undefined;
  #corked = false;
  #receiver: ((text: string) => void) | undefined;
  #backlog: string[] = [];
  #closing = false;
  #error: Error | undefined;
  /** @inheritDoc */
  readonly closed: Promise<TransportCloseInfo>;

  private constructor(ws: WebSocket, maxFrameSize: number, socket: TLSSocket | undefined) {
    this.#ws = ws;
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      ws.on("close", (code: number, reasonBuf: Buffer) => {
        this.#closing = true;
        const reason = reasonBuf.toString("utf8");
        const info: TransportCloseInfo = { code, reason: reason || `websocket closed (${code})` };
        if (this.#error) info.error = this.#error;
        resolve(info);
      });
    });
    ws.on("error", (err: Error & { code?: string }) => {
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        this.#error = new ProtocolError(
          `received a frame larger than the maximum frame size (${maxFrameSize} bytes)`,
          { cause: err },
        );
      } else {
        this.#error ??= err;
      }
    });
    ws.on("message", (data: WebSocket.RawData) => {
      const text = rawDataToText(data);
      if (this.#receiver) this.#receiver(text);
      else this.#backlog.push(text);
    });
  }

  /**
   * Opens a WebSocket to `url` (`wss://host:port/model/<uuid>/api` or
   * `wss://host:port/api`). Rejects with {@link ConnectError} (TLS failure,
   * refused, HTTP error, timeout) or {@link AbortError}.
   */
  static connect(
    url: string,
    options: WebSocketTransportOptions = {},
  ): Promise<WebSocketTransport> {
    const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const serverName = options.serverName ?? JUJU_API_SERVER_NAME;
    const timeout = options.timeout ?? 30_000;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortError("connect aborted"));
    // Node's tls options; @types/ws types checkServerIdentity with the wrong return type.
    const tlsOptions: ConnectionOptions = options.insecureSkipVerify
      ? { rejectUnauthorized: false }
      : {
          rejectUnauthorized: true,
          servername: serverName,
          checkServerIdentity: (_host: string, cert: PeerCertificate) =>
            checkServerIdentity(serverName, cert),
          ...(options.ca ? { ca: options.ca } : {}),
        };
    // The transport keeps the TLS socket so that it can batch frames (see send).
    let socket: TLSSocket | undefined;
    const ws = new WebSocket(url, {
      ...(tlsOptions as WebSocket.ClientOptions),
      maxPayload: maxFrameSize,
      perMessageDeflate: false,
      followRedirects: false,
      createConnection: (opts: object) => {
        // As ws's own TLS connector: `path` is the request path, not a socket path.
        socket = tlsConnect({ ...(opts as ConnectionOptions), path: undefined });
        return socket;
      },
    });
    return new Promise<WebSocketTransport>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        ws.off("open", onOpen);
        ws.off("error", onError);
      };
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        // Keep a listener so a late 'error' event can never crash the process.
        ws.on("error", () => {});
        ws.terminate();
        reject(err);
      };
      const onOpen = () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve(new WebSocketTransport(ws, maxFrameSize, socket));
      };
      const onError = (err: Error & { code?: string }) => {
        fail(
          new ConnectError(`cannot connect to ${url}: ${describeDialError(err)}`, url, {
            cause: err,
          }),
        );
      };
      const onAbort = () => fail(new AbortError(`connect to ${url} aborted`));
      ws.once("open", onOpen);
      ws.on("error", onError);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout > 0) {
        timer = setTimeout(
          () =>
            fail(new ConnectError(`cannot connect to ${url}: timed out after ${timeout} ms`, url)),
          timeout,
        );
      }
    });
  }

  get isClosed(): boolean {
    return this.#closing || this.#ws.readyState >= WebSocket.CLOSING;
  }

  send(text: string): void {
    if (this.isClosed) throw new ConnectionClosedError("cannot send: the websocket is closed");
    // Frames sent in the same tick leave in one write: many concurrent calls
    // then cost one syscall instead of one each, at no added latency.
    const socket = this.#socket;
    if (socket && !this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(this.#uncork);
    }
    this.#ws.send(text, this.#afterSend);
  }

  // One callback for every send (not a closure per frame).
  readonly #afterSend = (err?: Error | null) => {
    if (err) {
      this.#error ??= err;
      this.#ws.terminate();
    }
  };
  readonly #uncork = () => {
    this.#corked = false;
    this.#socket?.uncork();
  };

  setReceiver(receiver: (text: string) => void): void {
    this.#receiver = receiver;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const text of backlog) receiver(text);
  }

  close(code: number = CloseCodes.normal, reason = "closed by client"): void {
    if (this.#ws.readyState >= WebSocket.CLOSING) return;
    this.#closing = true;
    this.#ws.close(code, reason);
    // Do not wait forever for a peer that never answers the close handshake.
    const t = setTimeout(() => this.#ws.terminate(), 2_000);
    t.unref?.();
    void this.closed.then(() => clearTimeout(t));
  }
}

/** Frame payload as text; `ws` hands over a Buffer by default, decoded without a copy. */
function rawDataToText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/**
 * The one connectNative port to the companion: request/reply correlation,
 * a hello on every (re)connect, and reconnects with exponential backoff.
 */

import { backoffDelay } from "./lib/backoff.js";
import {
  type DisconnectReason,
  type HelloReply,
  HOST_NAME,
  type ProtocolError,
  PROTOCOL_VERSION,
  RemoteError,
  classifyDisconnect,
  parseReply,
} from "./lib/protocol.js";

export type ConnectionStatus = "connecting" | "connected" | "not_installed" | "forbidden" | "disconnected";

export interface ConnectionInfo {
  status: ConnectionStatus;
  hello: HelloReply | null;
  lastError: string;
  attempts: number;
}

export interface ConnectionEvents {
  onConnected(hello: HelloReply): void;
  onDisconnected(reason: DisconnectReason, message: string): void;
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** DisconnectedError is returned for requests made or pending while the port is down. */
export class DisconnectedError extends Error {
  constructor(message = "the companion is not connected") {
    super(message);
    this.name = "DisconnectedError";
  }
}

export class NativeConnection {
  private port: chrome.runtime.Port | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  // The last error the host sent without a request id on the current port.
  private portError: ProtocolError | null = null;
  private info: ConnectionInfo = { status: "disconnected", hello: null, lastError: "", attempts: 0 };

  constructor(
    private readonly events: ConnectionEvents,
    private readonly extensionVersion: string,
  ) {}

  get state(): ConnectionInfo {
    return { ...this.info };
  }

  /** connect opens the port now unless it is open; it cancels a scheduled reconnect. */
  connect(): void {
    if (this.port !== null) return;
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    // Keep telling "not installed" or "forbidden" while retrying: it is still true until the hello succeeds.
    const keep = this.info.status === "not_installed" || this.info.status === "forbidden";
    this.info = { ...this.info, status: keep ? this.info.status : "connecting" };
    let port: chrome.runtime.Port;
    try {
      port = chrome.runtime.connectNative(HOST_NAME);
    } catch (e) {
      this.handleDisconnect(null, e instanceof Error ? e.message : String(e));
      return;
    }
    this.port = port;
    this.portError = null;
    port.onMessage.addListener((msg: unknown) => this.handleMessage(msg));
    port.onDisconnect.addListener((p: chrome.runtime.Port & { error?: { message?: string } | null }) => {
      // Chromium says why in runtime.lastError, Firefox in the port's error.
      const why = chrome.runtime.lastError?.message ?? p.error?.message;
      this.handleDisconnect(port, why ?? "the companion closed the connection");
    });
    this.request({ type: "hello", protocol: PROTOCOL_VERSION, extension_version: this.extensionVersion }).then(
      (reply) => {
        if (this.port !== port) return;
        const hello = reply as unknown as HelloReply;
        this.info = { status: "connected", hello, lastError: "", attempts: 0 };
        this.events.onConnected(hello);
      },
      (err: unknown) => {
        if (this.port !== port) return;
        // A companion that answers hello with an error is unusable: drop it and retry later.
        this.info = { ...this.info, lastError: err instanceof Error ? err.message : String(err) };
        port.disconnect();
        this.handleDisconnect(port, this.info.lastError);
      },
    );
  }

  /** refreshHello asks the companion again for its sign-in and sync state (for the popup). */
  async refreshHello(): Promise<void> {
    const port = this.port;
    if (port === null || this.info.status !== "connected") return;
    const reply = await this.request({ type: "hello", protocol: PROTOCOL_VERSION, extension_version: this.extensionVersion });
    if (this.port === port && this.info.status === "connected") {
      this.info = { ...this.info, hello: reply as unknown as HelloReply };
    }
  }

  /** request sends one request and resolves with the ok reply's fields, or rejects (RemoteError, DisconnectedError). */
  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const port = this.port;
    if (port === null) return Promise.reject(new DisconnectedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`request ${String(body.type)}: no reply in ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        port.postMessage({ id, ...body });
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new DisconnectedError(e instanceof Error ? e.message : String(e)));
      }
    });
  }

  private handleMessage(msg: unknown): void {
    const reply = parseReply(msg);
    if (reply !== null && reply.id === null && !reply.ok) {
      // An error about no request in particular, such as the host refusing
      // this extension before it exits: it explains the disconnect to come.
      this.portError = reply.error;
      console.warn(`worktime: the companion says ${reply.error.code}: ${reply.error.message}`);
      return;
    }
    if (reply === null || typeof reply.id !== "number") {
      console.warn("worktime: ignoring a message from the companion that is not a reply", msg);
      return;
    }
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply);
    else p.reject(new RemoteError(reply.error));
  }

  private handleDisconnect(port: chrome.runtime.Port | null, message: string): void {
    if (port !== null && this.port !== port) return;
    const wasConnected = this.info.status === "connected";
    this.port = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DisconnectedError(message));
      this.pending.delete(id);
    }
    const portError = this.portError;
    this.portError = null;
    if (portError !== null) message = `${portError.code}: ${portError.message}`;
    const reason: DisconnectReason = portError?.code === "forbidden" ? "forbidden" : classifyDisconnect(message);
    const status: ConnectionStatus =
      reason === "not_installed" ? "not_installed" : reason === "forbidden" ? "forbidden" : "disconnected";
    const attempts = wasConnected ? 0 : this.info.attempts;
    this.info = { status, hello: null, lastError: message, attempts: attempts + 1 };
    this.events.onDisconnected(reason, message);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, backoffDelay(attempts));
  }
}

// Bun hands WebSocket events to the server's `websocket` handlers, not to a socket object.
// The bridge gives a handler the same object Deno does: an EventTarget with `open`,
// `message` and `close` events, `send`, `close` and `readyState`.
import type { BunSocket } from "./_hosts.ts";

/** A `ServerWebSocket` over Bun's socket, created at upgrade and bound on `open`. */
export class BunSocketBridge extends EventTarget {
  #socket: BunSocket | undefined;
  #state = 0;
  #queued: Array<() => void> = [];

  get readyState(): number {
    return this.#state;
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#socket === undefined) {
      this.#queued.push(() => this.#socket?.send(data));
      return;
    }
    this.#socket.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.#state >= 2) return;
    if (this.#socket === undefined) {
      this.#state = 2;
      this.#queued.push(() => this.#socket?.close(code, reason));
      return;
    }
    this.#state = 2;
    this.#socket.close(code, reason);
  }

  /** Bun's `open` handler. */
  opened(socket: BunSocket): void {
    this.#socket = socket;
    const closing = this.#state === 2;
    if (!closing) this.#state = 1;
    this.dispatchEvent(new Event("open"));
    for (const run of this.#queued.splice(0)) run();
  }

  /** Bun's `message` handler. */
  received(message: string | Uint8Array): void {
    this.dispatchEvent(new MessageEvent("message", { data: message }));
  }

  /** Bun's `close` handler. */
  closed(code: number, reason: string): void {
    this.#state = 3;
    const event = new Event("close") as Event & {
      code?: number;
      reason?: string;
      wasClean?: boolean;
    };
    Object.defineProperties(event, {
      code: { value: code },
      reason: { value: reason },
      wasClean: { value: true },
    });
    this.dispatchEvent(event);
  }
}

/** Bun's `websocket` handlers for `Bun.serve`, dispatching to the bridges. */
export const bunWebSocketHandlers = {
  open(ws: BunSocket): void {
    (ws.data as BunSocketBridge).opened(ws);
  },
  message(ws: BunSocket, message: string | Uint8Array): void {
    (ws.data as BunSocketBridge).received(message);
  },
  close(ws: BunSocket, code: number, reason: string): void {
    (ws.data as BunSocketBridge).closed(code, reason);
  },
};

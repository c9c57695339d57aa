// Bun hands WebSocket events to the server's `websocket` handlers, not to a socket object.
// The bridge gives a handler the same object Deno does: an EventTarget with `open`,
// `message` and `close` events, `send`, `close` and `readyState`.
import type { BunSocket } from "./_hosts.ts";
import type { BunWebSocketOption } from "./bun_websocket_option.ts";

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

  /**
   * Bun's `open` handler. Bun 1.4.5 calls it inside `server.upgrade()`, before the handler
   * that upgraded has had the socket back to add its listeners: the `open` event goes out
   * on the next microtask (as Deno's comes after the upgrade, not inside it).
   */
  opened(socket: BunSocket): void {
    this.#socket = socket;
    const closing = this.#state === 2;
    if (!closing) this.#state = 1;
    for (const run of this.#queued.splice(0)) run();
    queueMicrotask(() => this.dispatchEvent(new Event("open")));
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

type SocketHandler = (ws: BunSocket, ...args: unknown[]) => unknown;

/**
 * Bun's `websocket` handlers for `Bun.serve`: sockets upgraded by
 * `RequestScope.upgradeWebSocket()` go to their bridge, every other socket (a framework's
 * own upgrade, e.g. `hono/bun`'s `upgradeWebSocket`) to `user`'s handlers; those are kept in
 * `others` while open, so the drain can close them with 1001.
 */
export function bunWebSocketHandlers(
  user: BunWebSocketOption | undefined,
  others: Set<BunSocket>,
): BunWebSocketOption {
  const call = (name: string, ws: BunSocket, args: unknown[]): unknown => {
    const handler = user?.[name];
    return typeof handler === "function"
      ? (handler as SocketHandler).call(user, ws, ...args)
      : undefined;
  };
  const ours = (ws: BunSocket) => ws.data instanceof BunSocketBridge;
  const passing = (name: string) => (ws: BunSocket, ...args: unknown[]) =>
    ours(ws) ? undefined : call(name, ws, args);
  return {
    ...user,
    drain: passing("drain"),
    ping: passing("ping"),
    pong: passing("pong"),
    open(ws: BunSocket): unknown {
      if (ours(ws)) return (ws.data as BunSocketBridge).opened(ws);
      others.add(ws);
      return call("open", ws, []);
    },
    message(ws: BunSocket, message: string | Uint8Array): unknown {
      if (ours(ws)) return (ws.data as BunSocketBridge).received(message);
      return call("message", ws, [message]);
    },
    close(ws: BunSocket, code: number, reason: string): unknown {
      if (ours(ws)) return (ws.data as BunSocketBridge).closed(code, reason);
      others.delete(ws);
      return call("close", ws, [code, reason]);
    },
  };
}

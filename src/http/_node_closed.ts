// Counting the connections a `node:http` server's drain closes that carry no request, by
// what they held (Node sees each connection, so it can tell the three apart): a keep-alive
// connection between requests, one holding part of a request (bytes arrived since its last
// response), one that never sent a byte. Connections with a response in progress are the
// drain's requests (tracked and named elsewhere); upgraded ones (WebSockets) are not HTTP's.
// Bun's `node:http` reports `bytesRead` 0 whatever was read (Bun 1.4.5): there, every
// connection closed counts as one kind, as with Bun's own server.
import { type ClosedConnections, noneClosed } from "./_closed_connections.ts";
import type { NodeSocket } from "./_node_hosts.ts";

/** The counts of one server's closed connections. */
export class NodeClosedCount {
  /** Bytes received on a connection when its last response finished. */
  readonly #answered = new WeakMap<NodeSocket, number>();
  readonly #counted = new WeakSet<NodeSocket>();
  #closed = noneClosed();
  readonly #sorts: boolean;

  /** `sorts`: whether the sockets' `bytesRead` can tell the kinds apart. */
  constructor(sorts: boolean) {
    this.#sorts = sorts;
  }

  /** A response on `socket` finished. */
  responded(socket: NodeSocket): void {
    this.#answered.set(socket, socket.bytesRead ?? 0);
  }

  /** Runs `closeIdle` (Node's `closeIdleConnections()`), counting what it destroyed as idle. */
  sweep(sockets: Iterable<NodeSocket>, closeIdle: () => void): void {
    const live: NodeSocket[] = [];
    for (const socket of sockets) if (!socket.destroyed) live.push(socket);
    closeIdle();
    for (const socket of live) {
      if (!socket.destroyed || !this.#count(socket)) continue;
      if (this.#sorts) this.#closed.idle++;
      else this.#closed.unsorted++;
    }
  }

  /** The sockets are about to be destroyed: counts those that carry no request, by kind. */
  closing(sockets: Iterable<NodeSocket>): void {
    for (const socket of sockets) {
      if (socket.destroyed || socket._httpMessage || socket.parser === null) {
        continue; // gone, a request in progress, or upgraded
      }
      if (!this.#count(socket)) continue;
      if (!this.#sorts) {
        this.#closed.unsorted++;
        continue;
      }
      const read = socket.bytesRead ?? 0;
      if (read === 0) this.#closed.silent++;
      else if (read > (this.#answered.get(socket) ?? 0)) {
        this.#closed.incomplete++;
      } else this.#closed.idle++;
    }
  }

  /** What was counted since the last call. */
  take(): ClosedConnections {
    const closed = this.#closed;
    this.#closed = noneClosed();
    return closed;
  }

  #count(socket: NodeSocket): boolean {
    if (this.#counted.has(socket)) return false;
    this.#counted.add(socket);
    return true;
  }
}

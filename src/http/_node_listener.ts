import { describe } from "../_validate.ts";
import type { HttpListener } from "./graceful_http.ts";
import type { NodeServer, NodeSocket } from "./_node_hosts.ts";
import { COUNT_CLOSED, type CountingListener } from "./_closed_connections.ts";
import { NodeClosedCount } from "./_node_closed.ts";
import { bunHost } from "./_hosts.ts";

/**
 * How long a keep-alive connection must have been quiet before the stop closes it: a
 * client that got a keep-alive response just before the signal may be sending its next
 * request on that connection right now, and closing it then loses the request (the
 * keep-alive race). Every response from the first signal on says `Connection: close`, so
 * connections that keep working close themselves; only the quiet ones need closing.
 */
export const KEEP_ALIVE_QUIET_MS = 1_000;

const SERVER_METHODS = [
  "close",
  "closeIdleConnections",
  "closeAllConnections",
  "prependListener",
] as const;

/** Throws unless `server` looks like a `node:http` server (Node 18.2 or later). */
export function validateNodeServer(server: unknown, name: string): NodeServer {
  for (const method of SERVER_METHODS) {
    if (
      typeof (server as Record<string, unknown> | null)?.[method] !== "function"
    ) {
      throw new TypeError(
        `Cannot use ${name}: expected a node:http server (with ${method}()), got ${
          describe(server)
        }`,
      );
    }
  }
  return server as NodeServer;
}

/**
 * An {@linkcode HttpListener} for a `node:http` server. `stop()` stops accepting, leaves
 * busy connections to end after their response (which says `Connection: close`), closes
 * idle keep-alive connections once they have been quiet for `KEEP_ALIVE_QUIET_MS`, and
 * settles when every connection has ended (WebSockets included); `close()` ends them all.
 * It counts the connections it closes that carry no request, by kind.
 */
export function nodeServerListener(
  server: NodeServer,
): HttpListener & CountingListener {
  // When the last keep-alive response (one that left its connection open) finished.
  let lastKeepAlive = -Infinity;
  const onBun = bunHost() !== undefined;
  const closed = new NodeClosedCount(!onBun);
  server.prependListener("request", (request, response) => {
    const socket = request.socket;
    response.once("finish", () => {
      closed.responded(socket);
      // `_last`: Node closes the connection after this response (`Connection: close`).
      if (!(response as { _last?: boolean })._last) {
        lastKeepAlive = performance.now();
      }
    });
  });
  // Every connection, for the deadline: `closeAllConnections()` skips upgraded ones.
  const sockets = new Set<NodeSocket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  let sweep: ReturnType<typeof setTimeout> | undefined;
  let stopped: Promise<void> | undefined;
  // Closes the connections Node sees idle (no request started on them) once no keep-alive
  // response went out for the quiet time; again later for any a response left open. Node
  // also counts as idle a connection whose response has ended but is still being written
  // (a large body to a slow reader: `end()` was called, the bytes wait in the socket's
  // buffer) and destroys it, cutting the response: the sweep waits until none is.
  const closeIdle = () => {
    const wait = lastKeepAlive + KEEP_ALIVE_QUIET_MS - performance.now();
    if (wait <= 0 && !writing()) {
      closed.sweep(sockets, () => server.closeIdleConnections());
    }
    sweep = setTimeout(closeIdle, wait > 0 ? wait : KEEP_ALIVE_QUIET_MS);
  };
  const writing = () => {
    for (const socket of sockets) {
      const message = socket._httpMessage;
      if (message && message.writableEnded && !message.writableFinished) {
        return true;
      }
    }
    return false;
  };
  return {
    stop: () => {
      // Bun's `close()` closes the idle connections itself, whatever is done here.
      if (stopped === undefined && onBun) closed.closing(sockets);
      stopped ??= new Promise<void>((resolve) => {
        // Node's close() also closes idle keep-alive connections at once (since Node 19),
        // racing clients that are reusing them: stop only the listener here.
        const own = Object.getOwnPropertyDescriptor(
          server,
          "closeIdleConnections",
        );
        Object.defineProperty(server, "closeIdleConnections", {
          value: () => {},
          configurable: true,
          writable: true,
        });
        try {
          server.close(() => resolve()); // an error means it was not listening: done
        } finally {
          const target = server as { closeIdleConnections?: unknown };
          if (own) Object.defineProperty(target, "closeIdleConnections", own);
          else delete target.closeIdleConnections; // the prototype's again
        }
        closeIdle();
      }).finally(() => clearTimeout(sweep));
      return stopped;
    },
    close: () => {
      clearTimeout(sweep);
      closed.closing(sockets);
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    },
    [COUNT_CLOSED]: () => closed.take(),
  };
}

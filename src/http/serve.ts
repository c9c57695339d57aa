import type { GracefulShutdown } from "../shutdown.ts";
import { describe, validateFunction, validateOptions } from "../_validate.ts";
import { bunWebSocketHandlers } from "./_bun_socket.ts";
import type { BunWebSocketOption } from "./bun_websocket_option.ts";
import { bunHost, type BunSocket, denoHost } from "./_hosts.ts";
import { nodeHttp } from "./_node_hosts.ts";
import { serveNode } from "./_node_serve.ts";
import { validatePort } from "./_port.ts";
import { type FetchHandler, GracefulHttp } from "./graceful_http.ts";
import {
  GRACEFUL_HTTP_OPTIONS,
  type GracefulHttpOptions,
} from "./graceful_http_options.ts";

/**
 * Options for {@linkcode serve}: the {@linkcode GracefulHttpOptions}, the handler, and
 * where to listen.
 *
 * @example Listen on a free port of the loopback interface
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { serve, type ServeOptions } from "@quiesce/quiesce/http";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const options: ServeOptions = {
 *   shutdown,
 *   fetch: () => new Response("hello"),
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   readiness: "/healthz",
 *   onListen: ({ port }) => console.log(`listening on ${port}`),
 * };
 * serve(options);
 * await shutdown.shutdown();
 * ```
 */
export interface ServeOptions extends GracefulHttpOptions {
  /** The shutdown that drives the server. */
  shutdown: GracefulShutdown;
  /**
   * The handler, called as the runtime calls it (Hono's `app.fetch` fits); the request's
   * scope is `requestScope(request)`.
   */
  fetch: FetchHandler;
  /** The port; default 8000. `0` picks a free one. */
  port?: number;
  /** The interface; default `"0.0.0.0"`. */
  hostname?: string;
  /** Called once the server listens, with the actual address. */
  onListen?: (address: { hostname: string; port: number }) => void;
  /**
   * Bun only: `Bun.serve`'s `websocket` handlers for sockets a framework upgrades itself
   * (`hono/bun`'s `websocket`). They get every socket not made by
   * `RequestScope.upgradeWebSocket()`; the drain closes those with 1001 too.
   */
  websocket?: BunWebSocketOption;
}

/**
 * A server started by {@linkcode serve}.
 *
 * @example Read the port picked by the system
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { type HttpServer, serve } from "@quiesce/quiesce/http";
 * import { assert } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const server: HttpServer = serve({
 *   shutdown,
 *   fetch: () => new Response("hello"),
 *   hostname: "127.0.0.1",
 *   port: 0,
 * });
 * assert(server.port > 0);
 * await shutdown.shutdown();
 * ```
 */
export interface HttpServer {
  /** The port the server listens on (on Node: the requested one until it listens). */
  readonly port: number;
  /** The interface the server listens on. */
  readonly hostname: string;
  /** The wrapper: `draining`, `inFlight()`. */
  readonly http: GracefulHttp;
  /**
   * On Node, the `node:http` server (for helpers that hook into it, such as
   * `@hono/node-ws`'s `injectWebSocket(server.nodeServer as Server)`); `undefined` on Deno
   * and Bun.
   */
  readonly nodeServer?: unknown;
}

// ServeOptions: GracefulHttp's options (one list, in graceful_http.ts) and the listener's.
const KNOWN = [
  ...GRACEFUL_HTTP_OPTIONS,
  "shutdown",
  "fetch",
  "port",
  "hostname",
  "onListen",
  "websocket",
];

/**
 * Serves `options.fetch` with `Deno.serve`, `Bun.serve` or `node:http` (Node 22.3+),
 * whichever runtime this is, through a {@linkcode GracefulHttp}: the listener stops when
 * the drain begins (after `drainDelay`), gracefully (Deno `shutdown()`, Bun `stop()`, Node
 * as `nodeListener()` does), and at the deadline Bun's server is stopped with
 * `stop(true)` and Node's connections are closed. On Node the server binds asynchronously:
 * with `port: 0`, read the port in `onListen`. Deno's serve `signal` is never used: aborting it
 * after `shutdown()` crashes the process.
 *
 * @example Serve until shutdown
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { requestScope, serve } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const server = serve({
 *   shutdown,
 *   fetch: (request) => new Response(`hello from ${requestScope(request).name}`),
 *   hostname: "127.0.0.1",
 *   port: 0,
 * });
 * const response = await fetch(`http://127.0.0.1:${server.port}/greet`);
 * assertEquals(await response.text(), "hello from GET /greet");
 * await shutdown.shutdown();
 * ```
 *
 * @throws {TypeError} If an option has the wrong type, or this is neither Deno, Bun nor
 * Node.
 */
export function serve(options: ServeOptions): HttpServer {
  validateOptions(options, "options", KNOWN);
  if (options === undefined) {
    throw new TypeError("Cannot use options: expected an options object");
  }
  const { shutdown, fetch, port = 8000, hostname = "0.0.0.0", onListen } =
    options;
  validateFunction(fetch, "options.fetch");
  validatePort(port, "options.port", 0);
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot use options.hostname: expected a string, got ${
        describe(hostname)
      }`,
    );
  }
  if (onListen !== undefined) validateFunction(onListen, "options.onListen");
  const { websocket } = options;
  if (
    websocket !== undefined &&
    (typeof websocket !== "object" || websocket === null)
  ) {
    throw new TypeError(
      `Cannot use options.websocket: expected Bun's websocket handlers, got ${
        describe(websocket)
      }`,
    );
  }
  const http = new GracefulHttp(shutdown, fetch, {
    name: options.name,
    readiness: options.readiness,
    liveness: options.liveness,
    onError: options.onError,
    linger: options.linger,
    stallTimeout: options.stallTimeout,
    idleGrace: options.idleGrace,
    eventStreams: options.eventStreams,
  });
  const deno = denoHost();
  if (deno !== undefined) {
    const server = deno.serve({
      port,
      hostname,
      onListen: (address) => onListen?.(address),
    }, http.fetch);
    http.attach({ stop: () => server.shutdown(), port: server.addr.port });
    return { port: server.addr.port, hostname: server.addr.hostname, http };
  }
  const bun = bunHost();
  if (bun !== undefined) {
    const sockets = new Set<BunSocket>();
    const server = bun.serve({
      port,
      hostname,
      fetch: http.fetch,
      websocket: bunWebSocketHandlers(websocket, sockets),
    });
    shutdown.token.onCancel(() => {
      for (const socket of sockets) socket.close(1001, "server shutting down");
    });
    http.attach({
      stop: () => server.stop(),
      close: () => void server.stop(true),
      pending: () => server.pendingRequests ?? 0,
      port: server.port,
    });
    const address = {
      hostname: server.hostname ?? hostname,
      port: server.port ?? port,
    };
    onListen?.(address);
    return { ...address, http };
  }
  const node = nodeHttp();
  if (node !== undefined) {
    return serveNode(node, http, { port, hostname, onListen });
  }
  throw new TypeError(
    "Cannot serve: this runtime has neither Deno.serve, Bun.serve nor node:http",
  );
}

// The public way to put a `node:http` server you made yourself under a shutdown: either its
// handler already goes through a `GracefulHttp` (`@hono/node-server` with `http.fetch`),
// and only the listener needs attaching, or it is a Node-style app (Express, Koa's
// callback, Fastify's `server`) whose requests are routed through a `GracefulHttp` here.
import type { GracefulShutdown } from "../shutdown.ts";
import {
  GracefulHttp,
  type GracefulHttpOptions,
  type HttpListener,
} from "./graceful_http.ts";
import { type NodeBindings, writeResponse } from "./_node_fetch.ts";
import type { NodeRequest, NodeResponse } from "./_node_hosts.ts";
import { nodeServerListener, validateNodeServer } from "./_node_listener.ts";

/**
 * The {@linkcode HttpListener} of a `node:http` server whose handler already goes through
 * a {@linkcode GracefulHttp} (such as `@hono/node-server`'s `serve({ fetch: http.fetch })`):
 * pass it to `http.attach()`. When the drain begins the server stops accepting; busy
 * connections end after their response (which says `Connection: close`); idle keep-alive
 * connections are closed once no keep-alive response has gone out for 1 s (a client
 * reusing one at the moment it closes would lose its request); it settles when every
 * connection has ended. At the deadline every connection is closed, WebSockets included.
 *
 * Attach it before the server accepts connections.
 *
 * @example A `node:http` server whose handler calls `http.fetch`
 * ```ts
 * import { createServer } from "node:http";
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { GracefulHttp, nodeListener } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const http = new GracefulHttp(shutdown, () => new Response("hello"));
 * // What `@hono/node-server`'s `serve({ fetch: http.fetch })` does, by hand:
 * const server = createServer(async (req, res) => {
 *   const response = await http.fetch(new Request(`http://localhost${req.url}`));
 *   res.writeHead(response.status, Object.fromEntries(response.headers));
 *   res.end(await response.text());
 * });
 * http.attach(nodeListener(server));
 * await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
 * const { port } = server.address() as { port: number };
 * assertEquals(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "hello");
 * await shutdown.shutdown(); // stops the server, waits for its connections
 * assertEquals(server.listening, false);
 * ```
 *
 * @throws {TypeError} If `server` is not a `node:http` server.
 */
export function nodeListener(server: unknown): HttpListener {
  return nodeServerListener(validateNodeServer(server, "server"));
}

/**
 * Puts a `node:http` server with a Node-style handler (Express, Koa's `app.callback()`,
 * Fastify's `fastify.server`) under `shutdown`: its `request` listeners are moved behind a
 * {@linkcode GracefulHttp}, so the readiness and liveness routes are answered before the
 * app sees them, every response from the first signal on says `Connection: close`, each
 * request is tracked and named (`GET /orders/42`) for the drain and its straggler report,
 * and the server stops as {@linkcode nodeListener} describes. Returns the `GracefulHttp`
 * (`draining`, `inFlight()`).
 *
 * Call it after the app's listener is on the server, before the server accepts
 * connections.
 *
 * @example A Node-style handler (Express's `app` is one) with a readiness route
 * ```ts
 * import { createServer } from "node:http";
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { attachNodeServer } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false, drainDelay: 50 });
 * const server = createServer((_req, res) => res.end("hello"));
 * const http = attachNodeServer(shutdown, server, { readiness: "/healthz" });
 * await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
 * const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
 * assertEquals(await (await fetch(`${base}/`)).text(), "hello");
 * const done = shutdown.shutdown();
 * const health = await fetch(`${base}/healthz`); // during the drain delay
 * assertEquals([health.status, health.headers.get("connection")], [503, "close"]);
 * await health.body?.cancel();
 * await done;
 * assertEquals(http.inFlight(), []);
 * ```
 *
 * @throws {TypeError} If `server` is not a `node:http` server, has no `request`
 * listener, or an option has the wrong type.
 */
export function attachNodeServer(
  shutdown: GracefulShutdown,
  server: unknown,
  options?: GracefulHttpOptions,
): GracefulHttp {
  const node = validateNodeServer(server, "server");
  const apps = node.listeners("request");
  if (apps.length === 0) {
    throw new TypeError(
      "Cannot use server: it has no request listener (make it with your app first, e.g. createServer(app))",
    );
  }
  const run = (incoming: NodeRequest, outgoing: NodeResponse) => {
    for (const app of apps) app.call(node, incoming, outgoing);
  };
  const waiting = new WeakMap<Request, NodeBindings>();
  const open = new Set<NodeResponse>();
  // The handler runs the app and settles when its response is done (or the client left).
  const http = new GracefulHttp(shutdown, (request) => {
    const { incoming, outgoing } = waiting.get(request)!;
    waiting.delete(request);
    return new Promise<Response>((resolve) => {
      open.add(outgoing);
      const done = () => {
        open.delete(outgoing);
        // The app's status, so a 5xx fails the request's task in the report as on Deno.
        const status = outgoing.statusCode;
        resolve(
          new Response(null, {
            status: status >= 200 && status <= 599 ? status : 200,
          }),
        );
      };
      outgoing.once("finish", done);
      outgoing.once("close", done);
      run(incoming, outgoing);
    });
  }, options);
  for (const app of apps) node.off("request", app);
  node.on("request", (incoming, outgoing) => {
    if (http.draining) outgoing.setHeader("connection", "close");
    let request: Request;
    try {
      const host = incoming.headers.host;
      request = new Request(
        `http://${
          typeof host === "string" ? host : "localhost"
        }${incoming.url}`,
        { method: incoming.method },
      );
    } catch {
      run(incoming, outgoing); // CONNECT, an odd Host: the app's business
      return;
    }
    waiting.set(request, { incoming, outgoing });
    const answer = (response: Response) => {
      // Not the app's: a readiness or liveness answer.
      if (waiting.delete(request)) {
        writeResponse(outgoing, response, request.method).catch(() => {});
      }
    };
    Promise.resolve(http.fetch(request, { incoming, outgoing })).then(
      answer,
      (error) => {
        console.error("quiesce: the request handler failed:", error);
        if (!outgoing.headersSent) {
          outgoing.statusCode = 500;
          outgoing.end();
        }
      },
    );
  });
  // Requests in flight at the first signal close their connection after the response.
  shutdown.subscribe(() => {
    for (const outgoing of open) {
      if (!outgoing.headersSent) outgoing.setHeader("connection", "close");
    }
  });
  http.attach(nodeServerListener(node));
  return http;
}

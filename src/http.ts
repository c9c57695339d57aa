/**
 * `./http`: HTTP servers that shut down without a single client noticing, on `Deno.serve`,
 * `Bun.serve`, `node:http` or any fetch handler (Hono's `app.fetch`, `deno serve`'s `export default`).
 *
 * The escalation, driven by a {@linkcode GracefulShutdown}:
 * 1. first signal: the readiness route answers 503, `draining` is true, and every response
 *    carries `Connection: close`; the listener still serves (the balancer moves away);
 * 2. after `drainDelay` (when the shutdown's token is cancelled): the listener stops
 *    gracefully, WebSockets close with 1001, each request's `streamSignal` aborts and
 *    {@linkcode sse} streams send their final event and end cleanly;
 * 3. in-flight requests are tasks of the drain, named `GET /orders/42`;
 * 4. at the deadline whatever is left is closed (Bun `stop(true)`, Node's connections,
 *    tracked bodies errored).
 *
 * Before the first signal the readiness route answers what `shutdown.isReady` says: 200,
 * or 503 `starting` until the program's `ready()` under the coordinator's `awaitReady`.
 *
 * - {@linkcode serve}: `Deno.serve`, `Bun.serve` or `node:http` (Node 22.3+), wired to a
 *   shutdown.
 * - {@linkcode GracefulHttp}: the wrapper, for servers you start yourself.
 * - {@linkcode requestScope}`(request)`: the request's {@linkcode RequestScope}: the
 *   client's address, per-request background work (`scope.spawn`) and signals. The
 *   handler's second argument stays what the runtime passed (Hono's `c.env` keeps working).
 * - {@linkcode sse}, {@linkcode readiness}, {@linkcode liveness}.
 * - {@linkcode nodeListener}, {@linkcode attachNodeServer}: `node:http` servers you make
 *   yourself (`@hono/node-server`; Express, Koa, Fastify's `server`).
 *
 * @example A server run by `main()` (here it stops itself)
 * ```ts
 * import { main } from "@quiesce/quiesce/main";
 * import { serve } from "@quiesce/quiesce/http";
 *
 * const exited = Promise.withResolvers<number>();
 * main(async ({ shutdown }) => {
 *   const server = serve({
 *     shutdown,
 *     hostname: "127.0.0.1",
 *     port: 0,
 *     readiness: "/healthz",
 *     fetch: () => new Response("ok"),
 *   });
 *   console.log(await (await fetch(`http://127.0.0.1:${server.port}/`)).text());
 *   shutdown.shutdown(); // stands in for SIGTERM
 *   await shutdown.wait();
 * }, { signals: false, exit: exited.resolve });
 * console.log("exit code", await exited.promise);
 * ```
 *
 * @module
 */
export {
  type FetchHandler,
  GracefulHttp,
  type GracefulHttpOptions,
  type HttpListener,
  type InFlightRequest,
  type ScopedHandler,
} from "./http/graceful_http.ts";
export { requestScope } from "./http/request_scope.ts";
export type { RemoteAddress } from "./http/remote_address.ts";
export type { BunWebSocketOption } from "./http/bun_websocket_option.ts";
export {
  type RequestScope,
  type ScopeSpawnOptions,
  type ServerWebSocket,
} from "./http/scope.ts";
export { type HttpServer, serve, type ServeOptions } from "./http/serve.ts";
export {
  sse,
  type SseEvent,
  type SseOptions,
  type SseSend,
} from "./http/sse.ts";
export { liveness, readiness } from "./http/health.ts";
export { attachNodeServer, nodeListener } from "./http/node_attach.ts";
// The core types the API above mentions, so the documentation is complete on its own.
export type {
  CancellationToken,
  DrainProgress,
  Failure,
  GracefulShutdown,
  OsSignal,
  PhaseReport,
  ShutdownReport,
  ShutdownTrigger,
  SignalSource,
  StepOptions,
  Straggler,
  Task,
  TaskFunction,
  TaskResult,
  TaskStatus,
  TokenSource,
  TokenSourceOptions,
} from "../mod.ts";

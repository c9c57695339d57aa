import type { GracefulShutdown } from "../shutdown.ts";
import type { CancellationToken } from "../token.ts";
import { validateFunction } from "../_validate.ts";
import {
  type GracefulHttpOptions,
  httpSettings,
} from "./graceful_http_options.ts";
import { checkShutdown, healthResponse, readinessResponse } from "./health.ts";
import { dropBody, hasBody, unreadBody } from "./_request_body.ts";
import { PeerBarrier } from "./_peers.ts";
import { ListenerStop } from "./_listener_stop.ts";
import { validatePort } from "./_port.ts";
import {
  addClosed,
  CLOSED_KEYS,
  type ClosedConnections,
  COUNT_CLOSED,
  type CountingListener,
  noneClosed,
  procCounter,
} from "./_closed_connections.ts";
import { denoHost, isBunServer } from "./_hosts.ts";
import { registerScope } from "./request_scope.ts";
import { InFlightList } from "./_in_flight.ts";
import { cutUnnamed, lostResponse, RecentRequests } from "./_recent.ts";
import {
  pathOf,
  Scope,
  type ScopeOwner,
  type ServerWebSocket,
  UPGRADED,
} from "./scope.ts";

export type { GracefulHttpOptions } from "./graceful_http_options.ts";
/**
 * A fetch handler as the runtime calls it: the request, and the runtime's own second
 * argument, passed through unchanged (Deno's `ServeHandlerInfo`, Bun's `Server`, what a
 * Node adapter passes), so frameworks keep reading it (Hono: `c.env`, `getConnInfo`,
 * `upgradeWebSocket`). Hono's `app.fetch` is one. The request's scope is
 * {@linkcode requestScope}`(request)`.
 *
 * @example A handler that reads its scope
 * ```ts
 * import { type FetchHandler, requestScope } from "@quiesce/quiesce/http";
 *
 * const handler: FetchHandler = (request) => {
 *   const scope = requestScope(request);
 *   return new Response(`${scope.name} ${scope.draining ? "(draining)" : ""}`);
 * };
 * console.log(typeof handler);
 * ```
 */
export type FetchHandler = (
  request: Request,
  // deno-lint-ignore no-explicit-any -- whatever the runtime passes; frameworks type it
  info: any,
) => Response | Promise<Response>;

/**
 * The former name of {@linkcode FetchHandler}.
 *
 * @deprecated The second argument is now the runtime's own; use
 * {@linkcode FetchHandler} and {@linkcode requestScope}.
 *
 * @example The same type under its old name
 * ```ts
 * import type { ScopedHandler } from "@quiesce/quiesce/http";
 *
 * const handler: ScopedHandler = () => new Response("ok");
 * console.log(typeof handler);
 * ```
 */
export type ScopedHandler = FetchHandler;

/**
 * How the server's listener is stopped: gracefully when the drain begins (after
 * `drainDelay`), and `close()` at the deadline.
 *
 * @example Attach a `Deno.serve` server you started yourself
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { GracefulHttp, type HttpListener } from "@quiesce/quiesce/http";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const http = new GracefulHttp(shutdown, () => new Response("hi"));
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, http.fetch);
 * // `port`: the report counts the connections the drain closes that carry no request.
 * const listener: HttpListener = { stop: () => server.shutdown(), port: server.addr.port };
 * http.attach(listener);
 * await shutdown.shutdown(); // stops the listener, waits for it
 * ```
 */
export interface HttpListener {
  /** Stops accepting connections; settles when the in-flight ones are done. */
  stop(): Promise<void> | void;
  /** Closes whatever is left at the deadline (Bun: `stop(true)`). */
  close?(): void;
  /**
   * How many requests the runtime still counts, responses still being sent included
   * (Bun: `() => server.pendingRequests`). With it, `close()` is not called before the
   * deadline while a response begun before the first signal is still being sent, and one
   * that the deadline cuts makes the report a failure.
   */
  pending?(): number;
  /**
   * The port it serves on (Deno: `server.addr.port`; Bun: `server.port`). With it, on
   * Linux, the report counts the connections the drain closes that carry no request
   * (`http server: connections closed carrying no request`), read from /proc just before
   * `stop()` and `close()`; Deno reads /proc only under `--allow-all`. `serve()` passes it.
   */
  port?: number;
}

/**
 * A request still in flight, as {@linkcode GracefulHttp.inFlight} lists it.
 *
 * @example Print what is in flight
 * ```ts
 * import type { InFlightRequest } from "@quiesce/quiesce/http";
 *
 * const line = (r: InFlightRequest) => `${r.name} ${Math.round(r.ageMs)} ms`;
 * console.log(line({ name: "GET /orders/42", ageMs: 1200 }));
 * ```
 */
export interface InFlightRequest {
  /** `METHOD /path`. */
  readonly name: string;
  /** Milliseconds since the request arrived. */
  readonly ageMs: number;
}

/**
 * Makes a fetch handler shut down gracefully with a {@linkcode GracefulShutdown}. The
 * escalation: from the first signal, `draining` is true, the readiness route answers 503
 * and every response carries `Connection: close`; when the drain begins (after
 * `drainDelay`) the attached listener stops, WebSockets close with 1001 and every
 * request's `streamSignal` aborts; in-flight requests are awaited by the drain as tasks
 * named `METHOD /path`; at the deadline, the listener's `close()` runs and open bodies the
 * server tracks are ended.
 *
 * `fetch` is a bound function, and the object itself has the `{ fetch }` shape that
 * `deno serve` and Bun's default export expect.
 *
 * @example Wrap a handler, serve it, shut down
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { GracefulHttp, requestScope } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const http = new GracefulHttp(
 *   shutdown,
 *   (request) => new Response(requestScope(request).name),
 * );
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, http.fetch);
 * http.attach({ stop: () => server.shutdown() });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/orders/42`);
 * assertEquals(await response.text(), "GET /orders/42");
 * await shutdown.shutdown();
 * ```
 */
export class GracefulHttp {
  /**
   * The wrapped handler, bound: pass it to `Deno.serve`, `Bun.serve({ fetch })` or export
   * the object. On Bun, a WebSocket upgrade makes it return `undefined`, as Bun expects.
   */
  readonly fetch: (
    request: Request,
    // deno-lint-ignore no-explicit-any -- passed to the handler as the runtime gave it
    info?: any,
  ) => Response | Promise<Response>;
  #shutdown: GracefulShutdown;
  #handler: FetchHandler;
  #name: string;
  #readiness: string | undefined;
  #liveness: string | undefined;
  #onError: (error: unknown, request: string) => void;
  #inFlight = new InFlightList<Scope>();
  // Each WebSocket with its client's port (its connection carries no request, but is busy).
  #sockets = new Map<ServerWebSocket, number | undefined>();
  #bodies = new Set<(reason: unknown) => void>();
  #listeners: ListenerStop;
  #idle: PromiseWithResolvers<void> | undefined;
  #owner: ScopeOwner;
  #stalled = 0;
  #closed: ClosedConnections = noneClosed();
  #signalledAt = 0;
  #dropping = 0;
  #late: Error[] = [];
  // With a listener that counts its requests (Bun): the last requests served, to bound and
  // name the responses begun before the first signal that the drain loses (`_recent.ts`).
  #recent: RecentRequests | undefined;
  #stallMs: number;
  // During the deadline's close(): a lost response was cut by it.
  #atClose = false;
  #lostAtClose = 0;
  // Deno only: `deno serve --parallel` runs several servers in one process.
  #peers: PeerBarrier | undefined = denoHost() ? new PeerBarrier() : undefined;

  /**
   * Wraps `handler`; subscribes to `shutdown` and registers a cleanup step on it.
   *
   * @throws {TypeError} If an argument or option has the wrong type.
   */
  constructor(
    shutdown: GracefulShutdown,
    handler: FetchHandler,
    options?: GracefulHttpOptions,
  ) {
    checkShutdown(shutdown);
    validateFunction(handler, "handler");
    const settings = httpSettings(options);
    const name = settings.name;
    this.#shutdown = shutdown;
    this.#handler = handler;
    this.#name = name;
    this.#readiness = settings.readiness;
    this.#liveness = settings.liveness;
    this.#listeners = new ListenerStop({
      linger: settings.linger,
      idleGrace: settings.idleGrace,
      readingBodies: () => this.#readingBodies(),
      whenIdle: () => this.#whenIdle(),
      stalled: () => this.#stalled > 0,
      accounted: () => this.#inFlight.size + this.#stalled,
      fail: (error) => this.#fail(error, this.#name),
      busyPorts: () => this.#busyPorts(),
      closed: (counts) => addClosed(this.#closed, counts),
    });
    const stall = this.#stallMs = settings.stallTimeout;
    const eventStreams = settings.eventStreams;
    this.#onError = settings.onError;
    this.#owner = {
      root: (): CancellationToken => shutdown.token,
      draining: (): boolean => shutdown.draining,
      settled: (scope) => this.#settled(scope),
      failed: (error, request) => this.#fail(error, request),
      addSocket: (socket, port) => this.#addSocket(socket, port),
      addBody: (force) => {
        this.#bodies.add(force);
        return () => this.#bodies.delete(force);
      },
      stallTimeout: () => shutdown.draining ? stall : undefined,
      stalled: () => void this.#stalled++,
      eventStreams,
    };
    this.fetch = (request, info) => this.#serve(request, info);
    shutdown.defer((signal) => this.#lastStep(signal), name);
    shutdown.subscribe(() => this.#onSignal());
    shutdown.token.onCancel(() => this.#stopListening());
  }

  /** True from the first shutdown signal on. */
  get draining(): boolean {
    return this.#shutdown.draining;
  }

  /** The requests in flight now, oldest first. */
  inFlight(): InFlightRequest[] {
    return [...this.#inFlight].map((s) => ({ name: s.name, ageMs: s.ageMs }));
  }

  /**
   * Hands over the listener to stop when the drain begins (at once if it already has).
   *
   * @throws {TypeError} If `listener.stop` is not a function.
   */
  attach(listener: HttpListener): void {
    validateFunction(listener?.stop, "listener.stop");
    if (listener.close !== undefined) {
      validateFunction(listener.close, "listener.close");
    }
    if (listener.pending !== undefined) {
      validateFunction(listener.pending, "listener.pending");
      this.#recent ??= new RecentRequests();
    }
    const port = listener.port === undefined
      ? undefined
      : validatePort(listener.port, "listener.port", 1);
    const counting = listener as HttpListener & CountingListener;
    this.#listeners.add(
      listener,
      counting[COUNT_CLOSED] ??
        (port === undefined ? undefined : procCounter(port)),
    );
  }

  #serve(request: Request, info: unknown): Response | Promise<Response> {
    if (this.#readiness !== undefined || this.#liveness !== undefined) {
      const path = pathOf(request.url);
      if (path === this.#readiness) {
        return this.#closing(readinessResponse(this.#shutdown));
      }
      if (path === this.#liveness) return this.#closing(healthResponse(true));
    }
    if (!this.#listeners.attached && isBunServer(info)) {
      // Bun's `export default { fetch }`: the runtime's server arrives with the first
      // request, and stopping it is what the escalation needs.
      this.attach({
        stop: () => info.stop(),
        close: () => void info.stop(true),
        pending: () => info.pendingRequests ?? 0,
        // None on a unix socket; the request must not fail over a count.
        port: Number.isInteger(info.port) && info.port! > 0
          ? info.port
          : undefined,
      });
    }
    const scope = new Scope(this.#owner, request, info);
    registerScope(request, scope);
    if (this.#recent !== undefined) {
      this.#recent.add(scope);
      if (this.#recent.server === undefined && isBunServer(info)) {
        this.#recent.server = info;
      }
    }
    this.#inFlight.add(scope);
    if (this.#shutdown.draining) this.#track(scope);
    let result: Response | Promise<Response>;
    try {
      result = this.#handler(request, info);
    } catch (error) {
      scope.threw(error);
      return Promise.reject(error);
    }
    // A handler that answers synchronously keeps the runtime's synchronous fast path.
    if (result instanceof Response) return this.#respond(scope, result);
    return Promise.resolve(result).then(
      (response) => this.#respond(scope, response),
      (error) => {
        scope.threw(error);
        throw error;
      },
    );
  }

  #respond(scope: Scope, response: Response): Response | Promise<Response> {
    response = scope.responded(response);
    if (response === UPGRADED) return undefined as unknown as Response;
    if (!this.#shutdown.draining) return response;
    response = this.#closing(response);
    this.#listeners.recheck();
    if (!unreadBody(scope.request)) return response;
    // Answered before the body was read: read the rest and drop it before the response
    // goes out, so closing the connection after it cuts nothing the client still sends.
    this.#dropping++;
    return dropBody(scope.request).then(() => {
      this.#dropping--;
      this.#listeners.recheck();
      return response;
    });
  }

  /** While draining, tells the client to close the connection after this response. */
  #closing(response: Response): Response {
    if (!this.#shutdown.draining || response.status === 101) return response;
    try {
      response.headers.set("connection", "close");
      return response;
    } catch {
      // Immutable headers (e.g. `Response.redirect` on Deno, a `fetch` result): copy.
      const copy = new Response(response.body, response);
      copy.headers.set("connection", "close");
      return copy;
    }
  }

  /** Makes the request a task of the shutdown, so the drain waits for it and names it. */
  #track(scope: Scope): void {
    // Read while Deno still tells it: the drain's count of closed connections skips this
    // one's (`#busyPorts`), and Deno stops telling it once the response is returned.
    void scope.remoteAddr;
    try {
      this.#shutdown.spawn(scope.name, () => scope.finished());
      scope.tracked = true;
    } catch {
      // Cleanup has started: the last step covers the request and reports its failure.
    }
  }

  #onSignal(): void {
    this.#signalledAt = performance.now();
    // Only a runtime-owned listener (`deno serve`, nothing attached) can have peers.
    if (!this.#listeners.attached) this.#peers?.start();
    const ours = new Set<Scope>();
    for (const scope of this.#inFlight) {
      this.#track(scope);
      scope.watchBody();
      if (this.#recent !== undefined) ours.add(scope);
    }
    this.#recent?.watch(ours, this.#stallMs, (name) => {
      if (this.#atClose) this.#lostAtClose++;
      this.#late.push(lostResponse(name, this.#atClose, this.#stallMs));
    });
    try {
      this.#shutdown.spawn(this.#name, async () => {
        await this.#shutdown.token.cancelled();
        await this.#listeners.settled();
        await this.#whenIdle();
      });
    } catch {
      // Cleanup has started already: the last step covers the listener.
    }
  }

  #stopListening(): void {
    const reason = this.#shutdown.token.reason;
    for (const socket of this.#sockets.keys()) this.#closeSocket(socket);
    for (const scope of this.#inFlight) scope.endStream(reason);
    this.#listeners.stopAll(this.#signalledAt);
  }

  /** Whether a handler may still read a request body, or a dropped one is being read. */
  #readingBodies(): boolean {
    if (this.#dropping > 0) return true;
    return this.#inFlight.some((scope) =>
      scope.answering && hasBody(scope.request)
    );
  }

  #closeSocket(socket: ServerWebSocket): void {
    try {
      socket.close(1001, "server shutting down");
    } catch {
      // Already closed.
    }
  }

  #addSocket(socket: ServerWebSocket, port: number | undefined): void {
    this.#sockets.set(socket, port);
    socket.addEventListener("close", () => this.#sockets.delete(socket), {
      once: true,
    });
    if (this.#shutdown.token.isCancelled) {
      if (socket.readyState === 1) this.#closeSocket(socket);
      else socket.addEventListener("open", () => this.#closeSocket(socket));
    }
  }

  #settled(scope: Scope): void {
    this.#inFlight.delete(scope);
    const failure = scope.failure;
    if (failure !== undefined && !scope.tracked && this.#shutdown.draining) {
      this.#late.push(failure);
    }
    this.#listeners.recheck();
    if (this.#inFlight.size === 0) {
      this.#idle?.resolve();
      this.#idle = undefined;
    }
  }

  /** The client ports of the connections carrying a request or a WebSocket now. */
  #busyPorts(): Set<number> {
    const ports = new Set<number>();
    for (const scope of this.#inFlight) {
      const port = scope.remoteAddr?.port;
      if (port !== undefined) ports.add(port);
    }
    for (const port of this.#sockets.values()) {
      if (port !== undefined) ports.add(port);
    }
    return ports;
  }

  /** Puts in the report what the drain closed that carried no request, and the stalls. */
  #countClosed(): void {
    this.#listeners.collect();
    const closed = this.#closed;
    this.#closed = noneClosed();
    for (
      const kind of Object.keys(CLOSED_KEYS) as (keyof ClosedConnections)[]
    ) {
      if (closed[kind] > 0) {
        this.#shutdown.count(
          `${this.#name}: ${CLOSED_KEYS[kind]}`,
          closed[kind],
        );
      }
    }
    if (this.#stalled > 0) {
      this.#shutdown.count(
        `${this.#name}: stalled responses cut`,
        this.#stalled,
      );
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return (this.#idle ??= Promise.withResolvers()).promise;
  }

  /** The cleanup step: the tasks are done, or the deadline passed and this closes the rest. */
  async #lastStep(signal: AbortSignal): Promise<void> {
    const left = Promise.all([this.#listeners.settled(), this.#whenIdle()]);
    if (!signal.aborted) {
      const expired = Promise.withResolvers<void>();
      const onAbort = () => expired.resolve();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await Promise.race([left, expired.promise]);
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    }
    if (signal.aborted) this.#forceClose(signal.reason);
    this.#countClosed();
    // Other servers of this process (`deno serve --parallel`) may still be serving: the
    // process's exit after this drain would end their requests.
    await this.#peers?.arrive(signal);
    // Requests that failed for their client after the tasks were drained: named here.
    const late = this.#late.splice(0);
    if (late.length === 1) throw late[0];
    if (late.length > 1) {
      throw new AggregateError(
        late,
        late.map((error) => error.message).join("; "),
      );
    }
  }

  #forceClose(reason: unknown): void {
    // Bun: what the runtime still sends beyond what is tracked here began before the
    // first signal; `close()` cuts it (naming those watched since the signal, inside the
    // call), and the report says so.
    this.#atClose = true;
    const untracked = this.#listeners.forceClose();
    this.#atClose = false;
    if (untracked > this.#lostAtClose) {
      this.#late.push(cutUnnamed(untracked - this.#lostAtClose));
    }
    for (const force of [...this.#bodies]) force(reason);
    for (const socket of this.#sockets.keys()) this.#closeSocket(socket);
  }

  #fail(error: unknown, request: string): void {
    try {
      this.#onError(error, request);
    } catch {
      // A failing reporter must not break serving.
    }
  }
}

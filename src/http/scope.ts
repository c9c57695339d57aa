import type { CancellationToken, TokenSource } from "../token.ts";
import { validateFunction, validateOptions } from "../_validate.ts";
import { type BodyEnd, StalledClientError, trackBody } from "./_body.ts";
import { denoFollow } from "./_deno_body_size.ts";
import {
  type BunServer,
  denoHost,
  type DenoServeInfo,
  isBunServer,
  isDenoInfo,
  isNodeBindings,
  type NodeSocketInfo,
  remoteAddressOf,
} from "./_hosts.ts";
import type { RemoteAddress } from "./remote_address.ts";
import { BunSocketBridge } from "./_bun_socket.ts";
import type { InFlightEntry } from "./_in_flight.ts";

/**
 * Hooks for {@linkcode RequestScope.spawn}: exactly one of them runs.
 *
 * @example Log how background work ended
 * ```ts
 * import type { ScopeSpawnOptions } from "@quiesce/quiesce/http";
 *
 * const hooks: ScopeSpawnOptions<number> = {
 *   onComplete: (rows) => console.log(`audited ${rows} rows`),
 *   onCancel: (reason) => console.log("audit cancelled:", reason),
 * };
 * hooks.onComplete?.(3);
 * ```
 */
export interface ScopeSpawnOptions<T> {
  /** Called with the value when the work finished before the scope was cancelled. */
  onComplete?: (value: T) => void;
  /** Called with the reason when the scope was cancelled first (or the work failed). */
  onCancel?: (reason: unknown) => void;
}

/**
 * A WebSocket on the server side, as {@linkcode RequestScope.upgradeWebSocket} returns it on
 * every runtime: Deno's own `WebSocket`, or a bridge over Bun's `ServerWebSocket` with the
 * same events (`open`, `message`, `close`).
 *
 * @example Echo messages back
 * ```ts
 * import type { ServerWebSocket } from "@quiesce/quiesce/http";
 *
 * function echo(socket: ServerWebSocket): void {
 *   socket.addEventListener("message", (event) => {
 *     socket.send(String((event as MessageEvent).data));
 *   });
 * }
 * console.log(typeof echo);
 * ```
 */
export interface ServerWebSocket extends EventTarget {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as `WebSocket.readyState`). */
  readonly readyState: number;
  /** Sends a message. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  /** Closes the socket; the server uses 1001 ("going away") when the listener stops. */
  close(code?: number, reason?: string): void;
}

/**
 * One request's scope: its name and age for the drain's reports, the client's address,
 * background work tied to the request, and the signals a handler needs. A handler reaches
 * it with {@linkcode requestScope}`(request)`.
 *
 * @example Background work that ends with the response
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { GracefulHttp, requestScope } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const seen: string[] = [];
 * const http = new GracefulHttp(shutdown, (request) => {
 *   const scope = requestScope(request);
 *   seen.push(scope.name);
 *   scope.spawn((signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)), {
 *     onCancel: () => seen.push("prefetch cancelled"),
 *   });
 *   return new Response("ok");
 * });
 * const response = await http.fetch(new Request("http://localhost/orders/42"));
 * assertEquals(await response.text(), "ok");
 * assertEquals(seen, ["GET /orders/42", "prefetch cancelled"]);
 * await shutdown.shutdown();
 * ```
 */
export interface RequestScope {
  /** `METHOD /path`, as the drain's reports name the request. */
  readonly name: string;
  /** The request. */
  readonly request: Request;
  /** Milliseconds since the request arrived. */
  readonly ageMs: number;
  /**
   * The client's address (the peer of the connection: a balancer's, behind one), or
   * `undefined` where the runtime does not tell it. Read it while the handler runs: Deno
   * stops telling it once the response is returned or the request upgraded (then it is
   * `undefined`, unless it was read before).
   */
  readonly remoteAddr: RemoteAddress | undefined;
  /** True from the first shutdown signal on. */
  readonly draining: boolean;
  /**
   * Aborts when the scope ends: the response was returned (or, after
   * {@linkcode RequestScope.untilBodyEnds}, its body finished), the client went away, or the
   * listener stopped.
   */
  readonly signal: AbortSignal;
  /**
   * Aborts when the listener stops or the client goes away, never on normal completion: end
   * a streamed (`ReadableStream`) body when it aborts.
   */
  readonly streamSignal: AbortSignal;
  /**
   * Runs `fn` as background work of this request, cancelled with the scope. The promise
   * settles with the value, or `undefined` if the scope ended first; it never rejects (a
   * failure calls `onCancel` and the server's `onError`). The drain waits for it.
   */
  spawn<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: ScopeSpawnOptions<T>,
  ): Promise<T | undefined>;
  /** Keeps the scope open until the response body has finished streaming. */
  untilBodyEnds(): void;
  /**
   * Upgrades the request to a WebSocket (Deno and Bun); return `response` from the handler.
   * The socket is closed with 1001 when the listener stops.
   *
   * @throws {TypeError} If the runtime cannot upgrade this request.
   */
  upgradeWebSocket(): { socket: ServerWebSocket; response: Response };
}

/** What a scope needs from its server. */
export interface ScopeOwner {
  root(): CancellationToken;
  draining(): boolean;
  settled(scope: Scope): void;
  failed(error: unknown, name: string): void;
  /** A WebSocket was opened on the connection of the client at `port`. */
  addSocket(socket: ServerWebSocket, port: number | undefined): void;
  addBody(force: (reason: unknown) => void): () => void;
  /** How long a client may stop reading its response while draining. */
  stallTimeout(): number | undefined;
  /** A response was cut because its client stopped reading. */
  stalled(): void;
  /** Whether responses returned before the signal are checked for an event stream. */
  readonly eventStreams: boolean;
}

const RESPONDED = "The response was sent";
const DISCONNECTED = "The client disconnected";

/** Bun's "the upgrade took over" marker: the handler must return `undefined`. */
export const UPGRADED: Response = new Response(null, { status: 200 });

/** The path of an absolute URL, without parsing it. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.indexOf("?", start);
  if (end < 0) end = url.indexOf("#", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/** The scope of one request, made per request: every costly part is created on first use. */
export class Scope implements RequestScope, InFlightEntry {
  readonly request: Request;
  readonly startedAt: number = performance.now();
  #owner: ScopeOwner;
  #info: unknown;
  /** The client's address once read (`null`: the runtime does not tell it). */
  #remote: RemoteAddress | null | undefined;
  #deno: boolean;
  // The runtime tells when the response was sent (Deno's `completed`, Node's `close`).
  #transport: boolean;
  #nodeSocket: NodeSocketInfo | undefined;
  #socketWatch: ReturnType<typeof setTimeout> | undefined;
  #stream: TokenSource | undefined;
  #scope: TokenSource | undefined;
  #unlisten: (() => void) | undefined;
  #pending = 0;
  #responded = false;
  #keepForBody = false;
  #selfEnding = false;
  #clientLeft = false;
  #bodyOpen = false;
  #transportDone = false;
  #settled = false;
  #done: PromiseWithResolvers<void> | undefined;
  #failure: Error | undefined;
  #finishBody: ((reason: unknown) => void) | undefined;
  #forceBody: ((reason: unknown) => void) | undefined;
  #watchBody: (() => void) | undefined;
  /**
   * Whether the server learns how this response ends: its body is followed (or streamed by
   * the scope itself), or the request was upgraded to a WebSocket.
   */
  followed = false;
  /** Whether a task of the shutdown awaits this request (it then reports the failure). */
  tracked = false;
  // The server's in-flight list (`_in_flight.ts`).
  prevInFlight: InFlightEntry | undefined = undefined;
  nextInFlight: InFlightEntry | undefined = undefined;
  listed = false;

  constructor(owner: ScopeOwner, request: Request, info: unknown) {
    this.#owner = owner;
    this.request = request;
    this.#info = info;
    this.#deno = this.#transport = isDenoInfo(info);
    if (this.#deno) {
      // Deno: `completed` settles when the response was fully sent or the client left.
      (info as DenoServeInfo).completed.then(
        () => this.#transportEnded(true),
        () => this.#transportEnded(false),
      );
    } else if (isNodeBindings(info)) {
      // Node: the response emits `close` once its last byte was handed to the socket
      // (`writableFinished`) or the connection closed first.
      const outgoing = info.outgoing;
      this.#transport = true;
      this.#nodeSocket = outgoing.socket ?? undefined;
      outgoing.once(
        "close",
        () => this.#transportEnded(outgoing.writableFinished),
      );
    }
  }

  get name(): string {
    return `${this.request.method} ${pathOf(this.request.url)}`;
  }

  get ageMs(): number {
    return performance.now() - this.startedAt;
  }

  get remoteAddr(): RemoteAddress | undefined {
    if (this.#remote === undefined) {
      try {
        this.#remote = remoteAddressOf(this.request, this.#info) ?? null;
      } catch {
        // Deno throws "Request closed" once the response was returned or upgraded.
        return undefined;
      }
    }
    return this.#remote ?? undefined;
  }

  get draining(): boolean {
    return this.#owner.draining();
  }

  get signal(): AbortSignal {
    return this.#scopeSource().signal;
  }

  get streamSignal(): AbortSignal {
    return this.#streamSource().signal;
  }

  /** What went wrong for the client, if anything: a 5xx, a throw, a cut body. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Whether the handler has not answered yet. */
  get answering(): boolean {
    return !this.#responded;
  }

  /**
   * Resolves once the request is over: the response's last byte handed to the runtime (or
   * the client gone) and the work settled; rejects with what went wrong for the client.
   */
  finished(): Promise<void> {
    if (this.#settled) {
      return this.#failure ? Promise.reject(this.#failure) : Promise.resolve();
    }
    return (this.#done ??= Promise.withResolvers()).promise;
  }

  /** Cuts the tracked response body now (the client sees an error), with `reason`. */
  cutBody(reason: unknown): void {
    this.#forceBody?.(reason);
  }

  /** Ends an event-stream body cleanly (the drain began); other bodies run to their end. */
  endStream(reason: unknown): void {
    this.#finishBody?.(reason);
  }

  /** The drain began: a tracked body its client stopped reading is cut after the bound. */
  watchBody(): void {
    this.#watchBody?.();
    const ms = this.#owner.stallTimeout();
    if (ms !== undefined && this.#responded && !this.#bodyOpen) {
      this.#watchSocket(ms);
    }
  }

  /**
   * Node: a response handed over before the signal whose bytes still wait to be written is
   * cut once what waits has not shrunk for `ms` (the client reads nothing). What waits is
   * the handle's `writeQueueSize` (a Node internal, as `_httpMessage`): it shrinks with each
   * partial write, where `writableLength` drops only when a whole chunk (here 32 MiB) is out.
   */
  #watchSocket(ms: number): void {
    const socket = this.#nodeSocket;
    if (socket === undefined || this.#transportDone) return;
    const waiting = () =>
      socket._handle?.writeQueueSize ?? socket.writableLength;
    let left = waiting();
    const check = () => {
      this.#socketWatch = undefined;
      if (this.#transportDone) return;
      const now = waiting();
      if (now > 0 && now >= left) {
        const stalled = new StalledClientError(ms);
        this.#owner.stalled();
        this.#fail(
          `the response was not sent whole: ${stalled.message}`,
          stalled,
        );
        socket.destroy();
        return;
      }
      left = now;
      this.#socketWatch = setTimeout(check, ms);
    };
    this.#socketWatch = setTimeout(check, ms);
  }

  #fail(what: string, cause?: unknown): void {
    this.#failure ??= new Error(`${this.name}: ${what}`, { cause });
  }

  spawn<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: ScopeSpawnOptions<T>,
  ): Promise<T | undefined> {
    validateFunction(fn, "fn");
    validateOptions(options, "options", ["onComplete", "onCancel"]);
    const { onComplete, onCancel } = options ?? {};
    if (onComplete !== undefined) {
      validateFunction(onComplete, "options.onComplete");
    }
    if (onCancel !== undefined) validateFunction(onCancel, "options.onCancel");
    const source = this.#scopeSource();
    const { promise, resolve } = Promise.withResolvers<T | undefined>();
    let over = false;
    const hook = (call: () => void) => {
      try {
        call();
      } catch (error) {
        this.#owner.failed(error, this.name);
      }
    };
    const registration = source.onCancel((reason) => {
      if (over) return;
      over = true;
      if (onCancel) hook(() => onCancel(reason));
      resolve(undefined);
    });
    this.#pending++;
    const settle = () => {
      registration[Symbol.dispose]();
      this.#pending--;
      this.#maybeSettle();
    };
    let work: PromiseLike<T>;
    try {
      work = Promise.resolve(fn(source.signal));
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then((value) => {
      if (!over) {
        over = true;
        if (onComplete) hook(() => onComplete(value));
        resolve(value);
      }
      settle();
    }, (error) => {
      if (!(source.isCancelled && error === source.reason)) {
        this.#owner.failed(error, this.name);
      }
      if (!over) {
        over = true;
        if (onCancel) hook(() => onCancel(error));
        resolve(undefined);
      }
      settle();
    });
    return promise;
  }

  untilBodyEnds(): void {
    this.#keepForBody = true;
  }

  upgradeWebSocket(): { socket: ServerWebSocket; response: Response } {
    const info = this.#info;
    // Before the upgrade: Deno no longer tells the client's address after it.
    const port = this.remoteAddr?.port;
    let socket: ServerWebSocket;
    let response: Response;
    if (isBunServer(info)) {
      const bridge = new BunSocketBridge();
      if (!(info as BunServer).upgrade(this.request, { data: bridge })) {
        throw new TypeError("Cannot upgrade the request to a WebSocket");
      }
      socket = bridge;
      response = UPGRADED;
    } else {
      const deno = denoHost();
      if (deno === undefined) {
        throw new TypeError(
          "Cannot upgrade the request to a WebSocket: no Deno or Bun server",
        );
      }
      ({ socket, response } = deno.upgradeWebSocket(this.request));
    }
    this.followed = true;
    this.#owner.addSocket(socket, port);
    return { socket, response };
  }

  /**
   * The handler returned `response`; returns what to send. While draining (and always for
   * an event stream, which the drain must be able to end) the body is tracked until its
   * last byte is handed to the runtime.
   */
  responded(response: Response): Response {
    this.#responded = true;
    const draining = this.#owner.draining();
    if (draining && response.status >= 500) {
      this.#fail(`answered ${response.status} ${response.statusText}`.trim());
    }
    // Reading the headers costs every request (on Deno it materializes a lazy string
    // body): skipped before the signal when the server was told it serves no event streams.
    const sse = (draining || this.#owner.eventStreams) && !this.#bodyOpen &&
      response !== UPGRADED &&
      response.headers.get("content-type")?.startsWith("text/event-stream") ===
        true;
    // Deno, before the signal: a body its `completed` would call sent too early (see
    // `_deno_body_size.ts`) is followed too; sizes are read without touching the body.
    let bytes: number | undefined;
    if (this.#bodyOpen) {
      // The body is one the scope streams itself (the SSE helper): it reports its end.
    } else if (
      (this.#keepForBody || sse || draining ||
        (denoFollow !== undefined &&
          (bytes = denoFollow(response)) !== undefined &&
          this.request.method !== "HEAD")) &&
      response !== UPGRADED && response.body !== null
    ) {
      this.#bodyOpen = this.followed = true;
      const remove = this.#owner.addBody((reason) => tracked.force(reason));
      const tracked = trackBody(response.body, (how, reason) => {
        remove();
        this.#finishBody = undefined;
        this.#forceBody = undefined;
        this.#watchBody = undefined;
        this.#bodyEnded(how, reason);
      }, this.#owner.stallTimeout);
      if (sse && !this.#selfEnding) this.#finishBody = tracked.finish;
      this.#forceBody = tracked.force;
      this.#watchBody = tracked.watch;
      response = new Response(tracked.body, response);
      // A stream is sent chunked: keep the length a byte body was sent with.
      if (bytes! >= 0 && !response.headers.has("content-length")) {
        response.headers.set("content-length", String(bytes));
      }
      if (!this.#keepForBody) {
        this.#scope?.cancel(new DOMException(RESPONDED, "AbortError"));
      }
      if (this.#finishBody && this.#owner.root().isCancelled) {
        queueMicrotask(() => this.endStream(this.#owner.root().reason));
      }
    } else {
      this.#scope?.cancel(new DOMException(RESPONDED, "AbortError"));
    }
    if (!this.#transport) this.#handedOver();
    return response;
  }

  /** The handler threw `error`. */
  threw(error: unknown): void {
    this.#responded = true;
    this.#fail(
      `the handler threw: ${(error as Error)?.message ?? error}`,
      error,
    );
    this.#scope?.cancel(new DOMException(RESPONDED, "AbortError"));
    if (!this.#transport) this.#handedOver();
  }

  /** Without word from the runtime, the response is done for us once handed to it. */
  #handedOver(): void {
    this.#transportDone = true;
    this.#maybeSettle();
  }

  /**
   * The response will be a stream that ends itself at the drain (the SSE helper): it is
   * followed until its last byte like any tracked body, but not ended from outside.
   */
  endsItself(): void {
    this.followed = true;
    this.#keepForBody = true;
    this.#selfEnding = true;
  }

  #bodyEnded(how: BodyEnd, reason?: unknown): void {
    if (!this.#bodyOpen) return;
    this.#bodyOpen = false;
    if (how === "cancelled") this.#clientLeft = true;
    // The client left, or its body was cut: a producer watching `streamSignal` stops.
    if (how !== "done") this.#disconnected();
    if (how === "error") {
      // Deno may never settle `completed`: its write to a client that stopped reading hangs.
      this.#transportDone = true;
      if (reason instanceof StalledClientError) this.#owner.stalled();
      // Outside the drain no report will carry it: name it to the server's onError.
      if (!this.#owner.draining()) this.#owner.failed(reason, this.name);
      this.#fail(
        `the response body was cut: ${(reason as Error)?.message ?? reason}`,
        reason,
      );
    }
    this.#scope?.cancel(new DOMException(RESPONDED, "AbortError"));
    this.#maybeSettle();
  }

  #transportEnded(sent: boolean): void {
    if (sent && !this.#responded) {
      // Sent before the handler answered: an app that writes its own response (Node's
      // `attachNodeServer`); the handler's answer (its status) ends the request.
      this.#transport = false;
      return;
    }
    if (!sent && this.#deno && this.#owner.draining() && !this.#clientLeft) {
      // Deno: the connection closed under a response that was not streaming to a client
      // that left: the shutdown cut it (Deno.serve's `signal` aborted by the drain). On
      // Node the server never closes a connection under an unflushed response but through
      // the paths that name it themselves (the stall watch, the deadline), so a `close`
      // before `writableFinished` is the peer leaving: an SSE client (or the balancer in
      // front of it) that hung up on the final event before the chunked terminator was
      // flushed made 2 of 6 replicas behind HAProxy exit 1.
      this.#fail("the response was not delivered: the connection closed first");
    }
    clearTimeout(this.#socketWatch);
    if (this.#transportDone) return;
    this.#transportDone = true;
    // Deno: the connection is done while the handler still works or a body still streams.
    if (!this.#responded || this.#bodyOpen) this.#disconnected();
    this.#maybeSettle();
  }

  #disconnected(): void {
    this.#stream?.cancel(new DOMException(DISCONNECTED, "AbortError"));
  }

  #maybeSettle(): void {
    if (this.#settled || !this.#transportDone || this.#bodyOpen) return;
    if (this.#pending > 0) return;
    this.#settled = true;
    this.#unlisten?.();
    this.#stream?.[Symbol.dispose]();
    if (this.#failure) this.#done?.reject(this.#failure);
    else this.#done?.resolve();
    this.#owner.settled(this);
  }

  #streamSource(): TokenSource {
    if (this.#stream !== undefined) return this.#stream;
    const stream = this.#stream = this.#owner.root().child();
    if (this.#settled) {
      stream.cancel(new DOMException(RESPONDED, "AbortError"));
    } else if (!this.#deno) {
      this.#watchDisconnect(); // Bun: `request.signal` aborts only when the client leaves
    }
    return stream;
  }

  /**
   * Listens to `request.signal`, never on Deno: there merely reading it makes Deno print its
   * legacy-abort notice at the first successful response, a notice the user did not cause.
   * On Deno the scope learns of a disconnect from `completed` and the body's cancellation,
   * that is once the handler has returned.
   */
  #watchDisconnect(): void {
    if (this.#unlisten !== undefined || this.#deno) return;
    const signal = this.request.signal;
    const onAbort = () => {
      if (!this.#responded || this.#bodyOpen) this.#disconnected();
    };
    if (signal.aborted) {
      this.#unlisten = () => {};
      queueMicrotask(onAbort);
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    this.#unlisten = () => signal.removeEventListener("abort", onAbort);
  }

  #scopeSource(): TokenSource {
    if (this.#scope !== undefined) return this.#scope;
    const scope = this.#scope = this.#streamSource().child();
    if (this.#responded && !this.#bodyOpen) {
      scope.cancel(new DOMException(RESPONDED, "AbortError"));
    } else if (!this.#responded && !this.#settled) {
      this.#watchDisconnect();
    }
    return scope;
  }
}

export type { DenoServeInfo };

import { describe, validateFunction, validateOptions } from "../_validate.ts";
import { EventQueue } from "./_event_queue.ts";
import { requestScope } from "./request_scope.ts";
import { type RequestScope, Scope } from "./scope.ts";

/**
 * One server-sent event.
 *
 * @example An event with a type and an id
 * ```ts
 * import type { SseEvent } from "@quiesce/quiesce/http";
 *
 * const event: SseEvent = { event: "price", id: "42", data: JSON.stringify({ eur: 1.08 }) };
 * console.log(event.event);
 * ```
 */
export interface SseEvent {
  /** The payload; several lines become several `data:` lines. */
  data: string;
  /** The event type (`event:`); default none, i.e. `message`. */
  event?: string;
  /** The event id (`id:`). */
  id?: string;
  /** The client's reconnection delay in milliseconds (`retry:`). */
  retry?: number;
}

/**
 * Sends one event (a string is the `data`) and tells the producer whether to go on: `true`
 * while the client keeps up; `false` once `highWaterMark` bytes wait for the client (then
 * `await send.ready()`), or after the stream ended (then the producer's signal has
 * aborted). A client that leaves more than `maxBuffer` bytes unread is cut: its stream ends
 * with an error, the producer's signal aborts, and the request is named as a failure.
 *
 * @example A producer that honours backpressure
 * ```ts
 * import type { SseSend } from "@quiesce/quiesce/http";
 *
 * async function prices(send: SseSend, signal: AbortSignal): Promise<void> {
 *   for (let n = 0; n < 3 && !signal.aborted; n++) {
 *     if (!send({ event: "price", data: String(n) })) await send.ready();
 *   }
 * }
 * const send = Object.assign(() => true, { ready: () => Promise.resolve() });
 * await prices(send, new AbortController().signal);
 * ```
 */
export type SseSend = {
  (event: SseEvent | string): boolean;
  /** Settles once the client has read below `highWaterMark`, or the stream ended. */
  ready(): Promise<void>;
};

/**
 * Options for {@linkcode sse}.
 *
 * @example A custom final event and an extra header
 * ```ts
 * import type { SseOptions } from "@quiesce/quiesce/http";
 *
 * const options: SseOptions = {
 *   final: { event: "bye", data: "reconnect elsewhere", retry: 500 },
 *   headers: { "x-accel-buffering": "no" },
 * };
 * console.log(options.final);
 * ```
 */
export interface SseOptions {
  /**
   * The event sent when the listener stops, before the body ends cleanly; `false` for none.
   * Default `{ event: "shutdown", data: "server shutting down" }`.
   */
  final?: SseEvent | false;
  /** Extra response headers. */
  headers?: HeadersInit;
  /** Bytes waiting for the client at which `send()` returns `false`. Default 64 KiB. */
  highWaterMark?: number;
  /**
   * Bytes waiting for the client past which the client is cut and named. Default 1 MiB:
   * what a client that stopped reading costs in memory, at most (plus the sockets').
   */
  maxBuffer?: number;
}

const encoder = new TextEncoder();

/** The wire form of `event`. */
export function formatEvent(event: SseEvent | string): string {
  const e = typeof event === "string" ? { data: event } : event;
  let text = "";
  if (e.event !== undefined) text += `event: ${e.event}\n`;
  if (e.id !== undefined) text += `id: ${e.id}\n`;
  if (e.retry !== undefined) text += `retry: ${e.retry}\n`;
  for (const line of String(e.data).split(/\r\n|\r|\n/)) {
    text += `data: ${line}\n`;
  }
  return `${text}\n`;
}

/**
 * A `text/event-stream` response whose events `produce` sends, for the request the handler
 * got (or its {@linkcode RequestScope}). When the listener stops,
 * the final event is sent and the body ends cleanly (no cut chunk, so clients see a normal
 * end, not an error); when `produce` returns, the body ends; when the client goes away,
 * `produce`'s signal aborts. The drain waits for the stream, and at the deadline the server
 * ends it.
 *
 * @example Tick until the server drains
 * ```ts
 * import { GracefulShutdown, sleep } from "@quiesce/quiesce";
 * import { serve, sse } from "@quiesce/quiesce/http";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const server = serve({
 *   shutdown,
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   fetch: (request) =>
 *     sse(request, async (send, signal) => {
 *       for (let n = 1; !signal.aborted; n++) {
 *         send(`tick ${n}`);
 *         await sleep(20, { signal }).catch(() => {});
 *       }
 *     }),
 * });
 * const response = await fetch(`http://127.0.0.1:${server.port}/`);
 * setTimeout(() => shutdown.shutdown(), 50);
 * const text = await response.text(); // ends cleanly when the listener stops
 * assertStringIncludes(text, "data: tick 1\n\n");
 * assertStringIncludes(text, "event: shutdown\n");
 * await shutdown.done();
 * ```
 *
 * @throws {TypeError} If `request` is neither a request a `GracefulHttp` serves nor its
 * scope, `produce` not a function, or an option has the wrong type.
 */
export function sse(
  request: Request | RequestScope,
  produce: (send: SseSend, signal: AbortSignal) => unknown,
  options?: SseOptions,
): Response {
  const scope = request instanceof Request ? requestScope(request) : request;
  if (!(scope instanceof Scope)) {
    throw new TypeError(
      "Cannot use request: expected the Request a GracefulHttp handler got, or its RequestScope",
    );
  }
  validateFunction(produce, "produce");
  validateOptions(options, "options", [
    "final",
    "headers",
    "highWaterMark",
    "maxBuffer",
  ]);
  const final = options?.final ??
    { event: "shutdown", data: "server shutting down" };
  const highWaterMark = bytes(options?.highWaterMark, "highWaterMark", 65_536);
  const maxBuffer = bytes(options?.maxBuffer, "maxBuffer", 1_048_576);
  const signal = scope.streamSignal;
  const queue = new EventQueue(highWaterMark, maxBuffer, () => {
    signal.removeEventListener("abort", onAbort);
  });
  const finish = (withFinal: boolean) => {
    signal.removeEventListener("abort", onAbort);
    if (withFinal && final !== false) {
      queue.push(encoder.encode(formatEvent(final)));
    }
    queue.close();
  };
  // The listener stopped (final event) or the client went away (the body is cancelled).
  const onAbort = () => finish(scope.draining);
  const send = ((event: SseEvent | string): boolean => {
    try {
      return queue.push(encoder.encode(formatEvent(event)));
    } catch (error) {
      // Overflow: cut the response now (the runtime is not reading it to notice), which
      // names the request and aborts the producer's signal.
      scope.cutBody(error);
      return false;
    }
  }) as SseSend;
  send.ready = () => queue.ready();
  scope.endsItself();
  if (signal.aborted) {
    queueMicrotask(onAbort);
  } else {
    signal.addEventListener("abort", onAbort, { once: true });
    queueMicrotask(() => {
      if (signal.aborted) return;
      scope.spawn(() => produce(send, signal)).then(() => finish(false));
    });
  }
  const headers = new Headers(options?.headers);
  headers.set("content-type", "text/event-stream");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-cache");
  return new Response(queue.stream, { headers });
}

function bytes(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot use options.${name}: expected a positive integer of bytes, got ${
        describe(value)
      }`,
    );
  }
  return value;
}

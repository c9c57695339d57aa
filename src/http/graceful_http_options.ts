// The options of a `GracefulHttp` (and of `serve()`, which passes them on), and the
// validation that turns them into settings, kept apart so that graceful_http.ts is only the
// server's behaviour.
import {
  describe,
  validateBoolean,
  validateFunction,
  validateMs,
  validateName,
  validateOptions,
} from "../_validate.ts";

/**
 * Options for {@linkcode GracefulHttp}.
 *
 * @example Readiness and liveness routes, and a name for the reports
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { GracefulHttp, type GracefulHttpOptions } from "@quiesce/quiesce/http";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false, drainDelay: 50 });
 * const options: GracefulHttpOptions = { name: "api", readiness: "/healthz", liveness: "/livez" };
 * const http = new GracefulHttp(shutdown, () => new Response("ok"), options);
 * const ready = () => http.fetch(new Request("http://localhost/healthz"));
 * assertEquals((await ready()).status, 200);
 * const done = shutdown.shutdown();
 * assertEquals((await ready()).status, 503); // from the first signal on
 * assertEquals((await http.fetch(new Request("http://localhost/livez"))).status, 200);
 * await done;
 * ```
 */
export interface GracefulHttpOptions {
  /** The name of the listener's task and cleanup step. Default `"http server"`. */
  name?: string;
  /**
   * A path answered as `readiness(shutdown)` does: 200 `ok` while `shutdown.isReady`, 503
   * `draining` from the first signal on (and 503 `starting` before `ready()` under the
   * coordinator's `awaitReady`).
   */
  readiness?: string;
  /** A path answered 200 `ok` until the process ends. */
  liveness?: string;
  /**
   * Called when background work of a request fails, or a response is cut outside the drain
   * (a client that stopped reading an `sse()` stream). Default: `console.error`.
   */
  onError?: (error: unknown, request: string) => void;
  /**
   * The least time in milliseconds from the first signal to the listener's stop, whatever
   * `drainDelay` is. Default 500. A keep-alive client gets at least this long to receive a
   * `Connection: close` response on its connection, instead of the runtime closing the
   * connection under its next request (an EOF or reset, which no pooled client retries
   * safely). `0` stops the listener when the drain begins.
   */
  linger?: number;
  /**
   * While draining, how long in milliseconds a client may stop reading its response before
   * the response is cut and named as a failure (`GET /big: the response body was cut: the
   * client stopped reading for 5000 ms`). Default 5000. Also counted in `report.counts`
   * (`http server: stalled responses cut`).
   */
  stallTimeout?: number;
  /**
   * How long in milliseconds the stopped listener may wait, once no request is in flight,
   * for connections that carry nothing useful (half a request line, a silent client) before
   * `close()` ends them (Bun: `stop(true)`; Deno closes such connections itself). Default
   * 1000. The connections so closed are counted in `report.counts` where the listener came
   * from `serve()`, Bun's default export or `nodeListener()` (Node by kind; Deno and Bun
   * from Linux's /proc, which Deno reads only under `--allow-all`).
   */
  idleGrace?: number;
  /**
   * Whether every response is checked for `content-type: text/event-stream`, so that a
   * framework's event stream (Hono's `streamSSE`, a plain `ReadableStream` of that type)
   * ends cleanly at the drain. Default `true`. The check reads the response's headers,
   * which costs each request (measured on a loaded machine: about 0.5-1.5 µs on Deno,
   * where it makes the runtime materialize a lazy string body, and about 0.1-0.25 µs on
   * Bun). `false` skips it for responses returned before the first signal: such a stream
   * then runs until its own end or the deadline. `sse()` streams end at the drain either
   * way, and responses returned while draining are always checked.
   */
  eventStreams?: boolean;
}

/** The option names {@linkcode GracefulHttpOptions} has, for validation here and in `serve()`. */
export const GRACEFUL_HTTP_OPTIONS = [
  "name",
  "readiness",
  "liveness",
  "onError",
  "linger",
  "stallTimeout",
  "idleGrace",
  "eventStreams",
];

/** The options, checked, with their defaults filled in. */
export interface HttpSettings {
  name: string;
  readiness: string | undefined;
  liveness: string | undefined;
  onError: (error: unknown, request: string) => void;
  linger: number;
  stallTimeout: number;
  idleGrace: number;
  eventStreams: boolean;
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
 */
export function httpSettings(
  options: GracefulHttpOptions | undefined,
): HttpSettings {
  validateOptions(options, "options", GRACEFUL_HTTP_OPTIONS);
  if (options?.onError !== undefined) {
    validateFunction(options.onError, "options.onError");
  }
  validateBoolean(options?.eventStreams, "options.eventStreams");
  return {
    name: validateName(options?.name ?? "http server", "options.name"),
    readiness: optionalPath(options?.readiness, "options.readiness"),
    liveness: optionalPath(options?.liveness, "options.liveness"),
    onError: options?.onError ??
      ((error, request) => console.error(`quiesce: ${request} failed:`, error)),
    linger: finiteMs(options?.linger, "options.linger", 500),
    stallTimeout: finiteMs(options?.stallTimeout, "options.stallTimeout", 5000),
    idleGrace: finiteMs(options?.idleGrace, "options.idleGrace", 1000),
    eventStreams: options?.eventStreams ?? true,
  };
}

/** `validateMs`, but finite: these bounds arm timers, which take no `Infinity`. */
function finiteMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = validateMs(value, name);
  if (ms === Infinity) {
    throw new RangeError(
      `Cannot use ${name}: expected a finite number of milliseconds, got Infinity`,
    );
  }
  return ms;
}

function optionalPath(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw new TypeError(
      `Cannot use ${name}: expected a path starting with "/", got ${
        describe(value)
      }`,
    );
  }
  return value;
}

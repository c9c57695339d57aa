import {
  describe,
  validateMs,
  validateOptions,
  validateSignal,
} from "../_validate.ts";
import { sleep } from "../wait.ts";
import { isStopped, SHUTDOWN_MESSAGE } from "./_protocol.ts";

/**
 * How {@linkcode stopWorker} ended: `"graceful"` when the worker acknowledged the shutdown
 * in time, `"forced"` when it did not (deadline, `options.signal`, or the worker exited
 * without acknowledging). Either way `terminate()` has been called.
 *
 * @example Log a worker that had to be terminated
 * ```ts
 * import { stopWorker, type StopResult } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const code = `postMessage("ready"); // and never acknowledges a shutdown`;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * await new Promise((ready) => worker.addEventListener("message", ready, { once: true }));
 * const result: StopResult = await stopWorker(worker, { timeout: 20 });
 * if (result === "forced") console.warn("the worker did not drain in time");
 * assertEquals(result, "forced");
 * ```
 */
export type StopResult = "graceful" | "forced";

/**
 * Options for {@linkcode stopWorker}.
 *
 * @example Give up early when the parent's own deadline passes
 * ```ts
 * import { stopWorker, type StopWorkerOptions } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const code = `postMessage("ready"); // and never acknowledges a shutdown`;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * await new Promise((ready) => worker.addEventListener("message", ready, { once: true }));
 * const parentDeadline = new AbortController();
 * const options: StopWorkerOptions = { timeout: 60_000, signal: parentDeadline.signal };
 * const stopping = stopWorker(worker, options);
 * parentDeadline.abort(); // e.g. the parent's own drain is out of time
 * assertEquals(await stopping, "forced");
 * ```
 */
export interface StopWorkerOptions {
  /**
   * Milliseconds to wait for the acknowledgement before `terminate()`; `Infinity` waits
   * for ever. Default 5 000.
   */
  timeout?: number;
  /** Aborting this signal stops waiting: the worker is terminated at once (`"forced"`). */
  signal?: AbortSignal;
}

/**
 * The parts of a web `Worker` that {@linkcode stopWorker} uses; Deno's and Bun's `Worker`
 * both fit.
 *
 * @example Stop something that is not a `Worker` (here an in-process stand-in)
 * ```ts
 * import { isQuiesceMessage, stopWorker, type StoppableWorker } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * class InProcessWorker extends EventTarget implements StoppableWorker {
 *   terminated = false;
 *   postMessage(message: unknown): void {
 *     // Answers the shutdown request the way a drained worker would.
 *     if (isQuiesceMessage(message)) {
 *       const stopped = { quiesce: "stopped", code: 0 };
 *       queueMicrotask(() => this.dispatchEvent(new MessageEvent("message", { data: stopped })));
 *     }
 *   }
 *   terminate(): void {
 *     this.terminated = true;
 *   }
 * }
 *
 * const worker = new InProcessWorker();
 * assertEquals(await stopWorker(worker, { timeout: 1_000 }), "graceful");
 * assertEquals(worker.terminated, true);
 * ```
 */
export interface StoppableWorker {
  /** Sends a message to the worker. */
  postMessage(message: unknown): void;
  /** Ends the worker. */
  terminate(): void;
  /** Listens to `message`, `error` and (Bun) `close` events. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

const DEFAULT_TIMEOUT = 5_000;
const STOP_WORKER_OPTIONS = ["timeout", "signal"] as const;
const WORKER_METHODS = [
  "postMessage",
  "terminate",
  "addEventListener",
  "removeEventListener",
] as const;

function validateWorker(worker: unknown): asserts worker is StoppableWorker {
  const ok = typeof worker === "object" && worker !== null &&
    WORKER_METHODS.every((m) =>
      typeof (worker as Record<string, unknown>)[m] === "function"
    );
  if (!ok) {
    throw new TypeError(
      `Cannot use worker: expected a Worker (${
        WORKER_METHODS.join(", ")
      }), got ${describe(worker)}`,
    );
  }
}

/**
 * Stops a web worker gracefully: posts `{ quiesce: "shutdown" }`, waits for the worker's
 * `{ quiesce: "stopped" }` acknowledgement (see {@linkcode acknowledgeStop}), then calls
 * `terminate()`. At the deadline, or when `options.signal` aborts, it calls `terminate()`
 * and resolves `"forced"`. `terminate()` is called on every path, so the worker is gone
 * when the promise settles, and the listeners and the timer it added are removed.
 *
 * - A worker that exits without acknowledging (Bun fires `close`) resolves `"forced"` at
 *   once, without waiting for the deadline.
 * - An uncaught error in the worker before it acknowledged rejects the promise (the
 *   error's default action, which in Deno crashes the parent, is prevented, so a failing
 *   worker cannot end the parent's own drain).
 * - A message posted before the worker added its listener is lost (in Deno and Bun alike),
 *   so stop a worker only after it said it is ready, and have the worker call
 *   {@linkcode workerSignals} before any top-level `await`.
 * - **Deno cannot stop a worker that is busy in synchronous code**: `terminate()` returns
 *   but the thread keeps running and keeps the process alive. `stopWorker` still resolves
 *   `"forced"` at the deadline; the process must then end with `Deno.exit()` (the `./main`
 *   entry point does). Bun's `terminate()` does stop such a worker.
 *
 * @example Stop a worker that acknowledges (the protocol written by hand)
 * ```ts
 * import { stopWorker } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const code = `
 *   addEventListener("message", (event) => {
 *     if (event.data?.quiesce === "shutdown") {
 *       postMessage({ quiesce: "stopped", code: 0 });
 *       close();
 *     }
 *   });
 *   postMessage("ready");
 * `;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * await new Promise((ready) => worker.addEventListener("message", ready, { once: true }));
 * assertEquals(await stopWorker(worker, { timeout: 5_000 }), "graceful");
 * ```
 *
 * @example A worker that never answers is terminated at the deadline
 * ```ts
 * import { stopWorker } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const code = `postMessage("ready"); // and ignores every message`;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * await new Promise((ready) => worker.addEventListener("message", ready, { once: true }));
 * assertEquals(await stopWorker(worker, { timeout: 50 }), "forced");
 * ```
 *
 * @param worker The worker to stop (a web `Worker`).
 * @param options The deadline and an optional signal that forces the stop early.
 * @returns `"graceful"` or `"forced"`, once the worker has been terminated. Rejects with an
 * `Error` (its `cause` the worker's `ErrorEvent`) if the worker fails before it
 * acknowledged, or with what `postMessage` threw; the worker is terminated then too.
 * @throws {TypeError} If `worker` is not a worker, `options` not an object,
 * `options.timeout` not a number or `options.signal` not an `AbortSignal`.
 * @throws {RangeError} If `options.timeout` is negative or `NaN`.
 */
export function stopWorker(
  worker: StoppableWorker,
  options?: StopWorkerOptions,
): Promise<StopResult> {
  validateWorker(worker);
  validateOptions(options, "options", STOP_WORKER_OPTIONS);
  const timeout = validateMs(
    options?.timeout ?? DEFAULT_TIMEOUT,
    "options.timeout",
  );
  const signal = options?.signal;
  validateSignal(signal, "options.signal");
  if (signal?.aborted) {
    worker.terminate();
    return Promise.resolve("forced");
  }

  const { promise, resolve, reject } = Promise.withResolvers<StopResult>();
  // `sleep` rather than a bare setTimeout: it chains timers past 2^31-1 ms and holds none
  // for Infinity.
  const deadline = new AbortController();
  let settled = false;
  // The single exit of every path: listeners off, timer cleared, worker terminated.
  const settle = (
    outcome: { result: StopResult } | { error: unknown },
  ): void => {
    if (settled) return;
    settled = true;
    worker.removeEventListener("message", onMessage);
    worker.removeEventListener("error", onError);
    worker.removeEventListener("close", onClose);
    signal?.removeEventListener("abort", onForce);
    deadline.abort();
    try {
      worker.terminate();
    } catch (error) {
      reject(error);
      return;
    }
    if ("error" in outcome) reject(outcome.error);
    else resolve(outcome.result);
  };
  const onMessage = (event: Event): void => {
    if (isStopped((event as MessageEvent).data)) settle({ result: "graceful" });
  };
  const onError = (event: Event): void => {
    event.preventDefault();
    const message = (event as { message?: unknown }).message;
    settle({
      error: new Error(
        `Worker failed before it acknowledged the shutdown: ${
          String(message ?? "unknown error")
        }`,
        { cause: event },
      ),
    });
  };
  // Bun fires `close` when the worker exits; Deno never does (the deadline covers it).
  const onClose = (): void => settle({ result: "forced" });
  const onForce = (): void => settle({ result: "forced" });

  worker.addEventListener("message", onMessage);
  worker.addEventListener("error", onError);
  worker.addEventListener("close", onClose);
  signal?.addEventListener("abort", onForce, { once: true });
  sleep(timeout, { signal: deadline.signal }).then(onForce, () => {});
  try {
    worker.postMessage(SHUTDOWN_MESSAGE);
  } catch (error) {
    settle({ error });
  }
  return promise;
}

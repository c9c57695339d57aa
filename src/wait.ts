import {
  validateMs,
  validateOptions,
  validateSignal,
  validateThenable,
} from "./_validate.ts";
import { race } from "./_timer.ts";

/**
 * Options for {@linkcode sleep} and {@linkcode deadline}.
 *
 * @example One signal cancels every wait that shares the options
 * ```ts
 * import { deadline, sleep, type WaitOptions } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const controller = new AbortController();
 * const options: WaitOptions = { signal: controller.signal };
 * assertEquals(await deadline(Promise.resolve("fast"), 1_000, options), "fast");
 * const napping = sleep(60_000, options);
 * const reply = deadline(new Promise(() => {}), 60_000, options);
 * controller.abort(new Error("stop"));
 * await assertRejects(() => napping, Error, "stop");
 * await assertRejects(() => reply, Error, "stop");
 * ```
 */
export interface WaitOptions {
  /** Aborting this signal rejects the wait at once with `signal.reason`. */
  signal?: AbortSignal;
}

// setTimeout fires at once for delays above 2^31-1 ms, so longer waits are chained.
/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as `signal`
 * aborts. The timer and the abort listener are removed when the wait settles.
 * `Infinity` waits until the signal aborts (and holds no timer, so it does not keep the
 * process alive by itself).
 *
 * @example Sleep, unless cancelled
 * ```ts
 * import { sleep } from "@quiesce/quiesce";
 * import { assertRejects } from "@std/assert";
 *
 * await sleep(10);
 * const controller = new AbortController();
 * const slept = sleep(60_000, { signal: controller.signal });
 * controller.abort();
 * await assertRejects(() => slept, DOMException);
 * ```
 *
 * @throws {TypeError} If `ms` is not a number or `options.signal` is not an `AbortSignal`.
 * @throws {RangeError} If `ms` is negative or `NaN`.
 */
export function sleep(ms: number, options?: WaitOptions): Promise<void> {
  validateMs(ms, "ms");
  validateOptions(options, "options", ["signal"]);
  const signal = options?.signal;
  validateSignal(signal, "options.signal");
  return race<void>(undefined, ms, signal, () => {});
}

/**
 * Settles like `promise`, unless `ms` milliseconds pass first (rejects with a
 * `DOMException` named `TimeoutError`) or `signal` aborts first (rejects with
 * `signal.reason`). The timer and listener are removed when it settles; a late rejection of
 * `promise` is handled, never reported as unhandled.
 *
 * @example Bound a slow call
 * ```ts
 * import { deadline } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * assertEquals(await deadline(Promise.resolve(42), 1_000), 42);
 * const never = new Promise(() => {});
 * const error = await assertRejects(() => deadline(never, 10), DOMException);
 * assertEquals(error.name, "TimeoutError");
 * ```
 *
 * @throws {TypeError} If `promise` is not a promise, `ms` is not a number, or
 * `options.signal` is not an `AbortSignal`.
 * @throws {RangeError} If `ms` is negative or `NaN`.
 */
export function deadline<T>(
  promise: PromiseLike<T>,
  ms: number,
  options?: WaitOptions,
): Promise<T> {
  validateThenable(promise, "promise");
  validateMs(ms, "ms");
  validateOptions(options, "options", ["signal"]);
  const signal = options?.signal;
  validateSignal(signal, "options.signal");
  return race(promise, ms, signal, () => {
    throw new DOMException(
      `The deadline of ${ms} ms was exceeded`,
      "TimeoutError",
    );
  });
}

/**
 * Settles like `promise`, unless `signal` aborts first: then rejects with `signal.reason`.
 * The abort listener is removed when it settles.
 *
 * @example Stop waiting when a signal aborts
 * ```ts
 * import { abortable } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const controller = new AbortController();
 * assertEquals(await abortable(Promise.resolve("ok"), controller.signal), "ok");
 * controller.abort(new Error("stop"));
 * await assertRejects(() => abortable(new Promise(() => {}), controller.signal), Error, "stop");
 * ```
 *
 * @throws {TypeError} If `promise` is not a promise or `signal` is not an `AbortSignal`.
 */
export function abortable<T>(
  promise: PromiseLike<T>,
  signal: AbortSignal,
): Promise<T> {
  validateThenable(promise, "promise");
  if (signal === undefined) {
    throw new TypeError(
      "Cannot use signal: expected an AbortSignal, got undefined",
    );
  }
  validateSignal(signal, "signal");
  return deadline(promise, Infinity, { signal });
}

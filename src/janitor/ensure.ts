// ensureJanitor and tryEnsureJanitor: reuse the ambient janitor, or enter a new one.
import { ambient, type Janitor } from "./_janitor.ts";
import { isNativePromise } from "./_promise.ts";
import { enterJanitor, tryEnterJanitor } from "./enter.ts";
import { type JanitorOptions, validateEntry } from "./options.ts";
import type { JanitorFunction, TryEnsureJanitorResult } from "./results.ts";

/**
 * Like {@linkcode enterJanitor}, but when an ambient janitor accepts jobs it is reused:
 * then `fn` simply runs (with that janitor's signal; `options` are checked but unused) and
 * its jobs go to that janitor. An ambient janitor that no longer accepts jobs is not
 * reused: a new one is entered, nested in it, so late code can still use a janitor.
 *
 * @param fn The callee; it gets the janitor's `AbortSignal`.
 * @param options See {@linkcode JanitorOptions}; used only when a new janitor is entered.
 * @returns What `fn` returned; with a new janitor, once that finished too.
 * @throws {TypeError} When `fn` is not a function or `options` is malformed.
 *
 * @example A library function that works with or without a caller's janitor
 * ```ts
 * import { ensureJanitor, enterJanitor, spawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const flushed: string[] = [];
 * const save = (name: string) =>
 *   ensureJanitor(() => {
 *     spawnDaemon(async () => {
 *       await new Promise((resolve) => setTimeout(resolve, 1));
 *       flushed.push(name);
 *     });
 *   });
 *
 * await save("alone"); // its own janitor: waits for the flush
 * assertEquals(flushed, ["alone"]);
 * await enterJanitor(async () => {
 *   await save("nested"); // reuses the caller's janitor: returns before the flush...
 *   assertEquals(flushed, ["alone"]);
 * }); // ...which the caller's janitor waits for
 * assertEquals(flushed, ["alone", "nested"]);
 * ```
 */
export function ensureJanitor<T>(
  fn: JanitorFunction<T>,
  options?: JanitorOptions,
): Promise<T> {
  const current = ambient.getStore();
  // The hot path of code that already runs under a janitor. Everything else is in
  // another function, so this one stays small enough for V8 to inline at call sites.
  if (
    current !== undefined && current.accepting && typeof fn === "function" &&
    options === undefined
  ) {
    return callWithin(fn, current.signal);
  }
  return ensureJanitorSlowly(fn, options, current);
}

function ensureJanitorSlowly<T>(
  fn: JanitorFunction<T>,
  options: JanitorOptions | undefined,
  current: Janitor | undefined,
): Promise<T> {
  if (current === undefined || !current.accepting) {
    return enterJanitor(fn, options);
  }
  validateEntry(fn, options);
  return callWithin(fn, current.signal);
}

/**
 * Like {@linkcode ensureJanitor}, but never rejects: resolves
 * `{ janitorResult, calleeResult }`, with `janitorResult` `undefined` when an ambient
 * janitor was reused. Bad arguments still throw at once.
 *
 * @param fn The callee; it gets the janitor's `AbortSignal`.
 * @param options See {@linkcode JanitorOptions}; used only when a new janitor is entered.
 * @returns Both outcomes; `janitorResult` is `undefined` when a janitor was reused.
 * @throws {TypeError} When `fn` is not a function or `options` is malformed.
 *
 * @example Reused janitors report no janitorResult
 * ```ts
 * import { enterJanitor, tryEnsureJanitor } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const boom = new Error("boom");
 * const inside = await enterJanitor(() => tryEnsureJanitor(() => Promise.reject(boom)));
 * assertEquals(inside, { janitorResult: undefined, calleeResult: { ok: false, error: boom } });
 * ```
 */
export function tryEnsureJanitor<T>(
  fn: JanitorFunction<T>,
  options?: JanitorOptions,
): Promise<TryEnsureJanitorResult<T>> {
  const current = ambient.getStore();
  if (current === undefined || !current.accepting) {
    return tryEnterJanitor(fn, options);
  }
  validateEntry(fn, options);
  return callWithin(fn, current.signal).then(
    (value): TryEnsureJanitorResult<T> => ({
      janitorResult: undefined,
      calleeResult: { ok: true, value },
    }),
    (error: unknown): TryEnsureJanitorResult<T> => ({
      janitorResult: undefined,
      calleeResult: { ok: false, error },
    }),
  );
}

/** Calls `fn` in the current context; a synchronous throw becomes a rejection. */
function callWithin<T>(
  fn: JanitorFunction<T>,
  signal: AbortSignal,
): Promise<T> {
  try {
    const result = fn(signal);
    // An async fn's own promise passes through: Promise.resolve would cost a measurable
    // share of a reused ensureJanitor call.
    return isNativePromise(result)
      ? result as Promise<T>
      : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

// enterJanitor / ensureJanitor and their never-rejecting `try` variants.
import {
  validateFunction,
  validateOptions,
  validateSignal,
} from "../_validate.ts";
import { ambient } from "./_ambient.ts";
import { Janitor } from "./_janitor.ts";
import { CalleeAndJanitorFailedError } from "./errors.ts";
import type {
  JanitorFunction,
  SettledResult,
  TryEnsureJanitorResult,
  TryEnterJanitorResult,
} from "./results.ts";

/**
 * Options for {@linkcode enterJanitor} and the other entry points.
 *
 * @example Tie a janitor to a request's signal
 * ```ts
 * import { enterJanitor, type JanitorOptions, spawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const request = new AbortController(); // stands in for `request.signal`
 * const options: JanitorOptions = { signal: request.signal };
 * let seen: unknown;
 * await enterJanitor(() => {
 *   spawnDaemon(async (signal) => {
 *     await new Promise((resolve) => signal.addEventListener("abort", resolve));
 *     seen = signal.reason;
 *   });
 *   request.abort("client went away");
 * }, options);
 * assertEquals(seen, "client went away");
 * ```
 */
export interface JanitorOptions {
  /**
   * An outside signal (a `GracefulShutdown` token's, a request's): when it aborts, the
   * janitor's signal aborts with its reason, and the janitor still waits for its jobs. The
   * janitor removes its listener from this signal when it ends.
   */
  signal?: AbortSignal;
}

const OPTION_NAMES = ["signal"] as const satisfies ReadonlyArray<
  keyof JanitorOptions
>;

function validateEntry(fn: unknown, options: JanitorOptions | undefined): void {
  validateFunction(fn, "fn");
  validateOptions(options, "options", OPTION_NAMES);
  validateSignal(options?.signal, "options.signal");
}

/**
 * Runs `fn(signal)` inside a new janitor and resolves with its result once `fn` and every
 * job registered while it ran (`spawnDaemon`/`spawnCleanupJob`, from however deep) have
 * finished.
 *
 * - **Only jobs registered before `fn` settled count.** A job registered after that, from
 *   anywhere (another job, a timer `fn` left behind), is refused with
 *   `JanitorTerminatingError`: the janitor waits only for what it knew about when its
 *   owner finished.
 * - The first job that fails ends the janitor at once: it accepts no more jobs, every
 *   other job's signal (and `fn`'s) aborts with that failure as the reason, and the
 *   promise rejects with it as soon as `fn` has settled, without waiting for the other
 *   jobs. Their later outcomes are still observed: no unhandled rejection.
 * - A job that rejects with its own signal's reason after the signal aborted counts as
 *   cancelled, not failed, so an aborted `options.signal` still lets every job finish.
 * - When `fn` fails, the jobs are not aborted (cleanup jobs must still run); the promise
 *   rejects with `fn`'s error once they finished. When `fn` and a job both failed, it
 *   rejects with a {@linkcode CalleeAndJanitorFailedError} carrying both (unless `fn`
 *   simply rethrew the job's failure it saw as its signal's reason).
 * - Nested inside another janitor, this makes an inner one: jobs registered inside belong
 *   to it, and it is aborted when the outer one aborts.
 *
 * @param fn The callee; it gets the janitor's `AbortSignal`.
 * @param options See {@linkcode JanitorOptions}.
 * @returns What `fn` returned, once the janitor finished too.
 * @throws {TypeError} When `fn` is not a function or `options` is malformed.
 *
 * @example An audit write registered deep inside is awaited
 * ```ts
 * import { enterJanitor, spawnCleanupJob } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const audit: string[] = [];
 * function chargeCard(amount: number): string {
 *   // Deep code: no janitor or task group passed down to it.
 *   spawnCleanupJob(async () => {
 *     await new Promise((resolve) => setTimeout(resolve, 5));
 *     audit.push(`charged ${amount}`);
 *   });
 *   return "ok";
 * }
 * const status = await enterJanitor(() => chargeCard(42));
 * assertEquals(status, "ok");
 * assertEquals(audit, ["charged 42"]); // written before enterJanitor resolved
 * ```
 */
export function enterJanitor<T>(
  fn: JanitorFunction<T>,
  options?: JanitorOptions,
): Promise<T> {
  validateEntry(fn, options);
  return runJanitor(fn, options?.signal).then(unwrap);
}

/**
 * Like {@linkcode enterJanitor}, but resolves `{ janitorResult, calleeResult }` (each a
 * {@linkcode SettledResult}) instead of rejecting. Bad arguments still throw at once.
 *
 * @param fn The callee; it gets the janitor's `AbortSignal`.
 * @param options See {@linkcode JanitorOptions}.
 * @returns Both outcomes, once `fn` and the janitor finished.
 * @throws {TypeError} When `fn` is not a function or `options` is malformed.
 *
 * @example Both outcomes, never a rejection
 * ```ts
 * import { spawnDaemon, tryEnterJanitor } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const failure = new Error("disk full");
 * const { janitorResult, calleeResult } = await tryEnterJanitor(() => {
 *   spawnDaemon(() => Promise.reject(failure));
 *   return 7;
 * });
 * assertEquals(janitorResult, { ok: false, error: failure });
 * assertEquals(calleeResult, { ok: true, value: 7 });
 * ```
 */
export function tryEnterJanitor<T>(
  fn: JanitorFunction<T>,
  options?: JanitorOptions,
): Promise<TryEnterJanitorResult<T>> {
  validateEntry(fn, options);
  return runJanitor(fn, options?.signal);
}

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
    return Promise.resolve(fn(signal));
  } catch (error) {
    return Promise.reject(error);
  }
}

async function runJanitor<T>(
  fn: JanitorFunction<T>,
  outside: AbortSignal | undefined,
): Promise<TryEnterJanitorResult<T>> {
  const janitor = new Janitor(ambient.getStore(), outside);
  let calleeResult: SettledResult<T>;
  try {
    calleeResult = {
      ok: true,
      value: await ambient.run(janitor, fn, janitor.signal),
    };
  } catch (error) {
    calleeResult = { ok: false, error };
  }
  const janitorResult = await janitor.close();
  return { janitorResult, calleeResult };
}

function unwrap<T>(
  { janitorResult, calleeResult }: TryEnterJanitorResult<T>,
): T {
  if (!janitorResult.ok) {
    if (!calleeResult.ok && calleeResult.error !== janitorResult.error) {
      throw new CalleeAndJanitorFailedError(
        calleeResult.error,
        janitorResult.error,
      );
    }
    throw janitorResult.error;
  }
  if (!calleeResult.ok) throw calleeResult.error;
  return calleeResult.value;
}

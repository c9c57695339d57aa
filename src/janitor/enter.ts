// enterJanitor and its never-rejecting variant tryEnterJanitor.
import { ambient, Janitor } from "./_janitor.ts";
import { isCancellationEcho } from "../_cancellation_echo.ts";
import { CalleeAndJanitorFailedError } from "./errors.ts";
import { type JanitorOptions, validateEntry } from "./options.ts";
import type {
  JanitorFunction,
  SettledResult,
  TryEnterJanitorResult,
} from "./results.ts";

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
 * - A job that stops after its signal aborted, with the signal's reason or an
 *   `AbortError` of its own (as `node:timers/promises`, `events.once` and `fetch` reject),
 *   counts as cancelled, not failed (the core's rule for tasks), so an aborted
 *   `options.signal` still lets every job finish and the janitor resolve.
 * - When `fn` fails, the jobs are not aborted (cleanup jobs must still run); the promise
 *   rejects with `fn`'s error once they finished. When `fn` and a job both failed, it
 *   rejects with a {@linkcode CalleeAndJanitorFailedError} carrying both, unless `fn`
 *   only stopped because the failure aborted its signal (it rethrew the reason, or an
 *   `AbortError` of its own): then it rejects with the job's failure alone.
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
    const { signal } = janitor;
    if (signal.aborted && isCancellationEcho(error, signal.reason)) {
      echoes.add(calleeResult);
    }
  }
  const janitorResult = await janitor.close();
  return { janitorResult, calleeResult };
}

/**
 * The callee failures that only echoed the janitor's abort (its reason, or an AbortError
 * of its own, after the signal aborted): not failures of their own when a job failed.
 */
const echoes = new WeakSet<SettledResult<unknown>>();

function unwrap<T>(
  { janitorResult, calleeResult }: TryEnterJanitorResult<T>,
): T {
  if (!janitorResult.ok) {
    // A callee that rethrew the failure it saw as its signal's reason, or stopped with the
    // echo of the abort, did not fail on its own: the janitor's failure alone is the answer.
    if (
      !calleeResult.ok && calleeResult.error !== janitorResult.error &&
      !echoes.has(calleeResult)
    ) {
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

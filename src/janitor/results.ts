// The settled results that tryEnterJanitor/tryEnsureJanitor resolve with instead of
// rejecting.

/**
 * How one side of a janitor ended: `{ ok: true, value }` or `{ ok: false, error }`.
 *
 * @example Read a settled result
 * ```ts
 * import type { SettledResult } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * function describe(result: SettledResult<number>): string {
 *   return result.ok ? `value ${result.value}` : `error ${String(result.error)}`;
 * }
 * assertEquals(describe({ ok: true, value: 1 }), "value 1");
 * assertEquals(describe({ ok: false, error: "boom" }), "error boom");
 * ```
 */
export type SettledResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/**
 * What `tryEnterJanitor` resolves with: the janitor's own outcome (its jobs) and the
 * callee's, side by side.
 *
 * @example Tell a failed job from a failed callee
 * ```ts
 * import { spawnDaemon, tryEnterJanitor, type TryEnterJanitorResult } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const result: TryEnterJanitorResult<string> = await tryEnterJanitor(() => {
 *   spawnDaemon(() => Promise.reject(new Error("job failed")));
 *   return "callee done";
 * });
 * assertEquals(result.calleeResult, { ok: true, value: "callee done" });
 * assertEquals(result.janitorResult.ok, false);
 * ```
 */
export interface TryEnterJanitorResult<T> {
  /** `{ ok: false, error }` with the first failing job's error; else `{ ok: true }`. */
  readonly janitorResult: SettledResult<void>;
  /** What the callee returned or threw. */
  readonly calleeResult: SettledResult<T>;
}

/**
 * What `tryEnsureJanitor` resolves with: like {@linkcode TryEnterJanitorResult}, but
 * `janitorResult` is `undefined` when an ambient janitor was reused (its jobs are its
 * owner's business).
 *
 * @example Reused or new
 * ```ts
 * import { enterJanitor, tryEnsureJanitor, type TryEnsureJanitorResult } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const fresh: TryEnsureJanitorResult<number> = await tryEnsureJanitor(() => 1);
 * assertEquals(fresh.janitorResult, { ok: true, value: undefined });
 * const reused = await enterJanitor(() => tryEnsureJanitor(() => 2));
 * assertEquals(reused, { janitorResult: undefined, calleeResult: { ok: true, value: 2 } });
 * ```
 */
export interface TryEnsureJanitorResult<T> {
  /** `undefined` when the ambient janitor was reused; otherwise as in `tryEnterJanitor`. */
  readonly janitorResult: SettledResult<void> | undefined;
  /** What the callee returned or threw. */
  readonly calleeResult: SettledResult<T>;
}

/**
 * The function a janitor runs as its callee, and the shape of its jobs: it gets the
 * janitor's `AbortSignal` and returns a value or a promise.
 *
 * @example A job that honours its signal
 * ```ts
 * import { enterJanitor, type JanitorFunction, spawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const ticks: number[] = [];
 * const ticker: JanitorFunction<void> = async (signal) => {
 *   while (!signal.aborted && ticks.length < 3) {
 *     ticks.push(ticks.length);
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *   }
 * };
 * await enterJanitor(() => spawnDaemon(ticker));
 * assertEquals(ticks, [0, 1, 2]);
 * ```
 */
export type JanitorFunction<T> = (signal: AbortSignal) => T | PromiseLike<T>;

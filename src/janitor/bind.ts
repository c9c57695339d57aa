// Carrying the ambient janitor into callbacks the runtime calls without it.
import { validateFunction } from "../_validate.ts";
import { ambient } from "./_janitor.ts";

/**
 * Returns `fn` bound to the janitor that is ambient now: whenever and from wherever the
 * result is called, `spawnDaemon` inside it reaches that janitor (or none, if none was
 * ambient). `this` and the arguments pass through.
 *
 * Needed where a runtime runs a callback in another context than the one that registered
 * it: abort and `EventTarget` listeners run in the context of whoever aborts or
 * dispatches (possibly another janitor), `AbortSignal.timeout` listeners run with none in
 * Deno and Bun, `MessagePort` handlers run with none in Bun and in the port's creation
 * context in Node.
 * `await`, timers, `queueMicrotask` and `.then` keep the context by themselves, and so do
 * listeners on the janitor's own signal (the one its callee and jobs get): it fires in the
 * janitor's context whoever aborts it. Binding is for signals and targets it does not own.
 *
 * @param fn The callback to bind.
 * @returns A function that runs `fn` with the captured janitor ambient.
 * @throws {TypeError} When `fn` is not a function.
 *
 * @example An abort listener that registers cleanup with its own janitor
 * ```ts
 * import { bindToJanitor, enterJanitor, spawnCleanupJob } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const upstream = new AbortController();
 * const log: string[] = [];
 * const request = enterJanitor(async () => {
 *   upstream.signal.addEventListener(
 *     "abort",
 *     bindToJanitor(() => spawnCleanupJob(() => void log.push("rolled back"))),
 *   );
 *   await new Promise((resolve) => upstream.signal.addEventListener("abort", resolve));
 * });
 * // Aborted from outside any janitor: unbound, the listener would run in this context and
 * // spawnCleanupJob would throw NoActiveJanitorError.
 * upstream.abort();
 * await request;
 * assertEquals(log, ["rolled back"]);
 * ```
 */
export function bindToJanitor<This, Args extends unknown[], Result>(
  fn: (this: This, ...args: Args) => Result,
): (this: This, ...args: Args) => Result {
  validateFunction(fn, "fn");
  const janitor = ambient.getStore();
  return function (this: This, ...args: Args): Result {
    return ambient.run(janitor, () => fn.apply(this, args));
  };
}

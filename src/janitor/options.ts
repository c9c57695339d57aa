// The options every janitor entry point takes, and their validation.
import {
  validateFunction,
  validateOptions,
  validateSignal,
} from "../_validate.ts";

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
   * janitor's signal aborts with its reason (firing in the janitor's context), and the
   * janitor still waits for its jobs. The janitor's link to this signal goes when it ends.
   * Any number of janitors (and token sources) may share one signal: it gets one abort
   * listener, so the cost stays linear.
   */
  signal?: AbortSignal;
}

const OPTION_NAMES = ["signal"] as const satisfies ReadonlyArray<
  keyof JanitorOptions
>;

/** Throws the `TypeError` that names the bad argument; nothing is registered before. */
export function validateEntry(
  fn: unknown,
  options: JanitorOptions | undefined,
): void {
  validateFunction(fn, "fn");
  validateOptions(options, "options", OPTION_NAMES);
  validateSignal(options?.signal, "options.signal");
}

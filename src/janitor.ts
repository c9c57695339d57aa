/**
 * Ambient daemons and cleanup jobs: deep code hands a background job or a cleanup action to
 * the nearest enclosing janitor with {@linkcode spawnDaemon} / {@linkcode spawnCleanupJob},
 * without a task group being passed down to it, and the janitor's owner
 * ({@linkcode enterJanitor}, {@linkcode ensureJanitor}) still waits for every job.
 *
 * Built on `AsyncLocalStorage` from `node:async_hooks` (Deno, Bun and Node all have it);
 * only this subpath imports it. The rules:
 * - a janitor waits for its callee and every job registered **before the callee
 *   settled**; jobs registered after that, from anywhere (including other jobs), are
 *   refused with {@linkcode JanitorTerminatingError};
 * - the first job that fails ends the janitor at once: the other jobs' signals abort with
 *   that failure, and `enterJanitor` rejects with it once the callee settled, without
 *   waiting for them (their outcomes are still observed);
 * - `options.signal` links the janitor to an outside signal (a shutdown token, a request);
 *   when it aborts, every job's signal aborts and the janitor still waits for them; a job
 *   that then stops with an `AbortError` (`node:timers/promises`, `events.once`, `fetch`)
 *   was cancelled, not failed;
 * - a callee and a job that both fail give a {@linkcode CalleeAndJanitorFailedError};
 * - the context follows `await`, timers, `queueMicrotask` and `.then`, and the janitor's
 *   own signals fire in the janitor's context, whoever aborts them; wrap listeners on
 *   signals and targets the janitor does not own (another `AbortSignal`, `EventTarget`,
 *   `AbortSignal.timeout`, `MessagePort`) in {@linkcode bindToJanitor}.
 *
 * @example A request waits for the audit write its deep code registered
 * ```ts
 * import { enterJanitor, spawnCleanupJob } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const written: string[] = [];
 * function audit(entry: string): void {
 *   spawnCleanupJob(async (signal) => {
 *     await new Promise((resolve) => setTimeout(resolve, 2));
 *     if (!signal.aborted) written.push(entry);
 *   });
 * }
 * const handle = (request: Request) =>
 *   enterJanitor(() => {
 *     audit(`GET ${new URL(request.url).pathname}`);
 *     return new Response("ok");
 *   }, { signal: request.signal });
 *
 * const response = await handle(new Request("http://localhost/orders"));
 * assertEquals(await response.text(), "ok");
 * assertEquals(written, ["GET /orders"]);
 * ```
 *
 * @module
 */
export {
  CalleeAndJanitorFailedError,
  JanitorTerminatingError,
  NoActiveJanitorError,
} from "./janitor/errors.ts";
export type {
  JanitorFunction,
  SettledResult,
  TryEnsureJanitorResult,
  TryEnterJanitorResult,
} from "./janitor/results.ts";
export type { JanitorOptions } from "./janitor/options.ts";
export { enterJanitor, tryEnterJanitor } from "./janitor/enter.ts";
export { ensureJanitor, tryEnsureJanitor } from "./janitor/ensure.ts";
export {
  hasActiveJanitor,
  spawnCleanupJob,
  spawnDaemon,
  trySpawnCleanupJob,
  trySpawnDaemon,
} from "./janitor/spawn.ts";
export { bindToJanitor } from "./janitor/bind.ts";

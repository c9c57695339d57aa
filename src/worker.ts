/**
 * Both sides of graceful web-worker termination, on `postMessage` only, for Deno, Bun and
 * browsers.
 *
 * - Parent: {@linkcode stopWorker} posts `{ quiesce: "shutdown" }`, waits up to a deadline
 *   for `{ quiesce: "stopped" }`, then calls `terminate()`; it resolves `"graceful"` or
 *   `"forced"`.
 * - Worker: {@linkcode workerSignals} is a `SignalSource` fed by that message (give it to
 *   `GracefulShutdown`), and {@linkcode acknowledgeStop} answers after the worker's own
 *   drain and closes the worker.
 * - {@linkcode isQuiesceMessage} lets an application's own `message` handler skip them.
 *
 * Runtime limits this module cannot lift: `terminate()` runs no `finally` blocks (which is
 * why the worker drains itself first); Deno's `terminate()` cannot stop a worker busy in
 * synchronous code, so after a `"forced"` stop such a worker still holds the process open
 * until `Deno.exit()` (the `./main` entry point exits the process after its drain).
 *
 * @example Stop a worker that drains before it acknowledges
 * ```ts
 * import { stopWorker } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const core = import.meta.resolve("@quiesce/quiesce");
 * const adapter = import.meta.resolve("@quiesce/quiesce/worker");
 * // The worker's module; a real program keeps it in its own file.
 * const code = `
 *   import { GracefulShutdown } from "${core}";
 *   import { acknowledgeStop, workerSignals } from "${adapter}";
 *
 *   const shutdown = new GracefulShutdown({ signals: workerSignals(), timeout: 2_000 });
 *   shutdown.defer(() => postMessage("cleaned up"));
 *   postMessage("ready");
 *   acknowledgeStop((await shutdown.done()).ok ? 0 : 1);
 * `;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * const seen: unknown[] = [];
 * const ready = Promise.withResolvers<void>();
 * worker.addEventListener("message", (event) => {
 *   seen.push(event.data);
 *   if (event.data === "ready") ready.resolve();
 * });
 * await ready.promise;
 * assertEquals(await stopWorker(worker, { timeout: 5_000 }), "graceful");
 * assertEquals(seen, ["ready", "cleaned up", { quiesce: "stopped", code: 0 }]);
 * ```
 *
 * @module
 */
export {
  type StoppableWorker,
  type StopResult,
  stopWorker,
  type StopWorkerOptions,
} from "./worker/stop_worker.ts";
export { acknowledgeStop, workerSignals } from "./worker/worker_signals.ts";
export { isQuiesceMessage } from "./worker/messages.ts";
// Re-exported so the documentation of `workerSignals` links to the type it returns.
export type { OsSignal, ShutdownTrigger, SignalSource } from "./signals.ts";

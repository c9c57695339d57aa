import { type SignalSource, validateListener } from "../signals.ts";
import { describe } from "../_validate.ts";
import { isShutdown } from "./_protocol.ts";
import { workerScope } from "../_host.ts";

/**
 * A {@linkcode SignalSource} for code running inside a web worker: it reports `"worker"`
 * when the parent's {@linkcode stopWorker} sends its shutdown message. Pass it as the
 * `signals` option of `GracefulShutdown`; the returned remover takes its `message` listener
 * off again (the coordinator does so as soon as shutdown begins). Outside a worker it
 * listens to nothing.
 *
 * Call it before any top-level `await`: Deno and Bun drop messages that arrive before a
 * listener exists.
 *
 * @example A worker that drains its jobs, then acknowledges
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
 *   shutdown.spawn("jobs", async (signal) => {
 *     while (!signal.aborted) await new Promise((done) => setTimeout(done, 10));
 *   });
 *   postMessage("ready");
 *   const report = await shutdown.done();
 *   acknowledgeStop(report.ok ? 0 : 1);
 * `;
 * const worker = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * await new Promise((ready) => worker.addEventListener("message", ready, { once: true }));
 * assertEquals(await stopWorker(worker, { timeout: 5_000 }), "graceful");
 * ```
 *
 * @returns A signal source reporting `"worker"`.
 */
export function workerSignals(): SignalSource {
  return (onSignal) => {
    validateListener(onSignal);
    const scope = workerScope();
    if (scope === undefined) return () => {};
    const listener = (event: Event): void => {
      if (isShutdown((event as MessageEvent).data)) onSignal("worker");
    };
    scope.addEventListener("message", listener);
    return () => scope.removeEventListener("message", listener);
  };
}

/**
 * Tells the parent's {@linkcode stopWorker} that this worker has drained (posts
 * `{ quiesce: "stopped", code }`), then closes the worker: `self.close()` where it exists
 * (Deno, browsers), `process.exit(exitCode)` in Bun, whose workers have no `close` and whose
 * `process.exit` ends only the worker. Messages posted before it still arrive; code after
 * it may not run. Call it last, after the worker's own drain.
 *
 * @example Acknowledge as soon as the shutdown message arrives
 * ```ts
 * import { stopWorker } from "@quiesce/quiesce/worker";
 * import { assertEquals } from "@std/assert";
 *
 * const adapter = import.meta.resolve("@quiesce/quiesce/worker");
 * const code = `
 *   import { acknowledgeStop, workerSignals } from "${adapter}";
 *
 *   const stopListening = workerSignals()(() => {
 *     stopListening();
 *     acknowledgeStop(0);
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
 * @param exitCode The worker's exit code (Bun reports it in the parent's `close` event).
 * Default 0.
 * @throws {TypeError} If `exitCode` is not a number.
 * @throws {RangeError} If `exitCode` is not an integer from 0 to 255.
 * @throws {Error} If called outside a web worker (it would otherwise close the process).
 */
export function acknowledgeStop(exitCode: number = 0): void {
  if (typeof exitCode !== "number") {
    throw new TypeError(
      `Cannot use exitCode: expected a number, got ${describe(exitCode)}`,
    );
  }
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) {
    throw new RangeError(
      `Cannot use exitCode: expected an integer from 0 to 255, got ${exitCode}`,
    );
  }
  const scope = workerScope();
  if (scope === undefined) {
    throw new Error(
      "Cannot acknowledge the stop: this code is not running in a web worker",
    );
  }
  scope.postMessage({ quiesce: "stopped", code: exitCode });
  if (typeof scope.close === "function") scope.close();
  else if (typeof scope.process?.exit === "function") {
    scope.process.exit(exitCode);
  }
  // Neither: the parent's terminate() ends the worker.
}

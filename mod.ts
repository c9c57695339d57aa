/**
 * Graceful shutdown and structured task lifetimes for Deno, Bun, Node and the edge, on web
 * standards only (`AbortSignal`, `Promise.withResolvers`, `using`).
 *
 * - {@linkcode TokenSource} / {@linkcode CancellationToken}: a cancellation tree.
 * - {@linkcode GracefulShutdown}: signals, a root token, a bounded drain with a report.
 * - {@linkcode TaskTracker}, {@linkcode TaskGroup}, {@linkcode Task}: named tasks.
 * - {@linkcode sleep}, {@linkcode deadline}, {@linkcode abortable}: timed waits.
 *
 * @example Shut down on SIGINT/SIGTERM
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 *
 * const shutdown = new GracefulShutdown();
 * shutdown.spawn("heartbeat", async (signal) => {
 *   while (!signal.aborted) {
 *     await new Promise((resolve) => setTimeout(resolve, 10));
 *   }
 * });
 * setTimeout(() => shutdown.shutdown(), 30); // stands in for Ctrl+C
 * console.log("stopped by", await shutdown.wait());
 * await shutdown.done();
 * ```
 *
 * @module
 */
export {
  CancellationToken,
  TokenSource,
  type TokenSourceOptions,
} from "./src/token.ts";
export { abortable, deadline, sleep, type WaitOptions } from "./src/wait.ts";
export {
  ClosedError,
  type ClosedErrorOptions,
  WaitTimeoutError,
} from "./src/errors.ts";
export {
  hostSignals,
  type OsSignal,
  type ShutdownTrigger,
  type SignalsOptions,
  type SignalSource,
} from "./src/signals.ts";
export {
  Task,
  type TaskFunction,
  type TaskResult,
  type TaskStatus,
} from "./src/task.ts";
export {
  TaskTracker,
  type TaskTrackerOptions,
  type TrackerWaitOptions,
} from "./src/task_tracker.ts";
export {
  type FailurePolicy,
  TaskGroup,
  type TaskGroupOptions,
} from "./src/task_group.ts";
export type {
  DrainProgress,
  Failure,
  PhaseReport,
  ShutdownReport,
  Straggler,
} from "./src/report.ts";
export {
  GracefulShutdown,
  type GracefulShutdownOptions,
  type StepOptions,
} from "./src/shutdown.ts";

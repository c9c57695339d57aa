/**
 * Test what a program does on SIGTERM without sending a signal to the test runner:
 * {@linkcode manualSignals} is a signal source the test drives by hand (pass its `source`
 * as the `signals` option of a `GracefulShutdown`, `main()` or `runMain`), and
 * {@linkcode runMain} runs a program under `main()` without ending the process, resolving
 * with its exit code, outcome and log lines. Nothing here installs an OS signal listener
 * or prints to stderr.
 *
 * Fake time (`@std/testing/time`'s `FakeTime`): the deadline, the progress reporter and
 * the 100 ms repeat window run on `setTimeout`/`setInterval`, which FakeTime replaces, so
 * `await time.tickAsync(ms)` moves a run on, and ticking past `timeout` passes the one
 * deadline of the shutdown; `await time.runMicrotasks()` lets promise steps (a task ending,
 * a cleanup step) run without moving the clock. Measured durations (`durationMs`, `atMs`)
 * use `performance.now()`, which FakeTime does not fake.
 *
 * @example A program's shutdown path, tested in-process
 * ```ts
 * import { manualSignals, runMain } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const closed: string[] = [];
 * const signals = manualSignals();
 * const run = runMain(async ({ shutdown, spawn, defer }) => {
 *   spawn("worker", async (signal) => {
 *     await new Promise((resolve) => signal.addEventListener("abort", resolve));
 *     closed.push("worker");
 *   });
 *   defer(() => closed.push("database"));
 *   await shutdown.wait();
 * }, { signals: signals.source });
 * signals.send("SIGTERM"); // stands in for `kill -TERM <pid>`
 * const { code, outcome } = await run;
 * assertEquals(code, 143);
 * assertEquals(outcome.trigger, "SIGTERM");
 * assertEquals(closed, ["worker", "database"]);
 * assertEquals(signals.listening, 0); // main() removed its listener before the exit
 * ```
 *
 * @module
 */
// The types the signatures here mention, and those they mention in turn, so this entry
// point documents (and type-checks against) them on its own; the same as the main entry's.
export type {
  CancellationToken,
  DrainProgress,
  Failure,
  GracefulShutdown,
  GracefulShutdownOptions,
  MainContext,
  MainFailure,
  MainLog,
  MainOptions,
  MainOutcome,
  OsSignal,
  PhaseReport,
  ShutdownReport,
  ShutdownTrigger,
  SignalSource,
  StepOptions,
  Straggler,
  Task,
  TaskFunction,
  TaskResult,
  TaskStatus,
  TokenSource,
  TokenSourceOptions,
} from "./main.ts";
export { type ManualSignals, manualSignals } from "./testing/manual_signals.ts";
export {
  type MainRun,
  runMain,
  type RunMainOptions,
} from "./testing/run_main.ts";

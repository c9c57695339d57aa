// The drain phase of a shutdown: wait for tasks, then run cleanup steps in reverse order,
// all under one deadline, reporting progress and naming what is still running at the end.
import { type Straggler, WaitTimeoutError } from "./errors.ts";
import type { TaskTracker } from "./task_tracker.ts";
import { deadline } from "./wait.ts";
import { startTimer } from "./_timer.ts";

/** A registered cleanup step. */
export interface CleanupStep {
  name: string;
  run: (signal: AbortSignal) => unknown;
}

/**
 * A snapshot of a drain in progress, given to `onProgress` about once a second.
 *
 * @example Report progress in your own format
 * ```ts
 * import { type DrainProgress, GracefulShutdown } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function describeProgress(progress: DrainProgress): string {
 *   const names = progress.running.map((straggler) => straggler.name).join(", ");
 *   return `waiting for ${names}; ${Math.round(progress.remainingMs / 1000)} s left`;
 * }
 *
 * // Called only while a drain takes longer than a second; this one is quick.
 * const shutdown = new GracefulShutdown({
 *   signals: false,
 *   onProgress: (progress) => console.error(describeProgress(progress)),
 * });
 * await shutdown.shutdown();
 *
 * const snapshot: DrainProgress = {
 *   elapsedMs: 2_000,
 *   remainingMs: 28_000,
 *   running: [{ name: "flush", kind: "cleanup", ageMs: 2_000, observedSignal: true }],
 * };
 * assertEquals(describeProgress(snapshot), "waiting for flush; 28 s left");
 * ```
 */
export interface DrainProgress {
  /** Milliseconds since the drain began. */
  readonly elapsedMs: number;
  /** Milliseconds left before the deadline (`Infinity` without one). */
  readonly remainingMs: number;
  /** What is still running: tasks, then the cleanup step in hand. */
  readonly running: readonly Straggler[];
}

/**
 * One failure collected during a shutdown.
 *
 * @example Collect the failures of a shutdown
 * ```ts
 * import { GracefulShutdown, type Failure } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const failures: Failure[] = [];
 * const shutdown = new GracefulShutdown({
 *   signals: false,
 *   onError: (failure) => failures.push(failure),
 * });
 * shutdown.spawn("sync", async (signal) => {
 *   await new Promise((resolve) => signal.addEventListener("abort", resolve));
 *   throw new Error("half-written batch");
 * });
 * shutdown.defer(() => {
 *   throw new Error("disk full");
 * }, "flush");
 * const report = await shutdown.shutdown();
 * assertEquals(failures.map((f) => `${f.source} ${f.name}`), ["task sync", "cleanup flush"]);
 * assertEquals(report.errors, failures);
 * ```
 */
export interface Failure {
  /** Where it came from. */
  readonly source: "task" | "cleanup" | "callback";
  /** The task's, step's or callback's name. */
  readonly name: string;
  /** What was thrown. */
  readonly error: unknown;
}

/** What a drain found. */
export interface DrainOutcome {
  timedOut: boolean;
  stragglers: Straggler[];
}

interface DrainInput {
  tracker: TaskTracker;
  steps: CleanupStep[];
  /** The whole shutdown's budget, for messages. */
  timeout: number;
  /** When the budget ends, as `performance.now()` (it began at the first signal). */
  deadlineAt: number;
  onProgress: ((progress: DrainProgress) => void) | undefined;
  onFailure: (failure: Failure) => void;
  onStepsStart: () => void;
}

const PROGRESS_EVERY_MS = 1_000;
const TIMED_OUT = Symbol("timed out");

function expiredReason(timeout: number): DOMException {
  return new DOMException(
    `The shutdown deadline of ${timeout} ms passed`,
    "TimeoutError",
  );
}

/** A cleanup step still running at `now`, as a straggler. */
function stepStraggler(
  step: { name: string; startedAt: number },
  now: number,
): Straggler {
  // A step's signal is shared by every step, so whether it looked cannot be told apart.
  return {
    name: step.name,
    kind: "cleanup",
    ageMs: now - step.startedAt,
    observedSignal: false,
  };
}

/**
 * Runs one step, waiting at most `left` ms. Past the deadline a step still runs (sync
 * cleanup must happen) but is not waited for. Resolves `undefined` when it finished,
 * `TIMED_OUT`, or the step's own error (boxed, so a step's own TimeoutError is a failure).
 */
async function runStep(
  step: CleanupStep,
  signal: AbortSignal,
  left: number,
): Promise<undefined | typeof TIMED_OUT | { error: unknown }> {
  let result: unknown;
  try {
    result = step.run(signal);
  } catch (error) {
    return { error };
  }
  const settled = Promise.resolve(result).then(
    () => undefined,
    (error) => ({ error }),
  );
  return await deadline(settled, left).catch(() => TIMED_OUT);
}

/**
 * Waits for the tracker's tasks until none runs or the deadline passes, then closes the
 * tracker and the steps (`onStepsStart`). A task spawned while this waits (it runs with an
 * aborted signal) is waited for too: the tracker closes only in the same turn in which it is
 * seen empty, so nothing can slip in between. Returns whether the deadline passed.
 */
async function waitForTasks(
  input: DrainInput,
  stragglers: Straggler[],
): Promise<boolean> {
  const { tracker, deadlineAt, onStepsStart } = input;
  let timedOut = false;
  while (tracker.running > 0) {
    try {
      await tracker.wait({
        timeout: Math.max(0, deadlineAt - performance.now()),
      });
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      timedOut = true;
      stragglers.push(...error.stragglers);
      break;
    }
  }
  onStepsStart();
  return timedOut;
}

/** Runs the drain; never rejects. */
export async function drain(input: DrainInput): Promise<DrainOutcome> {
  const { tracker, steps, timeout, deadlineAt, onProgress, onFailure } = input;
  const started = performance.now();
  const stragglers: Straggler[] = [];
  let current: { name: string; startedAt: number } | undefined;
  // Cleanup steps get a signal that aborts when the shared deadline passes.
  const expiry = new AbortController();
  const stopExpiryTimer = startTimer(
    Math.max(0, deadlineAt - started),
    () => expiry.abort(expiredReason(timeout)),
  );
  const progressTimer = onProgress === undefined
    ? undefined
    : setInterval(() => {
      const now = performance.now();
      const running = tracker.stragglers();
      if (current !== undefined) running.push(stepStraggler(current, now));
      try {
        onProgress({
          elapsedMs: now - started,
          remainingMs: Math.max(0, deadlineAt - now),
          running,
        });
      } catch (error) {
        onFailure({ source: "callback", name: "onProgress", error });
      }
    }, PROGRESS_EVERY_MS);

  let timedOut = false;
  try {
    timedOut = await waitForTasks(input, stragglers);
    for (const step of steps.toReversed()) {
      current = { name: step.name, startedAt: performance.now() };
      const stepped = await runStep(
        step,
        expiry.signal,
        Math.max(0, deadlineAt - performance.now()),
      );
      if (stepped === TIMED_OUT) {
        timedOut = true;
        expiry.abort(expiredReason(timeout));
        stragglers.push(stepStraggler(current, performance.now()));
      } else if (stepped !== undefined) {
        onFailure({ source: "cleanup", name: step.name, error: stepped.error });
      }
      current = undefined;
    }
  } finally {
    stopExpiryTimer();
    clearInterval(progressTimer);
  }
  return { timedOut, stragglers };
}

/** The default progress reporter: one line on stderr. */
export function printProgress(progress: DrainProgress): void {
  const names = progress.running.map((s) =>
    `${s.name} ${(s.ageMs / 1000).toFixed(1)}s`
  ).join(", ");
  const left = progress.remainingMs === Infinity
    ? "no deadline"
    : `${(progress.remainingMs / 1000).toFixed(1)}s left`;
  console.error(
    `quiesce: draining, ${progress.running.length} still running (${names}); ${left}`,
  );
}

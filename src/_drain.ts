// The drain phase of a shutdown: wait for tasks, then run cleanup steps in reverse order,
// all under one deadline, reporting progress and naming what is still running at the end.
import { NAMED_STRAGGLERS, type Straggler } from "./errors.ts";
import type { DrainProgress, Failure } from "./report.ts";
import type { TaskTracker } from "./task_tracker.ts";
import { deadline } from "./wait.ts";
import { startTimer } from "./_timer.ts";
import { isThenable } from "./_validate.ts";

/** A registered cleanup step. */
export interface CleanupStep {
  name: string;
  run: (signal: AbortSignal) => unknown;
}

/** What a drain found. */
export interface DrainOutcome {
  timedOut: boolean;
  stragglers: Straggler[];
}

interface DrainInput {
  tracker: TaskTracker;
  steps: CleanupStep[];
  /** When the budget ends, as `performance.now()`: for progress reports only. */
  deadlineAt: number;
  /** Aborts when the budget ends: the one deadline everything below races. */
  expiry: AbortSignal;
  onProgress: ((progress: DrainProgress) => void) | undefined;
  onFailure: (failure: Failure) => void;
  onStepsStart: () => void;
}

const PROGRESS_EVERY_MS = 1_000;
const TIMED_OUT = Symbol("timed out");

/**
 * The shutdown's one deadline, started at the first signal: a signal that aborts (with a
 * `TimeoutError`) `timeout` ms later. One timer rather than "time left" computed per phase
 * from a clock, so fake timers (`@std/testing/time`) move it as they move everything else.
 */
export function startDeadline(
  timeout: number,
): { signal: AbortSignal; stop: () => void } {
  const expiry = new AbortController();
  const stop = startTimer(timeout, () =>
    expiry.abort(
      new DOMException(
        `The shutdown deadline of ${timeout} ms passed`,
        "TimeoutError",
      ),
    ));
  return { signal: expiry.signal, stop };
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
 * Runs one step, waiting until `expiry` aborts at most. Past the deadline a step still runs
 * (sync cleanup must happen) but is not waited for. Resolves `undefined` when it finished,
 * `TIMED_OUT`, or the step's own error (boxed, so a step's own TimeoutError is a failure).
 */
async function runStep(
  step: CleanupStep,
  expiry: AbortSignal,
): Promise<undefined | typeof TIMED_OUT | { error: unknown }> {
  let result: unknown;
  try {
    result = step.run(expiry);
  } catch (error) {
    return { error };
  }
  // A synchronous step has finished, even past the deadline: only a promise can straggle.
  if (!isThenable(result)) return undefined;
  const settled = Promise.resolve(result).then(
    () => undefined,
    (error) => ({ error }),
  );
  // Past the deadline a step still gets one turn of the event loop (a 0 ms timer) to
  // settle: force-closing what is left is exactly what late steps do, and it is quick.
  const wait = expiry.aborted
    ? deadline(settled, 0)
    : deadline(settled, Infinity, { signal: expiry });
  return await wait.catch(() => TIMED_OUT);
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
  const { tracker, expiry, onStepsStart } = input;
  let timedOut = false;
  while (tracker.running > 0) {
    try {
      await tracker.wait({ signal: expiry });
    } catch (error) {
      if (!expiry.aborted || error !== expiry.reason) throw error;
      timedOut = true;
      // One by one: spreading a million stragglers into push() overflows the stack.
      for (const straggler of tracker.stragglers()) stragglers.push(straggler);
      break;
    }
  }
  onStepsStart();
  return timedOut;
}

/** Runs the drain; never rejects. */
export async function drain(input: DrainInput): Promise<DrainOutcome> {
  const { tracker, steps, deadlineAt, expiry, onProgress, onFailure } = input;
  const started = performance.now();
  const stragglers: Straggler[] = [];
  let current: { name: string; startedAt: number } | undefined;
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
      const stepped = await runStep(step, expiry);
      if (stepped === TIMED_OUT) {
        timedOut = true;
        stragglers.push(stepStraggler(current, performance.now()));
      } else if (stepped !== undefined) {
        onFailure({ source: "cleanup", name: step.name, error: stepped.error });
      }
      current = undefined;
    }
  } finally {
    clearInterval(progressTimer);
  }
  return { timedOut, stragglers };
}

/** The words of the default progress line: what still runs, and the time left. */
export function progressLine(progress: DrainProgress): string {
  // The oldest few by name, the rest counted: one readable line however many still run.
  const running = progress.running;
  const shown = running.slice(0, NAMED_STRAGGLERS).map((s) =>
    `${s.name} ${(s.ageMs / 1000).toFixed(1)}s`
  );
  if (running.length > shown.length) {
    shown.push(`and ${running.length - shown.length} more`);
  }
  const names = shown.join(", ");
  const left = progress.remainingMs === Infinity
    ? "no deadline"
    : `${(progress.remainingMs / 1000).toFixed(1)}s left`;
  return `draining, ${progress.running.length} still running (${names}); ${left}`;
}

/** The default progress reporter: one line on stderr. */
export function printProgress(progress: DrainProgress): void {
  console.error(`quiesce: ${progressLine(progress)}`);
}

// The drain of a shutdown, in phases under one planned deadline: the drain delay, the
// tasks, the cleanup steps (reverse order), then the flush steps in a reserved slice at the
// end that the phases before cannot eat; reporting progress, how each phase ended, and
// naming what is still running at the end.
import { NAMED_STRAGGLERS } from "./errors.ts";
import type { Straggler } from "./report.ts";
import type { DrainProgress, Failure, PhaseReport } from "./report.ts";
import type { TaskTracker } from "./task_tracker.ts";
import { sleep } from "./wait.ts";
import { startTimer } from "./_timer.ts";
import { type CleanupStep, runStep, stepStraggler } from "./_step_run.ts";

export type { CleanupStep } from "./_step_run.ts";

/** What a drain found. */
export interface DrainOutcome {
  timedOut: boolean;
  stragglers: Straggler[];
  phases: PhaseReport[];
}

interface DrainInput {
  tracker: TaskTracker;
  steps: CleanupStep[];
  /** When the budget ends, as `performance.now()`: for progress reports only. */
  deadlineAt: number;
  /** The planned deadline, from {@linkcode startDeadline}. */
  plan: PlannedDeadline;
  /** Milliseconds to wait before `cancelTasks` (the drain delay phase). */
  drainDelay: number;
  /** Tells the tasks to stop (cancels the root token). */
  cancelTasks: () => void;
  onProgress: ((progress: DrainProgress) => void) | undefined;
  onFailure: (failure: Failure) => void;
  onStepsStart: () => void;
}

const PROGRESS_EVERY_MS = 1_000;

/**
 * The default flush reserve: a fifth of the timeout, at most 1 s. Held back from the tasks
 * and cleanup steps only when there is a flush step to run in it.
 */
export function defaultFlushReserve(timeout: number): number {
  return Math.min(1_000, timeout / 5);
}

/** The shutdown's planned deadline: the whole budget, and the end of the main phases. */
export interface PlannedDeadline {
  /** Aborts (`TimeoutError`) when the whole budget ends: the flush phase's end. */
  signal: AbortSignal;
  /** Aborts when the flush reserve begins: the end of tasks and cleanup steps. */
  mainEnd: AbortSignal;
  /** The reserve in ms. */
  flushReserve: number;
  stop: () => void;
}

function timeoutError(message: string): DOMException {
  return new DOMException(message, "TimeoutError");
}

/**
 * The shutdown's one deadline, started at the first signal: a signal that aborts (with a
 * `TimeoutError`) `timeout` ms later, and one that aborts `flushReserve` ms before it.
 * Timers rather than "time left" computed per phase from a clock, so fake timers
 * (`@std/testing/time`) move them as they move everything else.
 */
export function startDeadline(
  timeout: number,
  flushReserve = 0,
): PlannedDeadline {
  const expiry = new AbortController();
  const mainEnd = new AbortController();
  const stopMain = startTimer(
    timeout - flushReserve,
    () =>
      mainEnd.abort(
        timeoutError(
          `The shutdown deadline of ${timeout} ms less the ${flushReserve} ms flush reserve passed`,
        ),
      ),
  );
  const stopAll = startTimer(timeout, () => {
    const reason = timeoutError(
      `The shutdown deadline of ${timeout} ms passed`,
    );
    expiry.abort(reason);
    mainEnd.abort(reason);
  });
  return {
    signal: expiry.signal,
    mainEnd: mainEnd.signal,
    flushReserve,
    stop: () => {
      stopMain();
      stopAll();
    },
  };
}

/**
 * Waits for the tracker's tasks until none runs or `end` aborts, then closes the tracker
 * and the steps (`onStepsStart`). A task spawned while this waits (it runs with an aborted
 * signal) is waited for too: the tracker closes only in the same turn in which it is seen
 * empty, so nothing can slip in between. Returns the stragglers if `end` came first.
 */
async function waitForTasks(
  input: DrainInput,
  end: AbortSignal,
): Promise<Straggler[] | undefined> {
  const { tracker, onStepsStart } = input;
  let stragglers: Straggler[] | undefined;
  while (tracker.running > 0) {
    try {
      await tracker.wait({ signal: end });
    } catch (error) {
      if (!end.aborted || error !== end.reason) throw error;
      // The tracker's own fresh array becomes the report's list: the tasks phase comes
      // first, so there is nothing to append it to, and copying a million records into a
      // second array doubled what the collector had to move at the deadline.
      stragglers = tracker.stragglers();
      break;
    }
  }
  onStepsStart();
  return stragglers;
}

/** The phase's end: the flush reserve's start when a flush step waits for it. */
function endOf(input: DrainInput): AbortSignal {
  const flushing = input.steps.some((step) => step.phase === "flush");
  return flushing ? input.plan.mainEnd : input.plan.signal;
}

/** Runs the drain delay, then the tasks, cleanup and flush phases; never rejects. */
export async function drain(input: DrainInput): Promise<DrainOutcome> {
  const { tracker, steps, deadlineAt, onProgress, onFailure } = input;
  const phases: PhaseReport[] = [];
  if (input.drainDelay > 0) {
    const delayed = performance.now();
    await sleep(input.drainDelay);
    input.cancelTasks();
    phases.push({
      phase: "delay",
      ended: "done",
      durationMs: performance.now() - delayed,
      unfinished: [],
    });
  }
  const started = performance.now();
  let stragglers: Straggler[] = [];
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
  let phaseStart = performance.now();
  let named = 0; // stragglers already counted in an earlier phase
  const endPhase = (
    phase: PhaseReport["phase"],
    late: boolean,
    abandoned = false,
  ) => {
    const now = performance.now();
    phases.push({
      phase,
      ended: late ? "timed out" : abandoned ? "abandoned" : "done",
      durationMs: now - phaseStart,
      // map() sizes its result once; the first phase skips slice()'s copy. A push() loop
      // from `named` made a 1M-straggler report 118-183 ms instead of 82-98 ms (Deno).
      unfinished: named === 0
        ? stragglers.map((s) => s.name)
        : stragglers.slice(named).map((s) => s.name),
    });
    named = stragglers.length;
    phaseStart = now;
    timedOut ||= late;
  };
  const runSteps = async (phase: "cleanup" | "flush", end: AbortSignal) => {
    let late = false;
    let abandoned = false;
    for (const step of steps.toReversed()) {
      if (step.phase !== phase) continue;
      current = { name: step.name, startedAt: performance.now() };
      const result = await runStep(step, end);
      current = undefined;
      if (result.ended === "failed") {
        onFailure({ source: "cleanup", name: step.name, error: result.error });
      } else if (result.ended === "overran") {
        abandoned = true;
        stragglers.push(result.straggler);
        onFailure({ source: "cleanup", name: step.name, error: result.error });
      } else if (result.ended === "timed out") {
        late = true;
        stragglers.push(result.straggler);
      }
    }
    endPhase(phase, late, abandoned);
  };

  try {
    const late = await waitForTasks(input, endOf(input));
    if (late !== undefined) stragglers = late;
    endPhase("tasks", late !== undefined);
    await runSteps("cleanup", endOf(input));
    // Last, even when the phases before ran out of time: the reserve is still there.
    await runSteps("flush", input.plan.signal);
  } finally {
    clearInterval(progressTimer);
  }
  return { timedOut, stragglers, phases };
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

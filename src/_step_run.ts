// One cleanup or flush step, run under its phase's end and, when it has one, its own
// budget: a step that overruns its budget is abandoned (its signal aborts) and the drain
// moves on to the next step.
import type { Straggler } from "./report.ts";
import { deadline } from "./wait.ts";
import { startTimer } from "./_timer.ts";
import { isThenable } from "./_validate.ts";

/** Which phase a step runs in: with the cleanup steps, or last, in the flush reserve. */
export type StepPhase = "cleanup" | "flush";

/** A registered cleanup step. */
export interface CleanupStep {
  name: string;
  run: (signal: AbortSignal) => unknown;
  /** The step's own bound in ms; `Infinity` shares what is left of its phase. */
  timeout: number;
  phase: StepPhase;
}

/** How a step ended: finished, failed, cut by its phase's end, or over its own budget. */
export type StepResult =
  | { ended: "done" }
  | { ended: "failed"; error: unknown }
  | { ended: "timed out"; straggler: Straggler }
  | { ended: "overran"; straggler: Straggler; error: DOMException };

/** A cleanup step still running at `now`, as a straggler. */
export function stepStraggler(
  step: { name: string; startedAt: number },
  now: number,
): Straggler {
  // A step's signal may be shared by every step, so whether it looked cannot be told apart.
  return {
    name: step.name,
    kind: "cleanup",
    ageMs: now - step.startedAt,
    observedSignal: false,
  };
}

/**
 * The signal a step gets: its phase's own when it has no budget, else one that aborts at
 * the phase's end or when the budget passes, whichever is first. The link to the phase is
 * removed when the step ends (a listener left on a long-lived signal would pile up).
 */
function budgetSignal(
  step: CleanupStep,
  phase: AbortSignal,
): { signal: AbortSignal; overran: () => boolean; release: () => void } {
  if (step.timeout === Infinity) {
    return { signal: phase, overran: () => false, release: () => {} };
  }
  const own = new AbortController();
  const link = new AbortController();
  let overran = false;
  if (phase.aborted) own.abort(phase.reason);
  else {
    phase.addEventListener("abort", () => own.abort(phase.reason), {
      once: true,
      signal: link.signal,
    });
  }
  const stop = startTimer(step.timeout, () => {
    overran = !own.signal.aborted;
    own.abort(
      new DOMException(
        `Cleanup step "${step.name}" overran its ${step.timeout} ms budget and was abandoned`,
        "TimeoutError",
      ),
    );
  });
  return {
    signal: own.signal,
    overran: () => overran,
    release: () => {
      stop();
      link.abort();
    },
  };
}

/**
 * Runs one step, waiting at most until its signal aborts. Past its phase's end a step still
 * runs (sync cleanup must happen) and gets one turn of the event loop (a 0 ms timer) to
 * settle: force-closing what is left is exactly what late steps do, and it is quick.
 */
export async function runStep(
  step: CleanupStep,
  phase: AbortSignal,
): Promise<StepResult> {
  const startedAt = performance.now();
  const budget = budgetSignal(step, phase);
  try {
    let result: unknown;
    try {
      result = step.run(budget.signal);
    } catch (error) {
      return { ended: "failed", error };
    }
    // A synchronous step has finished, even past the deadline: only a promise can straggle.
    if (!isThenable(result)) return { ended: "done" };
    const settled = Promise.resolve(result).then(
      () => ({ ended: "done" }) as const,
      (error) => ({ ended: "failed", error }) as const,
    );
    const wait = budget.signal.aborted
      ? deadline(settled, 0)
      : deadline(settled, Infinity, { signal: budget.signal });
    return await wait.catch(() => {
      const straggler = stepStraggler(
        { name: step.name, startedAt },
        performance.now(),
      );
      return budget.overran()
        ? {
          ended: "overran",
          straggler,
          error: budget.signal.reason as DOMException,
        }
        : { ended: "timed out", straggler };
    });
  } finally {
    budget.release();
  }
}

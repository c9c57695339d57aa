// Checks run after every operation: every handle has the status, value, error or reason
// the model predicts, its work ran at most once, and the group's counters agree.
import { TaskGroup, type TaskResult } from "../../mod.ts";
import { describe, isAbortError, reasonOf } from "./inspect.ts";
import type { Rec } from "./records.ts";
import type { Scenario } from "./scenario.ts";

/** A cancelled handle carries the predicted reason, and its work saw the same one. */
function checkReason(s: Scenario, rec: Rec): void {
  const actual = reasonOf(rec.task);
  const spec = rec.reason!;
  if ("exact" in spec) {
    s.check(
      actual === spec.exact,
      `${rec.name}: cancelled with ${describe(actual)}, expected ${
        describe(spec.exact)
      }`,
    );
  } else {
    s.check(
      isAbortError(actual) &&
        String((actual as Error).message).includes(spec.abortMessage),
      `${rec.name}: cancelled with ${
        describe(actual)
      }, expected an AbortError mentioning "${spec.abortMessage}"`,
    );
  }
  if (
    rec.fnCalls === 1 && rec.reaction !== "ignore" && rec.kind === "gated" &&
    rec.bornCancelled === undefined
  ) {
    // The work learns of it through its signal, with the same reason, at the same time.
    s.check(
      rec.sawAbort,
      `${rec.name}: cancelled but its signal never aborted`,
    );
    s.check(
      rec.abortReason === actual,
      `${rec.name}: signal aborted with ${
        describe(rec.abortReason)
      }, handle says ${describe(actual)}`,
    );
  }
}

/** The model and the core agree on every handle and on the group's counters. */
export function checkState(s: Scenario, where: string): void {
  if (s.lateViolation !== undefined) s.fail(s.lateViolation);
  for (const rec of s.recs) {
    const task = rec.task;
    s.check(
      task.status === rec.status,
      `${where}: ${rec.name} (${rec.kind}/${rec.reaction}) is ${task.status}, model says ${rec.status}`,
    );
    s.check(
      rec.fnCalls <= 1,
      `${rec.name}: work ran ${rec.fnCalls} times`,
    );
    s.check(
      task.isRunning === !rec.finished,
      `${where}: ${rec.name} isRunning ${task.isRunning}, model finished ${rec.finished}`,
    );
    if (rec.status === "completed") {
      s.check(
        task.result?.status === "completed" &&
          task.result.value === rec.outcome,
        `${rec.name}: completed with the wrong value`,
      );
    } else if (rec.status === "failed") {
      s.check(
        task.error === rec.outcome,
        `${rec.name}: failed with ${describe(task.error)}, work threw ${
          describe(rec.outcome)
        }`,
      );
    } else if (rec.status === "cancelled") {
      checkReason(s, rec);
    }
  }
  const group = s.group;
  if (group === undefined) return;
  const running = s.unfinished.length;
  s.check(
    group.running === running,
    `${where}: group.running is ${group.running}, model says ${running}`,
  );
  // A group counts handles until joined (a tracker has no results to count).
  if (group instanceof TaskGroup) {
    const size = s.recs.filter((r) => !r.joined).length;
    s.check(
      group.size === size,
      `${where}: group.size is ${group.size}, model says ${size}`,
    );
  }
}

/** A result a join (joinNext, for await) returned matches the model's record. */
export function checkResult(
  s: Scenario,
  rec: Rec,
  got: TaskResult<unknown>,
  where: string,
): void {
  s.check(
    got.status === rec.status,
    `${where}: ${rec.name} is ${got.status}, model ${rec.status}`,
  );
  if (got.status === "completed") {
    s.check(got.value === rec.outcome, `${where}: ${rec.name} value`);
  } else if (got.status === "failed") {
    s.check(got.error === rec.outcome, `${where}: ${rec.name} error`);
  } else {
    s.check(
      got.reason === reasonOf(rec.task),
      `${where}: ${rec.name} reason`,
    );
  }
}

// Group and tracker operations that act on every task at once: close, dispose, and wait
// (whose timeout, when it fires, must name exactly the work still running).
import { WaitTimeoutError } from "../../mod.ts";
import { describe } from "./inspect.ts";
import { cancelRunning } from "./model.ts";
import { observe } from "./outcome.ts";
import type { WaitEntry } from "./records.ts";
import type { Scenario } from "./scenario.ts";

export function close(s: Scenario): void {
  s.log("close");
  s.group!.close();
  s.closed = true;
  s.check(s.group!.closed, "closed getter");
}

/**
 * Starts asyncDispose: the group closes and cancels what runs at once; the promise
 * settles once all work has, throwing the failures nobody saw (see processJobs).
 */
export function disposeGroup(s: Scenario): void {
  s.log("dispose (start)");
  s.disposeResult = observe(s.group![Symbol.asyncDispose]());
  s.closed = true;
  s.disposing = { expected: undefined, outcome: undefined };
  // Dispose cancels the group's token (a no-op when it already was).
  if (s.cancelledGroup === undefined) {
    s.cancelledGroup = { abortMessage: "disposed" };
    cancelRunning(s, s.cancelledGroup);
  }
}

/**
 * wait with no deadline or a 1 ms one. Its reactions record anything unexpected as a
 * non-standard `result` text, which checkDeliveries reports after the next flush.
 */
export function waitAll(s: Scenario): void {
  const timeout = s.rng.chance(0.3) ? 1 : Infinity;
  s.log(`wait(timeout ${timeout})`);
  const wait: WaitEntry = {
    immediate: s.unfinished.length === 0,
    timeout,
  };
  s.waits.push(wait);
  s.group!.wait({ timeout }).then(
    () => {
      wait.result = "resolved";
      if (!wait.immediate && s.group!.running !== 0) {
        wait.result = `resolved with ${s.group!.running} running`;
      }
    },
    (error) => {
      wait.result = "rejected";
      s.coverage.waitAllTimedOut++;
      if (!(error instanceof WaitTimeoutError) || timeout !== 1) {
        wait.result = `rejected with ${describe(error)}`;
        return;
      }
      // Stragglers are exactly the tasks whose work runs at the deadline (which may
      // include tasks spawned after the call), with what their work did with the signal.
      const running = s.recs.filter((r) => r.task.isRunning);
      const names = error.stragglers.map((x) => x.name);
      const ok = names.length === running.length &&
        running.every((r) => {
          const x = error.stragglers.find((y) => y.name === r.name);
          return x?.kind === "task" && x.ageMs >= 0 &&
            x.observedSignal === r.looked;
        });
      if (!ok) {
        wait.result = `stragglers ${names} but running ${
          running.map((r) => r.name)
        }`;
      }
    },
  );
}

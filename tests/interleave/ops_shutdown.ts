// GracefulShutdown operations besides shutdown() itself (see ops_cancel.ts): cleanup
// steps, which must run once each, after the tasks, in reverse order; and subscribers.
import { describe } from "./inspect.ts";
import type { Scenario } from "./scenario.ts";

/** Registers a cleanup step that succeeds, throws, rejects, or resolves later. */
export function defer(s: Scenario): void {
  const name = `step${s.steps.length}`;
  const kind = s.rng.pick(["ok", "throw", "reject", "async"] as const);
  s.log(`defer ${name} ${kind}`);
  try {
    s.shutdown!.defer(() => {
      s.stepRuns.push(name);
      // With a deadline, steps may rightly start while timed-out work still runs.
      s.note(
        s.recs.every((r) => !r.task.isRunning) ||
          s.config.timeout !== Infinity,
        `${name} ran while tasks were running`,
      );
      if (kind === "throw") throw new Error(`${name} failed`);
      if (kind === "reject") {
        return Promise.reject(new Error(`${name} failed`));
      }
      if (kind === "async") return Promise.resolve();
      return undefined;
    }, name);
  } catch (error) {
    s.check(
      s.triggered,
      `defer threw before shutdown: ${describe(error)}`,
    );
    return;
  }
  s.steps.push({ name, kind });
}

/** Subscribes (and sometimes unsubscribes at once); each live one hears "manual" once. */
export function subscribe(s: Scenario): void {
  s.log("subscribe");
  const entry = {
    calls: [] as string[],
    disposed: false,
    late: s.triggered,
  };
  s.subscribers.push(entry);
  const registration = s.shutdown!.subscribe((signal) =>
    entry.calls.push(signal)
  );
  // A late subscriber hears of the shutdown at once, synchronously.
  s.check(
    entry.calls.length === (entry.late ? 1 : 0),
    `subscriber called ${entry.calls.length} times at subscribe`,
  );
  if (s.rng.chance(0.2) && !s.triggered) {
    registration[Symbol.dispose]();
    entry.disposed = true;
  }
}

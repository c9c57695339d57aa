// The last check of a run: no failure was lost. Each one reached onError (when there is
// one, all of them, in order), a join, an awaiter, the group's dispose, or the report.
import { describe } from "./inspect.ts";
import type { Scenario } from "./scenario.ts";

/** Every failure reached someone: onError, a join, an awaiter, dispose or the report. */
export function checkAccounting(s: Scenario): void {
  const onError = s.config.onError;
  if (onError) {
    s.check(
      s.onErrorCalls.length === s.failures.length &&
        s.onErrorCalls.every((c, i) =>
          c.error === s.failures[i]!.error &&
          c.name === s.failures[i]!.rec.name
        ),
      `onError saw ${s.onErrorCalls.length} failures, model ${s.failures.length}`,
    );
  } else {
    s.check(s.onErrorCalls.length === 0, "onError called without one");
  }
  const disposed = s.disposing?.outcome;
  const thrown = disposed instanceof AggregateError
    ? disposed.errors
    : disposed === undefined || Array.isArray(disposed)
    ? []
    : [disposed];
  const reported = new Set(
    s.reportValue?.errors.map((e) => e.error) ?? [],
  );
  for (const f of s.failures) {
    // A late failure (after its handle was cancelled) cannot reach a join or awaiter.
    const seen = onError || thrown.includes(f.error) ||
      reported.has(f.error) ||
      (!f.late && (f.rec.joined || f.rec.awaited));
    s.check(
      seen,
      `failure of ${f.rec.name} (${describe(f.error)}) reached nobody`,
    );
  }
}

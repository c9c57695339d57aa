// Checks run after every flush: everything the core promised to deliver by now has
// arrived (awaiters, joins, waitAll, the shutdown report, dispose), and nothing arrived
// early. Deliveries that were checked as final are dropped from the model.
import type { TaskResult } from "../../mod.ts";
import { checkResult } from "./check_handles.ts";
import { describe } from "./inspect.ts";
import type { AllJoiner } from "./records.ts";
import type { Scenario } from "./scenario.ts";

/** After a flush: everything the core promised to deliver by now has arrived. */
export function checkDeliveries(s: Scenario): void {
  checkAwaiters(s);
  checkJoiner(s);
  checkWaits(s);
  checkDrain(s);
}

/** An awaited handle settles its awaiter with its value, its error, or undefined. */
function checkAwaiters(s: Scenario): void {
  for (const { rec, outcome } of s.awaits) {
    if (rec.status === "running") {
      s.check(!outcome.settled, `${rec.name}: await settled early`);
      continue;
    }
    s.check(
      outcome.settled,
      `${rec.name}: settled but its awaiter was not told`,
    );
    const { ok, value } = outcome;
    if (rec.status === "failed") {
      s.check(
        !ok && value === rec.outcome,
        `${rec.name}: awaiter got ${describe(value)}`,
      );
      s.coverage.awaitedFailure++;
    } else if (rec.status === "completed") {
      s.check(
        ok && value === rec.outcome,
        `${rec.name}: awaiter got the wrong value`,
      );
    } else {
      s.check(
        ok && value === undefined,
        `${rec.name}: cancelled awaiter got ${describe(value)}`,
      );
    }
  }
  s.awaits = s.awaits.filter((entry) => entry.rec.status === "running");
}

/** The join in progress settled exactly when the model says it is done, with its result. */
function checkJoiner(s: Scenario): void {
  const joiner = s.joiner;
  if (joiner?.kind === "next") {
    const { settled } = joiner.outcome;
    s.check(
      joiner.done === settled,
      `joinNext: model done=${joiner.done}, core ${
        settled ? "settled" : "pending"
      }`,
    );
    if (joiner.done) {
      const got = joiner.outcome.value as TaskResult<unknown> | undefined;
      const rec = joiner.taken;
      s.check(
        got?.name === rec?.name,
        `joinNext returned ${got?.name}, model expected ${rec?.name}`,
      );
      if (rec && got) {
        checkResult(s, rec, got, "joinNext");
        s.coverage.joinNextResult++;
      }
      s.joiner = undefined;
    }
  } else if (joiner?.kind === "all") {
    s.check(
      joiner.done === joiner.outcome.settled,
      `joinAll: model done=${joiner.done}, core settled=${joiner.outcome.settled}`,
    );
    if (joiner.done) {
      checkJoinAll(s, joiner);
      s.joiner = undefined;
    }
  }
}

/**
 * joinAll threw the first failure (fail-fast), an AggregateError of every failure it
 * took (collect), or returned the values in spawn order (undefined for cancelled ones).
 */
function checkJoinAll(s: Scenario, joiner: AllJoiner): void {
  const got = joiner.outcome.value;
  const failed = joiner.taken.filter((r) => r.status === "failed");
  if (joiner.rejected !== undefined) {
    s.coverage.joinAllThrew++;
    s.check(
      got === joiner.rejected,
      `joinAll threw ${describe(got)}, expected ${describe(joiner.rejected)}`,
    );
    return;
  }
  if (failed.length > 0) {
    const error = got as AggregateError;
    s.coverage.joinAllThrew++;
    s.check(
      error instanceof AggregateError &&
        error.errors.length === failed.length &&
        error.errors.every((e, i) => e === failed[i]!.outcome),
      `joinAll (collect) threw ${
        describe(error)
      }, expected ${failed.length} failures`,
    );
    return;
  }
  const values = got as unknown[];
  if (joiner.taken.length > 0) s.coverage.joinAllValues++;
  const expected = joiner.taken.toSorted((a, b) => a.seq - b.seq).map((r) =>
    r.status === "completed" ? r.outcome : undefined
  );
  s.check(
    Array.isArray(values) && values.length === expected.length &&
      values.every((v, i) => v === expected[i]),
    `joinAll returned ${values?.length} values, expected ${expected.length}`,
  );
}

/** waitAll resolves once nothing runs (or at once if nothing ran at the call). */
function checkWaits(s: Scenario): void {
  const running = s.unfinished.length;
  for (const wait of s.waits) {
    const result = wait.result;
    s.check(
      result === undefined || result === "resolved" || result === "rejected",
      `waitAll: ${result}`,
    );
    if (result === "rejected") continue;
    if (running === 0 || wait.immediate) {
      s.check(
        wait.result === "resolved",
        "waitAll did not resolve with nothing running",
      );
    } else {
      s.check(
        wait.result === undefined,
        "waitAll resolved while work was running",
      );
    }
  }
  s.waits = s.waits.filter((w) => w.result === undefined);
}

/** The shutdown report and the group's dispose settle exactly when the model says. */
function checkDrain(s: Scenario): void {
  if (s.report !== undefined && s.config.timeout !== 1) {
    // The drain waits for the work, not for the handles: the report comes once the
    // last piece of work settled, in the same turn.
    const done = s.unfinished.length === 0;
    s.check(
      (s.reportValue !== undefined) === done,
      `report ${
        s.reportValue ? "arrived" : "pending"
      } with ${s.unfinished.length} running`,
    );
  }
  if (s.disposing) {
    const settled = s.disposeResult?.settled ?? false;
    s.check(
      settled === (s.disposing.expected !== undefined),
      `dispose: settled=${settled}, model expects ${
        s.disposing.expected === undefined ? "pending" : "settled"
      }`,
    );
  }
}

// The end of a group or tracker run, once all work settled: wait resolves, for await drains
// the join queue in settle order, and dispose throws exactly the failures nobody saw
// (the error itself under fail-fast when there is one, else an AggregateError).
import { TaskGroup, type TaskResult } from "../../mod.ts";
import { checkResult } from "./check_handles.ts";
import { flush } from "./flush.ts";
import { describe } from "./inspect.ts";
import { take } from "./model.ts";
import { disposeGroup } from "./ops_group.ts";
import type { Scenario } from "./scenario.ts";

export async function finishGroup(s: Scenario): Promise<void> {
  const group = s.group!;
  await group.wait();
  s.check(group.running === 0, "running after wait");
  if (!s.disposing && group instanceof TaskGroup && s.rng.chance(0.5)) {
    // Drain the join queue with for await: results in settle order.
    const expected = s.queue.splice(0);
    const got: TaskResult<unknown>[] = [];
    for await (const result of group) got.push(result);
    s.check(
      got.length === expected.length,
      `for await yielded ${got.length}, expected ${expected.length}`,
    );
    expected.forEach((rec, i) => {
      take(s, rec);
      s.check(
        got[i]!.name === rec.name,
        `for await order: ${got[i]!.name} != ${rec.name}`,
      );
      checkResult(s, rec, got[i]!, "for await");
    });
    s.check(group.size === 0, "size after for await");
  }
  if (!s.disposing) disposeGroup(s);
  await flush(s);
  const result = s.disposeResult!;
  s.check(result.settled, "dispose never settled");
  const thrown = result.ok ? undefined : result.value;
  const expected = s.disposing!.expected!;
  if (expected.length === 0) {
    s.check(
      result.ok,
      `dispose threw ${describe(thrown)} with nothing unseen`,
    );
  } else if (expected.length === 1 && s.config.policy === "fail-fast") {
    s.check(
      thrown === expected[0],
      `dispose threw ${describe(thrown)}, expected ${describe(expected[0])}`,
    );
  } else {
    const error = thrown as AggregateError;
    s.check(
      error instanceof AggregateError &&
        error.errors.length === expected.length &&
        error.errors.every((e, i) => e === expected[i]),
      `dispose threw ${
        describe(error)
      }, expected ${expected.length} unseen failures`,
    );
  }
  s.disposing!.outcome = result.ok ? [] : thrown;
  if (!result.ok) s.coverage.disposeThrew++;
  // A second dispose has nothing left to report.
  await group[Symbol.asyncDispose]();
  s.outerSource?.[Symbol.dispose]();
}

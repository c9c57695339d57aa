// Operations on single tasks: settling gated work, aborting a handle, awaiting one; and
// the cancellation reasons every cancelling operation draws.
import { describe } from "./inspect.ts";
import { settle } from "./model.ts";
import { spawn } from "./ops_spawn.ts";
import { observe } from "./outcome.ts";
import { isAwaited } from "../../src/task.ts";
import { abortSpec } from "./records.ts";
import type { Scenario } from "./scenario.ts";
import { drawGateOutcome, openGate } from "./work.ts";

/** Completes (70%) or fails one piece of gated work; with none pending, a flush. */
export function settleGate(s: Scenario): void {
  const pending = s.recs.filter((r) => r.work === "pending");
  if (pending.length === 0) return s.flushLater();
  const rec = s.rng.pick(pending);
  const [ok, outcome] = drawGateOutcome(s, rec, "failure of");
  s.log(`${ok ? "complete" : "fail"} ${rec.name}`);
  openGate(s, rec, rec.gate!, ok, outcome);
}

/**
 * A reason for a cancelling operation: the default, an Error, or a plain value. The
 * trace length makes each one distinct, so a handle with the wrong one is caught.
 */
export function drawReason(s: Scenario): unknown {
  return s.rng.weighted<() => unknown>([
    [() => undefined, 2],
    [() => new Error(`reason ${s.trace.length}`), 2],
    [() => `why ${s.trace.length}`, 1],
  ])();
}

/** task.abort on any handle: only a running one is cancelled, the others keep theirs. */
export function abortTask(s: Scenario): void {
  if (s.recs.length === 0) return spawn(s);
  const rec = s.rng.pick(s.recs);
  const reason = drawReason(s);
  s.log(`abort ${rec.name} (${describe(reason)})`);
  const was = rec.status;
  rec.task.cancel(reason);
  if (was === "running") {
    settle(s, rec, "cancelled", undefined, abortSpec(rec, reason));
  }
}

/** Awaits any handle (settled ones too), checked after each flush. */
export function awaitHandle(s: Scenario): void {
  if (s.recs.length === 0) return spawn(s);
  const rec = s.rng.pick(s.recs);
  s.log(`await ${rec.name}`);
  rec.awaited = true;
  s.awaits.push({ rec, outcome: observe(rec.task) });
  s.check(isAwaited(rec.task), `${rec.name}: awaited flag not set`);
}

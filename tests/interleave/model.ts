// The model of the core's bookkeeping: what a settle does to a handle, to the join queue
// and to a join in progress; which failures are recorded, and when fail-fast trips.
// `processJobs` replays, after each flush, the reactions the core ran during it.
import { isAbortError, reasonOf } from "./inspect.ts";
import type { AllJoiner, ReasonSpec, Rec } from "./records.ts";
import type { Scenario } from "./scenario.ts";
import type { TaskStatus } from "../../mod.ts";

/** A handle leaves "running": it is then handed to a waiting join, or queued for one. */
export function settle(
  s: Scenario,
  rec: Rec,
  status: Exclude<TaskStatus, "running">,
  outcome: unknown,
  reason?: ReasonSpec,
): void {
  rec.status = status;
  if (status === "cancelled") rec.reason = reason;
  // The result is queued (or handed to a join) before a failure is handled, so the
  // siblings fail-fast cancels come out after the failure that caused it.
  if (s.config.joinable) handOver(s, rec);
  if (status === "failed") recordFailure(s, rec, outcome, false);
}

function handOver(s: Scenario, rec: Rec): void {
  const joiner = s.joiner;
  if (joiner?.kind === "next" && !joiner.done) {
    joiner.done = true;
    joiner.taken = take(s, rec);
  } else if (joiner?.kind === "all" && joiner.waiting) {
    // joinAll's next loop turn comes a microtask later: until then, settles queue up.
    joiner.waiting = false;
    joinAllTakes(s, joiner, rec);
  } else {
    s.queue.push(rec);
  }
}

/** A join takes a result: its failure is then seen, and no longer owed by dispose. */
export function take(s: Scenario, rec: Rec): Rec {
  rec.joined = true;
  if (rec.status === "failed") {
    s.recorded = s.recorded.filter((f) => f.rec !== rec || f.late);
  }
  return rec;
}

function recordFailure(
  s: Scenario,
  rec: Rec,
  error: unknown,
  late: boolean,
): void {
  const failure = { rec, error, late, afterTrigger: s.triggered };
  s.failures.push(failure);
  // A non-joinable group with onError hands its failures there, and keeps none; a failure
  // a join already took is delivered, and not kept either.
  const delivered = !late && rec.joined;
  if ((s.config.joinable || !s.config.onError) && !delivered) {
    s.recorded.push(failure);
  }
  if (late) s.coverage.lateFailure++;
  if (!late && s.config.policy === "fail-fast" && !s.tripped) {
    s.tripped = true;
    s.coverage.trip++;
    // Fail-fast cancels the group's token (a no-op when it already was).
    if (s.cancelledGroup === undefined) {
      s.cancelledGroup = { abortMessage: `task "${rec.name}" failed` };
      cancelRunning(s, s.cancelledGroup);
    }
  }
}

/**
 * The group's token is cancelled: every running handle is cancelled, in spawn order, with
 * its reason. A task born into the cancelled group is not touched (its signal had aborted
 * already, so no cancellation reaches it now).
 */
export function cancelRunning(s: Scenario, reason: ReasonSpec): void {
  const hit = s.recs.filter((r) =>
    r.status === "running" && r.bornCancelled === undefined
  );
  for (const rec of hit) settle(s, rec, "cancelled", undefined, reason);
}

/** A cancelled task's work rejecting with its cancellation (or any AbortError) is no failure. */
function isEcho(rec: Rec, error: unknown): boolean {
  return error === reasonOf(rec.task) || isAbortError(error);
}

/** Replays the reactions the core ran during the flush, then advances the joiners. */
export function processJobs(s: Scenario): void {
  for (let i = 0; i < s.jobs.length; i++) {
    const { rec, ok, outcome } = s.jobs[i]!;
    if (rec.status === "running") {
      const born = rec.bornCancelled;
      const echo = !ok && born !== undefined &&
        (("exact" in born && outcome === born.exact) || isAbortError(outcome));
      if (echo) settle(s, rec, "cancelled", undefined, born);
      else settle(s, rec, ok ? "completed" : "failed", outcome);
    } else if (!ok && !isEcho(rec, outcome)) {
      recordFailure(s, rec, outcome, true);
    } else if (!ok) {
      s.coverage.echo++;
    }
    rec.finished = true;
  }
  s.jobs = [];
  advanceJoinAll(s);
  const unfinished = s.unfinished.length;
  if (s.disposing && s.disposing.expected === undefined && !unfinished) {
    // The last work settled: dispose throws what nobody has seen, and forgets it.
    s.disposing.expected = s.recorded
      .filter((f) => f.late || !f.rec.awaited)
      .map((f) => f.error);
    s.recorded = [];
  }
}

/** joinAll takes a result; under fail-fast a failed one ends it with that error. */
export function joinAllTakes(s: Scenario, joiner: AllJoiner, rec: Rec): void {
  joiner.taken.push(take(s, rec));
  if (rec.status === "failed" && s.config.policy === "fail-fast") {
    joiner.done = true;
    joiner.rejected = rec.outcome;
  }
}

/**
 * What one turn of a join finds: the oldest queued result (removed from the queue),
 * nothing left to join, or nothing yet (it must wait for a settle).
 */
export function joinTurn(s: Scenario): Rec | "allJoined" | "wait" {
  if (s.queue.length > 0) return s.queue.shift()!;
  return s.recs.every((r) => r.joined) ? "allJoined" : "wait";
}

/** After a flush, joinAll has looped until it threw, finished, or parked on a waiter. */
function advanceJoinAll(s: Scenario): void {
  const joiner = s.joiner;
  if (joiner?.kind !== "all") return;
  while (!joiner.done) {
    const turn = joinTurn(s);
    if (turn === "wait") {
      joiner.waiting = true;
      return;
    }
    if (turn === "allJoined") joiner.done = true;
    else joinAllTakes(s, joiner, turn);
  }
}

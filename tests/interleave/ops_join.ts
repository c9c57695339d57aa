// joinNext and joinAll. Their first turn runs synchronously inside the call, so the model
// takes from the join queue right away; later turns happen as handles settle (model.ts).
import { joinAllTakes, joinTurn, take } from "./model.ts";
import { observe } from "./outcome.ts";
import type { AllJoiner, Joiner, NextJoiner } from "./records.ts";
import type { Scenario } from "./scenario.ts";

/** One join at a time, and none once dispose started: otherwise this op is a flush. */
function mayJoin(s: Scenario, op: string): boolean {
  if (s.joiner !== undefined || s.disposing) {
    s.flushLater();
    return false;
  }
  s.log(op);
  return true;
}

/**
 * Makes `joiner` the join in progress. Returns whether it takes a first turn: a
 * non-joinable group has nothing to join, so the call settles (with undefined, or an
 * empty array) at once.
 */
function begin(s: Scenario, joiner: Joiner): boolean {
  s.joiner = joiner;
  if (s.config.joinable) return true;
  joiner.done = true;
  return false;
}

export function joinNext(s: Scenario): void {
  if (!mayJoin(s, "joinNext")) return;
  const joiner: NextJoiner = {
    kind: "next",
    taken: undefined,
    done: false,
    outcome: observe(s.group!.joinNext()),
  };
  if (!begin(s, joiner)) return;
  const turn = joinTurn(s);
  if (turn === "wait") return;
  joiner.done = true;
  if (turn !== "allJoined") joiner.taken = take(s, turn);
}

export function joinAll(s: Scenario): void {
  if (!mayJoin(s, "joinAll")) return;
  const joiner: AllJoiner = {
    kind: "all",
    taken: [],
    done: false,
    waiting: false,
    rejected: undefined,
    outcome: observe(s.group!.joinAll()),
  };
  if (!begin(s, joiner)) return;
  // The first turn runs synchronously: take one queued result, see that none is left,
  // or park on a waiter.
  const turn = joinTurn(s);
  if (turn === "wait") joiner.waiting = true;
  else if (turn === "allJoined") joiner.done = true;
  else joinAllTakes(s, joiner, turn);
}

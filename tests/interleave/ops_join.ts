// joinNext and joinAll. Their first turn runs synchronously inside the call, so the model
// takes from the join queue right away; later turns happen as handles settle (model.ts).
import { joinAllTakes, joinTurn, take } from "./model.ts";
import { observe } from "./outcome.ts";
import type { AllJoiner, NextJoiner } from "./records.ts";
import type { Scenario } from "./scenario.ts";
import { TaskGroup } from "../../mod.ts";

/** The host as the TaskGroup it is whenever joins are drawn. */
function group(s: Scenario): TaskGroup<unknown> {
  if (!(s.group instanceof TaskGroup)) {
    throw new Error("joins need a TaskGroup");
  }
  return s.group;
}

/** One join at a time, and none once dispose started: otherwise this op is a flush. */
function mayJoin(s: Scenario, op: string): boolean {
  if (s.joiner !== undefined || s.disposing) {
    s.flushLater();
    return false;
  }
  s.log(op);
  return true;
}

export function joinNext(s: Scenario): void {
  if (!mayJoin(s, "joinNext")) return;
  const joiner: NextJoiner = {
    kind: "next",
    taken: undefined,
    done: false,
    outcome: observe(group(s).joinNext()),
  };
  s.joiner = joiner;
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
    outcome: observe(group(s).joinAll()),
  };
  s.joiner = joiner;
  // The first turn runs synchronously: take every queued result (until a fail-fast
  // failure ends it), then see that none is left, or park on a waiter.
  while (!joiner.done) {
    const turn = joinTurn(s);
    if (turn === "wait") joiner.waiting = true;
    else if (turn === "allJoined") joiner.done = true;
    else {
      joinAllTakes(s, joiner, turn);
      continue;
    }
    break;
  }
}

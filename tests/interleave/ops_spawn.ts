// The spawn operation: draws what the new task's work does, spawns it on the host, and
// predicts what the spawn did: refused (closed group, cleanup begun), settled
// synchronously, or left running. On a cancelled group the work still runs, with an
// already-aborted signal (an abort listener added then never fires).
import { ClosedError, type Task } from "../../mod.ts";
import { settle } from "./model.ts";
import { describe } from "./inspect.ts";
import { type Kind, newRec, type Reaction } from "./records.ts";
import type { Scenario } from "./scenario.ts";
import { workFor } from "./work.ts";

export function spawn(s: Scenario): void {
  const r = s.rng;
  const kind = r.weighted<Kind>([
    ["gated", 10],
    ["syncValue", 1],
    ["syncThrow", 1],
    ["asyncValue", 2],
    ["asyncFail", 1.5],
  ]);
  const reaction = r.weighted<Reaction>([
    ["echo", 3],
    ["resolve", 2],
    ["ignore", 2],
    ["throw", 1.5],
    ["domAbort", 1],
  ]);
  const rec = newRec(s.recs.length, kind, reaction);
  const name = rec.name;
  s.log(`spawn ${name} ${kind}/${reaction}`);
  const fn = workFor(s, rec);
  let task: Task<unknown>;
  try {
    task = s.group ? s.group.spawn(name, fn) : s.shutdown!.spawn(name, fn);
  } catch (error) {
    s.check(
      error instanceof ClosedError,
      `spawn threw ${describe(error)}`,
    );
    if (s.group) s.check(s.closed, "spawn refused on an open group");
    else {
      s.check(s.triggered, "spawn refused before shutdown");
      s.spawnClosed = true;
    }
    s.check(rec.fnCalls === 0, "a refused spawn ran its work");
    s.coverage.spawnRefused++;
    return;
  }
  if (s.group) {
    s.check(!s.closed, "spawn accepted on a closed group");
  } else s.check(!s.spawnClosed, "spawn accepted after it was refused");
  rec.task = task;
  rec.seq = s.seqNext++;
  s.recs.push(rec);
  s.check(task.name === name, "task name");
  if (s.cancelledGroup !== undefined) {
    rec.bornCancelled = s.cancelledGroup;
    s.coverage.startedCancelled++;
  }
  s.check(rec.fnCalls === 1, `${name}: work did not run synchronously`);
  switch (kind) {
    case "syncValue":
      rec.finished = true;
      settle(s, rec, "completed", rec.outcome);
      break;
    case "syncThrow":
      rec.finished = true;
      settle(s, rec, "failed", rec.outcome);
      break;
    case "asyncValue":
    case "asyncFail": {
      // The core's reaction to an already settled promise is queued right now.
      const ok = kind === "asyncValue";
      s.jobs.push({ rec, ok, outcome: rec.outcome });
      break;
    }
    case "gated":
      break;
  }
}

// The operation generator: draws the next operation by weight from those that make
// sense for the host and the run's state, and runs it. The order of the entries is part
// of what a seed means: reordering them changes which operation a draw selects.
import { afterStep, flush, sleep } from "./flush.ts";
import { cancelToken, type CancelTrigger } from "./ops_cancel.ts";
import { close, disposeGroup, waitAll } from "./ops_group.ts";
import { joinAll, joinNext } from "./ops_join.ts";
import { defer, subscribe } from "./ops_shutdown.ts";
import { spawn } from "./ops_spawn.ts";
import { abortTask, awaitHandle, settleGate } from "./ops_task.ts";
import type { Scenario } from "./scenario.ts";

type Operation = readonly [() => void | Promise<void>, number];

/** One operation. Returns a promise only when it must yield (a flush or a sleep). */
export function nextOperation(s: Scenario): Promise<void> | undefined {
  const group = s.config.host === "group";
  const ops: Operation[] = [
    // Fewer spawns once they can only be refused or start cancelled.
    [
      () => spawn(s),
      s.closed || s.spawnClosed ? 0.5 : s.triggered ? 1.5 : 5,
    ],
    [() => settleGate(s), 4],
    [() => abortTask(s), 1.5],
    [() => awaitHandle(s), 1.5],
    [() => flush(s), 4],
    [() => sleep(s), 0.2],
  ];
  if (group) {
    ops.push(
      [() => cancelToken(s, "cancel"), 0.6],
      [() => close(s), 0.2],
      [() => waitAll(s), 0.5],
    );
    if (s.config.joinable) {
      ops.push([() => joinNext(s), 1.5], [() => joinAll(s), 0.6]);
    }
    if (s.config.outer !== "none") {
      const outer = s.config.outer as CancelTrigger;
      ops.push([() => cancelToken(s, outer), 0.4]);
    }
    if (!s.disposing && s.joiner === undefined) {
      ops.push([() => disposeGroup(s), 0.25]);
    }
  } else {
    ops.push(
      [() => cancelToken(s, "shutdown"), 0.7],
      [() => defer(s), 0.6],
      [() => subscribe(s), 0.3],
    );
  }
  // Only flushes may yield: awaiting a synchronous op would let microtasks run early.
  const pending = s.rng.weighted(ops)();
  if (pending instanceof Promise) return pending.then(() => afterStep(s));
  return afterStep(s);
}

// The only points where a run yields to the event loop. After each, the model replays
// what the core did meanwhile and every check runs.
import { checkDeliveries } from "./check_deliveries.ts";
import { checkState } from "./check_handles.ts";
import { processJobs } from "./model.ts";
import type { Scenario } from "./scenario.ts";
import { delay, macrotask } from "./turns.ts";

/** Lets every queued microtask run, then brings the model up to date and checks it all. */
export async function flush(s: Scenario): Promise<void> {
  s.log("flush");
  await macrotask();
  processJobs(s);
  checkState(s, "after flush");
  checkDeliveries(s);
}

/** A short real sleep (0-2 ms), so timers in the core can fire between operations. */
export async function sleep(s: Scenario): Promise<void> {
  const ms = s.rng.int(3);
  s.log(`sleep ${ms}`);
  await delay(ms);
  await flush(s);
}

/** After each operation: the flush it asked for, if any, then the state check. */
export function afterStep(s: Scenario): Promise<void> | undefined {
  if (s.wantFlush) {
    s.wantFlush = false;
    return flush(s).then(() => afterStep(s));
  }
  checkState(s, `after "${s.trace.at(-1)}"`);
  return undefined;
}

/**
 * A cooperative worker (from an essay on cooperative cancellation): it checks its signal before each unit of work, so
 * shutdown wins when a unit and the signal are ready together; it always finishes the unit
 * in hand; then it cleans up. No unit is lost or half done.
 *
 * Run it and press Ctrl+C:
 *
 *     deno run examples/cooperative_worker.ts
 *
 * @module
 */
import { GracefulShutdown, sleep } from "../mod.ts";

/** What the worker did: every started unit must be finished. */
export interface WorkerLog {
  started: number;
  finished: number;
  cleanedUp: boolean;
}

/** Processes units until `signal` aborts; never interrupts a unit once started. */
export async function cooperativeWorker(
  signal: AbortSignal,
  processUnit: (unit: number) => Promise<void>,
  log: WorkerLog = { started: 0, finished: 0, cleanedUp: false },
): Promise<WorkerLog> {
  try {
    // The check comes first: when the last unit and the signal are ready together,
    // shutdown wins and no new unit starts (tokio's `biased;`).
    while (!signal.aborted) {
      const unit = ++log.started;
      await processUnit(unit); // not given the signal: a unit is finished, not abandoned
      log.finished++;
    }
  } finally {
    log.cleanedUp = true;
  }
  return log;
}

if (import.meta.main) {
  const shutdown = new GracefulShutdown({ timeout: 5_000 });
  const task = shutdown.spawn(
    "image-resizer",
    (signal) =>
      cooperativeWorker(signal, async (unit) => {
        console.log(`unit ${unit}: resizing...`);
        await sleep(300);
        console.log(`unit ${unit}: done`);
      }),
  );
  console.log("working; press Ctrl+C to stop");
  console.log(`received ${await shutdown.wait()}, finishing the unit in hand`);
  const report = await shutdown.done();
  console.log(`stopped cleanly: ${report.ok}`, task.status);
}

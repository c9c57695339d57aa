/**
 * The Tokio guide's `ShutdownManager` (from a Tokio guide), built on a `TaskTracker`: spawn workers
 * that take the shutdown signal; `shutdown(timeout)` signals them, waits for them with a
 * deadline, abandons what is left and reports a timeout error naming it.
 *
 *     deno run examples/shutdown_manager.ts
 *
 * @module
 */
import { sleep, TaskTracker, WaitTimeoutError } from "../mod.ts";

/** Runs workers until `shutdown` is called. */
export class ShutdownManager {
  #tracker = new TaskTracker({
    onError: ({ name, error }) =>
      console.error(`Task error in ${name}:`, error),
  });

  /** Starts a worker; it receives the shutdown signal. */
  spawn(name: string, task: (shutdown: AbortSignal) => Promise<void>): void {
    this.#tracker.spawn(name, task);
  }

  /**
   * Signals every worker, then waits up to `timeoutMs` for them to finish.
   *
   * @throws {WaitTimeoutError} Naming the workers still running at the deadline.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#tracker.close();
    this.#tracker.cancel(new DOMException("Shutting down", "AbortError"));
    await this.#tracker.wait({ timeout: timeoutMs });
  }
}

if (import.meta.main) {
  const manager = new ShutdownManager();
  manager.spawn("worker", async (shutdown) => {
    while (!shutdown.aborted) {
      console.log("Working...");
      await sleep(1_000, { signal: shutdown }).catch(() => {});
    }
    console.log("Shutting down task");
  });
  await sleep(3_000);
  try {
    await manager.shutdown(10_000);
    console.log("All tasks stopped");
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    console.error(error.message);
  }
}

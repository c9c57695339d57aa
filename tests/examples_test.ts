import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertRejects,
} from "@std/assert";
import { GracefulShutdown, sleep, WaitTimeoutError } from "../mod.ts";
import { cooperativeWorker } from "../examples/cooperative_worker.ts";
import { ShutdownManager } from "../examples/shutdown_manager.ts";

Deno.test("cooperative worker: shutdown wins when the unit and the signal are ready together", async () => {
  const controller = new AbortController();
  const log = await cooperativeWorker(controller.signal, async (unit) => {
    await sleep(1);
    if (unit === 3) controller.abort(); // ready at the same moment the unit completes
  });
  assertEquals(log, { started: 3, finished: 3, cleanedUp: true });
});

Deno.test("cooperative worker under GracefulShutdown: no unit lost or half done", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    onProgress: false,
    timeout: 5_000,
  });
  const journal: string[] = [];
  const task = shutdown.spawn(
    "worker",
    (signal) =>
      cooperativeWorker(signal, async (unit) => {
        journal.push(`begin ${unit}`);
        await sleep(15);
        journal.push(`end ${unit}`);
      }),
  );
  await sleep(50);
  const report = await shutdown.shutdown();
  assert(report.ok);
  const log = await task.finished().then(() => task.result);
  assertEquals(
    log?.status,
    "cancelled",
    "the handle settled when shutdown began",
  );
  const begun = journal.filter((line) => line.startsWith("begin")).length;
  const ended = journal.filter((line) => line.startsWith("end")).length;
  assert(begun >= 2, `expected some units to run, got ${begun}`);
  assertEquals(begun, ended, journal.join(", "));
  assertEquals(
    journal.at(-1),
    `end ${ended}`,
    "the unit in hand finished last",
  );
});

Deno.test("ShutdownManager: cooperative workers stop within the deadline", async () => {
  const manager = new ShutdownManager();
  const stopped: string[] = [];
  for (const name of ["a", "b"]) {
    manager.spawn(name, async (shutdown) => {
      while (!shutdown.aborted) {
        await sleep(1_000, { signal: shutdown }).catch(() => {});
      }
      stopped.push(name);
    });
  }
  await manager.shutdown(5_000);
  assertEquals(stopped.sort(), ["a", "b"]);
});

Deno.test("ShutdownManager: a worker that ignores the signal is named in the timeout error", async () => {
  const manager = new ShutdownManager();
  const stuck = Promise.withResolvers<void>();
  manager.spawn(
    "polite",
    (shutdown) => sleep(60_000, { signal: shutdown }).catch(() => {}),
  );
  manager.spawn("deaf", () => stuck.promise);
  const start = performance.now();
  const error = await assertRejects(
    () => manager.shutdown(100),
    WaitTimeoutError,
  );
  const elapsed = performance.now() - start;
  assertGreaterOrEqual(elapsed, 95);
  assertLess(elapsed, 5_000);
  assertEquals(error.stragglers.map((s) => s.name), ["deaf"]);
  stuck.resolve();
});

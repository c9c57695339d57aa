// The shutdown's deadline is one timer started at the first signal, not "time left"
// computed per phase from a clock: with performance.now() frozen (as fake time freezes
// it), a stuck task and a stuck cleanup step together still end at `timeout`, not at twice
// it (the task phase and the cleanup phase each believing the whole budget was left).
import { assert, assertEquals, assertLess } from "@std/assert";
import { GracefulShutdown } from "../mod.ts";

Deno.test("one deadline covers the tasks and the cleanup steps, even with performance.now() frozen", async () => {
  const realNow = performance.now.bind(performance);
  const frozen = realNow();
  performance.now = () => frozen;
  const stuckTask = Promise.withResolvers<void>();
  const stuckStep = Promise.withResolvers<void>();
  try {
    const shutdown = new GracefulShutdown({
      signals: false,
      onProgress: false,
      onError: () => {},
      timeout: 300,
    });
    shutdown.spawn("stuck task", () => stuckTask.promise);
    shutdown.defer(() => stuckStep.promise, "stuck step");
    const started = Date.now();
    const report = await shutdown.shutdown();
    const elapsed = Date.now() - started;
    assert(report.timedOut);
    assertEquals(report.stragglers.map((s) => s.name), [
      "stuck task",
      "stuck step",
    ]);
    // Twice the timeout (600 ms) is what per-phase clock arithmetic gave.
    assertLess(elapsed, 550);
  } finally {
    performance.now = realNow;
    stuckTask.resolve();
    stuckStep.resolve();
  }
});

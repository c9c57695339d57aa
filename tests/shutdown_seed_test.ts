// The unit tests of the Rust `allframe_core::shutdown` module, translated one for one (the spawner ones
// are in spawn_test.ts). A "signal" here comes from a SignalSource the test drives: the
// same interface the OS adapters implement; real OS signals are in signals_test.ts.
import { assert, assertEquals, assertFalse } from "@std/assert";
import { GracefulShutdown, type ShutdownTrigger, sleep } from "../mod.ts";
import { manualSignals } from "../src/testing.ts";

Deno.test("allframe: the trigger names what began the shutdown (SIGINT, SIGTERM, manual)", async () => {
  const seen: string[] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const hand = manualSignals();
    const shutdown = new GracefulShutdown({
      signals: hand.source,
      onProgress: false,
    });
    hand.send(signal);
    seen.push(`${await shutdown.wait()}`);
  }
  const manual = new GracefulShutdown({ signals: false });
  await manual.shutdown();
  seen.push(String(manual.trigger));
  assertEquals(seen, ["SIGINT", "SIGTERM", "manual"]);
});

Deno.test("allframe: shutdown token", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const token = shutdown.token;
  assertFalse(token.isCancelled);
  const done = shutdown.shutdown();
  assert(token.isCancelled, "the token is cancelled synchronously");
  await done;
});

Deno.test("allframe: manual shutdown reaches subscribers", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const received: ShutdownTrigger[] = [];
  shutdown.subscribe((signal) => received.push(signal));
  await shutdown.shutdown();
  assertEquals(received, ["manual"]);
});

Deno.test("allframe: shutdown callback", async () => {
  let called = false;
  const shutdown = new GracefulShutdown({
    signals: false,
    onSignal: () => called = true,
  });
  await shutdown.shutdown();
  assert(called);
});

Deno.test("allframe: run until shutdown, work first", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  assertEquals(await shutdown.runUntilShutdown(Promise.resolve(42)), 42);
  assertEquals(await shutdown.runUntilShutdown(() => Promise.resolve(43)), 43);
});

Deno.test("allframe: run until shutdown, shutdown first", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const token = shutdown.token;
  const pending = shutdown.runUntilShutdown(new Promise(() => {}));
  const done = shutdown.shutdown();
  assert(token.isCancelled);
  assertEquals(await pending, undefined);
  await done;
});

Deno.test("allframe: spawn task completes", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  let counter = 0;
  const handle = shutdown.spawn("test_task", () => {
    counter++;
    return Promise.resolve();
  });
  assertEquals(await handle, undefined);
  assertEquals(handle.status, "completed");
  assertEquals(counter, 1);
});

Deno.test("allframe: perform shutdown: cleanup runs after the drain", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const order: string[] = [];
  shutdown.spawn("worker", async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    order.push("worker stopped");
  });
  shutdown.defer(() => order.push("cleanup"));
  const report = await shutdown.shutdown();
  assertEquals(order, ["worker stopped", "cleanup"]);
  assert(report.ok);
});

Deno.test("allframe: perform shutdown: a failing cleanup is reported, and in the report", async () => {
  const reported: unknown[] = [];
  const shutdown = new GracefulShutdown({
    signals: false,
    onError: (f) => reported.push(f.error),
  });
  shutdown.defer(() => Promise.reject(new Error("cleanup failed")), "cleanup");
  const report = await shutdown.shutdown();
  assertEquals(reported.map((e) => (e as Error).message), ["cleanup failed"]);
  assertEquals(report.errors.map((f) => f.error), reported);
  assertEquals(report.ok, false);
});

Deno.test("seed example: a ticking task stops when shutdown is requested", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const token = shutdown.token;
  let ticks = 0;
  const task = shutdown.spawn("ticker", async () => {
    while (!token.isCancelled) {
      // tokio::select! { token.cancelled(), sleep(5) }: the sleep ends on cancellation,
      // so no timer outlives the loop.
      await sleep(5, { signal: token.signal }).catch(() => {});
      ticks++;
    }
  });
  await sleep(30);
  const report = await shutdown.shutdown();
  assertEquals(task.status, "cancelled");
  assertFalse(task.isRunning, "the drain waited for the loop to end");
  assert(ticks > 0);
  assert(report.ok);
});

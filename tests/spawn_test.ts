// allframe's ShutdownAwareTaskSpawner behaviour (Rust), on GracefulShutdown.spawn: named tasks
// that complete, return results, and are cancelled (never reaching their end) on shutdown.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { GracefulShutdown, sleep } from "../mod.ts";

const quiet = { signals: false, onProgress: false } as const;

Deno.test("a spawned task completes", async () => {
  const shutdown = new GracefulShutdown(quiet);
  let counter = 0;
  const handle = shutdown.spawn("test_task", () => {
    counter++;
    return Promise.resolve();
  });
  await handle;
  assertEquals(counter, 1);
  assertEquals(handle.status, "completed");
});

Deno.test("a task cancelled by shutdown never reaches its end, and its handle resolves undefined", async () => {
  const shutdown = new GracefulShutdown(quiet);
  let counter = 0;
  const handle = shutdown.spawn("long_task", async (signal) => {
    await sleep(60_000, { signal });
    counter++;
  });
  await shutdown.shutdown();
  assertEquals(await handle, undefined);
  assertEquals(handle.status, "cancelled");
  assertEquals(counter, 0);
});

Deno.test("a spawned task returns its result", async () => {
  const shutdown = new GracefulShutdown(quiet);
  assertEquals(
    await shutdown.spawn("compute_task", () => Promise.resolve(42)),
    42,
  );
});

Deno.test("tasks spawned from different parts of a program share one cancellation and one drain", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const fromServer = shutdown.spawn("a", (signal) => sleep(60_000, { signal }));
  const fromJobs = shutdown.spawn("b", (signal) => sleep(60_000, { signal }));
  const report = await shutdown.shutdown();
  assertEquals([fromServer.status, fromJobs.status], [
    "cancelled",
    "cancelled",
  ]);
  assert(report.ok, "the drain waited for both");
});

Deno.test("spawn bad input throws at once, naming the argument", () => {
  const shutdown = new GracefulShutdown(quiet);
  assertThrows(() => shutdown.spawn("", () => 1), TypeError, "name");
  assertThrows(() => shutdown.spawn("x", 1 as never), TypeError, "fn");
});

// The seed's ShutdownAwareTaskSpawner tests, translated.
import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  GracefulShutdown,
  sleep,
  type SpawnEvent,
  TaskSpawner,
} from "../mod.ts";

const quiet = { signals: false, onProgress: false } as const;

Deno.test("seed: spawner task completes", async () => {
  const spawner = new TaskSpawner(new GracefulShutdown(quiet));
  let counter = 0;
  const handle = spawner.spawn("test_task", () => {
    counter++;
    return Promise.resolve();
  });
  await handle;
  assertEquals(counter, 1);
  assertEquals(handle.status, "completed");
});

Deno.test("seed: spawner task cancelled by shutdown never reaches its end", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const spawner = new TaskSpawner(shutdown);
  let counter = 0;
  const handle = spawner.spawn("long_task", async (signal) => {
    await sleep(60_000, { signal });
    counter++;
  });
  await shutdown.shutdown();
  assertEquals(
    await handle,
    undefined,
    "the handle settles (cancelled), it does not reject",
  );
  assertEquals(handle.status, "cancelled");
  assertEquals(counter, 0);
});

Deno.test("seed: spawner with result", async () => {
  const spawner = new TaskSpawner(new GracefulShutdown(quiet));
  assertEquals(
    await spawner.spawnWithResult("compute_task", () => Promise.resolve(42)),
    42,
  );
});

Deno.test("seed: spawner with result, cancelled: no result", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const spawner = new TaskSpawner(shutdown);
  const handle = spawner.spawnWithResult("long_compute", async (signal) => {
    await sleep(60_000, { signal });
    return 42;
  });
  await shutdown.shutdown();
  assertEquals(await handle, undefined);
});

Deno.test("seed: spawners share one shutdown and see the same cancellation", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const spawner = new TaskSpawner(shutdown);
  const other = spawner.clone();
  assertStrictEquals(spawner.shutdown, other.shutdown);
  const a = spawner.spawn("a", (signal) => sleep(60_000, { signal }));
  const b = other.spawn("b", (signal) => sleep(60_000, { signal }));
  const report = await shutdown.shutdown();
  assertEquals([a.status, b.status], ["cancelled", "cancelled"]);
  assert(report.ok, "the drain waited for both spawners' tasks");
});

Deno.test("seed: spawner background task", async () => {
  const spawner = new TaskSpawner(new GracefulShutdown(quiet));
  let counter = 0;
  await spawner.spawnBackground("bg_task", () => {
    counter++;
  });
  assertEquals(counter, 1);
});

Deno.test("spawner lifecycle events: started, then how it ended", async () => {
  const events: SpawnEvent[] = [];
  const shutdown = new GracefulShutdown({ ...quiet, onError: () => {} });
  const spawner = new TaskSpawner(shutdown, { onEvent: (e) => events.push(e) });
  await spawner.spawn("ok", () => {});
  await spawner.spawn("bad", () => Promise.reject(new Error("x"))).then(
    () => {},
    () => {},
  );
  spawner.spawn("slow", (signal) => sleep(60_000, { signal }));
  await shutdown.shutdown();
  assertEquals(events.map((e) => `${e.task}:${e.event}`), [
    "ok:started",
    "ok:completed",
    "bad:started",
    "bad:failed",
    "slow:started",
    "slow:cancelled",
  ]);
});

Deno.test("spawner bad input", () => {
  assertThrows(() => new TaskSpawner({} as never), TypeError, "shutdown");
  const spawner = new TaskSpawner(new GracefulShutdown(quiet), {});
  assertThrows(() => spawner.spawn("", () => {}), TypeError, "name");
  assertThrows(() => spawner.spawn("x", 5 as never), TypeError, "fn");
  assertThrows(() => spawner.spawnWithResult("x", 5 as never), TypeError, "fn");
  assertThrows(
    () => new TaskSpawner(spawner.shutdown, { onEvent: 1 as never }),
    TypeError,
    "options.onEvent",
  );
});

import {
  assert,
  assertEquals,
  assertFalse,
  assertGreaterOrEqual,
  assertInstanceOf,
  assertLess,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  ClosedError,
  type DrainProgress,
  type Failure,
  GracefulShutdown,
  hostSignals,
  sleep,
  WaitTimeoutError,
} from "../mod.ts";
import { manualSignals } from "../src/testing.ts";

const quiet = { signals: false, onProgress: false } as const;

Deno.test("shutdown is idempotent: one drain, one report", async () => {
  let callbacks = 0;
  const shutdown = new GracefulShutdown({
    ...quiet,
    onSignal: () => callbacks++,
  });
  const first = shutdown.shutdown("one");
  const second = shutdown.shutdown("two");
  assertStrictEquals(first, second);
  const report = await first;
  assertEquals(callbacks, 1);
  assertEquals(report.reason, "one");
  assertStrictEquals(shutdown.token.reason, "one");
  assertStrictEquals(await shutdown.done(), report);
});

Deno.test("the first signal wins; later signals change nothing", async () => {
  const hand = manualSignals();
  const shutdown = new GracefulShutdown({ ...quiet, signals: hand.source });
  hand.send("SIGTERM");
  assert(
    hand.listening === 0,
    "listeners are removed as soon as shutdown begins",
  );
  hand.send("SIGINT");
  assertEquals(await shutdown.wait(), "SIGTERM");
  assertEquals((await shutdown.done()).trigger, "SIGTERM");
  const reason = shutdown.token.reason as DOMException;
  assertEquals(reason.name, "AbortError");
  assert(reason.message.includes("SIGTERM"));
});

Deno.test("late subscribers see the signal once, at once", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const seen: string[] = [];
  const removed = shutdown.subscribe(() => seen.push("removed"));
  removed[Symbol.dispose]();
  await shutdown.shutdown();
  shutdown.subscribe((signal) => seen.push(`late ${signal}`));
  assertEquals(seen, ["late manual"]);
});

Deno.test("wait(), and wait({ timeout }) resolving undefined when nothing began in time", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, timeout: 20 });
  assertEquals(await shutdown.wait({ timeout: 5 }), undefined);
  assertEquals(await shutdown.wait({ timeout: 0 }), undefined);
  const waiting = shutdown.wait();
  const bounded = shutdown.wait({ timeout: 60_000 }); // its timer must be cleared on shutdown
  await shutdown.shutdown();
  assertEquals(await waiting, "manual");
  assertEquals(await bounded, "manual");
});

Deno.test("the escalation runs in order: callbacks, cancel, tasks, cleanup in reverse", async () => {
  const order: string[] = [];
  const shutdown = new GracefulShutdown({
    ...quiet,
    onSignal: (s) => order.push(`onSignal ${s}`),
  });
  shutdown.subscribe(() =>
    order.push(`subscriber, draining=${shutdown.draining}`)
  );
  shutdown.spawn("worker", async (signal) => {
    await sleep(60_000, { signal }).catch(() => order.push("worker saw abort"));
    await sleep(10);
    order.push("worker finished");
  });
  shutdown.defer(() => order.push("cleanup registered first"));
  shutdown.defer(async () => {
    await sleep(5);
    order.push("cleanup registered second");
  });
  const report = await shutdown.shutdown();
  assertEquals(order, [
    "onSignal manual",
    "subscriber, draining=true",
    "worker saw abort",
    "worker finished",
    "cleanup registered second",
    "cleanup registered first",
  ]);
  assert(report.ok);
  assertEquals([
    report.timedOut,
    report.errors.length,
    report.stragglers.length,
  ], [false, 0, 0]);
});

Deno.test("drainDelay: draining first, tasks cancelled after the delay", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, drainDelay: 50 });
  const token = shutdown.token;
  const start = performance.now();
  const done = shutdown.shutdown();
  assert(shutdown.draining);
  assertFalse(token.isCancelled, "health checks fail first; work goes on");
  await token.cancelled();
  assertGreaterOrEqual(performance.now() - start, 45);
  await done;
});

Deno.test("errors are collected and reported, and the next cleanup step still runs", async () => {
  const reported: Failure[] = [];
  const shutdown = new GracefulShutdown({
    ...quiet,
    onError: (f) => reported.push(f),
  });
  shutdown.spawn("bad task", async (signal) => {
    await sleep(60_000, { signal }).catch(() => {});
    throw new Error("task broke while stopping");
  });
  const ran: string[] = [];
  shutdown.defer(() => ran.push("first registered"), "db");
  shutdown.defer(() => {
    throw new Error("flush failed");
  }, "flush");
  shutdown.subscribe(() => {
    throw new Error("subscriber broke");
  });
  const report = await shutdown.shutdown();
  assertFalse(report.ok);
  assertEquals(ran, ["first registered"]);
  assertEquals(report.errors.map((f) => `${f.source}:${f.name}`), [
    "callback:subscriber",
    "task:bad task",
    "cleanup:flush",
  ]);
  assertEquals(reported, [...report.errors]);
});

Deno.test("at the deadline the report names the stragglers, and dispose throws", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, timeout: 100 });
  const stuck = Promise.withResolvers<void>();
  shutdown.spawn("ignores-abort", () => stuck.promise);
  shutdown.spawn(
    "polite",
    (signal) => sleep(60_000, { signal }).catch(() => {}),
  );
  const cleaned: string[] = [];
  shutdown.defer(() => cleaned.push("sync cleanup still runs"), "sync");
  const start = performance.now();
  const error = await assertRejects(
    () => shutdown[Symbol.asyncDispose](),
    WaitTimeoutError,
  );
  const elapsed = performance.now() - start;
  assertGreaterOrEqual(elapsed, 95);
  assertLess(elapsed, 5_000);
  assertEquals(error.stragglers.map((s) => [s.name, s.observedSignal]), [[
    "ignores-abort",
    false,
  ]]);
  assertEquals(cleaned, ["sync cleanup still runs"]);
  const report = await shutdown.done();
  assert(report.timedOut);
  assertFalse(report.ok);
  stuck.resolve();
});

Deno.test("a cleanup step past the deadline is named and gets an aborted signal", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, timeout: 40 });
  let stepSignal: AbortSignal | undefined;
  const release = Promise.withResolvers<void>();
  shutdown.defer((signal) => {
    stepSignal = signal;
    return release.promise;
  }, "slow flush");
  const report = await shutdown.shutdown();
  assertEquals(report.stragglers.map((s) => [s.name, s.kind]), [[
    "slow flush",
    "cleanup",
  ]]);
  assert(stepSignal?.aborted);
  assertEquals((stepSignal?.reason as DOMException).name, "TimeoutError");
  release.resolve();
});

Deno.test("progress is reported while a drain takes longer than a second", async () => {
  const progress: DrainProgress[] = [];
  const shutdown = new GracefulShutdown({
    signals: false,
    timeout: 10_000,
    onProgress: (p) => progress.push(p),
  });
  shutdown.spawn("slow-stop", async (signal) => {
    await sleep(60_000, { signal }).catch(() => {});
    await sleep(1_300);
  });
  await shutdown.shutdown();
  assertEquals(progress.length, 1);
  const [first] = progress;
  assertEquals(first!.running.map((s) => s.name), ["slow-stop"]);
  assertGreaterOrEqual(first!.elapsedMs, 900);
  assertLess(first!.remainingMs, 9_200);
});

Deno.test("work spawned while the drain waits for tasks runs with an aborted signal and is awaited; runUntilShutdown does not start work", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const stopping = Promise.withResolvers<void>();
  shutdown.spawn("still stopping", () => stopping.promise);
  const order: string[] = [];
  shutdown.defer(() => order.push("cleanup"));
  const done = shutdown.shutdown();
  let ran = false;
  assertEquals(await shutdown.runUntilShutdown(() => ran = true), undefined);
  assertFalse(ran);
  const flush = shutdown.spawn("flush on shutdown", async (signal) => {
    order.push(`flush started, aborted=${signal.aborted}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push("flush done");
  });
  assertEquals(flush.status, "running");
  stopping.resolve();
  const report = await done;
  assertEquals(order, ["flush started, aborted=true", "flush done", "cleanup"]);
  assertEquals(flush.status, "completed");
  assertEquals(report.ok, true);
  assertThrows(
    () => shutdown.spawn("after cleanup", () => {}),
    ClosedError,
  );
  assertThrows(
    () => shutdown.defer(() => {}),
    Error,
    "cleanup has already started",
  );
});

Deno.test("guard triggers shutdown when its scope ends", async () => {
  const shutdown = new GracefulShutdown(quiet);
  {
    using _guard = shutdown.guard();
    assertFalse(shutdown.draining);
  }
  assert(shutdown.draining);
  assertEquals((await shutdown.done()).trigger, "manual");
});

Deno.test("runUntilShutdown settles with the work, or undefined on shutdown", async () => {
  const shutdown = new GracefulShutdown(quiet);
  assertEquals(await shutdown.runUntilShutdown(Promise.resolve("v")), "v");
  const pending = shutdown.runUntilShutdown(new Promise(() => {}));
  await shutdown.shutdown();
  assertEquals(await pending, undefined);
});

Deno.test("use disposes resources in reverse order", async () => {
  const order: string[] = [];
  const shutdown = new GracefulShutdown(quiet);
  const db = shutdown.use({
    [Symbol.asyncDispose]: () => Promise.resolve(void order.push("db")),
  }, "db");
  shutdown.use({ [Symbol.dispose]: () => void order.push("cache") }, "cache");
  assertEquals(typeof db[Symbol.asyncDispose], "function");
  await shutdown.shutdown();
  assertEquals(order, ["cache", "db"]);
  assertThrows(
    () => new GracefulShutdown(quiet).use({} as Disposable),
    TypeError,
    "resource",
  );
});

Deno.test("an outside signal triggers shutdown with its reason", async () => {
  const controller = new AbortController();
  const shutdown = new GracefulShutdown({
    ...quiet,
    signal: controller.signal,
  });
  controller.abort("deploy");
  const report = await shutdown.done();
  assertEquals([report.trigger, report.reason], ["manual", "deploy"]);
});

Deno.test("await using shuts down at the end of the scope", async () => {
  let token;
  {
    await using shutdown = new GracefulShutdown(quiet);
    token = shutdown.token;
    assertFalse(token.isCancelled);
  }
  assert(token.isCancelled);
  const failing = new GracefulShutdown({ ...quiet, onError: () => {} });
  failing.defer(() => {
    throw new Error("x");
  });
  const error = await assertRejects(
    () => failing[Symbol.asyncDispose](),
    AggregateError,
  );
  assertInstanceOf(error.errors[0], Error);
});

Deno.test("bad options get clear errors naming the option", () => {
  assertThrows(() => new GracefulShutdown("x" as never), TypeError, "options");
  assertThrows(
    () => new GracefulShutdown({ timeout: -1 }),
    RangeError,
    "options.timeout",
  );
  assertThrows(
    () => new GracefulShutdown({ timeout: "5s" as never }),
    TypeError,
    "options.timeout",
  );
  assertThrows(
    () => new GracefulShutdown({ drainDelay: NaN }),
    RangeError,
    "options.drainDelay",
  );
  assertThrows(
    () => new GracefulShutdown({ onSignal: 1 as never }),
    TypeError,
    "options.onSignal",
  );
  assertThrows(
    () => new GracefulShutdown({ signals: "SIGINT" as never }),
    TypeError,
    "options.signals",
  );
  assertThrows(
    () => new GracefulShutdown({ signal: {} as never }),
    TypeError,
    "options.signal",
  );
  assertThrows(
    () => new GracefulShutdown({ onProgress: 3 as never }),
    TypeError,
    "options.onProgress",
  );
  assertThrows(() => hostSignals("SIGINT" as never), TypeError, "options");
  assertThrows(
    () => hostSignals({ signals: ["SIGKILL" as never] }),
    TypeError,
    'the string "SIGKILL" is not one of',
  );
  const shutdown = new GracefulShutdown(quiet);
  assertThrows(() => shutdown.subscribe(null as never), TypeError, "listener");
  assertThrows(() => shutdown.defer(() => {}, ""), TypeError, "name");
  assertThrows(
    () => shutdown.wait({ timeout: -2 }),
    RangeError,
    "options.timeout",
  );
});

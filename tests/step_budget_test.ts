// Per-step budgets and the flush phase: a step over its own bound is abandoned (its signal
// aborts, it is named with its age) and the next step runs; a step without a bound shares
// what is left; flush steps run last, inside a reserve the phases before cannot eat, even
// when they ran out of time. Real timers, bounds generous for a loaded machine.
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertThrows,
} from "@std/assert";
import { type Failure, GracefulShutdown, type ShutdownReport } from "../mod.ts";
import { phaseLine } from "../src/main/_deadline.ts";

function quiet(timeout = 30_000): GracefulShutdown {
  return new GracefulShutdown({
    signals: false,
    onProgress: false,
    onError: () => {},
    timeout,
  });
}

function phases(report: ShutdownReport): string[] {
  return report.phases.map((p) => `${p.phase} ${p.ended}`);
}

Deno.test("a step over its own budget is abandoned, named with its age, and the next step runs", async () => {
  const shutdown = quiet();
  const seen: string[] = [];
  let reason: unknown;
  const hung = Promise.withResolvers<void>();
  shutdown.defer(() => seen.push("after the hung one"), "db");
  shutdown.defer((signal) => {
    signal.addEventListener("abort", () => (reason = signal.reason));
    return hung.promise;
  }, { name: "broker", timeout: 100 });
  const started = performance.now();
  const report = await shutdown.shutdown();
  hung.resolve();
  assertLess(performance.now() - started, 5_000); // not the 30 s deadline
  assertEquals(seen, ["after the hung one"]);
  assertEquals((reason as DOMException).name, "TimeoutError");
  assertEquals(report.ok, false);
  assertEquals(report.timedOut, false);
  assertEquals(report.stragglers.map((s) => [s.name, s.kind]), [[
    "broker",
    "cleanup",
  ]]);
  assertGreaterOrEqual(report.stragglers[0]!.ageMs, 95);
  assertEquals(report.errors.map((f: Failure) => f.name), ["broker"]);
  assertEquals(phases(report), [
    "tasks done",
    "cleanup abandoned",
    "flush done",
  ]);
});

Deno.test("a step inside its budget is ok, and today's defer(fn, name) still names it", async () => {
  const shutdown = quiet();
  shutdown.defer(() => new Promise((r) => setTimeout(r, 10)), {
    name: "quick",
    timeout: 5_000,
  });
  shutdown.defer(() => {}, "plain");
  shutdown.use({ [Symbol.dispose]() {} }, { name: "res", timeout: 1_000 });
  const report = await shutdown.shutdown();
  assertEquals(report.ok, true);
  assertEquals(report.stragglers, []);
});

Deno.test("a step without a bound shares what is left of the deadline", async () => {
  const shutdown = quiet(300);
  const hung = Promise.withResolvers<void>();
  shutdown.defer(() => hung.promise, "unbounded");
  const report = await shutdown.shutdown();
  hung.resolve();
  assertEquals(report.timedOut, true);
  assertEquals(report.stragglers.map((s) => s.name), ["unbounded"]);
  // No flush step: no reserve held back, the step had the whole 300 ms.
  assertGreaterOrEqual(report.stragglers[0]!.ageMs, 290);
});

Deno.test("flush steps run last, inside the reserve, after a hung task and a hung step ran out of time", async () => {
  const shutdown = quiet(1_000); // reserve: 200 ms
  const order: string[] = [];
  const hung = Promise.withResolvers<void>();
  let flushStartedAt = 0;
  let flushSignalAborted: boolean | undefined;
  shutdown.defer(async (signal) => {
    flushStartedAt = performance.now();
    order.push("exporter");
    await new Promise((r) => setTimeout(r, 50)); // a flush that needs a little time
    flushSignalAborted = signal.aborted;
  }, { name: "exporter", phase: "flush" });
  shutdown.spawn("hung task", () => hung.promise);
  shutdown.defer(() => (order.push("close db"), hung.promise), "close db");
  const started = performance.now();
  const report = await shutdown.shutdown();
  hung.resolve();
  assertEquals(order, ["close db", "exporter"]);
  assertEquals(flushSignalAborted, false);
  // The tasks and cleanup had until 800 ms; the flush began at about that point, with
  // the 200 ms reserve still ahead of it.
  assertGreaterOrEqual(flushStartedAt - started, 780);
  assertLess(flushStartedAt - started, 1_000);
  assertEquals(phases(report), [
    "tasks timed out",
    "cleanup timed out",
    "flush done",
  ]);
  assertEquals(report.stragglers.map((s) => s.name), ["hung task", "close db"]);
  assertEquals(report.phases.map((p) => p.unfinished), [
    ["hung task"],
    ["close db"],
    [],
  ]);
});

Deno.test("a flush step over the reserve is named as a straggler at the deadline", async () => {
  const shutdown = quiet(500);
  const hung = Promise.withResolvers<void>();
  shutdown.defer(() => hung.promise, { name: "log transport", phase: "flush" });
  const report = await shutdown.shutdown();
  hung.resolve();
  assertEquals(phases(report), [
    "tasks done",
    "cleanup done",
    "flush timed out",
  ]);
  assertEquals(report.stragglers.map((s) => s.name), ["log transport"]);
  // Nothing ran before it, so the reserve was not all it had: it started at once.
  assert(report.stragglers[0]!.ageMs >= 490);
});

Deno.test("step options are checked when the step is registered", () => {
  const shutdown = quiet();
  assertThrows(
    () => shutdown.defer(() => {}, { timeout: -1 }),
    RangeError,
    "options.timeout",
  );
  assertThrows(
    () => shutdown.defer(() => {}, { phase: "flsh" as "flush" }),
    TypeError,
    'expected "cleanup" or "flush"',
  );
  assertThrows(
    () => shutdown.defer(() => {}, { timout: 5 } as never),
    TypeError,
    "timeout",
  );
  assertThrows(() => shutdown.defer(() => {}, ""), TypeError, "name");
});

Deno.test("flushReserve: the default fits what the drain delay leaves; an explicit one must fit", () => {
  const base = { signals: false as const, onProgress: false as const };
  new GracefulShutdown({ ...base, timeout: 1_000, drainDelay: 1_000 });
  new GracefulShutdown({ ...base, timeout: 1_000, flushReserve: 1_000 });
  assertThrows(
    () =>
      new GracefulShutdown({
        ...base,
        timeout: 1_000,
        drainDelay: 500,
        flushReserve: 600,
      }),
    RangeError,
    "options.flushReserve",
  );
  assertThrows(
    () => new GracefulShutdown({ ...base, flushReserve: -1 }),
    RangeError,
    "options.flushReserve",
  );
});

Deno.test("an explicit flushReserve is what the flush steps get", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    onProgress: false,
    onError: () => {},
    timeout: 1_000,
    flushReserve: 600,
  });
  const hung = Promise.withResolvers<void>();
  let flushAt = 0;
  shutdown.defer(() => void (flushAt = performance.now()), {
    name: "exporter",
    phase: "flush",
  });
  shutdown.defer(() => hung.promise, "hung");
  const started = performance.now();
  await shutdown.shutdown();
  hung.resolve();
  // The cleanup phase ended at 400 ms, leaving the 600 ms reserve.
  assertGreaterOrEqual(flushAt - started, 390);
  assertLess(flushAt - started, 700);
});

Deno.test("main()'s phases line names up to ten unfinished parts per phase and counts the rest", () => {
  const report = {
    phases: [
      {
        phase: "tasks",
        ended: "timed out",
        durationMs: 800,
        unfinished: Array.from({ length: 25 }, (_, i) => `task ${i}`),
      },
      { phase: "cleanup", ended: "done", durationMs: 0, unfinished: [] },
      {
        phase: "flush",
        ended: "timed out",
        durationMs: 200,
        unfinished: ["exporter"],
      },
    ],
  } as unknown as ShutdownReport;
  assertEquals(
    phaseLine(report),
    `phases: tasks timed out (0.8 s: ${
      Array.from({ length: 10 }, (_, i) => `"task ${i}"`).join(", ")
    } and 15 more), cleanup done (0.0 s), flush timed out (0.2 s: "exporter")`,
  );
});

// The report's counts (GracefulShutdown.count, ShutdownReport.counts): what the shutdown's
// parts ended on purpose, kept from the first signal until the report is made, never a
// failure; and main()'s log line for them.
import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { GracefulShutdown } from "../mod.ts";
import { main } from "../src/main.ts";

const quiet = () => new GracefulShutdown({ signals: false });

Deno.test("counts: a shutdown that counted nothing reports {}", async () => {
  const report = await quiet().shutdown();
  assertEquals(report.counts, {});
  assert(Object.isFrozen(report.counts));
});

Deno.test("counts: kept from every part of the drain, summed per key, in first-count order, and not failures", async () => {
  const shutdown = new GracefulShutdown({ signals: false, drainDelay: 10 });
  shutdown.subscribe(() => shutdown.count("b"));
  shutdown.spawn("task", async (signal) => {
    await new Promise((resolve) =>
      signal.addEventListener("abort", resolve, { once: true })
    );
    shutdown.count("a", 2);
  });
  shutdown.defer(() => shutdown.count("b", 3), "step");
  shutdown.defer(() => shutdown.count("c", 0), { name: "f", phase: "flush" });
  const report = await shutdown.shutdown();
  assertEquals(report.counts, { b: 4, a: 2, c: 0 });
  assertEquals(Object.keys(report.counts), ["b", "a", "c"]);
  assertEquals(report.ok, true);
  assertEquals(report.errors, []);
});

Deno.test("counts: before the first signal and after the report, a count is not kept and returns false", async () => {
  const shutdown = quiet();
  assertFalse(shutdown.count("early", 5));
  shutdown.defer(() => assert(shutdown.count("during")), "step");
  const report = await shutdown.shutdown();
  assertFalse(shutdown.count("late"));
  assertFalse(shutdown.count("during"));
  assertEquals(report.counts, { during: 1 });
  assertStrictEquals(await shutdown.done(), report);
  assertEquals((await shutdown.done()).counts, { during: 1 });
});

Deno.test("counts: a shutdown begun by an already-aborted signal keeps counts too", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    signal: AbortSignal.abort("gone"),
  });
  assert(shutdown.draining);
  assert(shutdown.count("x", 7)); // the drain runs: its report is not made yet
  assertEquals((await shutdown.done()).counts, { x: 7 });
});

Deno.test("counts: bad arguments are refused, naming them, whether or not a shutdown runs", async () => {
  const shutdown = quiet();
  const bad = (what: unknown, amount?: unknown) => () =>
    (shutdown.count as (w: unknown, a?: unknown) => boolean)(what, amount);
  for (const what of ["", 5, undefined, null, {}]) {
    assertThrows(bad(what, 1), TypeError, "Cannot use what");
  }
  assertThrows(bad("x", "3"), TypeError, "Cannot use amount");
  assertThrows(bad("x", 1n), TypeError, "Cannot use amount");
  for (const amount of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assertThrows(bad("x", amount), RangeError, "Cannot use amount");
  }
  const done = shutdown.shutdown();
  assertThrows(bad("x", -1), RangeError, "Cannot use amount");
  const report = await done;
  assertEquals(report.counts, {});
  assertThrows(bad("", 1), TypeError, "Cannot use what");
});

Deno.test("counts: main() logs them in one line after the drain, and still exits 0", async () => {
  const lines: string[] = [];
  const exited = Promise.withResolvers<number>();
  main(({ shutdown }) => {
    shutdown.defer(() => {
      shutdown.count("http server: idle connections closed", 2);
      shutdown.count("http server: silent connections closed");
    }, "server");
    shutdown.shutdown();
  }, {
    signals: false,
    exit: exited.resolve,
    log: (line) => void lines.push(line),
  });
  assertEquals(await exited.promise, 0);
  const counted = lines.filter((line) => line.includes("counted:"));
  assertEquals(counted.length, 1, lines.join("\n"));
  assertMatch(
    counted[0]!,
    /counted: http server: idle connections closed = 2; http server: silent connections closed = 1$/,
  );
});

Deno.test("counts: main() logs no counts line when nothing was counted", async () => {
  const lines: string[] = [];
  const exited = Promise.withResolvers<number>();
  main(({ shutdown }) => void shutdown.shutdown(), {
    signals: false,
    exit: exited.resolve,
    log: (line) => void lines.push(line),
  });
  assertEquals(await exited.promise, 0);
  assertFalse(lines.some((line) => line.includes("counted")), lines.join("\n"));
});

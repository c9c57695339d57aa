// Bad input is refused synchronously with an error that names the argument, misspelled
// options are not silently ignored, and `timeout` bounds the whole shutdown.
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertRejects,
  assertThrows,
} from "@std/assert";
import {
  deadline,
  GracefulShutdown,
  sleep,
  TaskGroup,
  TaskTracker,
  TokenSource,
} from "../mod.ts";
import { main } from "../src/main.ts";
import { stopWorker } from "../src/worker.ts";

const quiet = { signals: false, onProgress: false } as const;

Deno.test("timeout covers drainDelay: a stuck task is abandoned timeout ms after the signal, delay included", async () => {
  const shutdown = new GracefulShutdown({
    ...quiet,
    drainDelay: 300,
    timeout: 600,
    onError: () => {},
  });
  const stuck = Promise.withResolvers<void>();
  shutdown.spawn("stuck", () => stuck.promise);
  const report = await shutdown.shutdown();
  stuck.resolve();
  assert(report.timedOut);
  assertEquals(report.stragglers.map((s) => s.name), ["stuck"]);
  assertGreaterOrEqual(report.durationMs, 590);
  // Delay and drain added up would be 900 ms.
  assertLess(report.durationMs, 850);
});

Deno.test("drainDelay must be finite and no larger than timeout", () => {
  assertThrows(
    () => new GracefulShutdown({ ...quiet, drainDelay: Infinity }),
    RangeError,
    "options.drainDelay",
  );
  assertThrows(
    () => new GracefulShutdown({ ...quiet, drainDelay: 2_000, timeout: 1_000 }),
    RangeError,
    "options.drainDelay",
  );
  new GracefulShutdown({ ...quiet, drainDelay: 1_000, timeout: 1_000 });
});

Deno.test("a misspelled option is refused, naming the closest known option", () => {
  const error = assertThrows(
    () => new GracefulShutdown({ tiemout: 10 } as never),
    TypeError,
    'unknown option "tiemout"; did you mean "timeout"?',
  );
  assert(error.message.startsWith("Cannot use options:"));
  assertThrows(
    () => new TaskGroup({ failures: "collect" } as never),
    TypeError,
    'did you mean "failure"?',
  );
  assertThrows(
    () => new TokenSource({ sigal: new AbortController().signal } as never),
    TypeError,
    'did you mean "signal"?',
  );
  assertThrows(
    () => sleep(1, { singal: undefined } as never),
    TypeError,
    'did you mean "signal"?',
  );
  assertThrows(
    () => main(() => {}, { exitcode: 0 } as never),
    TypeError,
    'did you mean "exitCode"?',
  );
  assertThrows(
    () => new TaskGroup({ zzzzzzzz: 1 } as never),
    TypeError,
    'unknown option "zzzzzzzz" (known:',
  );
});

Deno.test("bad input throws synchronously, naming the argument", () => {
  const shutdown = new GracefulShutdown(quiet);
  const cases: Array<[() => unknown, ErrorConstructor, string]> = [
    [
      () => new TaskGroup({ failure: "quick" } as never),
      TypeError,
      "options.failure",
    ],
    [
      () => new TaskGroup({ parent: null } as never),
      TypeError,
      "options.parent",
    ],
    [
      () => new TaskGroup({ signal: "x" } as never),
      TypeError,
      "options.signal",
    ],
    [() => new TaskTracker("x" as never), TypeError, "options"],
    [() => shutdown.spawn("x", 1 as never), TypeError, "fn"],
    [() => shutdown.spawn("", () => 1), TypeError, "name"],
    [() => shutdown.runUntilShutdown(5 as never), TypeError, "work"],
    [() => shutdown.token.runUntilCancelled(5 as never), TypeError, "work"],
    [() => shutdown.wait({ timeout: -1 }), RangeError, "options.timeout"],
    [() => shutdown.wait({ timout: 1 } as never), TypeError, "timeout"],
    [() => deadline(Promise.resolve(), NaN), RangeError, "ms"],
    [() => stopWorker({} as never), TypeError, "worker"],
  ];
  for (const [call, type, name] of cases) {
    const error = assertThrows(call, type);
    assert(
      error.message.includes(name),
      `${error.message} should name ${name}`,
    );
  }
});

Deno.test("error messages describe undefined as undefined", () => {
  assertThrows(
    () =>
      new GracefulShutdown({ signals: false }).spawn("x", undefined as never),
    TypeError,
    "Cannot use fn: expected a function, got undefined",
  );
});

Deno.test("a misspelled option to TaskGroup.wait is refused at once, not after the wait", async () => {
  await using group = new TaskGroup();
  await assertRejects(
    async () => await group.wait({ timout: 5 } as never),
    TypeError,
    'did you mean "timeout"?',
  );
});

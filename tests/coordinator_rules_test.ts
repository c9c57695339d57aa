// The coordinator's promises held in-process (issue 15): a subscriber disposed mid-delivery
// is not called (item 4); one validation of a signal source, in main() too (items 5, 9, 10);
// ClosedError for late work, naming what refused it (item 7); a failure can begin the
// shutdown and is its trigger (item 17); SIGBREAK exits 149 like every signal (item 2);
// a returning program names the tasks it leaves behind, a short one says nothing (item 11).
import { assert, assertEquals, assertThrows } from "@std/assert";
import { ClosedError, GracefulShutdown, type ShutdownTrigger } from "../mod.ts";
import { main } from "../src/main.ts";
import { manualSignals, runMain } from "../src/testing.ts";

Deno.test("a subscriber disposed by an earlier one during the delivery is not called", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const heard: string[] = [];
  shutdown.subscribe(() => {
    heard.push("first");
    second[Symbol.dispose]();
  });
  const second = shutdown.subscribe(() => heard.push("second"));
  await shutdown.shutdown();
  assertEquals(heard, ["first"]);
});

Deno.test("a source that returns no remover is refused the same way by the coordinator and main()", () => {
  const noRemover = (() => undefined) as never;
  const message = "the source returned undefined, not a function that removes";
  assertThrows(
    () => new GracefulShutdown({ signals: noRemover }),
    TypeError,
    message,
  );
  let exited = false;
  assertThrows(
    () => main(() => {}, { signals: noRemover, exit: () => (exited = true) }),
    TypeError,
    message,
  );
  assertEquals(exited, false);
});

Deno.test("main() enforces the coordinator's rules: drainDelay no larger than timeout", () => {
  assertThrows(
    () => main(() => {}, { timeout: 1_000, drainDelay: 2_000, exit: () => {} }),
    RangeError,
    "Cannot use options.drainDelay",
  );
});

Deno.test("signals: a list of names is hostSignals({ signals }); anything else says what to pass", async () => {
  const shutdown = new GracefulShutdown({ signals: ["SIGINT", "SIGBREAK"] });
  await shutdown.shutdown(); // listened (SIGBREAK skipped on Linux), and removed again
  for (
    const make of [
      () => new GracefulShutdown({ signals: true as never }),
      () => main(() => {}, { signals: "SIGINT" as never, exit: () => {} }),
    ]
  ) {
    assertThrows(
      make,
      TypeError,
      'Cannot use options.signals: expected a signal source (such as hostSignals()), a list of signal names (such as ["SIGINT", "SIGTERM"]) or false',
    );
  }
  assertThrows(
    () => new GracefulShutdown({ signals: ["SIGINT", "SIGKILL"] as never }),
    TypeError,
    'Cannot use options.signals: the string "SIGKILL" is not one of "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2", "SIGBREAK"',
  );
});

Deno.test("defer, use and spawn after cleanup began throw ClosedError naming the GracefulShutdown", async () => {
  const shutdown = new GracefulShutdown({ signals: false });
  const thrown: unknown[] = [];
  shutdown.defer(() => {
    for (
      const late of [
        () => shutdown.defer(() => {}, "late step"),
        () => shutdown.use({ [Symbol.dispose]() {} }, "late resource"),
        () => shutdown.spawn("late task", () => {}),
      ]
    ) {
      try {
        late();
      } catch (error) {
        thrown.push(error);
      }
    }
  });
  assertEquals((await shutdown.shutdown()).ok, true);
  assertEquals(thrown.map((e) => e instanceof ClosedError), [true, true, true]);
  assertEquals(thrown.map((e) => (e as Error).message), [
    `Cannot add cleanup step "late step": the GracefulShutdown's cleanup has already started`,
    `Cannot add cleanup step "late resource": the GracefulShutdown's cleanup has already started`,
    `Cannot spawn task "late task": the GracefulShutdown's drain has moved on to cleanup steps`,
  ]);
});

Deno.test("shutdownOnFailure: a failed task begins the shutdown; the failure is its trigger", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    shutdownOnFailure: true,
    onError: () => {},
  });
  const seen: ShutdownTrigger[] = [];
  shutdown.subscribe((trigger) => seen.push(trigger));
  const consumer = new Error("queue consumer died");
  shutdown.spawn("consumer", () => Promise.reject(consumer));
  shutdown.spawn(
    "server",
    (signal) =>
      new Promise((resolve) => signal.addEventListener("abort", resolve)),
  );
  assertEquals(await shutdown.wait(), "failure");
  const report = await shutdown.done();
  assertEquals(seen, ["failure"]);
  assertEquals(report.trigger, "failure");
  assertEquals(report.reason, consumer);
  assertEquals(report.ok, false);
  assertEquals(report.errors.map((f) => `${f.source} ${f.name}`), [
    "task consumer",
  ]);
});

Deno.test("shutdownOnFailure defaults to false on GracefulShutdown: the failure is reported, nothing more", async () => {
  const failures: string[] = [];
  const shutdown = new GracefulShutdown({
    signals: false,
    onError: (f) => failures.push(f.name),
  });
  await shutdown.spawn("consumer", () => Promise.reject(new Error("x")))
    .finished();
  assertEquals(failures, ["consumer"]);
  assertEquals(shutdown.draining, false);
  await shutdown.shutdown();
});

Deno.test("reportFailure checks its input", () => {
  const shutdown = new GracefulShutdown({ signals: false });
  assertThrows(
    () => shutdown.reportFailure({ source: "disk", name: "x" } as never),
    TypeError,
    "Cannot use failure",
  );
  assertThrows(
    () =>
      shutdown.reportFailure({ source: "task", name: "x", error: 1 }, {
        shutdown: "yes" as never,
      }),
    TypeError,
    "options.shutdown",
  );
});

Deno.test("every accepted signal exits 128 + n after a clean drain, SIGBREAK 149 included", async () => {
  const expected: Record<string, number> = {
    SIGHUP: 129,
    SIGINT: 130,
    SIGQUIT: 131,
    SIGUSR2: 140,
    SIGTERM: 143,
    SIGBREAK: 149,
  };
  for (const [signal, code] of Object.entries(expected)) {
    const signals = manualSignals();
    const run = runMain(({ shutdown }) => shutdown.wait(), {
      signals: signals.source,
    });
    signals.send(signal as ShutdownTrigger);
    assertEquals((await run).code, code, signal);
  }
});

Deno.test("a second SIGBREAK during the drain forces 149", async () => {
  const signals = manualSignals();
  const slow = Promise.withResolvers<void>();
  const run = runMain(({ shutdown, spawn }) => {
    spawn("slow", () => slow.promise);
    return shutdown.wait();
  }, { signals: signals.source, onProgress: false });
  signals.send("SIGBREAK");
  await new Promise((resolve) => setTimeout(resolve, 300));
  signals.send("SIGBREAK");
  setTimeout(() => slow.resolve(), 50);
  const { code, outcome, log } = await run;
  assertEquals(code, 149);
  assertEquals(outcome.forcedBy, "SIGBREAK");
  assert(log.includes("quiesce: SIGBREAK received again, forcing the exit"));
});

Deno.test("a program returning while its task runs says so; a short CLI says nothing", async () => {
  const left = await runMain(({ spawn }) => {
    spawn(
      "poller",
      (signal) =>
        new Promise((resolve) => signal.addEventListener("abort", resolve)),
    );
  });
  assertEquals(left.code, 0);
  assertEquals(left.log, [
    'quiesce: the program returned while "poller" still ran, so the shutdown begins and cancels it (to run until a signal, `await shutdown.wait()`)',
  ]);
  const cli = await runMain(() => {
    void "hi"; // main(() => console.log("hi")), without the output
  });
  assertEquals(cli.code, 0);
  assertEquals(cli.log, []);
});

Deno.test("main() is refused while another main() runs, and allowed again after its exit", async () => {
  const release = Promise.withResolvers<void>();
  const first = runMain(() => release.promise);
  assertThrows(
    () => main(() => {}, { signals: false, exit: () => {} }),
    Error,
    "Cannot run main(): another main() is still running in this process",
  );
  release.resolve();
  assertEquals((await first).code, 0);
  assertEquals((await runMain(() => {})).code, 0);
});

Deno.test("main()'s log: false silences every line main() would print", async () => {
  const printed: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args);
  try {
    const exited = Promise.withResolvers<number>();
    main(() => Promise.reject(new Error("bad config")), {
      signals: false,
      log: false,
      exit: exited.resolve,
    });
    assertEquals(await exited.promise, 1);
  } finally {
    console.error = original;
  }
  assertEquals(printed, []);
});

Deno.test("onSecondSignal: the intake keeps listening through the drain, skips a runner's copy, then removes its listeners", async () => {
  const signals = manualSignals();
  const seconds: ShutdownTrigger[] = [];
  const slow = Promise.withResolvers<void>();
  const shutdown = new GracefulShutdown({
    signals: signals.source,
    onSecondSignal: (signal) => seconds.push(signal),
    onProgress: false,
  });
  shutdown.spawn("slow", () => slow.promise);
  assertEquals(signals.send("SIGTERM"), 1);
  assertEquals(signals.send("SIGTERM"), 1); // a task runner's copy: heard, not a second
  await new Promise((resolve) => setTimeout(resolve, 400));
  assertEquals(signals.send("SIGINT"), 1);
  assertEquals(seconds, ["SIGINT"]);
  slow.resolve();
  const report = await shutdown.done();
  assertEquals(report.trigger, "SIGTERM");
  assertEquals(signals.listening, 0);
});

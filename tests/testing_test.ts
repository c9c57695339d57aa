// ./testing: manualSignals (a signal source driven by the test) and runMain (main() without
// ending the process, with its exit code, outcome and log), and that neither touches the
// process: no OS signal listener, nothing on stderr, nothing left running after the result;
// in this process, and in real Deno, Bun and Node processes (as in a bun or node:test file).
import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { GracefulShutdown, type ShutdownTrigger } from "../mod.ts";
import { main } from "../src/main.ts";
import { manualSignals, runMain } from "../src/testing.ts";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const TESTING_APP =
  new URL("./fixtures/signals/testing_app.ts", import.meta.url).pathname;
const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
// At top level: in CI a missing runtime throws here and fails the suite.
const BINARIES: Record<RuntimeName, string | undefined> = {
  deno: requireRuntime("deno"),
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

/** Runs `fn` with `console.error` recording instead of printing; returns what it got. */
async function stderrDuring(fn: () => Promise<unknown>): Promise<unknown[][]> {
  const original = console.error;
  const calls: unknown[][] = [];
  console.error = (...args: unknown[]) => void calls.push(args);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return calls;
}

Deno.test("manualSignals: listening counts installed listeners; the remover is idempotent", () => {
  const signals = manualSignals();
  assertEquals([signals.listening, signals.installs], [0, 0]);
  const heard: string[] = [];
  const onSignal = (trigger: ShutdownTrigger) => heard.push(trigger);
  const removeFirst = signals.source(onSignal);
  const removeSecond = signals.source(onSignal); // the same function twice: two listeners
  assertEquals([signals.listening, signals.installs], [2, 2]);
  assertEquals(signals.send("SIGTERM"), 2);
  assertEquals(heard, ["SIGTERM", "SIGTERM"]);
  removeFirst();
  removeFirst();
  assertEquals(signals.listening, 1);
  removeSecond();
  assertEquals([signals.listening, signals.installs], [0, 2]);
  assertEquals(signals.send("SIGINT"), 0);
  assertEquals(heard, ["SIGTERM", "SIGTERM"]);
});

Deno.test("manualSignals: delivery is synchronous, in install order; a listener removed meanwhile is skipped", () => {
  const signals = manualSignals();
  const heard: string[] = [];
  let removeSecond = () => {};
  signals.source((trigger) => {
    heard.push(`first ${trigger}`);
    removeSecond();
  });
  removeSecond = signals.source((trigger) => heard.push(`second ${trigger}`));
  signals.source((trigger) => heard.push(`third ${trigger}`));
  assertEquals(signals.send("SIGHUP"), 2);
  assertEquals(heard, ["first SIGHUP", "third SIGHUP"]);
});

Deno.test("manualSignals: every ShutdownTrigger is accepted; anything else is a TypeError naming trigger", () => {
  const signals = manualSignals();
  const heard: string[] = [];
  signals.source((trigger) => heard.push(trigger));
  const all: ShutdownTrigger[] = [
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR2",
    "SIGBREAK",
    "manual",
    "worker",
  ];
  for (const trigger of all) signals.send(trigger);
  assertEquals(heard, all);
  for (const bad of ["SIGKILL", "sigterm", "", 15, undefined]) {
    assertThrows(
      () => signals.send(bad as ShutdownTrigger),
      TypeError,
      "Cannot use trigger",
    );
  }
  assertThrows(
    () => signals.source("not a function" as never),
    TypeError,
    "Cannot use onSignal",
  );
  assertEquals(heard, all); // a rejected send reached nobody
});

Deno.test("manualSignals: SIGTERM to a GracefulShutdown begins it and the coordinator removes its listener", async () => {
  const signals = manualSignals();
  const shutdown = new GracefulShutdown({
    signals: signals.source,
    onProgress: false,
  });
  assertEquals(signals.listening, 1);
  assertEquals(signals.send("SIGTERM"), 1);
  assertEquals(signals.listening, 0);
  assertEquals(signals.send("SIGINT"), 0); // a later signal reaches nothing
  assertEquals(await shutdown.wait(), "SIGTERM");
  assertEquals((await shutdown.done()).trigger, "SIGTERM");
});

Deno.test("manualSignals: one source drives two coordinators; each removes only its own listener", async () => {
  const signals = manualSignals();
  const a = new GracefulShutdown({
    signals: signals.source,
    onProgress: false,
  });
  const b = new GracefulShutdown({
    signals: signals.source,
    onProgress: false,
  });
  assertEquals(signals.listening, 2);
  await a.shutdown();
  assertEquals(signals.listening, 1);
  assertEquals(signals.send("SIGINT"), 1);
  assertEquals((await b.done()).trigger, "SIGINT");
  assertEquals(signals.listening, 0);
});

Deno.test("runMain: SIGTERM drains, exits 143, logs main()'s stderr lines, and prints nothing", async () => {
  const signals = manualSignals();
  const steps: string[] = [];
  let result: Awaited<ReturnType<typeof runMain>> | undefined;
  const stderr = await stderrDuring(async () => {
    const run = runMain(async ({ shutdown, spawn, defer }) => {
      spawn("worker", async (signal) => {
        await new Promise((resolve) =>
          signal.addEventListener("abort", resolve)
        );
        steps.push("worker stopped");
      });
      defer(() => steps.push("database closed"));
      steps.push(`stopped by ${await shutdown.wait()}`);
    }, { signals: signals.source });
    assertEquals(signals.listening, 1);
    assertEquals(signals.send("SIGTERM"), 1);
    result = await run;
  });
  assertEquals(stderr, []);
  assertEquals(result!.code, 143);
  assertEquals(result!.outcome.code, 143);
  assertEquals(result!.outcome.trigger, "SIGTERM");
  assertEquals(result!.outcome.report?.ok, true);
  assertEquals(steps, [
    "stopped by SIGTERM",
    "worker stopped",
    "database closed",
  ]);
  assertEquals(
    result!.log[0],
    "quiesce: SIGTERM received, shutting down (30.0 s; SIGTERM again forces the exit)",
  );
  assertEquals(result!.log.length, 3);
  assert(/^quiesce: shut down cleanly in \d+ ms$/.test(result!.log[1]!));
  assertEquals(result!.log[2], "quiesce: exiting with code 143");
  assertEquals(
    signals.listening,
    0,
    "main() removed its listener before the exit",
  );
});

Deno.test("runMain: installs no OS signal listener by default (Deno.addSignalListener is never called)", async () => {
  const original = Deno.addSignalListener;
  const added: string[] = [];
  Deno.addSignalListener = (signal: Deno.Signal, handler: () => void) => {
    added.push(signal);
    original(signal, handler);
  };
  try {
    const { code } = await runMain(async ({ shutdown }) => {
      setTimeout(() => void shutdown.shutdown(), 10);
      await shutdown.wait();
    });
    assertEquals(code, 0);
  } finally {
    Deno.addSignalListener = original;
  }
  assertEquals(added, []);
  // The spy itself works: main() with its default source does call it.
  Deno.addSignalListener = (signal: Deno.Signal, handler: () => void) => {
    added.push(signal);
    original(signal, handler);
  };
  try {
    const exited = Promise.withResolvers<number>();
    main(() => {}, { exit: exited.resolve });
    assertEquals(await exited.promise, 0);
  } finally {
    Deno.addSignalListener = original;
  }
  assertEquals(added.sort(), ["SIGINT", "SIGTERM"]);
});

Deno.test("runMain: the exitCode option picks the code; outcome.code stays the default policy's", async () => {
  const signals = manualSignals();
  const run = runMain(({ shutdown }) => shutdown.wait(), {
    signals: signals.source,
    exitCode: 0,
  });
  signals.send("SIGTERM");
  const { code, outcome, log } = await run;
  assertEquals(code, 0);
  assertEquals(outcome.code, 143);
  assertEquals(log.at(-1), "quiesce: exiting with code 0");
});

Deno.test("runMain: fn throwing exits 1 with 'main failed' and the error's first line in the log", async () => {
  const { code, outcome, log } = await runMain(() => {
    throw new RangeError("bad config");
  });
  assertEquals(code, 1);
  assertEquals(outcome.failures.map((f) => f.source), ["main"]);
  assertEquals(log[0], "quiesce: main failed: RangeError: bad config");
  assertEquals(log.at(-1), "quiesce: exiting with code 1");
});

Deno.test("runMain: a failed task and a progress report go to the log, not stderr (the defaults replaced)", async () => {
  const signals = manualSignals();
  let log: readonly string[] = [];
  const stderr = await stderrDuring(async () => {
    const run = runMain(async ({ shutdown, spawn }) => {
      spawn("sync", () => Promise.reject("not an Error"));
      spawn("flush", async (signal) => {
        await new Promise((resolve) =>
          signal.addEventListener("abort", resolve)
        );
        await new Promise((resolve) => setTimeout(resolve, 1_300));
      });
      await shutdown.wait();
    }, { signals: signals.source, timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    signals.send("SIGINT");
    ({ log } = await run);
  });
  assertEquals(stderr, []);
  assertEquals(log[0], 'quiesce: task "sync" failed: not an Error');
  assert(
    log.some((line) =>
      /^quiesce: draining, 1 still running \(flush \d+\.\ds\); \d+\.\ds left$/
        .test(line)
    ),
    log.join("\n"),
  );
});

Deno.test("runMain: a crash during the run is taken over (exit 1), and the handler is gone after", async () => {
  const { code, outcome, log } = await runMain(async ({ shutdown }) => {
    setTimeout(() => {
      assertFalse(
        globalThis.dispatchEvent(
          new ErrorEvent("error", {
            error: new Error("boom"),
            cancelable: true,
          }),
        ),
      );
    }, 5);
    await shutdown.wait();
  });
  assertEquals(code, 1);
  assertEquals(outcome.failures.map((f) => f.name), ["uncaught exception"]);
  assertStringIncludes(
    log.join("\n"),
    "quiesce: uncaught exception, shutting down: Error: boom",
  );
  assert(
    globalThis.dispatchEvent(
      new ErrorEvent("error", { error: new Error("x"), cancelable: true }),
    ),
    "a crash handler outlived the run",
  );
});

Deno.test("runMain: after a forced exit it settles only once the abandoned drain ended", async () => {
  const signals = manualSignals();
  const order: string[] = [];
  const run = runMain(async ({ shutdown, spawn }) => {
    spawn("slow", async (signal) => {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      await new Promise((resolve) => setTimeout(resolve, 400));
      order.push("slow task ended");
    });
    await shutdown.wait();
  }, { signals: signals.source, onProgress: false });
  await new Promise((resolve) => setTimeout(resolve, 10));
  signals.send("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 150)); // past the 100 ms repeat window
  signals.send("SIGTERM");
  const { code, outcome, log } = await run;
  order.push("run settled");
  assertEquals(code, 143);
  assertEquals(outcome.forcedBy, "SIGTERM");
  assertEquals(outcome.report, undefined);
  assertEquals(order, ["slow task ended", "run settled"]);
  assert(log.includes("quiesce: SIGTERM received again, forcing the exit"));
});

Deno.test("runMain: the same signal twice within the window is one signal, even with a frozen clock", async () => {
  // The window is closed by a timer, not measured with performance.now(): FakeTime, which
  // fakes timers but not performance.now(), moves it too.
  const now = performance.now;
  Object.defineProperty(performance, "now", {
    value: () => 0,
    configurable: true,
    writable: true,
  });
  try {
    const signals = manualSignals();
    const release = Promise.withResolvers<void>();
    const run = runMain(async ({ shutdown, spawn }) => {
      spawn("slow", () => release.promise);
      await shutdown.wait();
    }, { signals: signals.source, onProgress: false });
    signals.send("SIGINT");
    signals.send("SIGINT"); // a task runner's copy: the same signal
    // Well past the window: it opens when the event loop is next free (a 0 ms timer) and
    // lasts 100 ms, and on a loaded machine that first timer alone can lag by tens of ms.
    await new Promise((resolve) => setTimeout(resolve, 400));
    signals.send("SIGINT"); // the window closed by its timer: a second signal
    release.resolve();
    const { outcome, log } = await run;
    assertEquals(outcome.forcedBy, "SIGINT");
    assertEquals(
      log.filter((line) => line.includes("SIGINT received")).length,
      2,
    );
  } finally {
    delete (performance as { now?: unknown }).now;
  }
  assertEquals(performance.now, now);
});

Deno.test("runMain: bad input is rejected synchronously, naming the argument", () => {
  assertThrows(() => runMain(5 as never), TypeError, "Cannot use fn");
  assertThrows(
    () => runMain(() => {}, 5 as never),
    TypeError,
    "Cannot use options",
  );
  assertThrows(
    () => runMain(() => {}, null as never),
    TypeError,
    "Cannot use options",
  );
  assertThrows(
    () => runMain(() => {}, { exit: () => {} } as never),
    TypeError,
    "options.exit",
  );
  assertThrows(
    () => runMain(() => {}, { timout: 5 } as never),
    TypeError,
    'did you mean "timeout"',
  );
  assertThrows(
    () => runMain(() => {}, { timeout: -1 }),
    RangeError,
    "options.timeout",
  );
});

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `./testing on ${runtime}: runMain and a manual SIGTERM give 143 and the log, with no OS listener installed, and the process ends by itself`,
    ignore: BINARIES[runtime] === undefined,
    fn: async () => {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, TESTING_APP),
      );
      const exit = await child.exit(20_000);
      assertEquals(exit.code, 0, exit.stderr);
      assertEquals(exit.stderr.includes("quiesce:"), false, exit.stderr);
      const none = runtime === "deno" ? null : "SIGINT=0 SIGTERM=0 SIGHUP=0";
      assertEquals(JSON.parse(exit.lines.at(-1)!), {
        runtime,
        heard: 1,
        code: 143,
        steps: ["stopped by SIGTERM", "worker stopped", "cleanup"],
        log: [
          "quiesce: SIGTERM received, shutting down (30.0 s; SIGTERM again forces the exit)",
          "quiesce: exiting with code 143",
        ],
        listening: 0,
        during: none,
        after: none,
      });
    },
  });
}

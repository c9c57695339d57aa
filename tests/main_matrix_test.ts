// main() under real OS signals, in real Deno, Bun and Node (22, type stripping) processes:
// runtime × {SIGINT, SIGTERM} × {clean drain, second signal during the drain, a task past
// the deadline}, plus fn returning / throwing, the exitCode option, SIGHUP, and Deno Deploy's
// shorter default deadline. Exit codes are asserted exactly, as Deno.Command reports them:
// main() ends the process with exit(code), so `signal` is null even for 130/143.
import {
  assert,
  assertEquals,
  assertFalse,
  assertGreaterOrEqual,
  assertLess,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { main, type MainOptions, type MainOutcome } from "../src/main.ts";
import { manualSignals } from "../src/testing.ts";
import type { GracefulShutdown } from "../mod.ts";
import { Child, type ChildExit, signalCode } from "./_child.ts";
import type { RuntimeName } from "./_runtime.ts";
import { APP, BINARIES, cell, DRAINED, RUNTIMES, start } from "./_main_app.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type Sig = "SIGINT" | "SIGTERM" | "SIGHUP";
// At top level: in CI a missing runtime throws here and fails the suite.

/** Waits for "ready <pid>" and checks the signal will reach the runtime with its default action. */
async function ready(child: Child, signal?: Sig): Promise<void> {
  assertEquals(await child.waitFor(/^ready /), `ready ${child.pid}`);
  if (signal) assertFalse(child.ignores(signal), `${signal} is ignored`);
}

/** The stdout lines a fixture prints around its own, per runtime. */
function framed(
  runtime: RuntimeName,
  pid: number,
  middle: string[],
  hangup = false,
): string[] {
  if (runtime === "deno") {
    return ["listeners at ready: n/a", `ready ${pid}`, ...middle];
  }
  // Exactly one listener per signal while running (the coordinator's intake, the only one:
  // main() adds none), and none left when the process ends, forced exits included.
  return [
    `listeners at ready: SIGINT=1 SIGTERM=1 SIGHUP=${hangup ? 1 : 0}`,
    `ready ${pid}`,
    ...middle,
    "listeners at exit: SIGINT=0 SIGTERM=0 SIGHUP=0",
  ];
}

/** main()'s line when `fn` returns while a task it spawned still runs (item 11). */
const RETURNED_WHILE_RUNNING =
  'quiesce: the program returned while "worker" still ran, so the shutdown begins and cancels it (to run until a signal, `await shutdown.wait()`)\n';

/**
 * A person's pause before a second signal: a repeat of the same signal within main()'s
 * 100 ms window is taken for a task runner's forwarded copy of the first.
 */
function secondSignalPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

function assertExit(exit: ChildExit, code: number): void {
  assertEquals(
    { code: exit.code, signal: exit.signal },
    { code, signal: null },
    `stderr:\n${exit.stderr}`,
  );
}

for (const runtime of RUNTIMES) {
  for (const signal of SIGNALS) {
    const code = signalCode(signal);

    cell(`${signal}, clean drain → ${code}`, runtime, async () => {
      await using child = start(runtime, "clean");
      await ready(child, signal);
      child.kill(signal);
      const exit = await child.exit(20_000);
      assertExit(exit, code);
      assertEquals(
        exit.lines,
        framed(runtime, child.pid, [
          `fn saw ${signal}`,
          "fn signal aborted true",
          ...DRAINED,
        ]),
      );
      assertMatch(
        exit.stderr,
        new RegExp(`quiesce: ${signal} received, shutting down \\(2\\.0 s`),
      );
      assertMatch(exit.stderr, /quiesce: shut down cleanly in \d+ ms/);
      assertStringIncludes(exit.stderr, `quiesce: exiting with code ${code}`);
      assertLess(exit.ms, 10_000);
    });

    cell(
      `second ${signal} during the drain → forced ${code}`,
      runtime,
      async () => {
        await using child = start(runtime, "second");
        await ready(child, signal);
        child.kill(signal);
        await child.waitFor("slow saw abort");
        await secondSignalPause();
        child.kill(signal);
        const exit = await child.exit(20_000);
        assertExit(exit, code);
        // The slow task needed 20 s: nothing after the abort ran, no cleanup step either.
        assertEquals(
          exit.lines,
          framed(
            runtime,
            child.pid,
            [
              `fn saw ${signal}`,
              "fn signal aborted true",
              "worker stopped",
              "slow saw abort",
            ],
          ),
        );
        assertStringIncludes(
          exit.stderr,
          `quiesce: ${signal} received again, forcing the exit`,
        );
        assertLess(exit.ms, 10_000);
      },
    );

    cell(
      `${signal} repeated at once is one ${signal}; a later one still forces`,
      runtime,
      async () => {
        // The fixture sends itself the signal, then again 5 ms later: a task runner's
        // copy, timed inside the child so a loaded test machine cannot stretch the gap.
        await using child = start(runtime, "second", { REPEAT: signal });
        await child.waitFor("slow saw abort");
        await secondSignalPause();
        assertFalse(child.stderr.includes("received again"), child.stderr);
        child.kill(signal);
        const exit = await child.exit(20_000);
        assertExit(exit, code);
        assertEquals(
          exit.stderr.match(/received again, forcing the exit/g)?.length,
          1,
          exit.stderr,
        );
      },
    );

    cell(`${signal}, a task past the 1.5 s deadline → 1`, runtime, async () => {
      await using child = start(runtime, "stuck");
      await ready(child, signal);
      child.kill(signal);
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      // Sync cleanup steps still run after the deadline; the stuck task is named.
      assertEquals(
        exit.lines,
        framed(runtime, child.pid, [
          `fn saw ${signal}`,
          "fn signal aborted true",
          ...DRAINED,
        ]),
      );
      assertMatch(
        exit.stderr,
        /quiesce: draining, 1 still running \(stuck-task \d/,
      );
      assertMatch(
        exit.stderr,
        /quiesce: Still running after the 1500 ms deadline: stuck-task \(task, running \d+ ms, never looked at its signal\)/,
      );
      assertStringIncludes(exit.stderr, "quiesce: exiting with code 1");
      // It exits although the stuck task holds a timer that would keep the process alive.
      assertGreaterOrEqual(exit.ms, 1_400);
      assertLess(exit.ms, 12_000);
    });
  }

  cell(
    "fn returns on its own → 0, tasks and cleanup drained",
    runtime,
    async () => {
      await using child = start(runtime, "returns");
      await ready(child);
      const exit = await child.exit(20_000);
      assertExit(exit, 0);
      assertEquals(
        exit.lines,
        framed(runtime, child.pid, ["fn returns", ...DRAINED]),
      );
      // The worker it spawned still ran: one line says the program ended it (item 11).
      assertEquals(exit.stderr, RETURNED_WHILE_RUNNING);
    },
  );

  cell(
    "fn throws → 1, the error printed, cleanup still runs",
    runtime,
    async () => {
      await using child = start(runtime, "throws");
      await ready(child);
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      assertEquals(exit.lines, framed(runtime, child.pid, DRAINED));
      assertStringIncludes(exit.stderr, "quiesce: main failed:");
      assertStringIncludes(exit.stderr, "boom from main");
    },
  );

  cell("exitCode function maps a clean SIGTERM to 0", runtime, async () => {
    await using child = start(runtime, "k8s");
    await ready(child, "SIGTERM");
    child.kill("SIGTERM");
    const exit = await child.exit(20_000);
    assertExit(exit, 0);
    assertEquals(
      exit.lines,
      framed(runtime, child.pid, [
        "fn saw SIGTERM",
        "fn signal aborted true",
        ...DRAINED,
      ]),
    );
  });

  cell(
    "SIGHUP in the signals list: SIGHUP → clean drain, 129",
    runtime,
    async () => {
      await using child = start(runtime, "hangup");
      await ready(child, "SIGHUP");
      child.kill("SIGHUP");
      const exit = await child.exit(20_000);
      assertExit(exit, 129);
      assertEquals(
        exit.lines,
        framed(runtime, child.pid, [
          "fn saw SIGHUP",
          "fn signal aborted true",
          ...DRAINED,
        ], true),
      );
    },
  );
}

for (const runtime of ["deno", "bun"] as const) {
  cell(
    "SIGTERM exits 143 although a web worker would run forever",
    runtime,
    async () => {
      await using child = start(runtime, "worker");
      await child.waitFor("worker up");
      await ready(child, "SIGTERM");
      child.kill("SIGTERM");
      const exit = await child.exit(20_000);
      assertExit(exit, 143);
      assertEquals(exit.lines, [
        "worker up",
        ...framed(runtime, child.pid, [
          "fn saw SIGTERM",
          "fn signal aborted true",
          ...DRAINED,
        ]),
      ]);
    },
  );
}

cell("exitCode function leaves a clean SIGINT at 130", "deno", async () => {
  await using child = start("deno", "k8s");
  await ready(child, "SIGINT");
  child.kill("SIGINT");
  assertExit(await child.exit(20_000), 130);
});

cell("exitCode: 0 replaces 130 after a clean SIGINT", "bun", async () => {
  await using child = start("bun", "k8s0");
  await ready(child, "SIGINT");
  child.kill("SIGINT");
  assertExit(await child.exit(20_000), 0);
});

cell("SIGTERM, then SIGINT during the drain → forced 130", "node", async () => {
  await using child = start("node", "second");
  await ready(child, "SIGINT");
  child.kill("SIGTERM");
  await child.waitFor("slow saw abort");
  child.kill("SIGINT");
  const exit = await child.exit(20_000);
  assertExit(exit, 130);
  assertStringIncludes(
    exit.stderr,
    "quiesce: SIGINT received again, forcing the exit",
  );
});

cell(
  "on Deno Deploy the default deadline fits the 5 s grace after SIGINT",
  "deno",
  async () => {
    await using child = start("deno", "deploy", {
      DENO_DEPLOY: "true",
      DENO_DEPLOYMENT_ID: "matrix-test",
    });
    assertEquals(await child.waitFor(/^timeout /), "timeout 4000");
    await ready(child, "SIGINT");
    child.kill("SIGINT");
    const exit = await child.exit(20_000);
    assertExit(exit, 1);
    assertStringIncludes(
      exit.stderr,
      "Still running after the 4000 ms deadline: stuck-task",
    );
    // Deploy sends SIGKILL 5 s after SIGINT: the exit must come before.
    assertGreaterOrEqual(exit.ms, 3_900);
    assertLess(exit.ms, 5_000);
  },
);

for (
  const [what, env, expected] of [
    ["DENO_DEPLOY=true (Deno Deploy)", { DENO_DEPLOY: "true" }, 4000],
    [
      "DENO_REGION with DENO_DEPLOYMENT_ID (Deploy Classic)",
      { DENO_REGION: "gcp-europe-west3", DENO_DEPLOYMENT_ID: "abc" },
      4000,
    ],
    // Fresh's Docker guide sets DENO_DEPLOYMENT_ID for cache busting: not Deploy.
    [
      "DENO_DEPLOYMENT_ID alone (a container)",
      { DENO_DEPLOYMENT_ID: "x" },
      30000,
    ],
    ["DENO_REGION alone", { DENO_REGION: "somewhere" }, 30000],
    ["DENO_DEPLOY=false", { DENO_DEPLOY: "false" }, 30000],
  ] as const
) {
  cell(
    `Deno Deploy detection: ${what} → default timeout ${expected}`,
    "deno",
    async () => {
      await using child = start("deno", "timeout", env);
      const exit = await child.exit(20_000);
      assertExit(exit, 0);
      assertEquals(exit.lines[0], `timeout ${expected}`);
    },
  );
}

for (const runtime of RUNTIMES) {
  cell(
    "denoDeploy: true / false overrides the detection",
    runtime,
    async () => {
      for (
        const [mode, env, expected] of [
          ["deploy-on", {}, "timeout 4000"],
          ["deploy-off", { DENO_DEPLOY: "true" }, "timeout 30000"],
        ] as const
      ) {
        await using child = start(runtime, mode, env);
        const exit = await child.exit(20_000);
        assertExit(exit, 0);
        assertEquals(exit.lines[0], expected);
      }
    },
  );
}

cell(
  "without env permission: no prompt, no error, default deadline 30 s",
  "deno",
  async () => {
    // Deploy's variables are set, but the program may not read them: the permission is
    // queried, never requested.
    await using child = Child.start(
      [BINARIES.deno!, "run", "--no-prompt", APP, "timeout"],
      {
        env: { DENO_DEPLOY: "true", DENO_REGION: "r", DENO_DEPLOYMENT_ID: "x" },
      },
    );
    const exit = await child.exit(20_000);
    assertExit(exit, 0);
    assertEquals(exit.lines[0], "timeout 30000");
    assertEquals(exit.stderr, RETURNED_WHILE_RUNNING);
  },
);

cell(
  "Deno Deploy's variables mean nothing outside Deno: default deadline 30 s",
  "bun",
  async () => {
    await using child = start("bun", "timeout", {
      DENO_DEPLOY: "true",
      DENO_DEPLOYMENT_ID: "matrix-test",
    });
    const exit = await child.exit(20_000);
    assertExit(exit, 0);
    assertEquals(exit.lines[0], "timeout 30000");
  },
);

// In-process: argument checks and the exitCode function, with an injected exit and no
// OS signals (main never installs a listener here).

Deno.test("main refuses bad input with errors naming the argument", () => {
  const fn = () => {};
  assertThrows(() => main(5 as never), TypeError, "Cannot use fn");
  assertThrows(() => main(fn, 5 as never), TypeError, "Cannot use options");
  const bad: Array<[object, ErrorConstructor, string]> = [
    [{ exitCode: 256 }, RangeError, "options.exitCode"],
    [{ exitCode: 1.5 }, RangeError, "options.exitCode"],
    [{ exitCode: "0" }, TypeError, "options.exitCode"],
    [{ hangup: true }, TypeError, 'unknown option "hangup"'],
    [{ forceOnSecondSignal: 1 }, TypeError, "options.forceOnSecondSignal"],
    [{ signals: true }, TypeError, "options.signals"],
    [{ exit: "now" }, TypeError, "options.exit"],
    [{ timeout: -1 }, RangeError, "options.timeout"],
    [{ drainDelay: "1" }, TypeError, "options.drainDelay"],
    [{ denoDeploy: "yes" }, TypeError, "options.denoDeploy"],
    [{ shutdownOnCrash: 1 }, TypeError, "options.shutdownOnCrash"],
    [{ onError: "log" }, TypeError, "options.onError"],
    [{ onSignal: 5 }, TypeError, "options.onSignal"],
    [{ onProgress: true }, TypeError, "options.onProgress"],
    [
      { tiemout: 10 },
      TypeError,
      'unknown option "tiemout"; did you mean "timeout"?',
    ],
    [{ shutdownOnCrsh: false }, TypeError, 'did you mean "shutdownOnCrash"?'],
  ];
  // Thrown synchronously, before anything is installed: the sanitizers would catch a
  // leftover keep-alive timer or signal listener.
  for (const [options, type, message] of bad) {
    assertThrows(() => main(fn, options as never), type, message);
  }
  assertThrows(() => main(fn, null as never), TypeError, "Cannot use options");
});

async function exitCodeOf(
  fn: () => unknown,
  exitCode: (outcome: MainOutcome) => number,
): Promise<{ code: number; outcome: MainOutcome | undefined }> {
  const exited = Promise.withResolvers<number>();
  let seen: MainOutcome | undefined;
  main(fn, {
    signals: false,
    exitCode: (outcome) => (seen = outcome, exitCode(outcome)),
    exit: exited.resolve,
  });
  return { code: await exited.promise, outcome: seen };
}

Deno.test("main's exitCode function sees the outcome and decides every code", async () => {
  const returned = await exitCodeOf(() => {}, () => 7);
  assertEquals(returned.code, 7);
  assertEquals(returned.outcome?.code, 0);
  assertEquals(returned.outcome?.trigger, "manual");
  assertEquals(returned.outcome?.report?.ok, true);
  assertFalse(returned.outcome?.failed);

  const error = new Error("boom");
  const threw = await exitCodeOf(() => Promise.reject(error), (o) => o.code);
  assertEquals(threw.code, 1);
  assert(threw.outcome?.failed);
  assertEquals(threw.outcome?.error, error);
});

Deno.test("main falls back to the default code when exitCode misbehaves", async () => {
  assertEquals((await exitCodeOf(() => {}, () => 300)).code, 0);
  assertEquals(
    (await exitCodeOf(() => {}, () => {
      throw new Error("bad policy");
    })).code,
    0,
  );
});

Deno.test("main: fn rejecting with its cancellation is a clean exit; a real late error is 1", async () => {
  for (const late of [false, true]) {
    const signals = manualSignals();
    const exited = Promise.withResolvers<number>();
    const started = Promise.withResolvers<void>();
    main(async ({ signal }) => {
      started.resolve();
      await new Promise((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason));
      }).catch((reason) => {
        throw late ? new Error("late failure") : reason;
      });
    }, { signals: signals.source, exit: exited.resolve, onError: () => {} });
    await started.promise;
    signals.send("SIGTERM");
    assertEquals(await exited.promise, late ? 1 : 143);
    assert(
      signals.listening === 0,
      "the OS listeners were not removed before the exit",
    );
  }
});

Deno.test("main: draining is true during drainDelay, before the tasks are cancelled", async () => {
  const signals = manualSignals();
  const exited = Promise.withResolvers<number>();
  const seen: string[] = [];
  main(async (context) => {
    const signal = await context.shutdown.wait();
    seen.push(
      `${signal} draining=${context.draining} aborted=${context.signal.aborted}`,
    );
    await new Promise((resolve) =>
      context.signal.addEventListener("abort", resolve)
    );
    seen.push(`aborted=${context.signal.aborted}`);
  }, {
    signals: signals.source,
    drainDelay: 50,
    onSignal: (signal) => seen.push(`onSignal ${signal}`),
    exit: exited.resolve,
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  signals.send("SIGINT");
  assertEquals(await exited.promise, 130);
  assertEquals(seen, [
    "onSignal SIGINT",
    "SIGINT draining=true aborted=false",
    "aborted=true",
  ]);
});

Deno.test("main: a signal while fn's own shutdown drains does not force; the next one does", async () => {
  const signals = manualSignals();
  const exited = Promise.withResolvers<number>();
  const slow = Promise.withResolvers<void>();
  let shutdown: GracefulShutdown | undefined;
  let outcome: MainOutcome | undefined;
  main((context) => {
    shutdown = context.shutdown;
    context.spawn("slow", () => slow.promise);
  }, {
    signals: signals.source,
    exit: exited.resolve,
    exitCode: (o) => (outcome = o, o.code),
    onProgress: false,
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  signals.send("SIGTERM"); // fn already returned and its drain runs: this only warns
  let code: number | undefined;
  exited.promise.then((c) => code = c);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(code, undefined);
  signals.send("SIGINT");
  assertEquals(await exited.promise, 130);
  assertEquals(outcome?.forcedBy, "SIGINT");
  assertEquals(outcome?.trigger, "manual");
  assertEquals(outcome?.report, undefined);
  // main()'s policy removed the intake's listeners right before the forced exit.
  assertEquals(signals.listening, 0);
  // Let the abandoned drain finish, so no timer outlives the test.
  slow.resolve();
  assertEquals((await shutdown!.done()).ok, true);
  assertEquals(signals.listening, 0);
});

Deno.test("main: forceOnSecondSignal: false keeps draining on a second signal", async () => {
  const signals = manualSignals();
  const exited = Promise.withResolvers<number>();
  const slow = Promise.withResolvers<void>();
  main(async ({ spawn, shutdown }) => {
    spawn("slow", () => slow.promise);
    await shutdown.wait();
  }, {
    signals: signals.source,
    exit: exited.resolve,
    forceOnSecondSignal: false,
    onProgress: false,
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  signals.send("SIGINT");
  signals.send("SIGINT");
  let code: number | undefined;
  exited.promise.then((c) => code = c);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(code, undefined);
  slow.resolve();
  assertEquals(await exited.promise, 130);
});

Deno.test("main: a custom source that throws surfaces its error and leaves nothing running", () => {
  const broken = new Error("no signals here");
  assertThrows(
    () =>
      main(() => {}, {
        signals: () => {
          throw broken;
        },
        exit: () => {},
      }),
    Error,
    "no signals here",
  );
});

Deno.test("main: a remover that throws does not stop the exit; it is a failure", async () => {
  const exited = Promise.withResolvers<number>();
  const heard: string[] = [];
  main(() => {}, {
    signals: () => () => {
      throw new Error("remover failed");
    },
    onError: (failure) => heard.push(`${failure.source} ${failure.name}`),
    exit: exited.resolve,
  });
  assertEquals(await exited.promise, 1);
  assertEquals(heard, ["callback signals remover"]);
});

Deno.test("main: a failed task makes the exit code 1 and is in outcome.failures; onError still hears it", async () => {
  const exited = Promise.withResolvers<number>();
  const heard: string[] = [];
  let outcome: MainOutcome | undefined;
  main(async ({ spawn }) => {
    const task = spawn("sync", () => Promise.reject(new Error("disk full")));
    await task.finished();
  }, {
    signals: false,
    onError: (failure) => heard.push(`${failure.source} ${failure.name}`),
    exitCode: (o) => (outcome = o, o.code),
    exit: exited.resolve,
  });
  assertEquals(await exited.promise, 1);
  assertEquals(heard, ["task sync"]);
  assert(outcome?.failed);
  // The failure began the shutdown (item 17): it is the report's trigger and first error.
  assertEquals(outcome?.trigger, "failure");
  assertEquals(outcome?.report?.trigger, "failure");
  assertEquals(outcome?.report?.ok, false);
  assertEquals((outcome?.report?.reason as Error).message, "disk full");
  assertEquals(
    outcome?.failures.map((
      f,
    ) => [f.source, f.name, (f.error as Error).message]),
    [["task", "sync", "disk full"]],
  );
  assertGreaterOrEqual(outcome!.failures[0]!.atMs, 0);
});

/**
 * main() over a manual signal source with one task that stops only when `release()` is
 * called; `code()` is the exit code once main() exited, `undefined` before.
 */
function slowProgram(options: MainOptions = {}) {
  const signals = manualSignals();
  const exited = Promise.withResolvers<number>();
  const slow = Promise.withResolvers<void>();
  let shutdown: GracefulShutdown | undefined;
  let code: number | undefined;
  main(async (context) => {
    shutdown = context.shutdown;
    context.spawn("slow", () => slow.promise);
    await context.shutdown.wait();
  }, {
    signals: signals.source,
    exit: exited.resolve,
    onProgress: false,
    ...options,
  });
  exited.promise.then((c) => code = c);
  return {
    signals,
    exited: exited.promise,
    code: () => code,
    release: () => slow.resolve(),
    drained: () => shutdown!.done(),
  };
}

Deno.test("main: the same signal twice at once is one signal; 300 ms later it forces", async () => {
  const run = slowProgram();
  await new Promise((resolve) => setTimeout(resolve, 10));
  run.signals.send("SIGINT");
  run.signals.send("SIGINT"); // a task runner's copy
  await new Promise((resolve) => setTimeout(resolve, 20));
  run.signals.send("SIGINT"); // still within the window: the same keypress
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(run.code(), undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  run.signals.send("SIGINT"); // a person's second Ctrl+C
  assertEquals(await run.exited, 130);
  run.release();
  await run.drained();
});

Deno.test("main: a copy handled after a slow first signal is still the same signal", async () => {
  const run = slowProgram({
    // The first signal's synchronous handling takes longer than the window (cold code on a
    // busy machine); the runner's copy, queued meanwhile, is handled right after it.
    onSignal: () => {
      const until = performance.now() + 150;
      while (performance.now() < until) { /* busy */ }
      run.signals.send("SIGINT");
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  run.signals.send("SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertEquals(run.code(), undefined);
  run.release();
  assertEquals(await run.exited, 130);
  await run.drained();
});

Deno.test("main: Deno's error/unhandledrejection events begin the shutdown; the handlers are gone after the exit", async () => {
  for (
    const make of [
      () =>
        new ErrorEvent("error", {
          error: new Error("boom"),
          cancelable: true,
        }),
      () =>
        new PromiseRejectionEvent("unhandledrejection", {
          promise: Promise.resolve(), // a stand-in: nothing here is really unhandled
          reason: new Error("boom"),
          cancelable: true,
        }),
    ]
  ) {
    const exited = Promise.withResolvers<number>();
    const steps: string[] = [];
    const heard: string[] = [];
    let outcome: MainOutcome | undefined;
    main(async ({ shutdown, defer }) => {
      defer((signal) => {
        // Cleanup code reads the crash from the documented report fields (item 12).
        steps.push(`cleanup after ${(shutdown.token.reason as Error).message}`);
        void signal;
      });
      steps.push(`stopped by ${await shutdown.wait()}`);
    }, {
      signals: false,
      onError: (failure) => heard.push(`${failure.source} ${failure.name}`),
      exitCode: (o) => (outcome = o, o.code),
      exit: exited.resolve,
    });
    const crash = make();
    const kind = crash.type === "error"
      ? "uncaught exception"
      : "unhandled rejection";
    // Not dispatched with a crash handler present, the runtime would end the process.
    assertFalse(globalThis.dispatchEvent(crash), "main did not take the crash");
    assertEquals(await exited.promise, 1);
    assertEquals(steps, ["stopped by failure", "cleanup after boom"]);
    // The crash is in the hooks (onError) and in the report, as a documented failure.
    assertEquals(heard, [`crash ${kind}`]);
    assertEquals(outcome?.report?.trigger, "failure");
    assertEquals((outcome?.report?.reason as Error).message, "boom");
    assertEquals(
      outcome?.report?.errors.map((f) => `${f.source} ${f.name}`),
      [`crash ${kind}`],
    );
    assertEquals(outcome?.failures.map((f) => f.source), ["crash"]);
    assertEquals(
      outcome?.failures[0]?.name,
      crash.type === "error" ? "uncaught exception" : "unhandled rejection",
    );
    // Removed before the exit: nobody cancels the next one.
    assert(globalThis.dispatchEvent(make()), "a crash handler was left behind");
  }
});

Deno.test("main: shutdownOnCrash: false installs no crash handler", async () => {
  const exited = Promise.withResolvers<number>();
  const release = Promise.withResolvers<void>();
  main(() => release.promise, {
    signals: false,
    shutdownOnCrash: false,
    exit: exited.resolve,
  });
  assert(
    globalThis.dispatchEvent(
      new ErrorEvent("error", { error: new Error("x"), cancelable: true }),
    ),
  );
  release.resolve();
  assertEquals(await exited.promise, 0);
});

Deno.test("main: a crash during the drain is logged, the drain goes on, the exit is 1", async () => {
  const signals = manualSignals();
  const exited = Promise.withResolvers<number>();
  const steps: string[] = [];
  let outcome: MainOutcome | undefined;
  main(async ({ shutdown, spawn, defer }) => {
    spawn("flush", async (signal) => {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      globalThis.dispatchEvent(
        new ErrorEvent("error", {
          error: new Error("late boom"),
          cancelable: true,
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      steps.push("flushed");
    });
    defer(() => steps.push("cleanup"));
    await shutdown.wait();
  }, {
    signals: signals.source,
    exitCode: (o) => (outcome = o, o.code),
    exit: exited.resolve,
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  signals.send("SIGTERM");
  assertEquals(await exited.promise, 1);
  assertEquals(steps, ["flushed", "cleanup"]);
  assertEquals(outcome?.trigger, "SIGTERM");
  assertEquals(outcome?.failures.map((f) => f.name), ["uncaught exception"]);
});

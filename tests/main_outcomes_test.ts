// How programs end under main(), in real Deno, Bun and Node (22) processes:
//   - a failed task means a failed program: it begins the shutdown (trigger "failure",
//     issue 15 item 17), exit 1, and the log names the task and when it failed;
//   - crashes drain: an uncaught exception or unhandled rejection begins the shutdown
//     (error logged, tasks drained, cleanup run, exit 1), handlers gone at the exit;
//     `shutdownOnCrash: false` leaves the runtime's own crash;
//   - the straggler line tells the truth about fn's own signal;
//   - a short program that ends on its own with nothing running ends silently (item 11);
//   - a drain that never returns is ended by the backstop at timeout + 2 s from the signal,
//     drainDelay not added on top (timeout covers it: issue 15 item 8).
import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import type { ChildExit } from "./_child.ts";
import { cell, DRAINED, RUNTIMES, start } from "./_main_app.ts";

function assertExit(exit: ChildExit, code: number): void {
  assertEquals(
    { code: exit.code, signal: exit.signal },
    { code, signal: null },
    `stdout:\n${exit.stdout}\nstderr:\n${exit.stderr}`,
  );
}

/** The lines between "ready" and the exit listener lines. */
function between(exit: ChildExit): string[] {
  const from = exit.lines.findIndex((line) => line.startsWith("ready "));
  return exit.lines.slice(from + 1).filter((line) =>
    !line.startsWith("listeners at exit") &&
    !line.startsWith("crash listeners at exit")
  );
}

for (const runtime of RUNTIMES) {
  cell(
    "a task that fails begins the shutdown at once → 1, the task named with its time",
    runtime,
    async () => {
      await using child = start(runtime, "task-fails");
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      // The worker is stopped at the failure (20 ms), before fn returns (100 ms); the
      // drain waits for fn, then runs the cleanup.
      assertEquals(between(exit), [
        "worker stopped",
        "fn returns",
        "cleanup cache",
        "cleanup db",
      ]);
      assertStringIncludes(exit.stderr, 'quiesce: task "sync" failed:');
      assertStringIncludes(
        exit.stderr,
        'quiesce: task "sync" failed, so the program shuts down (2.0 s; shutdownOnFailure: false keeps it running)',
      );
      assertStringIncludes(exit.stderr, "half-written batch");
      assertMatch(
        exit.stderr,
        /quiesce: 1 failure\(s\): task "sync" at 0\.\d s\n/,
      );
      assertStringIncludes(exit.stderr, "quiesce: exiting with code 1");
    },
  );

  cell(
    "a task that fails while fn waits for a signal ends the program → 1, trigger 'failure'",
    runtime,
    async () => {
      // Before item 17 this program ran on degraded until a signal came.
      await using child = start(runtime, "task-fails-wait");
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      assertEquals(between(exit), [
        "fn saw failure",
        "fn signal aborted true",
        ...DRAINED,
      ]);
      assertMatch(
        exit.stderr,
        /quiesce: 1 failure\(s\): task "sync" at 0\.\d s\n/,
      );
      assertFalse(exit.stderr.includes("shut down cleanly"), exit.stderr);
      assertStringIncludes(exit.stderr, "quiesce: exiting with code 1");
    },
  );

  for (
    const [mode, kind, message] of [
      ["throw-later", "uncaught exception", "boom in a timer"],
      ["reject-later", "unhandled rejection", "boom in a promise"],
    ] as const
  ) {
    cell(
      `an ${kind} drains: error logged, cleanup run, exit 1`,
      runtime,
      async () => {
        await using child = start(runtime, mode);
        const exit = await child.exit(20_000);
        assertExit(exit, 1);
        assertEquals(between(exit), [
          "fn saw failure",
          "fn signal aborted true",
          ...DRAINED,
        ]);
        assertStringIncludes(exit.stderr, `quiesce: ${kind}, shutting down:`);
        assertStringIncludes(exit.stderr, message);
        assertMatch(
          exit.stderr,
          new RegExp(`quiesce: 1 failure\\(s\\): crash "${kind}" at 0\\.\\d s`),
        );
        if (runtime !== "deno") {
          // main's crash handlers were removed before the exit.
          assertEquals(
            exit.lines.at(-1),
            "crash listeners at exit: uncaughtException=0 unhandledRejection=0",
          );
        }
      },
    );
  }

  cell(
    "shutdownOnCrash: false leaves the runtime's own crash (no drain)",
    runtime,
    async () => {
      await using child = start(runtime, "throw-raw");
      const exit = await child.exit(20_000);
      assertEquals(exit.code, 1, exit.stderr);
      assertStringIncludes(exit.stderr, "boom in a timer");
      assertFalse(exit.stdout.includes("cleanup db"), exit.stdout);
      assertFalse(exit.stderr.includes("shutting down"), exit.stderr);
    },
  );

  cell(
    "the straggler line says fn looked at its signal when it did",
    runtime,
    async () => {
      await using child = start(runtime, "watched");
      await child.waitFor(/^ready /);
      child.kill("SIGTERM");
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      assert(exit.lines.includes("fn saw abort"), exit.stdout);
      assertMatch(
        exit.stderr,
        /Still running after the 1000 ms deadline: main \(task, running \d+ ms, saw its signal\)/,
      );
    },
  );

  cell(
    "a drain that never returns is ended by the backstop at timeout + 2 s, drainDelay not added",
    runtime,
    async () => {
      await using child = start(runtime, "backstop");
      await child.waitFor(/^ready /);
      child.kill("SIGTERM");
      const exit = await child.exit(20_000);
      assertExit(exit, 1);
      // timeout 1 s + the 2 s margin; before item 8 the 700 ms drainDelay came on top (3.7 s),
      // past a platform deadline planned from `timeout`.
      assertStringIncludes(exit.stderr, "the drain did not end within 3.0 s");
    },
  );

  cell(
    "a short program that returns at once with nothing running ends silently, exit 0",
    runtime,
    async () => {
      // Before issue 15 item 11, every run of such a CLI printed the "forgot
      // `await shutdown.wait()`" line.
      await using child = start(runtime, "forgot-wait");
      const exit = await child.exit(20_000);
      assertExit(exit, 0);
      assertEquals(exit.lines.filter((l) => !l.startsWith("listeners")), [
        "cleanup db",
      ]);
      assertEquals(exit.stderr, "");
    },
  );
}

// main() in a test, through main()'s own public seams: `exit` (it gets the code and the
// outcome), `log` (every line main() prints) and the context (the coordinator, to wait for
// a drain that outlives a forced exit). Nothing here reaches into main()'s internals.
import {
  main,
  type MainContext,
  type MainOptions,
  type MainOutcome,
} from "../main.ts";
import type { GracefulShutdown } from "../shutdown.ts";
import { describe, validateFunction } from "../_validate.ts";

/**
 * Options for {@linkcode runMain}: those of `main()` but `exit`, which `runMain` provides.
 * Two defaults differ, so that a test touches nothing of its process: `signals` defaults
 * to `false` (no OS listener; pass a {@linkcode ManualSignals}'s `source` to send signals),
 * and main()'s log lines (those of `onError` and `onProgress` included) go to the run's
 * `log` instead of stderr (a `log` function given here gets them too).
 *
 * @example A run with a manual source and a short deadline
 * ```ts
 * import { manualSignals, runMain, type RunMainOptions } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const signals = manualSignals();
 * const options: RunMainOptions = { signals: signals.source, timeout: 1_000 };
 * const run = runMain(({ shutdown }) => shutdown.wait(), options);
 * signals.send("SIGINT");
 * assertEquals((await run).code, 130);
 * ```
 */
export type RunMainOptions = Omit<MainOptions, "exit">;

/**
 * How a {@linkcode runMain} run ended.
 *
 * @example Read the exit code, the outcome and the log
 * ```ts
 * import { runMain, type MainRun } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const run: MainRun = await runMain(async ({ spawn }) => {
 *   await spawn("sync", () => Promise.reject(new Error("disk full"))).finished();
 * });
 * assertEquals(run.code, 1);
 * assertEquals(run.outcome.failures.map((f) => f.name), ["sync"]);
 * assertEquals(run.log[0], 'quiesce: task "sync" failed: Error: disk full');
 * assertEquals(run.log.at(-1), "quiesce: exiting with code 1");
 * ```
 */
export interface MainRun {
  /** The exit code main() ended with (after the `exitCode` option). */
  readonly code: number;
  /** What main() decided the code from (`outcome.code` is the default policy's code). */
  readonly outcome: MainOutcome;
  /**
   * Every line main() would have printed on stderr, in order, `quiesce: ` prefix included;
   * an error is shown by its first line (`Error: disk full`), not its stack.
   */
  readonly log: readonly string[];
}

/**
 * Runs `fn` under `main()` in this process and resolves with its exit code, outcome and
 * log lines instead of ending the process. Nothing of the process is touched unless asked
 * for: no OS signal listener (send signals through a {@linkcode manualSignals} source),
 * no line on stderr. Crashes are still taken over while it runs, as main() does
 * (`shutdownOnCrash: false` to leave them alone).
 *
 * It settles once nothing of the run is left: main() called its exit and the coordinator's
 * drain ended. After a forced exit (a second signal) that is when the drain finishes or
 * its `timeout` passes, so no task or timer of the run outlives the test; with `timeout:
 * Infinity` and a task that never ends, it never settles.
 *
 * Under `@std/testing/time`'s `FakeTime`, every timer main() and the drain use (deadline,
 * progress, the 100 ms window in which a repeated signal is the same signal) is a fake one:
 * `await time.tickAsync(ms)` moves the run on; ticking past `timeout` passes the deadline
 * (one deadline covers the whole shutdown). Durations in the outcome (`atMs`,
 * `durationMs`) are measured with `performance.now()`, which FakeTime does not fake.
 *
 * @example Test that SIGTERM runs the cleanup and exits 143
 * ```ts
 * import { manualSignals, runMain } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const steps: string[] = [];
 * const signals = manualSignals();
 * const run = runMain(async ({ shutdown, defer }) => {
 *   defer(() => steps.push("database closed"));
 *   steps.push(`stopped by ${await shutdown.wait()}`);
 * }, { signals: signals.source });
 * signals.send("SIGTERM");
 * const { code, log } = await run;
 * assertEquals(code, 143);
 * assertEquals(steps, ["stopped by SIGTERM", "database closed"]);
 * assertEquals(log[0], "quiesce: SIGTERM received, shutting down (30.0 s; SIGTERM again forces the exit)");
 * ```
 *
 * @param fn The program, as given to `main()`.
 * @param options `main()`'s options but `exit`.
 * @returns The run's exit code, outcome and log.
 * @throws {TypeError | RangeError} Synchronously, as `main()` does: if `fn` is not a
 * function, `options` is not an object or holds `exit`, or an option is unknown or bad.
 * @throws {unknown} Whatever a custom `options.signals` source throws when installed.
 */
export function runMain(
  fn: (context: MainContext) => unknown,
  options?: RunMainOptions,
): Promise<MainRun> {
  validateFunction(fn, "fn");
  if (
    options !== undefined && (options === null || typeof options !== "object")
  ) {
    throw new TypeError(
      `Cannot use options: expected an options object, got ${
        describe(options)
      }`,
    );
  }
  if (options !== undefined && "exit" in options) {
    throw new TypeError(
      "Cannot use options.exit: runMain provides the exit and resolves with its code",
    );
  }
  const log: string[] = [];
  const userLog = options?.log;
  const write = (line: string, ...error: unknown[]): void => {
    log.push(error.length === 0 ? line : `${line} ${firstLine(error[0])}`);
    if (typeof userLog === "function") userLog(line, ...error);
  };
  let shutdown: GracefulShutdown | undefined;
  const exited = Promise.withResolvers<[number, MainOutcome]>();
  main((context) => {
    shutdown = context.shutdown;
    return fn(context);
  }, {
    ...options,
    // An option left out or set to `undefined` gets runMain's default, not main()'s.
    signals: options?.signals ?? false,
    log: write,
    exit: (code, outcome) => exited.resolve([code, outcome]),
  });
  return (async () => {
    const [code, outcome] = await exited.promise;
    // The drain may still run after a forced exit: let it end, so nothing outlives the run.
    await shutdown?.done();
    return { code, outcome, log: [...log] };
  })();
}

/** An error's first line (`Error: disk full`), or a short form of any other value. */
function firstLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error === null || typeof error !== "object") return String(error);
  return describe(error);
}

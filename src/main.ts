/**
 * `main()`: run a whole program under a {@linkcode GracefulShutdown}, with the runtime's
 * signal adapter, the full escalation and an exit code a shell or supervisor understands.
 *
 * Exit codes (the `exitCode` option overrides them):
 * - 130 / 143 / 129 (128 + signal number) after SIGINT / SIGTERM / SIGHUP and a clean drain,
 *   what the shell would have seen without graceful shutdown;
 * - 0 when `fn` finished on its own and the drain of its tasks and cleanup was clean;
 * - 1 when anything failed — `fn` threw, a task failed (at any time, even long before the
 *   signal), a cleanup step or hook failed, an uncaught exception or unhandled rejection
 *   happened — or the deadline passed; after a signal too, so a CI job or a Kubernetes Job
 *   sees the failure;
 * - a second SIGINT/SIGTERM during the drain exits at once with 128 + its number, as the
 *   runtime's default action would. A repeat of the same signal within 100 ms is not a
 *   second signal: `deno task`, `bun run` and systemd deliver one Ctrl+C or stop twice,
 *   well under a millisecond apart.
 *
 * Crashes drain too: an uncaught exception or unhandled rejection is logged and begins the
 * shutdown (exit 1, cleanup steps still run within the deadline) unless
 * `shutdownOnCrash: false`.
 *
 * @example A program that drains on SIGINT/SIGTERM (here it stops itself)
 * ```ts
 * import { main } from "@quiesce/quiesce/main";
 * import { sleep } from "@quiesce/quiesce";
 *
 * const exited = Promise.withResolvers<number>();
 * main(async ({ spawn, defer, signal }) => {
 *   spawn("ticker", async (signal) => {
 *     while (!signal.aborted) await sleep(10, { signal }).catch(() => {});
 *   });
 *   defer(() => console.log("closing the database"));
 *   await sleep(30, { signal }); // real programs wait for a signal instead
 * }, { exit: exited.resolve }); // leave `exit` out to end the process for real
 * console.log("exit code", await exited.promise); // 0: fn returned, the drain was clean
 * ```
 *
 * @module
 */
import type {
  DrainProgress,
  Failure,
  PhaseReport,
  ShutdownReport,
} from "./report.ts";
import type { GracefulShutdown, StepOptions } from "./shutdown.ts";
import type { OsSignal, ShutdownTrigger, SignalSource } from "./signals.ts";
import type { Task, TaskFunction, TaskResult, TaskStatus } from "./task.ts";
import type {
  CancellationToken,
  TokenSource,
  TokenSourceOptions,
} from "./token.ts";
import type { Straggler } from "./errors.ts";
import {
  describe,
  validateFunction,
  validateMs,
  validateOptions,
} from "./_validate.ts";

// The types main()'s signature and context mention, so this entry point documents (and
// type-checks against) them on its own; the same objects as the main entry point's.
export type {
  CancellationToken,
  DrainProgress,
  Failure,
  GracefulShutdown,
  OsSignal,
  PhaseReport,
  ShutdownReport,
  ShutdownTrigger,
  SignalSource,
  StepOptions,
  Straggler,
  Task,
  TaskFunction,
  TaskResult,
  TaskStatus,
  TokenSource,
  TokenSourceOptions,
};
import { exitCodeFor } from "./main/_exit_code.ts";
import { run } from "./main/_run.ts";
import type { MainContext, MainOptions } from "./main/types.ts";

export type {
  MainContext,
  MainFailure,
  MainOptions,
  MainOutcome,
} from "./main/types.ts";

const MAIN_OPTIONS = [
  "timeout",
  "gracePeriod",
  "denoDeploy",
  "drainDelay",
  "flushReserve",
  "printPlan",
  "systemd",
  "onSignal",
  "onProgress",
  "onError",
  "signals",
  "forceOnSecondSignal",
  "shutdownOnCrash",
  "exitCode",
  "exit",
] as const satisfies ReadonlyArray<keyof MainOptions>;

/**
 * Runs `fn` as the program's main task (named "main"; `context.signal` is that task's
 * signal) and always ends the process: on the first SIGINT or SIGTERM the shutdown begins
 * (`onSignal`, `draining`, `drainDelay`, tasks cancelled, tasks then cleanup steps drained
 * within `timeout`, progress lines on stderr), stragglers are named at the deadline, and a
 * second signal exits at once — but a repeat of the same signal within 100 ms is the same
 * signal (`deno task`, `bun run` and systemd deliver one Ctrl+C or stop twice). When `fn`
 * returns, its spawned tasks are cancelled and drained and its cleanup runs, then the
 * process exits 0, or 1 if anything failed meanwhile; a program that returns within its
 * first second with no task running (a forgotten `await shutdown.wait()`) gets one line on
 * stderr saying so. An uncaught exception or unhandled rejection is logged and begins the
 * shutdown (exit 1) unless `shutdownOnCrash: false`. The event loop is held open until the
 * exit (signal listeners alone do not), and the OS listeners and crash handlers stay until
 * right before it, so a second signal is always seen.
 *
 * @example Exit 0 after a clean SIGTERM (Kubernetes), with a stand-in signal source
 * ```ts
 * import { main, type MainOutcome } from "@quiesce/quiesce/main";
 * import { manualSignals } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const exited = Promise.withResolvers<number>();
 * const signals = manualSignals(); // stands in for the OS: no signal reaches the process
 * main(async ({ shutdown, defer }) => {
 *   defer(() => console.log("flushed"));
 *   console.log("stopped by", await shutdown.wait());
 * }, {
 *   signals: signals.source, // leave out to listen to SIGINT and SIGTERM
 *   exitCode: (outcome: MainOutcome) => outcome.trigger === "SIGTERM" ? 0 : outcome.code,
 *   exit: exited.resolve,
 * });
 * signals.send("SIGTERM"); // stands in for kill -TERM
 * assertEquals(await exited.promise, 0);
 * ```
 *
 * @param fn The program. Its promise settling ends it; a throw exits 1 after the drain.
 * @param options Deadline, signals, exit code policy.
 * @returns A promise that never settles: the process exits first.
 * @throws {TypeError | RangeError} If `fn` is not a function, `options` is not an object,
 * an option is unknown (the error names the closest known one) or has a bad value; thrown
 * synchronously, before anything is installed.
 * @throws {unknown} Whatever a custom `options.signals` source throws when installed.
 */
export function main(
  fn: (context: MainContext) => unknown,
  options?: MainOptions,
): Promise<never> {
  validateFunction(fn, "fn");
  validateOptions(options, "options", MAIN_OPTIONS);
  for (const name of ["signals", "onProgress"] as const) {
    const value = options?.[name];
    if (value !== undefined && value !== false) {
      validateFunction(value, `options.${name}`);
    }
  }
  for (
    const name of [
      "forceOnSecondSignal",
      "shutdownOnCrash",
      "denoDeploy",
      "printPlan",
    ] as const
  ) {
    const value = options?.[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(
        `Cannot use options.${name}: expected a boolean, got ${
          describe(value)
        }`,
      );
    }
  }
  for (const name of ["onSignal", "onError", "exit"] as const) {
    if (options?.[name] !== undefined) {
      validateFunction(options[name], `options.${name}`);
    }
  }
  if (options?.gracePeriod !== undefined) {
    validateMs(options.gracePeriod, "options.gracePeriod");
  }
  const systemd = options?.systemd;
  if (systemd !== undefined && typeof systemd !== "boolean") {
    validateOptions(systemd, "options.systemd", ["extendTimeout"]);
    if (systemd.extendTimeout !== undefined) {
      validateMs(systemd.extendTimeout, "options.systemd.extendTimeout");
    }
  }
  const decide = exitCodeFor(options?.exitCode);
  // `timeout` and `drainDelay` are checked by GracefulShutdown, before anything is installed.
  run(fn, options ?? {}, decide);
  return new Promise<never>(() => {});
}

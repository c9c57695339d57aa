/**
 * `main()`: run a whole program under a {@linkcode GracefulShutdown}, with the runtime's
 * signal adapter, the full escalation and an exit code a shell or supervisor understands.
 *
 * Exit codes (the `exitCode` option overrides them):
 * - 128 + the signal's number after a signal and a clean drain (130 after SIGINT, 143 after
 *   SIGTERM), what the shell would have seen without graceful shutdown;
 * - 0 when `fn` finished on its own and the drain of its tasks and cleanup was clean;
 * - 1 when anything failed — `fn` threw, a task failed (at any time, even long before the
 *   signal), a cleanup step or hook failed, an uncaught exception or unhandled rejection
 *   happened — or the deadline passed; after a signal too, so a CI job or a Kubernetes Job
 *   sees the failure;
 * - a second signal during the drain exits at once with 128 + its number, as the
 *   runtime's default action would. A repeat of the same signal within 100 ms is not a
 *   second signal: `deno task`, `bun run` and systemd deliver one Ctrl+C or stop twice,
 *   well under a millisecond apart.
 *
 * Every signal quiesce knows behaves this way (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGQUIT
 * 131, SIGUSR2 140, SIGBREAK 149; see the README's signal table).
 *
 * Failures drain too: a task that fails, an uncaught exception or an unhandled rejection is
 * logged and begins the shutdown (trigger `"failure"`, exit 1, cleanup steps still run
 * within the deadline) unless `shutdownOnFailure: false` / `shutdownOnCrash: false`. Why
 * the default: a program whose queue consumer died should not keep running degraded where
 * nobody looks; exiting 1 lets the orchestrator restart it, as tokio-graceful-shutdown and
 * Effection do for a failed subsystem or child.
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
import type { Straggler } from "./report.ts";
import type { GracefulShutdownOptions } from "./shutdown_options.ts";
import { SHUTDOWN_OPTIONS } from "./shutdown_options.ts";
import {
  validateBoolean,
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
  GracefulShutdownOptions,
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
import { hostExit } from "./_host.ts";
import { exitCodeFor } from "./main/_exit_code.ts";
import { run } from "./main/_run.ts";
import type { MainContext, MainOptions } from "./main/types.ts";

export type {
  MainContext,
  MainFailure,
  MainLog,
  MainOptions,
  MainOutcome,
} from "./main/types.ts";

/** main()'s options: the coordinator's (but the second-signal policy), and its own. */
const MAIN_OPTIONS = [
  ...SHUTDOWN_OPTIONS.filter((name) => name !== "onSecondSignal"),
  "gracePeriod",
  "denoDeploy",
  "printPlan",
  "systemd",
  "forceOnSecondSignal",
  "shutdownOnCrash",
  "exitCode",
  "exit",
  "log",
] as const satisfies ReadonlyArray<keyof MainOptions>;

/** Whether a main() runs in this process (until its exit). */
let running = false;

/**
 * Runs `fn` as the program's main task (named "main"; `context.signal` is that task's
 * signal) and always ends the process: on the first SIGINT or SIGTERM the shutdown begins
 * (`onSignal`, `draining`, `drainDelay`, tasks cancelled, tasks then cleanup steps drained
 * within `timeout`, progress lines), stragglers are named at the deadline, and a second
 * signal exits at once — but a repeat of the same signal within 100 ms is the same signal
 * (`deno task`, `bun run` and systemd deliver one Ctrl+C or stop twice). main() adds no
 * listener of its own: the coordinator listens, and main() gives it the policy for a second
 * signal (`onSecondSignal`). When `fn` returns, its spawned tasks are cancelled and drained
 * and its cleanup runs, then the process exits 0, or 1 if anything failed meanwhile; a
 * program that returns while a task it spawned still runs (a forgotten
 * `await shutdown.wait()`) gets one line saying so. A failed task, an uncaught exception or
 * an unhandled rejection begins the shutdown (exit 1) unless `shutdownOnFailure: false` /
 * `shutdownOnCrash: false`. The event loop is held open until the exit (signal listeners
 * alone do not), and the listeners and crash handlers stay until the drain ends, so a
 * second signal is always seen. One main() runs per process at a time.
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
 * @throws {Error} If another main() is still running in this process: both would hear the
 * same signals, and the first to finish would end the other's drain.
 * @throws {unknown} Whatever a custom `options.signals` source throws when installed.
 */
export function main(
  fn: (context: MainContext) => unknown,
  options?: MainOptions,
): Promise<never> {
  validateFunction(fn, "fn");
  validateOptions(options, "options", MAIN_OPTIONS);
  // Only main()'s own options here: the coordinator checks its own when it is built.
  for (
    const name of [
      "forceOnSecondSignal",
      "shutdownOnCrash",
      "denoDeploy",
      "printPlan",
    ] as const
  ) {
    validateBoolean(options?.[name], `options.${name}`);
  }
  if (options?.exit !== undefined) {
    validateFunction(options.exit, "options.exit");
  }
  // main() wraps these two before the coordinator sees them, so it checks them itself.
  if (options?.onError !== undefined) {
    validateFunction(options.onError, "options.onError");
  }
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && onProgress !== false) {
    validateFunction(onProgress, "options.onProgress");
  }
  const log = options?.log;
  if (log !== undefined && log !== false) validateFunction(log, "options.log");
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
  if (running) {
    throw new Error(
      "Cannot run main(): another main() is still running in this process (one program, one main(); run the other as a task, or await the first one's exit)",
    );
  }
  const exit = options?.exit;
  running = true;
  try {
    run(fn, {
      ...options,
      exit: (code, outcome) => {
        running = false;
        (exit ?? hostExit())(code, outcome);
      },
    }, decide);
  } catch (error) {
    running = false;
    throw error;
  }
  return new Promise<never>(() => {});
}

/**
 * `main()`: run a whole program under a {@linkcode GracefulShutdown}, with the runtime's
 * signal adapter, the full escalation and an exit code a shell or supervisor understands.
 *
 * Exit codes (the `exitCode` option overrides them):
 * - 130 / 143 / 129 (128 + signal number) after SIGINT / SIGTERM / SIGHUP and a clean drain,
 *   what the shell would have seen without graceful shutdown;
 * - 0 when `fn` finished on its own and the drain of its tasks and cleanup was clean;
 * - 1 when the deadline passed, a task or cleanup step failed, or `fn` threw;
 * - a second SIGINT/SIGTERM during the drain exits at once with 128 + its number, as the
 *   runtime's default action would.
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
import type { DrainProgress, ShutdownFailure } from "./_drain.ts";
import type { GracefulShutdown, ShutdownReport } from "./shutdown.ts";
import type { ShutdownSignal, SignalSource } from "./signals.ts";
import type { Task, TaskFunction } from "./task.ts";
import type { ShutdownToken } from "./token.ts";
import { describe, validateFunction, validateOptions } from "./_validate.ts";
import { exitCodeFor } from "./main/_exit_code.ts";
import { run } from "./main/_run.ts";

/**
 * What `fn` gets: the shutdown's token and signal, and its task and cleanup registry.
 *
 * @example A program written against the context
 * ```ts
 * import { main, type MainContext } from "@quiesce/quiesce/main";
 * import { sleep } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const steps: string[] = [];
 * async function program({ spawn, defer, use, draining }: MainContext): Promise<void> {
 *   assertEquals(draining, false);
 *   spawn("worker", async (signal) => {
 *     await sleep(60_000, { signal }).catch(() => steps.push("worker stopped"));
 *   });
 *   defer(() => steps.push("database closed"), "database");
 *   use({ [Symbol.dispose]: () => steps.push("cache flushed") }, "cache");
 *   await sleep(10); // real programs wait for a signal (`shutdown.wait()`) instead
 * }
 *
 * const exited = Promise.withResolvers<number>();
 * main(program, { signals: false, exit: exited.resolve });
 * assertEquals(await exited.promise, 0);
 * assertEquals(steps, ["worker stopped", "cache flushed", "database closed"]);
 * ```
 */
export interface MainContext {
  /** Aborts when the tasks are told to stop (after `drainDelay`). */
  readonly signal: AbortSignal;
  /** The shutdown's root token. */
  readonly token: ShutdownToken;
  /** The coordinator itself (`wait()`, `subscribe()`, `shutdown()`, ...). */
  readonly shutdown: GracefulShutdown;
  /** True from the first signal on: health checks should start failing. */
  readonly draining: boolean;
  /** Spawns a named task, cancelled on shutdown and awaited by the drain. */
  spawn<T>(name: string, fn: TaskFunction<T>): Task<T>;
  /** Registers a cleanup step (run in reverse order after the tasks drained). */
  defer(fn: (signal: AbortSignal) => unknown, name?: string): void;
  /** Registers a resource to dispose as a cleanup step; returns it. */
  use<R extends AsyncDisposable | Disposable>(resource: R, name?: string): R;
}

/**
 * How the program ended; given to an `exitCode` function.
 *
 * @example Choose the exit code from the outcome
 * ```ts
 * import { main, type MainOutcome } from "@quiesce/quiesce/main";
 * import { assertEquals } from "@std/assert";
 *
 * let seen: MainOutcome | undefined;
 * const exited = Promise.withResolvers<number>();
 * main(() => {}, {
 *   signals: false,
 *   exitCode: (outcome) => {
 *     seen = outcome;
 *     return outcome.failed || outcome.forcedBy ? 1 : outcome.code;
 *   },
 *   exit: exited.resolve,
 * });
 * assertEquals(await exited.promise, 0);
 * assertEquals(seen?.signal, "manual"); // `fn` returned on its own
 * assertEquals(seen?.failed, false);
 * assertEquals(seen?.forcedBy, undefined);
 * assertEquals(seen?.report?.ok, true);
 * ```
 */
export interface MainOutcome {
  /** What began the shutdown: an OS signal, or `"manual"` when `fn` ended on its own. */
  readonly signal: ShutdownSignal;
  /** The drain's report; `undefined` if the exit came before the drain ended. */
  readonly report: ShutdownReport | undefined;
  /** The second signal that forced the exit, if one did. */
  readonly forcedBy: ShutdownSignal | undefined;
  /** Whether `fn` threw (or rejected) before any shutdown began. */
  readonly failed: boolean;
  /** What `fn` threw, when `failed`. */
  readonly error: unknown;
  /** The exit code of the default policy (see the module documentation). */
  readonly code: number;
}

/**
 * Options for {@linkcode main}.
 *
 * @example A short deadline, a shutdown hook and an injected exit
 * ```ts
 * import { main, type MainOptions } from "@quiesce/quiesce/main";
 * import type { ShutdownSignal } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const signals: ShutdownSignal[] = [];
 * const exited = Promise.withResolvers<number>();
 * const options: MainOptions = {
 *   timeout: 2_000,
 *   onSignal: (signal) => signals.push(signal),
 *   onProgress: false,
 *   signals: false, // leave out to listen to SIGINT and SIGTERM
 *   exit: exited.resolve, // leave out to end the process for real
 * };
 * main(({ shutdown }) => {
 *   assertEquals(shutdown.timeout, 2_000);
 * }, options);
 * assertEquals(await exited.promise, 0);
 * assertEquals(signals, ["manual"]);
 * ```
 */
export interface MainOptions {
  /** Milliseconds the drain may take. Default 30 000; 4 000 on Deno Deploy (5 s grace). */
  timeout?: number;
  /** Milliseconds between the first signal and cancelling the tasks. Default 0. */
  drainDelay?: number;
  /** Called once, first thing, when shutdown begins. */
  onSignal?: (signal: ShutdownSignal) => void;
  /** Drain progress reporter; default one stderr line a second; `false` for none. */
  onProgress?: ((progress: DrainProgress) => void) | false;
  /** Called for every failure; default `console.error`. */
  onError?: (failure: ShutdownFailure) => void;
  /** Where signals come from. Default: `./deno` on Deno, `./bun` on Bun and Node. */
  signals?: SignalSource | false;
  /** Also shut down on SIGHUP (default source only). Default `false`. */
  hangup?: boolean;
  /** Whether a second signal during the drain exits at once. Default `true`. */
  forceOnSecondSignal?: boolean;
  /**
   * A number replaces 128 + n after a clean signal-triggered shutdown (`0` suits
   * Kubernetes); a function decides every exit code from the {@linkcode MainOutcome}.
   */
  exitCode?: number | ((outcome: MainOutcome) => number);
  /** Ends the process; default `Deno.exit` or `process.exit`. Inject it to test. */
  exit?: (code: number) => void;
}

const MAIN_OPTIONS = [
  "timeout",
  "drainDelay",
  "onSignal",
  "onProgress",
  "onError",
  "signals",
  "hangup",
  "forceOnSecondSignal",
  "exitCode",
  "exit",
] as const satisfies ReadonlyArray<keyof MainOptions>;

/**
 * Runs `fn` as the program's main task and always ends the process: on the first SIGINT or
 * SIGTERM the shutdown begins (`onSignal`, `draining`, `drainDelay`, tasks cancelled, tasks
 * then cleanup steps drained within `timeout`, progress lines on stderr), stragglers are named
 * at the deadline, and a second signal exits at once. When `fn` returns, its spawned tasks
 * are cancelled and drained and its cleanup runs, then the process exits 0. The event loop
 * is held open until then (signal listeners alone do not), and the OS listeners stay until
 * right before the exit, so a second signal is always seen.
 *
 * @example Exit 0 after a clean SIGTERM (Kubernetes), with a stand-in signal source
 * ```ts
 * import { main, type MainOutcome } from "@quiesce/quiesce/main";
 * import { assertEquals } from "@std/assert";
 *
 * const exited = Promise.withResolvers<number>();
 * const ownSignals = Promise.withResolvers<(signal: "SIGTERM") => void>();
 * main(async ({ shutdown, defer }) => {
 *   defer(() => console.log("flushed"));
 *   console.log("stopped by", await shutdown.wait());
 * }, {
 *   signals: (onSignal) => (ownSignals.resolve(onSignal), () => {}), // stands in for kill -TERM
 *   exitCode: (outcome: MainOutcome) => outcome.signal === "SIGTERM" ? 0 : outcome.code,
 *   exit: exited.resolve,
 * });
 * (await ownSignals.promise)("SIGTERM");
 * assertEquals(await exited.promise, 0);
 * ```
 *
 * @param fn The program. Its promise settling ends it; a throw exits 1 after the drain.
 * @param options Deadline, signals, exit code policy.
 * @returns A promise that never settles: the process exits first.
 * @throws {TypeError | RangeError} If `fn` is not a function or an option is invalid.
 * @throws {unknown} Whatever a custom `options.signals` source throws when installed.
 */
export function main(
  fn: (context: MainContext) => unknown,
  options?: MainOptions,
): Promise<never> {
  validateFunction(fn, "fn");
  validateOptions(options, "options", MAIN_OPTIONS);
  const signals = options?.signals;
  if (signals !== undefined && signals !== false) {
    validateFunction(signals, "options.signals");
  }
  for (const name of ["hangup", "forceOnSecondSignal"] as const) {
    const value = options?.[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(
        `Cannot use options.${name}: expected a boolean, got ${
          describe(value)
        }`,
      );
    }
  }
  if (options?.exit !== undefined) {
    validateFunction(options.exit, "options.exit");
  }
  // The remaining options are checked by GracefulShutdown, before anything is installed.
  run(fn, options ?? {}, exitCodeFor(options?.exitCode));
  return new Promise<never>(() => {});
}

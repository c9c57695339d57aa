// The public types of `main()`: what `fn` gets, the options, and how the program ended.
// Kept apart from main.ts so that main's internals (src/main/_*.ts) import them from here,
// not from the entry point that imports them (no import cycle).
import type { Failure, ShutdownReport } from "../report.ts";
import type { GracefulShutdown, StepOptions } from "../shutdown.ts";
import type { GracefulShutdownOptions } from "../shutdown_options.ts";
import type { ShutdownTrigger } from "../signals.ts";
import type { Task, TaskFunction } from "../task.ts";
import type { CancellationToken } from "../token.ts";

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
 * async function program(context: MainContext): Promise<void> {
 *   const { spawn, defer, use } = context; // not `draining`: it would be read once, here
 *   assertEquals(context.draining, false);
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
  /**
   * The signal of `fn`'s own task, "main": aborts when the tasks are told to stop (after
   * `drainDelay`). Straggler reports say whether `fn` looked at it.
   */
  readonly signal: AbortSignal;
  /** The shutdown's root token. */
  readonly token: CancellationToken;
  /** The coordinator itself (`wait()`, `subscribe()`, `shutdown()`, ...). */
  readonly shutdown: GracefulShutdown;
  /**
   * True from the first signal on: health checks should start failing. A getter, read
   * anew each time: read it as `context.draining` where it matters, do not destructure it
   * (`const { draining } = context` copies `false` once and never changes).
   */
  readonly draining: boolean;
  /**
   * Says the program is ready (listening, connected): the coordinator's
   * {@linkcode GracefulShutdown.ready} (the same as `shutdown.ready()`), so READY=1 under
   * systemd and, with `awaitReady`, readiness checks pass from now on. Returns `false`
   * once a stop signal came first, and then the program should stop starting.
   */
  ready(): boolean;
  /** Spawns a named task, cancelled on shutdown and awaited by the drain. */
  spawn<T>(name: string, fn: TaskFunction<T>): Task<T>;
  /**
   * Registers a cleanup step (run in reverse order after the tasks drained), named, or
   * with {@linkcode StepOptions} (a budget of its own; `phase: "flush"` to run last).
   */
  defer(
    fn: (signal: AbortSignal) => unknown,
    options?: string | StepOptions,
  ): void;
  /** Registers a resource to dispose as a cleanup step; returns it. */
  use<R extends AsyncDisposable | Disposable>(
    resource: R,
    options?: string | StepOptions,
  ): R;
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
 * assertEquals(seen?.trigger, "manual"); // `fn` returned on its own
 * assertEquals(seen?.failed, false);
 * assertEquals(seen?.forcedBy, undefined);
 * assertEquals(seen?.report?.ok, true);
 * ```
 */
export interface MainOutcome {
  /**
   * What began the shutdown: an OS signal, `"manual"` when `fn` ended on its own, or
   * `"failure"` when a task failed or the process crashed (see `shutdownOnFailure`).
   */
  readonly trigger: ShutdownTrigger;
  /** The drain's report; `undefined` if the exit came before the drain ended. */
  readonly report: ShutdownReport | undefined;
  /** The second signal that forced the exit, if one did. */
  readonly forcedBy: ShutdownTrigger | undefined;
  /**
   * Whether anything failed: `fn` threw, a task, cleanup step or hook failed (before or
   * during the shutdown), or a crash (uncaught exception, unhandled rejection) happened.
   */
  readonly failed: boolean;
  /** The first failure's error, when `failed`. */
  readonly error: unknown;
  /** Every failure, in order, with when it happened. */
  readonly failures: readonly MainFailure[];
  /** The exit code of the default policy (see the module documentation). */
  readonly code: number;
}

/**
 * One failure seen while the program ran, with when it happened.
 *
 * @example Name the failures in the exit policy
 * ```ts
 * import { main, type MainFailure } from "@quiesce/quiesce/main";
 * import { assertEquals } from "@std/assert";
 *
 * let failures: readonly MainFailure[] = [];
 * const exited = Promise.withResolvers<number>();
 * main(({ spawn }) => {
 *   spawn("sync", () => Promise.reject(new Error("disk full")));
 * }, {
 *   signals: false,
 *   onError: () => {}, // quiet: the default prints each failure on stderr
 *   exitCode: (outcome) => (failures = outcome.failures, outcome.code),
 *   exit: exited.resolve,
 * });
 * assertEquals(await exited.promise, 1);
 * assertEquals(failures.map((f) => `${f.source} ${f.name}`), ["task sync"]);
 * ```
 */
export interface MainFailure {
  /**
   * What failed: `fn` itself (`"main"`), a task, a cleanup step, a hook (`"callback"`), or
   * a crash (`name` is `"uncaught exception"` or `"unhandled rejection"`).
   */
  readonly source: "main" | Failure["source"];
  /** The task's, step's or hook's name. */
  readonly name: string;
  /** What was thrown. */
  readonly error: unknown;
  /** Milliseconds from the call to `main()` to the failure. */
  readonly atMs: number;
}

/**
 * Options for {@linkcode main}.
 *
 * Besides its own, main() takes every option of `GracefulShutdown` (the same declaration
 * and the same validation) but `onSecondSignal`, where main() puts its own policy. Some
 * defaults differ: `timeout` is planned from the platform (`gracePeriod` less 500 ms for
 * the exit when given, else the detected platform's: Kubernetes 29 000, Cloud Run 9 000,
 * Fly 4 000, ECS 29 000, Deno Deploy 4 000, Lambda 200, systemd 30 000; README, "Fitting
 * the platform's kill deadline"; else 30 000), `shutdownOnFailure` is `true`, and `onError`
 * and `onProgress` print through `log`.
 *
 * @example A short deadline, a shutdown hook and an injected exit
 * ```ts
 * import { main, type MainOptions } from "@quiesce/quiesce/main";
 * import type { ShutdownTrigger } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const signals: ShutdownTrigger[] = [];
 * const exited = Promise.withResolvers<number>();
 * const options: MainOptions = {
 *   timeout: 2_000,
 *   gracePeriod: 30_000, // Kubernetes' default terminationGracePeriodSeconds: 2.5 s fits
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
export interface MainOptions
  extends Omit<GracefulShutdownOptions, "onSecondSignal"> {
  /**
   * The platform's kill deadline in milliseconds: how long after its stop signal it sends
   * SIGKILL (Kubernetes: `terminationGracePeriodSeconds` × 1000, default 30 000; systemd:
   * `TimeoutStopSec`; Docker: `docker stop --time`). Without a `timeout`, it sets the
   * plan: `timeout` is the grace period less 500 ms for the exit (a fifth of a grace
   * period under 2.5 s). With an explicit `timeout` that does not fit, main() logs one
   * warning line at start-up (it still runs: the check only warns). Default: the detected
   * platform's default grace period (Kubernetes' 30 s, Deno Deploy's 5 s, ...), none
   * elsewhere; `Infinity` turns the check off.
   */
  gracePeriod?: number;
  /**
   * Whether this runs on Deno Deploy (SIGINT, then SIGKILL 5 s later), which sets the
   * default `timeout` to 4 000 and the default `gracePeriod` to 5 000. Default: detected on
   * Deno from `DENO_DEPLOY=true` (Deno Deploy) or `DENO_REGION` with `DENO_DEPLOYMENT_ID`
   * (Deploy Classic), variables the platform sets and users cannot; `DENO_DEPLOYMENT_ID`
   * alone is not enough (apps set it in containers). Always `false` on Bun and Node unless
   * set here.
   */
  denoDeploy?: boolean;
  /**
   * Print the plan in one `quiesce: plan:` line at start-up: the platform detected, the
   * phases and their ends, the grace period they fit. Default `false`.
   */
  printPlan?: boolean;
  /**
   * systemd's notify socket (sd_notify), used only when NOTIFY_SOCKET is set: READY=1 at
   * `ready()`, STOPPING=1 at the first signal, STATUS= with the drain's progress at least
   * once a second until the exit, WATCHDOG=1 every half WATCHDOG_USEC. `extendTimeout`
   * (ms, opt-in) also sends EXTEND_TIMEOUT_USEC= for that long whenever the drain made
   * progress in the last half second. `false` turns it off. Default `true`.
   */
  systemd?: boolean | { extendTimeout?: number };
  /**
   * Whether a second signal during the drain exits at once, with 128 + its number. Default
   * `true`. A repeat of the same signal within 100 ms is the same signal (a task runner's
   * forwarded copy).
   */
  forceOnSecondSignal?: boolean;
  /**
   * Whether an uncaught exception or unhandled rejection begins the shutdown (logged with
   * the error, reported to `onError` and in the report as a `"crash"` failure, the trigger
   * `"failure"`; tasks drained and cleanup run within `timeout`; exit 1) instead of ending
   * the process at once. The handlers are removed right before the exit. Default `true`.
   */
  shutdownOnCrash?: boolean;
  /**
   * A number replaces 128 + n after a clean signal-triggered shutdown (`0` suits
   * Kubernetes); a function decides every exit code from the {@linkcode MainOutcome}.
   */
  exitCode?: number | ((outcome: MainOutcome) => number);
  /**
   * Ends the process; default `Deno.exit` or `process.exit`. Inject it to test: it gets the
   * exit code and the outcome the code was decided from.
   */
  exit?: (code: number, outcome: MainOutcome) => void;
  /**
   * Where main()'s own lines go (each starts with `quiesce: `; the error, when there is one,
   * comes as the second argument): the signal received, the drain's progress, failures,
   * the exit code. A function (hand them to pino or a JSON logger), or `false` for silence.
   * Default: `console.error`.
   */
  log?: MainLog | false;
}

/**
 * Receives one line of main()'s log (it starts with `quiesce: `) and the error it is about,
 * if any.
 *
 * @example Log main()'s lines as JSON
 * ```ts
 * import { main, type MainLog } from "@quiesce/quiesce/main";
 * import { assertEquals } from "@std/assert";
 *
 * const lines: string[] = [];
 * const json: MainLog = (line, error) =>
 *   lines.push(JSON.stringify({ level: "info", msg: line, error: error && String(error) }));
 * const exited = Promise.withResolvers<number>();
 * main(() => Promise.reject(new Error("bad config")), {
 *   signals: false,
 *   log: json,
 *   exit: exited.resolve,
 * });
 * assertEquals(await exited.promise, 1);
 * assertEquals(JSON.parse(lines[0]!), {
 *   level: "info",
 *   msg: "quiesce: main failed:",
 *   error: "Error: bad config",
 * });
 * ```
 */
export type MainLog = (line: string, error?: unknown) => void;

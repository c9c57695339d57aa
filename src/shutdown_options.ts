// The coordinator's options and report, and the validation that turns the options into
// settings, kept apart so that shutdown.ts is only the coordinator's behaviour.
import { defaultFlushReserve, printProgress } from "./_drain.ts";
import type { DrainProgress, Failure } from "./report.ts";
import {
  hostSignals,
  type OsSignal,
  type ShutdownTrigger,
  type SignalSource,
  toSignalSource,
} from "./signals.ts";
import {
  validateBoolean,
  validateFunction,
  validateMs,
  validateOptions,
  validateSignal,
} from "./_validate.ts";

/**
 * Options for {@linkcode GracefulShutdown}.
 *
 * @example Shut down when a controller aborts, with a short deadline
 * ```ts
 * import { GracefulShutdown, type GracefulShutdownOptions, type ShutdownTrigger } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const seen: ShutdownTrigger[] = [];
 * const maintenance = new AbortController();
 * const options: GracefulShutdownOptions = {
 *   timeout: 5_000,
 *   signals: false, // no OS listeners: the controller below is the only trigger
 *   signal: maintenance.signal,
 *   onSignal: (signal) => seen.push(signal),
 *   onProgress: false,
 * };
 * const shutdown = new GracefulShutdown(options);
 * assertEquals(shutdown.timeout, 5_000);
 * maintenance.abort("maintenance window");
 * const report = await shutdown.done();
 * assertEquals(seen, ["manual"]);
 * assertEquals(report.reason, "maintenance window");
 * ```
 */
export interface GracefulShutdownOptions {
  /**
   * Milliseconds the whole shutdown may take, from the first signal: `drainDelay`, then the
   * drain of tasks and cleanup steps. Default 30 000. Fit it inside the platform's kill
   * deadline (Deno Deploy: 5 s; Kubernetes: `terminationGracePeriodSeconds`).
   */
  timeout?: number;
  /** Called once, first thing, when shutdown begins; errors are reported, not thrown. */
  onSignal?: (signal: ShutdownTrigger) => void;
  /**
   * Where OS/host signals come from: a source, a list of signal names (the same as
   * `hostSignals({ signals })`, e.g. `["SIGINT", "SIGBREAK"]` on Windows), or `false` for
   * nothing.
   *
   * Default: {@linkcode hostSignals} (SIGINT and SIGTERM on Deno, Bun and Node; nothing
   * elsewhere), listening only from the first `wait()` or `done()` call on, that is once
   * the program waits for its shutdown. So a coordinator made in a test (`deno test`,
   * `bun test`) that nobody waits on installs nothing, and Ctrl+C still stops the test run.
   * A signal that arrives before the program waits gets the runtime's default action: call
   * `wait()` before announcing readiness. A source passed here explicitly (such as
   * `hostSignals()`) listens from construction.
   *
   * Without `onSecondSignal`, listeners are removed once shutdown has begun, so a second
   * signal gets the runtime's default behaviour (exit 128 + n). After an OS signal they stay
   * 100 ms longer, swallowing repeats of the same signal: `deno task`, `bun run` and
   * process-group supervisors deliver one Ctrl+C or stop twice, a fraction of a
   * millisecond apart.
   */
  signals?: SignalSource | readonly OsSignal[] | false;
  /**
   * What a second signal during the shutdown does. When given, the listeners stay until the
   * drain ends and every further signal is passed here, except a repeat of the same signal
   * within 100 ms (a task runner's copy of the first); `stopListening()` removes them at
   * once (`main()` calls it right before it forces the exit). Default: none; the listeners
   * go and a second signal gets the runtime's default action.
   */
  onSecondSignal?: (
    signal: ShutdownTrigger,
    stopListening: () => void,
  ) => void;
  /**
   * Whether a failure (a spawned task that fails, or one handed to `reportFailure`) begins
   * the shutdown, with the trigger `"failure"` and the failure's error as the report's
   * `reason` (and first of its `errors`). Default `false`: a failure is reported through
   * `onError` and the program goes on. `main()` defaults it to `true`.
   */
  shutdownOnFailure?: boolean;
  /** Aborting this signal triggers shutdown (`"manual"`, with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Milliseconds between the first signal and cancelling the tasks, while `draining` is
   * already true: time for a load balancer to see failing health checks. Default 0. Part of
   * `timeout`, so it must be finite and at most `timeout`.
   */
  drainDelay?: number;
  /**
   * Milliseconds at the end of `timeout` kept for flush steps (`defer(fn, { phase:
   * "flush" })`): the tasks and cleanup steps must end before it, even when they run out
   * of time, and the flush steps run in it. Held only when a flush step exists. Default: a
   * fifth of `timeout`, at most 1 000. At most `timeout` less `drainDelay`.
   */
  flushReserve?: number;
  /**
   * Called about once a second while a drain takes longer than a second. Default: one line
   * on stderr naming what runs and the time left. `false` disables it.
   */
  onProgress?: ((progress: DrainProgress) => void) | false;
  /** Called for every failure during the run and the shutdown. Default: `console.error`. */
  onError?: (failure: Failure) => void;
  /**
   * Whether the program counts as ready only once it calls `ready()`. Default `false`:
   * ready from construction, so a program that never calls `ready()` passes its
   * readiness checks (`./http` answers 200) until the first signal. With `true`,
   * `isReady` is `false` (readiness answers 503 `starting`) until `ready()`: for a
   * program that listens before it has connected what it serves with.
   */
  awaitReady?: boolean;
  /**
   * Called once, at the ready moment: the first `ready()` before any signal (never after
   * one). `main()` sends systemd's `READY=1` here. Errors are reported, not thrown.
   */
  onReady?: () => void;
}

/** The default `onError`: one line on stderr. */
function defaultOnError(failure: Failure): void {
  console.error(
    `quiesce: ${failure.source} "${failure.name}" failed:`,
    failure.error,
  );
}

/** The names of the coordinator's options (`main()` accepts them too). */
export const SHUTDOWN_OPTIONS = [
  "timeout",
  "onSignal",
  "signals",
  "signal",
  "drainDelay",
  "flushReserve",
  "onProgress",
  "onError",
  "onSecondSignal",
  "shutdownOnFailure",
  "awaitReady",
  "onReady",
] as const satisfies ReadonlyArray<keyof GracefulShutdownOptions>;

/** The validated settings of a coordinator. Internal. */
export interface ShutdownSettings {
  timeout: number;
  drainDelay: number;
  flushReserve: number;
  onSignal: ((signal: ShutdownTrigger) => void) | undefined;
  onProgress: ((progress: DrainProgress) => void) | undefined;
  onError: (failure: Failure) => void;
  onSecondSignal:
    | ((signal: ShutdownTrigger, stopListening: () => void) => void)
    | undefined;
  shutdownOnFailure: boolean;
  awaitReady: boolean;
  onReady: (() => void) | undefined;
  signals: SignalSource | false;
  /** Whether `signals` is the default, which listens only once someone waits. */
  lazySignals: boolean;
  signal: AbortSignal | undefined;
}

/**
 * Validates `options` (every error names the option) and fills in the defaults.
 *
 * @throws {TypeError | RangeError} If an option has the wrong type or range.
 */
export function shutdownSettings(
  options: GracefulShutdownOptions | undefined,
): ShutdownSettings {
  validateOptions(options, "options", SHUTDOWN_OPTIONS);
  const timeout = validateMs(options?.timeout ?? 30_000, "options.timeout");
  const drainDelay = validateMs(options?.drainDelay ?? 0, "options.drainDelay");
  if (drainDelay === Infinity || drainDelay > timeout) {
    throw new RangeError(
      `Cannot use options.drainDelay: expected a finite number of milliseconds no larger than options.timeout (${timeout}), which covers the whole shutdown; got ${drainDelay}`,
    );
  }
  // The default shrinks to what the delay leaves; an explicit reserve must fit.
  const flushReserve = options?.flushReserve === undefined
    ? Math.min(defaultFlushReserve(timeout), timeout - drainDelay)
    : validateMs(options.flushReserve, "options.flushReserve");
  if (flushReserve > timeout - drainDelay) {
    throw new RangeError(
      `Cannot use options.flushReserve: expected at most options.timeout less options.drainDelay (${
        timeout - drainDelay
      }), the time the phases share; got ${flushReserve}`,
    );
  }
  for (
    const name of ["onSignal", "onError", "onSecondSignal", "onReady"] as const
  ) {
    if (options?.[name] !== undefined) {
      validateFunction(options[name], `options.${name}`);
    }
  }
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && onProgress !== false) {
    validateFunction(onProgress, "options.onProgress");
  }
  const signals = options?.signals === undefined
    ? hostSignals()
    : toSignalSource(options.signals, "options.signals");
  validateSignal(options?.signal, "options.signal");
  validateBoolean(options?.shutdownOnFailure, "options.shutdownOnFailure");
  validateBoolean(options?.awaitReady, "options.awaitReady");
  return {
    timeout,
    drainDelay,
    flushReserve,
    onSignal: options?.onSignal,
    onProgress: onProgress === false ? undefined : onProgress ?? printProgress,
    onError: options?.onError ?? defaultOnError,
    onSecondSignal: options?.onSecondSignal,
    shutdownOnFailure: options?.shutdownOnFailure ?? false,
    awaitReady: options?.awaitReady ?? false,
    onReady: options?.onReady,
    signals,
    lazySignals: options?.signals === undefined,
    signal: options?.signal,
  };
}

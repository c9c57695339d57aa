import { drain, type PlannedDeadline, startDeadline } from "./_drain.ts";
import type { DrainProgress, Failure, ShutdownReport } from "./report.ts";
import { CleanupSteps } from "./_cleanup_steps.ts";
import type { StepOptions } from "./step_options.ts";
import { ReportCounts } from "./_counts.ts";
import { ClosedError, WaitTimeoutError } from "./errors.ts";
import type { ShutdownTrigger } from "./signals.ts";
import {
  type GracefulShutdownOptions,
  shutdownSettings,
} from "./shutdown_options.ts";
import type { Task, TaskFunction } from "./task.ts";
import { TaskTracker } from "./task_tracker.ts";
import { type CancellationToken, TokenSource } from "./token.ts";
import { race } from "./_timer.ts";
import { reportUncaught } from "./_uncaught.ts";
import { SignalIntake } from "./_signal_intake.ts";
import {
  describe,
  isThenable,
  validateBoolean,
  validateFunction,
  validateMs,
  validateOptions,
} from "./_validate.ts";

export type { GracefulShutdownOptions } from "./shutdown_options.ts";
export type { StepOptions } from "./step_options.ts";

const FAILURE_SOURCES: readonly Failure["source"][] = [
  "task",
  "cleanup",
  "callback",
  "crash",
];

/**
 * Coordinates a graceful shutdown: a root token for every task, OS signals or a manual
 * trigger, then a bounded drain. The escalation, in order: `onSignal` and subscribers run
 * and `draining` becomes true; after `drainDelay` the root token is cancelled; spawned tasks
 * are awaited, then cleanup steps (`defer`, `use`) run in reverse order; `timeout` covers
 * all of it, from the first signal (the delay included); failures are collected and
 * stragglers named in the {@linkcode ShutdownReport}. Everything runs exactly once, even
 * when a hook calls back in (`shutdown()` from `onSignal`, a subscriber or an abort
 * listener).
 *
 * @example Serve until SIGINT/SIGTERM, then drain
 * ```ts
 * import { GracefulShutdown, sleep } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ timeout: 5_000 });
 * shutdown.spawn("ticker", async (signal) => {
 *   while (!signal.aborted) await sleep(100, { signal }).catch(() => {});
 * });
 * shutdown.defer(() => console.log("closing the database"));
 * setTimeout(() => shutdown.shutdown(), 50); // or kill -TERM <pid>
 * assertEquals(await shutdown.wait(), "manual");
 * const report = await shutdown.done();
 * assertEquals(report.ok, true);
 * ```
 */
export class GracefulShutdown implements AsyncDisposable {
  #timeout: number;
  #drainDelay: number;
  #flushReserve: number;
  #onSignal: ((signal: ShutdownTrigger) => void) | undefined;
  #onProgress: ((progress: DrainProgress) => void) | undefined;
  #onError: (failure: Failure) => void;
  #shutdownOnFailure: boolean;
  #awaitReady: boolean;
  #onReady: (() => void) | undefined;
  /** Whether the ready moment came: `ready()` was called before any signal. */
  #saidReady = false;
  #root = new TokenSource();
  #tracker: TaskTracker;
  #steps = new CleanupSteps();
  #subscribers = new Set<(signal: ShutdownTrigger) => void>();
  #failures: Failure[] = [];
  #counts = new ReportCounts();
  #trigger: ShutdownTrigger | undefined;
  #triggered: PromiseWithResolvers<ShutdownTrigger> | undefined;
  #done: PromiseWithResolvers<ShutdownReport> | undefined;
  #report: Promise<ShutdownReport> | undefined;
  #intake: SignalIntake | undefined;

  /**
   * Creates the coordinator. An explicit `options.signals` source listens from now on; the
   * default one from the first `wait()` or `done()` (see `options.signals`).
   *
   * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
   * @throws {unknown} Whatever an explicit `options.signals` source throws when installed.
   */
  constructor(options?: GracefulShutdownOptions) {
    const settings = shutdownSettings(options);
    this.#timeout = settings.timeout;
    this.#drainDelay = settings.drainDelay;
    this.#flushReserve = settings.flushReserve;
    this.#onSignal = settings.onSignal;
    this.#onError = settings.onError;
    this.#onProgress = settings.onProgress;
    this.#shutdownOnFailure = settings.shutdownOnFailure;
    this.#awaitReady = settings.awaitReady;
    this.#onReady = settings.onReady;
    this.#tracker = new TaskTracker({
      parent: this.#root.token,
      onError: (failure) => this.#fail(failure),
    });
    const outside = settings.signal;
    if (outside?.aborted) {
      this.#begin("manual", outside.reason);
      return;
    }
    // The source first: if it throws, nothing else is registered yet.
    this.#intake = new SignalIntake(
      {
        hasBegun: () => this.#trigger !== undefined,
        begin: (trigger) => void this.#begin(trigger),
        again: settings.onSecondSignal === undefined
          ? undefined
          : (signal, stopListening) =>
            this.#call(
              "onSecondSignal",
              (again) => settings.onSecondSignal!(again, stopListening),
              signal,
            ),
        removeFailed: (error) =>
          this.#fail({ source: "callback", name: "signals remover", error }),
      },
      settings.signals,
      settings.lazySignals,
    );
    if (outside && this.#trigger === undefined) {
      const onAbort = () => this.#begin("manual", outside.reason);
      outside.addEventListener("abort", onAbort, { once: true });
      this.#root.onCancel(() => outside.removeEventListener("abort", onAbort));
    }
  }

  /** The whole shutdown's budget in milliseconds (`drainDelay` included). */
  get timeout(): number {
    return this.#timeout;
  }

  /**
   * True from the first signal on (through `drainDelay`, the drain and after): health
   * checks should start failing. The tasks are told to stop later, when {@linkcode token}
   * is cancelled.
   */
  get draining(): boolean {
    return this.#trigger !== undefined;
  }

  /**
   * Whether the program counts as ready now: what a readiness check should say (`./http`
   * answers 200 while it is true). By default true from construction until the first
   * signal; with `options.awaitReady`, only from {@linkcode GracefulShutdown.ready} on.
   * Always false once `draining`.
   *
   * @example Not ready until the program says so
   * ```ts
   * import { GracefulShutdown } from "@quiesce/quiesce";
   * import { assertEquals } from "@std/assert";
   *
   * const shutdown = new GracefulShutdown({ signals: false, awaitReady: true });
   * assertEquals(shutdown.isReady, false); // starting
   * shutdown.ready();
   * assertEquals(shutdown.isReady, true);
   * await shutdown.shutdown();
   * assertEquals(shutdown.isReady, false); // draining
   * ```
   */
  get isReady(): boolean {
    return this.#trigger === undefined &&
      (this.#saidReady || !this.#awaitReady);
  }

  /**
   * The ready moment: says the program is ready (listening, connected). The first call
   * before any signal calls `options.onReady` (`main()` sends systemd's `READY=1` there)
   * and makes {@linkcode GracefulShutdown.isReady} true under `options.awaitReady`; later
   * calls change nothing. Once a signal came (`draining`), it returns `false` and changes
   * nothing: the program should stop starting.
   *
   * @example Start, unless the stop came first
   * ```ts
   * import { GracefulShutdown } from "@quiesce/quiesce";
   * import { assertEquals } from "@std/assert";
   *
   * const heard: string[] = [];
   * const shutdown = new GracefulShutdown({
   *   signals: false,
   *   awaitReady: true,
   *   onReady: () => heard.push("ready"),
   * });
   * assertEquals(shutdown.ready(), true); // connected, listening: ready
   * assertEquals(shutdown.ready(), true); // idempotent: heard once
   * await shutdown.shutdown();
   * assertEquals(shutdown.ready(), false); // draining: stop starting
   * assertEquals(heard, ["ready"]);
   * ```
   *
   * @returns `true` when the program is ready; `false` once the shutdown began.
   */
  ready(): boolean {
    if (this.#trigger !== undefined) return false;
    if (!this.#saidReady) {
      this.#saidReady = true;
      if (this.#onReady) this.#call("onReady", this.#onReady, undefined);
    }
    return true;
  }

  /** What began the shutdown (`"SIGTERM"`, `"manual"`, ...), or `undefined` before. */
  get trigger(): ShutdownTrigger | undefined {
    return this.#trigger;
  }

  /**
   * The root token: cancelled when the tasks are told to stop (after `drainDelay`). Its
   * `signal` is for `fetch`, streams and timers; every spawned task's signal follows it.
   */
  get token(): CancellationToken {
    return this.#root.token;
  }

  /**
   * Calls `listener` once with the trigger when shutdown begins; at once if it already has.
   *
   * @returns A `Disposable` that unsubscribes.
   */
  subscribe(listener: (trigger: ShutdownTrigger) => void): Disposable {
    validateFunction(listener, "listener");
    if (this.#trigger !== undefined) {
      this.#call("subscriber", listener, this.#trigger);
      return { [Symbol.dispose]() {} };
    }
    const entry = (trigger: ShutdownTrigger) => listener(trigger);
    this.#subscribers.add(entry);
    return { [Symbol.dispose]: () => void this.#subscribers.delete(entry) };
  }

  /**
   * Begins the shutdown (idempotent; the trigger is `"manual"`) and resolves with the report
   * once the drain is over. Never rejects, so calling it without `await` is safe.
   *
   * @param reason The root token's cancellation reason; default an `AbortError`.
   */
  shutdown(reason?: unknown): Promise<ShutdownReport> {
    return this.#begin("manual", reason);
  }

  /**
   * Resolves with what began the shutdown, whatever it was. While it is pending on a signal
   * source, the process stays alive (signal listeners alone do not keep Deno, Bun or Node
   * running; Node would exit 13 on an unsettled top-level await).
   */
  wait(): Promise<ShutdownTrigger>;
  /**
   * Like `wait()`, but resolves `undefined` if no shutdown began within `options.timeout`
   * milliseconds (its timer is cleared as soon as either happens).
   *
   * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
   */
  wait(options: { timeout?: number }): Promise<ShutdownTrigger | undefined>;
  wait(options?: { timeout?: number }): Promise<ShutdownTrigger | undefined> {
    validateOptions(options, "options", ["timeout"]);
    const timeout = validateMs(options?.timeout ?? Infinity, "options.timeout");
    // The default source listens from here on; it may begin the shutdown as it installs.
    this.#intake?.waiting();
    if (this.#trigger !== undefined) return Promise.resolve(this.#trigger);
    this.#triggered ??= Promise.withResolvers();
    const waited = timeout === Infinity
      ? this.#triggered.promise
      : race(this.#triggered.promise, timeout, undefined, () => undefined);
    // Held while this wait is pending: a wait that timed out no longer keeps the process.
    this.#intake?.hold(waited);
    return waited;
  }

  /**
   * Resolves with the report of the shutdown, once one has run (however it was triggered).
   * Like {@linkcode GracefulShutdown.wait}, keeps the process alive while it is pending.
   */
  done(): Promise<ShutdownReport> {
    this.#intake?.waiting();
    if (this.#report !== undefined) return this.#report;
    if (this.#done === undefined) {
      this.#done = Promise.withResolvers();
      this.#intake?.hold(this.#done.promise);
    }
    return this.#done.promise;
  }

  /**
   * Runs `work` until it settles or the tasks are told to stop: resolves with its value, or
   * `undefined` if the shutdown came first. `work` is a promise, or a function given the
   * root token's signal (not called at all once the tasks were told to stop). The same as
   * `shutdown.token.runUntilCancelled(work)`.
   *
   * @throws {TypeError} If `work` is neither a promise nor a function.
   */
  runUntilShutdown<T>(
    work: PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  ): Promise<T | undefined> {
    return this.#root.token.runUntilCancelled(work);
  }

  /**
   * Spawns a named task on the coordinator's group: cancelled on shutdown and awaited by the
   * drain. A failure is reported through `onError` and collected in the report. A task
   * spawned while the drain waits for tasks still runs, with an already-aborted signal, and
   * the drain waits for it too.
   *
   * @throws {TypeError} If `name` is not a non-empty string or `fn` is not a function.
   * @throws {ClosedError} Once the drain has moved on to cleanup steps.
   */
  spawn<T>(name: string, fn: TaskFunction<T>): Task<T> {
    try {
      return this.#tracker.spawn(name, fn);
    } catch (error) {
      if (!(error instanceof ClosedError)) throw error;
      throw new ClosedError(name, {
        because: "the GracefulShutdown's drain has moved on to cleanup steps",
      });
    }
  }

  /** A `Disposable` that begins the shutdown when disposed (the Rust allframe crate calls it `ShutdownGuard`). */
  guard(): Disposable {
    return { [Symbol.dispose]: () => void this.shutdown() };
  }

  /**
   * Registers a cleanup step. Steps run after the tasks drained, in reverse order of
   * registration, each awaited within the deadline; an error is collected and the next
   * step still runs. `fn` gets a signal that aborts when the deadline passes, or when the
   * step's own `timeout` does (it is then abandoned and named in the report). Flush steps
   * (`phase: "flush"`) run last, inside a reserve at the end of the deadline.
   *
   * @param options The step's name, or {@linkcode StepOptions} (name, timeout, phase).
   * @throws {TypeError | RangeError} If `fn` is not a function or an option is bad.
   * @throws {ClosedError} If cleanup has already started.
   */
  defer(
    fn: (signal: AbortSignal) => unknown,
    options?: string | StepOptions,
  ): void {
    this.#steps.defer(fn, options);
  }

  /**
   * Registers `resource` to be disposed as a cleanup step; returns it.
   *
   * @param options The step's name, or {@linkcode StepOptions} (name, timeout, phase).
   * @throws {TypeError} If `resource` is neither async-disposable nor disposable.
   * @throws {ClosedError} If cleanup has already started.
   */
  use<R extends AsyncDisposable | Disposable>(
    resource: R,
    options?: string | StepOptions,
  ): R {
    return this.#steps.use(resource, options);
  }

  /**
   * Reports a failure the coordinator cannot see itself (`main()` reports uncaught
   * exceptions and unhandled rejections here, as `source: "crash"`): it goes to `onError`,
   * into the report when the shutdown has begun, and, with `options.shutdown` (default:
   * the coordinator's `shutdownOnFailure`), begins the shutdown with the trigger
   * `"failure"` and the error as its reason.
   *
   * @example A failure seen elsewhere ends the program
   * ```ts
   * import { GracefulShutdown } from "@quiesce/quiesce";
   * import { assertEquals } from "@std/assert";
   *
   * const shutdown = new GracefulShutdown({ signals: false, onError: () => {} });
   * const lost = new Error("queue connection lost");
   * shutdown.reportFailure({ source: "callback", name: "queue", error: lost }, { shutdown: true });
   * const report = await shutdown.done();
   * assertEquals(report.trigger, "failure");
   * assertEquals(report.reason, lost);
   * assertEquals(report.errors.map((f) => f.name), ["queue"]);
   * ```
   *
   * @throws {TypeError} If `failure` is not a `Failure` or an option is bad.
   */
  reportFailure(failure: Failure, options?: { shutdown?: boolean }): void {
    validateOptions(options, "options", ["shutdown"]);
    validateBoolean(options?.shutdown, "options.shutdown");
    if (
      typeof failure !== "object" || failure === null ||
      !FAILURE_SOURCES.includes(failure.source) ||
      typeof failure.name !== "string"
    ) {
      throw new TypeError(
        `Cannot use failure: expected { source, name, error } with source one of ${
          FAILURE_SOURCES.map((s) => `"${s}"`).join(", ")
        }, got ${describe(failure)}`,
      );
    }
    this.#fail(
      { source: failure.source, name: failure.name, error: failure.error },
      options?.shutdown ?? this.#shutdownOnFailure,
    );
  }

  /**
   * Adds `amount` (default 1) to the report's count of `what`: for what a part of the
   * shutdown ended on purpose and wants told without it being a failure (`./http` counts
   * the connections it closed that carried no request). Kept from the first signal until
   * the report is made, in {@linkcode ShutdownReport.counts}; a count outside that window
   * is not kept, and the call returns `false`.
   *
   * @example Count what a step closed
   * ```ts
   * import { GracefulShutdown } from "@quiesce/quiesce";
   * import { assertEquals } from "@std/assert";
   *
   * const shutdown = new GracefulShutdown({ signals: false });
   * const sessions = new Set(["a", "b", "c"]);
   * shutdown.defer(() => {
   *   shutdown.count("sessions expired", sessions.size);
   *   sessions.clear();
   * }, "sessions");
   * const report = await shutdown.shutdown();
   * assertEquals(report.counts, { "sessions expired": 3 });
   * assertEquals(report.ok, true); // a count is not a failure
   * ```
   *
   * @throws {TypeError} If `what` is not a non-empty string or `amount` not a number.
   * @throws {RangeError} If `amount` is not a whole number from 0.
   */
  count(what: string, amount = 1): boolean {
    return this.#counts.add(what, amount);
  }

  /** Shuts down and waits; throws if the report is not ok (timeout or failures). */
  async [Symbol.asyncDispose](): Promise<void> {
    const report = await this.shutdown();
    if (report.timedOut) {
      throw new WaitTimeoutError(
        this.#timeout,
        report.stragglers,
        report.errors.map((f) => f.error),
      );
    }
    if (report.errors.length > 0) {
      throw new AggregateError(
        report.errors.map((f) => f.error),
        `Shutdown finished with ${report.errors.length} failure(s)`,
      );
    }
  }

  #begin(trigger: ShutdownTrigger, reason?: unknown): Promise<ShutdownReport> {
    if (this.#report !== undefined) return this.#report;
    // The report exists before any hook runs, so a hook that calls back in (shutdown() from
    // onSignal, a subscriber or an abort listener) gets this same shutdown, not a second one.
    const report = Promise.withResolvers<ShutdownReport>();
    this.#report = report.promise;
    this.#trigger = trigger;
    this.#counts.open();
    const started = performance.now();
    // The one deadline starts here, when the signal arrives: hooks and cancelling every
    // task (a while, with a million) spend it like the drain does.
    const plan = startDeadline(this.#timeout, this.#flushReserve);
    // An OS source keeps listening through the repeat window; others stop now.
    this.#intake?.began();
    if (this.#onSignal) this.#call("onSignal", this.#onSignal, trigger);
    // A subscriber disposed by an earlier one (or by onSignal) during this delivery is
    // not called, as a token skips an `onCancel` callback disposed mid-delivery.
    for (const subscriber of Array.from(this.#subscribers)) {
      if (!this.#subscribers.delete(subscriber)) continue;
      this.#call("subscriber", subscriber, trigger);
    }
    this.#triggered?.resolve(trigger);
    const cause = reason ??
      new DOMException(`Shutdown requested (${trigger})`, "AbortError");
    if (this.#drainDelay === 0) this.#root.cancel(cause);
    this.#runDrain(trigger, cause, started, plan).then((outcome) => {
      report.resolve(outcome);
      this.#done?.resolve(outcome);
    });
    return this.#report;
  }

  async #runDrain(
    trigger: ShutdownTrigger,
    reason: unknown,
    started: number,
    // The one deadline, started in #begin when the signal arrived: drainDelay, the tasks,
    // the cleanup and flush steps.
    plan: PlannedDeadline,
  ): Promise<ShutdownReport> {
    const outcome = await drain({
      tracker: this.#tracker,
      steps: this.#steps.list,
      deadlineAt: started + this.#timeout,
      plan,
      drainDelay: this.#drainDelay,
      cancelTasks: () => this.#root.cancel(reason),
      onProgress: this.#onProgress,
      onFailure: (failure) => this.#fail(failure),
      onStepsStart: () => {
        this.#steps.close();
        this.#tracker.close();
      },
    }).finally(plan.stop);
    // The listeners a second-signal policy kept go now; a remover's failure is reported.
    this.#intake?.release();
    const errors = [...this.#failures];
    return {
      trigger,
      reason,
      ok: !outcome.timedOut && errors.length === 0 &&
        outcome.stragglers.length === 0,
      timedOut: outcome.timedOut,
      phases: outcome.phases,
      durationMs: performance.now() - started,
      errors,
      stragglers: outcome.stragglers,
      counts: this.#counts.close(),
    };
  }

  #call<A>(name: string, fn: (arg: A) => unknown, arg: A): void {
    try {
      const result = fn(arg);
      if (isThenable(result)) {
        result.then(
          undefined,
          (error) => this.#fail({ source: "callback", name, error }),
        );
      }
    } catch (error) {
      this.#fail({ source: "callback", name, error });
    }
  }

  #fail(failure: Failure, begins = this.#shutdownOnFailure): void {
    // Failures before the shutdown were reported when they happened; keeping them all would
    // grow without bound in a long-lived server. One that begins the shutdown is its first.
    const triggers = begins && this.#trigger === undefined;
    if (this.#trigger !== undefined || triggers) this.#failures.push(failure);
    this.#tell(failure);
    if (triggers) void this.#begin("failure", failure.error);
  }

  #tell(failure: Failure): void {
    // The reporter itself failing has nobody left to tell but the platform; the shutdown
    // goes on, and the original failure is still in the report.
    try {
      const result = this.#onError(failure) as unknown;
      if (isThenable(result)) result.then(undefined, reportUncaught);
    } catch (error) {
      reportUncaught(error);
    }
  }
}

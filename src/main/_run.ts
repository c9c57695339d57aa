// One run of a program under main(), from the first line of `fn` to the exit. main() owns
// no signal listener: the coordinator's intake (src/_signal_intake.ts) hears every signal,
// begins the shutdown on the first (announced here), and hands any later one to
// `#secondSignal`, main()'s policy, which forces the exit through ./_ending.ts.
import { WaitTimeoutError } from "../errors.ts";
import { GracefulShutdown } from "../shutdown.ts";
import {
  type GracefulShutdownOptions,
  SHUTDOWN_OPTIONS,
} from "../shutdown_options.ts";
import { progressLine } from "../_drain.ts";
import type { Failure, ShutdownReport } from "../report.ts";
import type { ShutdownTrigger } from "../signals.ts";
import { signalExitCode } from "../_signal_table.ts";
import { type CrashKind, hostCrashes } from "../_host.ts";
import type { ExitParts } from "./_exit_code.ts";
import { Ending, Failures, type Log, seconds } from "./_ending.ts";
import { runProgram } from "./_program.ts";
import { countsLine, DeadlinePolicy, phaseLine } from "./_deadline.ts";
import type { MainContext, MainOptions } from "./types.ts";

/**
 * How long after the deadline the backstop ends a drain that did not return. Defensive: the
 * core abandons an awaited task or cleanup step at the deadline, so the drain returns.
 */
const BACKSTOP_MARGIN_MS = 2_000;

/** main()'s log: the `log` option, or one `quiesce: <line>` on stderr. */
function mainLog(option: MainOptions["log"]): Log {
  if (option === false) return () => {};
  const write: (line: string, ...error: unknown[]) => void = option ??
    ((line, ...error) => console.error(line, ...error));
  // The error is passed only when there is one, so a logger can tell "no error" apart.
  return (line, ...error) => write(`quiesce: ${line}`, ...error);
}

/**
 * Runs `fn` under a new GracefulShutdown and ends with `exit(code)`. main() validated its
 * own options; the coordinator validates its own ones, and is built before anything is
 * installed, so a bad option throws with nothing left behind. Never throws after that.
 */
export function run(
  fn: (context: MainContext) => unknown,
  options: MainOptions,
  decide: (parts: ExitParts, log: Log) => number,
): void {
  new Run(fn, options, decide);
}

class Run {
  readonly #log: Log;
  readonly #force: boolean;
  readonly #failures = new Failures(performance.now());
  readonly #shutdown: GracefulShutdown;
  readonly #ending: Ending;
  /** The first signal main() heard, if any. */
  #signalled: ShutdownTrigger | undefined;

  constructor(
    fn: (context: MainContext) => unknown,
    options: MainOptions,
    decide: (parts: ExitParts, log: Log) => number,
  ) {
    const log = this.#log = mainLog(options.log);
    this.#force = options.forceOnSecondSignal ?? true;
    // The plan (platform, grace period, timeout), the start-up check, systemd.
    const deadline = new DeadlinePolicy(options, log);
    const onError = options.onError ?? ((failure: Failure) => {
      // A crash was logged when it was caught (#crashed).
      if (failure.source === "crash") return;
      log(`${failure.source} "${failure.name}" failed:`, failure.error);
    });
    const onProgress = options.onProgress ?? ((p) => log(progressLine(p)));
    const shutdown = this.#shutdown = new GracefulShutdown({
      ...coordinatorOptions(options),
      timeout: deadline.timeout,
      flushReserve: deadline.flushReserve,
      shutdownOnFailure: options.shutdownOnFailure ?? true,
      // The one ready moment is the coordinator's: READY=1 whichever ready() the program
      // calls (the context's or `shutdown.ready()`), then the user's own hook.
      onReady: () => {
        deadline.ready();
        options.onReady?.();
      },
      onProgress: deadline.progress(onProgress || undefined),
      onError: (failure) => {
        this.#failures.add(failure.source, failure.name, failure.error);
        return onError(failure);
      },
      onSecondSignal: (signal, stopListening) =>
        this.#secondSignal(signal, stopListening),
    });
    const removeCrashes = options.shutdownOnCrash === false
      ? () => {}
      : hostCrashes((kind, error) => this.#crashed(kind, error));
    this.#ending = new Ending({
      log,
      // The last STATUS= first (the systemd-notify helper may need a moment; at most 300 ms).
      exit: (code, outcome) =>
        void deadline.exiting(code).then(() => options.exit!(code, outcome)),
      decide,
      failures: this.#failures,
      beforeExit: removeCrashes,
    });
    shutdown.subscribe((trigger) => {
      deadline.stopping(shutdown);
      this.#began(trigger);
    });
    // Waiting for the report installs the default signal source: listening before `fn` runs.
    void shutdown.done().then((report) => this.#drained(report));
    runProgram(shutdown, fn, {
      failed: (error) => {
        this.#failures.add("main", "main", error);
        log("main failed:", error);
      },
      log,
    });
  }

  #again(signal: ShutdownTrigger): string {
    return this.#force
      ? `${signal} again forces the exit`
      : "waiting for the drain";
  }

  /** The shutdown began: say why, and arm the backstop. */
  #began(trigger: ShutdownTrigger): void {
    const timeout = this.#shutdown.timeout;
    if (signalExitCode(trigger) !== undefined) {
      this.#signalled = trigger;
      this.#log(
        `${trigger} received, shutting down (${seconds(timeout)}; ${
          this.#again(trigger)
        })`,
      );
    } else if (trigger === "failure") {
      const failure = this.#failures.list.at(-1);
      if (failure !== undefined && failure.source !== "crash") {
        this.#log(
          `${failure.source} "${failure.name}" failed, so the program shuts down (${
            seconds(timeout)
          }; shutdownOnFailure: false keeps it running)`,
        );
      }
    }
    const backstop = timeout + BACKSTOP_MARGIN_MS;
    this.#ending.armBackstop(backstop, () => {
      this.#log(`the drain did not end within ${seconds(backstop)}`);
      this.#end(undefined, undefined);
    });
  }

  /** main()'s policy for a signal during the shutdown (the intake dropped runner copies). */
  #secondSignal(signal: ShutdownTrigger, stopListening: () => void): void {
    if (this.#signalled === undefined) {
      this.#signalled = signal;
      this.#log(
        `${signal} received while shutting down; ${this.#again(signal)}`,
      );
    } else if (!this.#force || signalExitCode(signal) === undefined) {
      this.#log(`${signal} received again; still draining`);
    } else {
      this.#log(`${signal} received again, forcing the exit`);
      stopListening(); // nothing is left listening when the process ends
      this.#end(undefined, signal);
    }
  }

  #crashed(kind: CrashKind, error: unknown): void {
    if (this.#ending.ended) return;
    const draining = this.#shutdown.draining;
    this.#log(
      `${kind}${draining ? " while shutting down" : ", shutting down"}:`,
      error,
    );
    this.#shutdown.reportFailure(
      { source: "crash", name: kind, error },
      { shutdown: true },
    );
  }

  #drained(report: ShutdownReport): void {
    if (this.#ending.ended) return;
    const failures = this.#failures;
    if (report.timedOut) {
      this.#log(
        new WaitTimeoutError(this.#shutdown.timeout, report.stragglers).message,
      );
    }
    if (!report.ok || failures.list.length > 0) this.#log(phaseLine(report));
    const counted = countsLine(report);
    if (counted !== undefined) this.#log(counted);
    if (failures.list.length > 0) {
      this.#log(`${failures.list.length} failure(s): ${failures.describe()}`);
    } else if (!report.timedOut && this.#signalled !== undefined) {
      this.#log(`shut down cleanly in ${Math.round(report.durationMs)} ms`);
    }
    this.#end(report, undefined);
  }

  #end(
    report: ShutdownReport | undefined,
    forcedBy: ShutdownTrigger | undefined,
  ): void {
    const trigger = report?.trigger ?? this.#shutdown.trigger ?? forcedBy!;
    this.#ending.end(
      { trigger, report, forcedBy },
      this.#signalled !== undefined,
    );
  }
}

/** The coordinator's options among main()'s (main() adds its own policy to them). */
function coordinatorOptions(options: MainOptions): GracefulShutdownOptions {
  const picked: Record<string, unknown> = {};
  for (const name of SHUTDOWN_OPTIONS) {
    const value = (options as GracefulShutdownOptions)[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked as GracefulShutdownOptions;
}

// One run of a program under main(), from the first line of `fn` to the exit: the
// coordinator, the escalation around it (./_escalation.ts), the program (./_program.ts),
// every failure main hears of, and the exit.
import { WaitTimeoutError } from "../errors.ts";
import { GracefulShutdown } from "../shutdown.ts";
import { defaultOnError } from "../shutdown_options.ts";
import type { ShutdownTrigger } from "../signals.ts";
import type {
  MainContext,
  MainFailure,
  MainOptions,
  MainOutcome,
} from "./types.ts";
import { hostExit, hostSignalSource } from "./_host.ts";
import { defaultExitCode, type ExitParts } from "./_exit_code.ts";
import { Escalation, seconds } from "./_escalation.ts";
import { runProgram } from "./_program.ts";
import { DeadlinePolicy, phaseLine } from "./_deadline.ts";
import { printProgress } from "../_drain.ts";

/**
 * How main() reports: one `quiesce: <line>` on stderr, with the error (printed by the
 * console, stack included) after it when there is one.
 */
export type Log = (line: string, error?: unknown) => void;

function stderrLog(line: string, ...error: unknown[]): void {
  console.error(`quiesce: ${line}`, ...error);
}

/**
 * The internal key under which `./testing`'s `runMain` hands a run its {@linkcode RunHooks}.
 * A symbol: `validateOptions` looks at string keys only, it is not exported from `./main`,
 * and no user's options object can hold it, so main()'s public options stay as they are.
 */
export const RUN_HOOKS: unique symbol = Symbol("quiesce.runHooks");

/** What a test harness hears of one run of main(). Internal. */
export interface RunHooks {
  /** Every line main would print on stderr, instead of printing it. */
  log: Log;
  /** The coordinator, as soon as it exists. */
  started(shutdown: GracefulShutdown): void;
  /** The outcome and the exit code chosen, right before `exit(code)`. */
  ended(outcome: MainOutcome, code: number): void;
}

/** main()'s options as run() reads them: the public ones, and the harness's hooks. */
export type RunOptions = MainOptions & { readonly [RUN_HOOKS]?: RunHooks };

/** `task "sync" at 0.1 s, cleanup "db" at 2.3 s`. */
function describeFailures(failures: readonly MainFailure[]): string {
  return failures.map((f) =>
    `${f.source} "${f.name}" at ${(f.atMs / 1000).toFixed(1)} s`
  ).join(", ");
}

/**
 * Runs `fn` under a new GracefulShutdown and ends with `exit(code)`. Options were validated
 * by main(); the coordinator is built before anything is installed, so a bad option still
 * throws with nothing left behind. Never throws after setup.
 */
export function run(
  fn: (context: MainContext) => unknown,
  options: RunOptions,
  decide: (parts: ExitParts, log: Log) => number,
): void {
  const startedAt = performance.now();
  const hooks = options[RUN_HOOKS];
  const log: Log = hooks?.log ?? stderrLog;
  const exit = options.exit ?? hostExit();
  // The plan (platform, grace period, timeout), the start-up check, systemd.
  const deadline = new DeadlinePolicy(options, log);
  const failures: MainFailure[] = [];
  const fail = (
    source: MainFailure["source"],
    name: string,
    error: unknown,
  ): void => {
    failures.push({
      source,
      name,
      error,
      atMs: performance.now() - startedAt,
    });
  };
  const onError = options.onError ?? defaultOnError;
  let forward: ((signal: ShutdownTrigger) => void) | undefined;
  const shutdown = new GracefulShutdown({
    timeout: deadline.timeout,
    drainDelay: options.drainDelay,
    flushReserve: deadline.flushReserve,
    onSignal: options.onSignal,
    onProgress: deadline.progress(
      options.onProgress === false
        ? undefined
        : options.onProgress ?? printProgress,
    ),
    // The coordinator reports failures only from the shutdown on; main sees every one.
    // The hook's result goes back to the coordinator, which reports an async hook's rejection.
    onError: (failure) => {
      fail(failure.source, failure.name, failure.error);
      return onError(failure);
    },
    // The coordinator removes its listeners as soon as the shutdown begins; main keeps the
    // OS listeners (the escalation) until it exits, so it still sees the forcing signal.
    signals: (onSignal) => {
      forward = onSignal;
      return () => (forward = undefined);
    },
  });
  hooks?.started(shutdown);
  const timeout = shutdown.timeout;
  shutdown.subscribe(() => deadline.stopping(shutdown));

  let ended = false;
  const end = (parts: Pick<MainOutcome, "trigger" | "report" | "forcedBy">) => {
    if (ended) return;
    ended = true;
    const whole: Omit<MainOutcome, "code"> = {
      ...parts,
      failed: failures.length > 0,
      error: failures[0]?.error,
      failures: [...failures],
    };
    const code = decide(whole, log);
    hooks?.ended({ ...whole, code: defaultExitCode(whole) }, code);
    if (escalation.osSignal !== undefined || code !== 0) {
      log(`exiting with code ${code}`);
    }
    escalation.stop();
    // The last STATUS= first (the systemd-notify helper may need a moment; at most 300 ms).
    void deadline.exiting(code).then(() => exit(code));
  };

  const escalation = new Escalation({
    source: options.signals === undefined
      ? hostSignalSource()
      : options.signals || undefined,
    force: options.forceOnSecondSignal ?? true,
    crashes: options.shutdownOnCrash ?? true,
    isDraining: () => shutdown.draining,
    timeoutMs: timeout,
    log,
  }, {
    first: (signal) => forward?.(signal),
    forced: (signal) =>
      end({
        trigger: shutdown.trigger ?? signal,
        report: undefined,
        forcedBy: signal,
      }),
    crashed: (kind, error) => {
      fail("crash", kind, error);
      if (shutdown.draining) {
        log(`${kind} while shutting down:`, error);
        return;
      }
      log(`${kind}, shutting down:`, error);
      void shutdown.shutdown(
        new Error(`quiesce: shutting down after an ${kind}`, { cause: error }),
      );
    },
    overran: () => {
      log(`the drain did not end within ${seconds(backstopMs)}`);
      end({
        trigger: shutdown.trigger!,
        report: undefined,
        forcedBy: undefined,
      });
    },
  });

  // Defensive: the core abandons an awaited task or cleanup step at the deadline, so the
  // drain returns; should it ever not, the process still ends shortly after.
  const backstopMs = timeout + (options.drainDelay ?? 0) + 2_000;
  shutdown.subscribe(() => escalation.armBackstop(backstopMs));

  runProgram(shutdown, fn, startedAt, {
    failed: (error) => {
      fail("main", "main", error);
      log("main failed:", error);
    },
    log,
    ready: () => deadline.ready(),
  });

  void shutdown.done().then((report) => {
    if (ended) return;
    if (report.timedOut) {
      log(new WaitTimeoutError(timeout, report.stragglers).message);
    }
    if (!report.ok || failures.length > 0) log(phaseLine(report));
    if (failures.length > 0) {
      log(
        `${failures.length} failure(s): ${describeFailures(failures)}`,
      );
    } else if (!report.timedOut && escalation.osSignal !== undefined) {
      log(`shut down cleanly in ${Math.round(report.durationMs)} ms`);
    }
    end({ trigger: report.trigger, report, forcedBy: undefined });
  });
}

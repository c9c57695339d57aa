// The body of main(): one run of a program, from the first line of `fn` to the exit.
import { ShutdownTimeoutError } from "../errors.ts";
import { GracefulShutdown } from "../shutdown.ts";
import type { ShutdownSignal } from "../signals.ts";
import type { MainContext, MainOptions, MainOutcome } from "../main.ts";
import { hostExit, hostSignalSource, onDenoDeploy } from "./_host.ts";
import { type ExitParts, signalNumber } from "./_exit_code.ts";

function seconds(ms: number): string {
  return ms === Infinity ? "no deadline" : `${(ms / 1000).toFixed(1)} s`;
}

function log(line: string): void {
  console.error(`quiesce: ${line}`);
}

/** Runs `fn` under a new GracefulShutdown and ends with `exit(code)`; never throws after setup. */
export function run(
  fn: (context: MainContext) => unknown,
  options: MainOptions,
  decide: (parts: ExitParts) => number,
): void {
  const exit = options.exit ?? hostExit();
  const force = options.forceOnSecondSignal ?? true;
  const deploy = onDenoDeploy();
  let forward: ((signal: ShutdownSignal) => void) | undefined;
  const shutdown = new GracefulShutdown({
    timeout: options.timeout ?? (deploy ? 4_000 : 30_000),
    drainDelay: options.drainDelay,
    onSignal: options.onSignal,
    onProgress: options.onProgress,
    onError: options.onError,
    // The coordinator removes its listeners as soon as the shutdown begins; main keeps the
    // OS listeners (below) until it exits, so it still sees the signal that forces the exit.
    signals: (onSignal) => {
      forward = onSignal;
      return () => (forward = undefined);
    },
  });
  const timeout = shutdown.timeout;
  if (deploy && timeout >= 5_000) {
    log(`timeout ${seconds(timeout)} exceeds Deno Deploy's 5 s grace`);
  }

  let ended = false;
  let osSignal: ShutdownSignal | undefined;
  let failed = false;
  let error: unknown;
  // Signal listeners keep no runtime alive (Node even exits 13 with a top-level await
  // pending): hold the event loop open until the exit.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  let backstop: ReturnType<typeof setTimeout> | undefined;
  let removeOs = () => {};
  const end = (parts: Omit<MainOutcome, "code" | "failed" | "error">): void => {
    if (ended) return;
    ended = true;
    const code = decide({ ...parts, failed, error });
    if (osSignal !== undefined || code !== 0) log(`exiting with code ${code}`);
    try {
      removeOs();
    } catch (error) {
      // A custom source's remover failed: report it, but the exit must still happen.
      console.error("quiesce: removing the signal listeners failed:", error);
    }
    clearInterval(keepAlive);
    clearTimeout(backstop);
    exit(code);
  };

  const source = options.signals === undefined
    ? hostSignalSource(options.hangup ?? false)
    : options.signals || undefined;
  const again = (signal: ShutdownSignal) =>
    force ? `${signal} again forces the exit` : "waiting for the drain";
  const onOsSignal = (signal: ShutdownSignal): void => {
    if (ended) return;
    if (osSignal === undefined) {
      osSignal = signal;
      if (shutdown.isShutdown) {
        log(`${signal} received while shutting down; ${again(signal)}`);
      } else {
        log(
          `${signal} received, shutting down (${seconds(timeout)}; ${
            again(signal)
          })`,
        );
        forward?.(signal);
      }
    } else if (!force || signalNumber(signal) === undefined) {
      log(`${signal} received again; still draining`);
    } else {
      log(`${signal} received again, forcing the exit`);
      end({
        signal: shutdown.signal ?? signal,
        report: undefined,
        forcedBy: signal,
      });
    }
  };
  try {
    removeOs = source?.(onOsSignal) ?? removeOs;
  } catch (error) {
    // A custom source that throws: leave nothing running behind the error.
    clearInterval(keepAlive);
    throw error;
  }

  shutdown.subscribe(() => {
    if (timeout === Infinity) return;
    // Defensive: the core abandons an awaited task or cleanup step at the deadline, so the
    // drain returns; should it ever not, the process still ends shortly after.
    const limit = timeout + (options.drainDelay ?? 0) + 2_000;
    backstop = setTimeout(() => {
      log(`the drain did not end within ${seconds(limit)}`);
      end({ signal: shutdown.signal!, report: undefined, forcedBy: undefined });
    }, Math.min(limit, 2 ** 31 - 1));
  });

  const context: MainContext = {
    signal: shutdown.token().signal,
    token: shutdown.token(),
    shutdown,
    get draining() {
      return shutdown.draining;
    },
    spawn: (name, task) => shutdown.spawn(name, task),
    defer: (step, name) => shutdown.defer(step, name),
    use: (resource, name) => shutdown.use(resource, name),
  };
  shutdown.spawn("main", async () => {
    try {
      await fn(context);
    } catch (thrown) {
      // After the shutdown began, the drain reports it (unless it is the cancellation itself).
      if (shutdown.isShutdown) throw thrown;
      failed = true;
      error = thrown;
      console.error("quiesce: main failed:", thrown);
    }
    // The program ended on its own: cancel and drain what it left running, run its cleanup.
    if (!shutdown.isShutdown) void shutdown.shutdown();
  });

  void shutdown.done().then((report) => {
    if (ended) return;
    if (report.timedOut) {
      log(new ShutdownTimeoutError(timeout, report.stragglers).message);
    } else if (report.errors.length > 0) {
      log(`shutdown finished with ${report.errors.length} failure(s)`);
    } else if (osSignal !== undefined) {
      log(`shut down cleanly in ${Math.round(report.durationMs)} ms`);
    }
    end({ signal: report.signal, report, forcedBy: undefined });
  });
}

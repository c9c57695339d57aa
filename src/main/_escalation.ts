// main()'s side of the process: it holds the event loop open, listens to the OS signals
// (a forwarded copy of a signal is the same signal; a real second one forces the exit),
// turns crashes into a shutdown, and keeps a backstop in case a drain never ends. Nothing
// here knows about tasks or exit codes: it reports to its hooks.
import type { ShutdownTrigger, SignalSource } from "../signals.ts";
import { sleep } from "../wait.ts";
import { type CrashKind, hostCrashes } from "./_host.ts";
import { signalNumber } from "./_exit_code.ts";
import { RepeatFilter } from "../_repeat.ts";

/** What the escalation tells main. */
export interface EscalationHooks {
  /** The first OS signal: begin the shutdown, unless it already began. */
  first(signal: ShutdownTrigger): void;
  /** A second signal while draining: exit at once with it. */
  forced(signal: ShutdownTrigger): void;
  /** An uncaught exception or unhandled rejection. */
  crashed(kind: CrashKind, error: unknown): void;
  /** The backstop expired: the drain did not end in time. */
  overran(): void;
}

/** What the escalation needs to know. */
export interface EscalationOptions {
  /** Where the OS signals come from (`undefined`: nowhere). */
  source: SignalSource | undefined;
  /** Whether a second signal forces the exit. */
  force: boolean;
  /** Whether to take over uncaught exceptions and unhandled rejections. */
  crashes: boolean;
  /** Whether the shutdown has begun (a signal then only arms the forced exit). */
  isDraining: () => boolean;
  /** The drain's deadline, for the log line. */
  timeoutMs: number;
  /** main()'s log (stderr, or a test harness's sink). */
  log: (line: string, error?: unknown) => void;
}

/** Formats a deadline for the log. */
export function seconds(ms: number): string {
  return ms === Infinity ? "no deadline" : `${(ms / 1000).toFixed(1)} s`;
}

/** main()'s hold on the process; `stop()` releases every part of it. */
export class Escalation {
  readonly #options: EscalationOptions;
  readonly #hooks: EscalationHooks;
  readonly #repeats = new RepeatFilter();
  readonly #backstop = new AbortController();
  // Signal listeners keep no runtime alive (Node even exits 13 with a top-level await
  // pending): hold the event loop open until the exit.
  readonly #keepAlive = setInterval(() => {}, 2 ** 30);
  #removeSignals: () => void = () => {};
  #removeCrashes: () => void = () => {};
  #osSignal: ShutdownTrigger | undefined;
  #stopped = false;

  /**
   * Installs everything.
   *
   * @throws {unknown} Whatever a custom signal source throws; nothing is left installed.
   */
  constructor(options: EscalationOptions, hooks: EscalationHooks) {
    this.#options = options;
    this.#hooks = hooks;
    try {
      if (options.crashes) {
        this.#removeCrashes = hostCrashes((kind, error) => {
          if (!this.#stopped) hooks.crashed(kind, error);
        });
      }
      const remove = options.source?.((signal) => this.#onSignal(signal));
      if (remove !== undefined) this.#removeSignals = remove;
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  /** The first OS signal seen, if any. */
  get osSignal(): ShutdownTrigger | undefined {
    return this.#osSignal;
  }

  /**
   * Ends the process through `hooks.overran` if the drain is still running `ms` from now.
   * `Infinity` arms nothing; long delays are chained, never cut to 2^31−1 ms.
   */
  armBackstop(ms: number): void {
    if (ms === Infinity || this.#stopped) return;
    sleep(ms, { signal: this.#backstop.signal }).then(
      () => this.#hooks.overran(),
      () => {}, // stopped first
    );
  }

  /** Removes the listeners and crash handlers, clears every timer (idempotent). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#keepAlive);
    this.#repeats.stop();
    this.#backstop.abort();
    this.#removeCrashes();
    try {
      this.#removeSignals();
    } catch (error) {
      // A custom source's remover failed: report it, but the exit must still happen.
      this.#options.log("removing the signal listeners failed:", error);
    }
  }

  #again(signal: ShutdownTrigger): string {
    return this.#options.force
      ? `${signal} again forces the exit`
      : "waiting for the drain";
  }

  #onSignal(signal: ShutdownTrigger): void {
    if (this.#stopped) return;
    // A runner's or supervisor's copy of the signal just handled: the same signal.
    if (this.#repeats.isRepeat(signal)) return;
    const { log, force, isDraining, timeoutMs } = this.#options;
    if (this.#osSignal === undefined) {
      this.#osSignal = signal;
      if (isDraining()) {
        log(`${signal} received while shutting down; ${this.#again(signal)}`);
      } else {
        log(
          `${signal} received, shutting down (${seconds(timeoutMs)}; ${
            this.#again(signal)
          })`,
        );
        this.#hooks.first(signal);
      }
    } else if (!force || signalNumber(signal) === undefined) {
      log(`${signal} received again; still draining`);
    } else {
      log(`${signal} received again, forcing the exit`);
      this.#hooks.forced(signal);
    }
  }
}

// main()'s side of the deadline: the plan (platform, grace period, timeout, flush reserve),
// the start-up check and plan line, the "ready" moment, and systemd's notify socket from
// ready to exit. run() (./_run.ts) asks it for the timeout and tells it what happens.
import { defaultFlushReserve, progressLine } from "../_drain.ts";
import type { DrainProgress, ShutdownReport } from "../report.ts";
import type { GracefulShutdown } from "../shutdown.ts";
import type { ShutdownTrigger } from "../signals.ts";
import { graceWarning } from "./_grace.ts";
import { hostEnv, hostPid, onDenoDeploy } from "../_host.ts";
import {
  detectPlatform,
  planLine,
  planShutdown,
  type ShutdownPlan,
} from "./_platforms.ts";
import { type StopState, SystemdNotifier } from "./_systemd.ts";
import type { MainOptions } from "./types.ts";

/** The default timeout where no platform or grace period says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** One run's plan and its conversation with the service manager. */
export class DeadlinePolicy {
  readonly plan: ShutdownPlan;
  readonly flushReserve: number;
  readonly #systemd: SystemdNotifier | undefined;
  #progress: DrainProgress | undefined;
  #progressAt = 0;
  #stoppedAt: number | undefined;
  #trigger: ShutdownTrigger | undefined;

  /** Plans, prints the start-up check (and the plan when asked), opens NOTIFY_SOCKET. */
  constructor(options: MainOptions, log: (line: string) => void) {
    const deploy = options.denoDeploy ?? onDenoDeploy();
    const platform = detectPlatform(hostEnv, deploy);
    this.plan = planShutdown(options, platform, DEFAULT_TIMEOUT_MS);
    this.flushReserve = options.flushReserve ??
      Math.min(
        defaultFlushReserve(this.plan.timeout),
        this.plan.timeout - (options.drainDelay ?? 0),
      );
    const warning = graceWarning(
      this.plan.timeout,
      options.gracePeriod,
      deploy,
      platform,
    );
    if (warning !== undefined) log(warning);
    if (options.printPlan) {
      log(planLine(this.plan, options.drainDelay ?? 0, this.flushReserve));
    }
    const systemd = options.systemd ?? true;
    this.#systemd = systemd === false ? undefined : SystemdNotifier.fromEnv({
      env: hostEnv,
      pid: hostPid(),
      extendTimeoutMs: systemd === true ? undefined : systemd.extendTimeout,
      log,
    });
  }

  /** The whole shutdown's budget. */
  get timeout(): number {
    return this.plan.timeout;
  }

  /**
   * The coordinator's ready moment (its `onReady`): READY=1 under systemd. The coordinator
   * calls it once, and never after the first signal.
   */
  ready(): void {
    this.#systemd?.ready();
  }

  /**
   * Records each progress snapshot (for STATUS=) and hands it on to `next`; `false` when
   * nobody listens (no `next`, no systemd): then the drain takes no snapshots at all, which
   * with a million tasks still running is a million records a second for nobody.
   */
  progress(
    next: ((progress: DrainProgress) => void) | undefined,
  ): ((progress: DrainProgress) => void) | false {
    if (next === undefined && this.#systemd === undefined) return false;
    return (progress) => {
      this.#progress = progress;
      this.#progressAt = performance.now();
      next?.(progress);
    };
  }

  /** The first signal (or the program's end): STOPPING=1, then STATUS= until the exit. */
  stopping(shutdown: GracefulShutdown): void {
    this.#stoppedAt = performance.now();
    this.#trigger = shutdown.trigger;
    this.#systemd?.stopping(() => this.#stopState());
  }

  #stopState(): StopState {
    const elapsed = performance.now() - (this.#stoppedAt ?? 0);
    const remainingMs = Math.max(0, this.plan.timeout - elapsed);
    const progress = this.#progress;
    // The drain's own line while it is fresh (it comes once a second once the drain is
    // a second old); before that, and between, the time left.
    if (
      progress !== undefined && performance.now() - this.#progressAt < 1_500
    ) {
      return {
        line: progressLine(progress),
        remainingMs,
        running: progress.running,
      };
    }
    return {
      line: `stopping after ${this.#trigger ?? "a stop"}; ${
        (remainingMs / 1000).toFixed(1)
      }s left`,
      remainingMs,
      running: [],
    };
  }

  /** The last STATUS=, and a short wait for messages still on their way. */
  exiting(code: number): Promise<void> {
    return this.#systemd?.exiting(`exiting with code ${code}`) ??
      Promise.resolve();
  }
}

/** How many unfinished parts the phases line names per phase before it counts the rest. */
export const NAMED_PER_PHASE = 10;

/**
 * The report's counts as one log line (`counted: http server: idle connections closed = 2`),
 * or `undefined` when nothing was counted.
 */
export function countsLine(report: ShutdownReport): string | undefined {
  const entries = Object.entries(report.counts);
  if (entries.length === 0) return undefined;
  return `counted: ${entries.map(([what, n]) => `${what} = ${n}`).join("; ")}`;
}

/**
 * How each phase ended, naming what did not finish in it (the deadline's own line names
 * only the oldest five of all; this one names up to {@linkcode NAMED_PER_PHASE} per phase,
 * so a hung flush step is named even behind 300k hung tasks, and counts the rest):
 * `phases: tasks timed out (1.2 s: "sync", "upload"), cleanup done (0.0 s), flush done (0.1 s)`.
 */
export function phaseLine(report: ShutdownReport): string {
  return `phases: ${
    report.phases.map((p) => {
      const shown = p.unfinished.slice(0, NAMED_PER_PHASE);
      let names = shown.map((name) => JSON.stringify(name)).join(", ");
      const more = p.unfinished.length - shown.length;
      if (more > 0) names += ` and ${more} more`;
      return `${p.phase} ${p.ended} (${(p.durationMs / 1000).toFixed(1)} s${
        names === "" ? "" : `: ${names}`
      })`;
    }).join(", ")
  }`;
}

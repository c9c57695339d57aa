// What a shutdown reports: how it went, each failure, and progress while it drains. The
// public types the coordinator, trackers and `main()` hand to their callers.
import type { ShutdownTrigger } from "./signals.ts";

/**
 * One piece of work still running when a deadline passed.
 *
 * @example Name the task that held up a shutdown
 * ```ts
 * import { GracefulShutdown, type Straggler } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false, timeout: 20 });
 * const upload = Promise.withResolvers<void>();
 * shutdown.spawn("upload", () => upload.promise); // never looks at its signal
 * const report = await shutdown.shutdown();
 * assertEquals(report.timedOut, true);
 * const stragglers: readonly Straggler[] = report.stragglers;
 * assertEquals(
 *   stragglers.map(({ name, kind, observedSignal }) => ({ name, kind, observedSignal })),
 *   [{ name: "upload", kind: "task", observedSignal: false }],
 * );
 * upload.resolve();
 * ```
 */
export interface Straggler {
  /** The task's or cleanup step's name. */
  readonly name: string;
  /** What it is: a spawned task or a cleanup step. */
  readonly kind: "task" | "cleanup";
  /** Milliseconds since it started, measured when the deadline passed. */
  readonly ageMs: number;
  /**
   * Whether it ever looked at its `AbortSignal` (read `aborted`/`reason`, called
   * `throwIfAborted`, set `onabort` or added a listener). `false` hints at work that cannot
   * notice cancellation. A signal handed straight to a native API such as `fetch` is used
   * through internals and may not count.
   */
  readonly observedSignal: boolean;
}

/**
 * How a shutdown went; `shutdown()` and `done()` resolve with it.
 *
 * @example Check that a shutdown was clean
 * ```ts
 * import { GracefulShutdown, type ShutdownReport, sleep } from "@quiesce/quiesce";
 * import { assertEquals, assertGreaterOrEqual } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * shutdown.spawn("poll", (signal) => sleep(60_000, { signal }));
 * shutdown.defer(() => {}, "close db");
 * const report: ShutdownReport = await shutdown.shutdown("deploy");
 * assertEquals(report.trigger, "manual");
 * assertEquals(report.reason, "deploy");
 * assertEquals(report.ok, true);
 * assertEquals(report.timedOut, false);
 * assertEquals(report.errors, []);
 * assertEquals(report.stragglers, []);
 * assertEquals(report.counts, {});
 * assertGreaterOrEqual(report.durationMs, 0);
 * assertEquals(await shutdown.done(), report);
 * ```
 */
export interface ShutdownReport {
  /** What began it (`"SIGTERM"`, `"manual"`, ...). */
  readonly trigger: ShutdownTrigger;
  /** The reason the root token was cancelled with. */
  readonly reason: unknown;
  /** True when every task and cleanup step finished in time and nothing failed. */
  readonly ok: boolean;
  /** Whether the deadline passed with work still running. */
  readonly timedOut: boolean;
  /** Milliseconds from the trigger to the end of the drain. */
  readonly durationMs: number;
  /** Every failure from the moment shutdown began, in order (earlier ones were
   * reported through `onError` when they happened, and are not kept). */
  readonly errors: readonly Failure[];
  /**
   * What was still running at the deadline, and every step abandoned when it overran its
   * own budget (that one also in `errors`).
   */
  readonly stragglers: readonly Straggler[];
  /** How each phase ended, in order: `delay` (only with a drain delay), `tasks`, `cleanup`, `flush`. */
  readonly phases: readonly PhaseReport[];
  /**
   * What the shutdown's parts ended on purpose, counted by what (from
   * `GracefulShutdown.count()`): not failures. `./http` counts here the connections
   * it closed that carried no request, such as `"http server: idle connections closed"`.
   * Empty when nothing was counted.
   */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * How one phase of a shutdown ended. The phases share the one deadline by plan: the drain
 * delay, the tasks, the cleanup steps, then the flush steps inside a reserve at the end
 * that the phases before cannot eat.
 *
 * @example See how each phase ended
 * ```ts
 * import { GracefulShutdown, type PhaseReport } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false, timeout: 1_000 });
 * shutdown.defer(() => new Promise(() => {}), "hung close"); // never settles
 * shutdown.defer(() => console.log("spans exported"), { name: "exporter", phase: "flush" });
 * const report = await shutdown.shutdown();
 * const phases: readonly PhaseReport[] = report.phases;
 * assertEquals(phases.map((p) => `${p.phase} ${p.ended}`), [
 *   "tasks done",
 *   "cleanup timed out", // at 800 ms: the last 200 ms are the flush reserve
 *   "flush done",
 * ]);
 * ```
 */
export interface PhaseReport {
  /** Which phase. */
  readonly phase: "delay" | "tasks" | "cleanup" | "flush";
  /**
   * `done` when everything in it finished; `abandoned` when a step overran its own budget
   * (the phase went on); `timed out` when the phase's end came first.
   */
  readonly ended: "done" | "abandoned" | "timed out";
  /** Milliseconds it took. */
  readonly durationMs: number;
  /** What in it did not finish (abandoned, or still running at its end), by name. */
  readonly unfinished: readonly string[];
}

/**
 * One failure collected during a shutdown.
 *
 * @example Collect the failures of a shutdown
 * ```ts
 * import { GracefulShutdown, type Failure } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const failures: Failure[] = [];
 * const shutdown = new GracefulShutdown({
 *   signals: false,
 *   onError: (failure) => failures.push(failure),
 * });
 * shutdown.spawn("sync", async (signal) => {
 *   await new Promise((resolve) => signal.addEventListener("abort", resolve));
 *   throw new Error("half-written batch");
 * });
 * shutdown.defer(() => {
 *   throw new Error("disk full");
 * }, "flush");
 * const report = await shutdown.shutdown();
 * assertEquals(failures.map((f) => `${f.source} ${f.name}`), ["task sync", "cleanup flush"]);
 * assertEquals(report.errors, failures);
 * ```
 */
export interface Failure {
  /**
   * Where it came from; `"crash"` is an uncaught exception or unhandled rejection `main()`
   * caught (`name` says which) and reported through `reportFailure`.
   */
  readonly source: "task" | "cleanup" | "callback" | "crash";
  /** The task's, step's or callback's name. */
  readonly name: string;
  /** What was thrown. */
  readonly error: unknown;
}

/**
 * A snapshot of a drain in progress, given to `onProgress` about once a second.
 *
 * @example Report progress in your own format
 * ```ts
 * import { type DrainProgress, GracefulShutdown } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function describeProgress(progress: DrainProgress): string {
 *   const names = progress.running.map((straggler) => straggler.name).join(", ");
 *   return `waiting for ${names}; ${Math.round(progress.remainingMs / 1000)} s left`;
 * }
 *
 * // Called only while a drain takes longer than a second; this one is quick.
 * const shutdown = new GracefulShutdown({
 *   signals: false,
 *   onProgress: (progress) => console.error(describeProgress(progress)),
 * });
 * await shutdown.shutdown();
 *
 * const snapshot: DrainProgress = {
 *   elapsedMs: 2_000,
 *   remainingMs: 28_000,
 *   running: [{ name: "flush", kind: "cleanup", ageMs: 2_000, observedSignal: true }],
 * };
 * assertEquals(describeProgress(snapshot), "waiting for flush; 28 s left");
 * ```
 */
export interface DrainProgress {
  /** Milliseconds since the drain began. */
  readonly elapsedMs: number;
  /** Milliseconds left before the deadline (`Infinity` without one). */
  readonly remainingMs: number;
  /** What is still running: tasks, then the cleanup step in hand. */
  readonly running: readonly Straggler[];
}

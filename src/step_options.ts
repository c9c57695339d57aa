// The options of one cleanup step (`defer`, `use`): public, so in a file of its own rather
// than in the registry (`_cleanup_steps.ts`) that validates them.

/**
 * How a cleanup step runs: its name, its own bound, and its phase.
 *
 * @example A bounded step, and an exporter flushed last
 * ```ts
 * import { GracefulShutdown, type StepOptions } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const db: StepOptions = { name: "db", timeout: 2_000 };
 * shutdown.defer(() => console.log("database closed"), db);
 * shutdown.defer(() => console.log("spans exported"), { name: "otel", phase: "flush" });
 * const report = await shutdown.shutdown();
 * assertEquals(report.ok, true);
 * ```
 */
export interface StepOptions {
  /** The step's name in reports. Default: the function's name, or its position. */
  name?: string;
  /**
   * The step's own bound in milliseconds: past it the step is abandoned (its signal
   * aborts with a `TimeoutError`), named in the report with its age, and the next step
   * runs. Default: none; the step shares what is left of its phase.
   */
  timeout?: number;
  /**
   * `"cleanup"` (default), or `"flush"` for exporters and log transports: flush steps run
   * after every other step, even when the cleanup phase ran out of time, inside a reserve
   * at the end of the deadline that the phases before cannot eat.
   */
  phase?: "cleanup" | "flush";
}

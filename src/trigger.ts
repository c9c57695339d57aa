// What begins a shutdown and where it comes from: the public types of the signal layer.
/**
 * What triggered a shutdown: an OS signal name, or where a programmatic trigger came from.
 * The value is its own readable form (`"SIGINT"`, `"SIGTERM"`, `"manual"`, ...).
 *
 * @example Choose an exit code from what triggered the shutdown
 * ```ts
 * import { GracefulShutdown, type ShutdownTrigger } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function exitCode(signal: ShutdownTrigger): number {
 *   switch (signal) {
 *     case "SIGHUP":
 *       return 129;
 *     case "SIGINT":
 *       return 130;
 *     case "SIGTERM":
 *       return 143;
 *     default: // "manual" or "worker": the program (or its parent) chose to stop
 *       return 0;
 *   }
 * }
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const report = await shutdown.shutdown();
 * assertEquals(report.trigger, "manual");
 * assertEquals(exitCode(report.trigger), 0);
 * assertEquals(exitCode("SIGTERM"), 143);
 * ```
 */
export type ShutdownTrigger = OsSignal | "manual" | "worker";

/**
 * The OS signals a {@linkcode SignalSource} built on the host may listen to. SIGINT and
 * SIGTERM are the default; the others are opt-in: SIGHUP (a closed terminal, a reload),
 * SIGQUIT (Ctrl+\\), SIGUSR2 (nodemon's and pm2's restart), SIGBREAK (Ctrl+Break on
 * Windows). A signal the platform does not have is skipped.
 *
 * @example Read the signals to listen to from configuration
 * ```ts
 * import { hostSignals, type OsSignal } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const known: readonly string[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];
 * function isOsSignal(name: string): name is OsSignal {
 *   return known.includes(name);
 * }
 *
 * const configured = "SIGTERM, SIGUSR2, SIGWINCH"; // e.g. from an environment variable
 * const signals: OsSignal[] = configured.split(",").map((name) => name.trim()).filter(isOsSignal);
 * assertEquals(signals, ["SIGTERM", "SIGUSR2"]);
 * const stopListening = hostSignals({ signals })((signal) => console.log("received", signal));
 * stopListening(); // both listeners are gone again
 * ```
 */
export type OsSignal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "SIGQUIT"
  | "SIGUSR2"
  | "SIGBREAK";

/**
 * Where shutdown triggers come from. Calls `onSignal` for each signal; the returned function
 * removes every listener it added (calling it again does nothing). Adapters implement this
 * interface; `hostSignals` is the one used by default.
 *
 * @example A source driven by hand (a stand-in for a supervisor's message)
 * ```ts
 * import { GracefulShutdown, type ShutdownTrigger, type SignalSource } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const listeners = new Set<(signal: ShutdownTrigger) => void>();
 * const byHand: SignalSource = (onSignal) => {
 *   listeners.add(onSignal);
 *   return () => listeners.delete(onSignal);
 * };
 *
 * const shutdown = new GracefulShutdown({ signals: byHand });
 * assertEquals(listeners.size, 1); // installed by the constructor
 * for (const listener of listeners) listener("SIGTERM");
 * assertEquals(await shutdown.wait(), "SIGTERM");
 * assertEquals(listeners.size, 0); // removed as soon as the shutdown began
 * assertEquals((await shutdown.done()).trigger, "SIGTERM");
 * ```
 */
export type SignalSource = (
  onSignal: (signal: ShutdownTrigger) => void,
) => () => void;

/**
 * Options of the OS signal sources (`hostSignals`, `denoSignals`,
 * `processSignals`).
 *
 * @example Also shut down on a closed terminal and on nodemon's restart signal
 * ```ts
 * import { GracefulShutdown, hostSignals, type SignalsOptions } from "@quiesce/quiesce";
 *
 * const options: SignalsOptions = { signals: ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2"] };
 * const shutdown = new GracefulShutdown({ signals: hostSignals(options) });
 * await shutdown.shutdown(); // removes the listeners again
 * ```
 */
export interface SignalsOptions {
  /** Which signals to listen to. Default `["SIGINT", "SIGTERM"]`. */
  signals?: readonly OsSignal[];
}

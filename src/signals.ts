import {
  denoHost,
  listen,
  osSource,
  processHost,
  signalNames,
} from "./_signal_hosts.ts";

/**
 * What triggered a shutdown: an OS signal name, or where a programmatic trigger came from.
 * The value is its own readable form (`"SIGINT"`, `"SIGTERM"`, `"manual"`, ...).
 *
 * @example Choose an exit code from what triggered the shutdown
 * ```ts
 * import { GracefulShutdown, type ShutdownSignal } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function exitCode(signal: ShutdownSignal): number {
 *   switch (signal) {
 *     case "SIGHUP":
 *       return 129;
 *     case "SIGINT":
 *       return 130;
 *     case "SIGTERM":
 *       return 143;
 *     default: // "manual", "worker" or "unload": the program chose to stop
 *       return 0;
 *   }
 * }
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const report = await shutdown.shutdown();
 * assertEquals(report.signal, "manual");
 * assertEquals(exitCode(report.signal), 0);
 * assertEquals(exitCode("SIGTERM"), 143);
 * ```
 */
export type ShutdownSignal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "manual"
  | "worker"
  | "unload";

/**
 * The OS signals a {@linkcode SignalSource} built on the host may listen to.
 *
 * @example Read the signals to listen to from configuration
 * ```ts
 * import { hostSignals, type OsSignal } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function isOsSignal(name: string): name is OsSignal {
 *   return name === "SIGINT" || name === "SIGTERM" || name === "SIGHUP";
 * }
 *
 * const configured = "SIGTERM, SIGHUP, SIGUSR2"; // e.g. from an environment variable
 * const names: OsSignal[] = configured.split(",").map((name) => name.trim()).filter(isOsSignal);
 * assertEquals(names, ["SIGTERM", "SIGHUP"]);
 * const stopListening = hostSignals(names)((signal) => console.log("received", signal));
 * stopListening(); // both listeners are gone again
 * ```
 */
export type OsSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * Where shutdown triggers come from. Calls `onSignal` for each signal; the returned function
 * removes every listener it added (calling it again does nothing). Adapters implement this
 * interface; {@linkcode hostSignals} is the one used by default.
 *
 * @example A source driven by hand (a stand-in for a supervisor's message)
 * ```ts
 * import { GracefulShutdown, type ShutdownSignal, type SignalSource } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const listeners = new Set<(signal: ShutdownSignal) => void>();
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
 * assertEquals((await shutdown.done()).signal, "SIGTERM");
 * ```
 */
export type SignalSource = (
  onSignal: (signal: ShutdownSignal) => void,
) => () => void;

/**
 * A {@linkcode SignalSource} on the host's own signal API, found by feature detection:
 * `Deno.addSignalListener` on Deno, `process.on`/`off` on Bun and Node, nothing elsewhere
 * (browsers, web workers, edge isolates without signals), so it is always safe to use.
 * A signal the host refuses (Deno on Windows has no SIGTERM) is skipped.
 *
 * @example Listen to SIGINT and SIGTERM (the default of `GracefulShutdown`)
 * ```ts
 * import { GracefulShutdown, hostSignals } from "@quiesce/quiesce";
 *
 * const shutdown = new GracefulShutdown({ signals: hostSignals(["SIGINT", "SIGTERM", "SIGHUP"]) });
 * await shutdown.shutdown(); // removes the listeners again
 * ```
 *
 * @param signals Which signals to listen to; defaults to SIGINT and SIGTERM.
 * @throws {TypeError} If `signals` is not an array of `"SIGINT"`, `"SIGTERM"`, `"SIGHUP"`.
 */
export function hostSignals(
  signals: readonly OsSignal[] = ["SIGINT", "SIGTERM"],
): SignalSource {
  const names = signalNames(signals, "signals");
  return osSource((onSignal: (signal: ShutdownSignal) => void) =>
    listen(denoHost() ?? processHost(), names, onSignal)
  );
}

import type { SignalsOptions, SignalSource } from "./trigger.ts";
import { denoHost, processHost, signalSource } from "./_signal_hosts.ts";

export type {
  OsSignal,
  ShutdownTrigger,
  SignalsOptions,
  SignalSource,
} from "./trigger.ts";

/**
 * A {@linkcode SignalSource} on the host's own signal API, found by feature detection:
 * `Deno.addSignalListener` on Deno, `process.on`/`off` on Bun and Node, nothing elsewhere
 * (browsers, web workers, edge isolates without signals), so it is always safe to use.
 * A signal the host does not have on this platform is skipped (on Windows, Deno has SIGINT
 * and SIGBREAK, and newer versions SIGTERM).
 *
 * @example Listen to SIGINT and SIGTERM (the default of `GracefulShutdown`), and SIGHUP
 * ```ts
 * import { GracefulShutdown, hostSignals } from "@quiesce/quiesce";
 *
 * const shutdown = new GracefulShutdown({
 *   signals: hostSignals({ signals: ["SIGINT", "SIGTERM", "SIGHUP"] }),
 * });
 * await shutdown.shutdown(); // removes the listeners again
 * ```
 *
 * @param options Which signals to listen to (default SIGINT and SIGTERM).
 * @throws {TypeError} If an option is not an options object, or `options.signals` holds
 * anything but the names of `OsSignal`.
 */
export function hostSignals(options?: SignalsOptions): SignalSource {
  return signalSource(() => denoHost() ?? processHost(), options);
}

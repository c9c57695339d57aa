import { denoHost, listen, processHost } from "./_signal_hosts.ts";

/**
 * What triggered a shutdown: an OS signal name, or where a programmatic trigger came from.
 * The value is its own readable form (`"SIGINT"`, `"SIGTERM"`, `"manual"`, ...).
 */
export type ShutdownSignal =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "manual"
  | "worker"
  | "unload";

/** The OS signals a {@linkcode SignalSource} built on the host may listen to. */
export type OsSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * Where shutdown triggers come from. Calls `onSignal` for each signal; the returned function
 * removes every listener it added (calling it again does nothing). Adapters implement this
 * interface; {@linkcode hostSignals} is the one used by default.
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
  if (!Array.isArray(signals)) {
    throw new TypeError(
      "Cannot use signals: expected an array of signal names",
    );
  }
  for (const name of signals) {
    if (name !== "SIGINT" && name !== "SIGTERM" && name !== "SIGHUP") {
      throw new TypeError(
        `Cannot use signals: "${
          String(name)
        }" is not one of "SIGINT", "SIGTERM", "SIGHUP"`,
      );
    }
  }
  const names = [...new Set(signals)];
  return (onSignal) => listen(denoHost() ?? processHost(), names, onSignal);
}

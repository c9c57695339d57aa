/**
 * A {@linkcode SignalSource} on Deno's own signal API, `Deno.addSignalListener`.
 *
 * Use it to pick signals explicitly (SIGHUP is opt-in); `GracefulShutdown` already listens to
 * SIGINT and SIGTERM by default. Deno Deploy sends SIGINT (not SIGTERM) before it stops an
 * isolate, so keep SIGINT in the list there.
 *
 * @example Shut down on SIGINT, SIGTERM or SIGHUP
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { denoSignals } from "@quiesce/quiesce/deno";
 *
 * const shutdown = new GracefulShutdown({ signals: denoSignals({ hangup: true }) });
 * shutdown.defer(() => console.log("closing"));
 * await shutdown.shutdown(); // a signal would do the same; the listeners are removed again
 * ```
 *
 * @module
 */
import type { OsSignal, ShutdownSignal, SignalSource } from "../signals.ts";
import { denoHost, listen, osSource } from "../_signal_hosts.ts";
import { optionSignals } from "./_options.ts";
import { validateFunction } from "../_validate.ts";

export type { OsSignal, ShutdownSignal, SignalSource } from "../signals.ts";

/**
 * Options for {@linkcode denoSignals}.
 *
 * @example Listen to SIGTERM and SIGHUP only, leaving Ctrl+C to the runtime
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { denoSignals, type DenoSignalsOptions } from "@quiesce/quiesce/deno";
 * import { assertEquals } from "@std/assert";
 *
 * const options: DenoSignalsOptions = { signals: ["SIGTERM"], hangup: true };
 * const shutdown = new GracefulShutdown({ signals: denoSignals(options) });
 * assertEquals(shutdown.isShutdown, false);
 * const report = await shutdown.shutdown(); // removes both listeners again
 * assertEquals(report.signal, "manual");
 * assertEquals(report.ok, true);
 * ```
 */
export interface DenoSignalsOptions {
  /** Which signals to listen to. Default `["SIGINT", "SIGTERM"]`. */
  signals?: readonly OsSignal[];
  /** Also listen to SIGHUP (a closed terminal, or a supervisor's reload). Default `false`. */
  hangup?: boolean;
}

/**
 * A {@linkcode SignalSource} that listens with `Deno.addSignalListener`; its remover takes
 * every listener off again, which restores Deno's default action (a second Ctrl+C ends the
 * process with code 130, SIGTERM with 143, SIGHUP with 129).
 *
 * Outside Deno (or where Deno offers no signals, such as a web worker) the source does
 * nothing and its remover is a no-op, so it is safe to build anywhere. A signal Deno refuses
 * on this platform (Windows has only SIGINT and SIGBREAK) is skipped.
 *
 * A listener does not keep Deno running: with nothing else pending the process ends, so a
 * program that waits for a signal must hold the event loop open itself (`main()` does).
 * While a listener is installed it replaces an inherited "ignore" disposition: a Deno
 * started with SIGINT ignored (a background job of a script) is still told about SIGINT.
 *
 * @example Call the source directly
 * ```ts
 * import { denoSignals } from "@quiesce/quiesce/deno";
 *
 * const listen = denoSignals({ signals: ["SIGTERM"], hangup: true });
 * const remove = listen((signal: string) => console.log("received", signal));
 * remove(); // both listeners are gone; calling it again does nothing
 * remove();
 * ```
 *
 * @example Bad names are refused up front
 * ```ts
 * import { denoSignals } from "@quiesce/quiesce/deno";
 * import { assertThrows } from "@std/assert";
 *
 * const names = JSON.parse('["SIGKILL"]'); // e.g. from a config file
 * assertThrows(() => denoSignals({ signals: names }), TypeError, "options.signals");
 * ```
 *
 * @param options Which signals to listen to.
 * @returns A source for `new GracefulShutdown({ signals })`.
 * @throws {TypeError} If `options.signals` holds anything but `"SIGINT"`, `"SIGTERM"` and
 * `"SIGHUP"`, or `options.hangup` is not a boolean.
 */
export function denoSignals(options?: DenoSignalsOptions): SignalSource {
  const names = optionSignals(options, "options");
  return osSource((onSignal: (signal: ShutdownSignal) => void): () => void => {
    validateFunction(onSignal, "onSignal");
    return listen(denoHost(), names, onSignal);
  });
}

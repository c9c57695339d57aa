/**
 * A {@linkcode SignalSource} on Deno's own signal API, `Deno.addSignalListener`.
 *
 * `GracefulShutdown` already listens to SIGINT and SIGTERM with {@linkcode hostSignals};
 * use this to listen on Deno only, or to pick other signals. Deno Deploy sends SIGINT (not
 * SIGTERM) before it stops an isolate, so keep SIGINT in the list there.
 *
 * @example Shut down on SIGINT, SIGTERM or SIGHUP
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { denoSignals } from "@quiesce/quiesce/deno";
 *
 * const shutdown = new GracefulShutdown({
 *   signals: denoSignals({ signals: ["SIGINT", "SIGTERM", "SIGHUP"] }),
 * });
 * shutdown.defer(() => console.log("closing"));
 * await shutdown.shutdown(); // a signal would do the same; the listeners are removed again
 * ```
 *
 * @module
 */
import {
  hostSignals,
  type SignalsOptions,
  type SignalSource,
  signalSource,
} from "./signals.ts";
import { denoHost } from "./_host.ts";

export type {
  OsSignal,
  ShutdownTrigger,
  SignalsOptions,
  SignalSource,
} from "./signals.ts";
/** The default source, re-exported so this page links to it. */
export { hostSignals };

/**
 * A {@linkcode SignalSource} that listens with `Deno.addSignalListener`; its remover takes
 * every listener off again, which restores Deno's default action (a second Ctrl+C ends the
 * process with code 130, SIGTERM with 143, SIGHUP with 129).
 *
 * Outside Deno (or where Deno offers no signals, such as a web worker) the source does
 * nothing and its remover is a no-op, so it is safe to build anywhere. A signal Deno refuses
 * on this platform is skipped: on Windows, Deno has SIGINT and SIGBREAK (Ctrl+Break), and
 * newer versions SIGTERM.
 *
 * A listener does not keep Deno running: with nothing else pending the process ends, so a
 * program that waits for a signal must hold the event loop open (`GracefulShutdown.wait()`
 * and `main()` do). While a listener is installed it replaces an inherited "ignore"
 * disposition: a Deno started with SIGINT ignored (a background job of a script) is still
 * told about SIGINT.
 *
 * @example Call the source directly
 * ```ts
 * import { denoSignals } from "@quiesce/quiesce/deno";
 *
 * const listen = denoSignals({ signals: ["SIGTERM", "SIGHUP"] });
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
 * @param options Which signals to listen to (default SIGINT and SIGTERM).
 * @returns A source for `new GracefulShutdown({ signals })`.
 * @throws {TypeError} If `options.signals` holds anything but the names of
 * {@linkcode OsSignal}.
 */
export function denoSignals(options?: SignalsOptions): SignalSource {
  return signalSource(denoHost, options);
}

/**
 * A {@linkcode SignalSource} on `process.on`/`process.off`: Bun and Node have the same API.
 *
 * `GracefulShutdown` already listens to SIGINT and SIGTERM with {@linkcode hostSignals};
 * use this to listen through `process` only, or to pick other signals (SIGUSR2 for nodemon
 * or pm2, SIGBREAK for Ctrl+Break on Windows).
 *
 * @example Shut down on SIGINT or SIGTERM under Bun or Node
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { processSignals } from "@quiesce/quiesce/process";
 *
 * const shutdown = new GracefulShutdown({ signals: processSignals() });
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
import { processHost } from "./_host.ts";

export type {
  OsSignal,
  ShutdownTrigger,
  SignalsOptions,
  SignalSource,
} from "./signals.ts";
/** The default source, re-exported so this page links to it. */
export { hostSignals };

/**
 * A {@linkcode SignalSource} that listens with `process.on` and removes exactly its own
 * listeners with `process.off` (never another library's, never with
 * `removeAllListeners`). Once the last listener for a signal is gone, the runtime's default
 * action is back: a second Ctrl+C ends the process with code 130, SIGTERM with 143.
 *
 * Where there is no `process` with `on`/`off` the source does nothing and its remover is a
 * no-op, so it is safe to build anywhere.
 *
 * Two runtime facts shape how to use it:
 * - A signal listener does not keep Bun or Node running: with nothing else pending the
 *   process ends (Node even with a top-level `await` still waiting, exit code 13). A program
 *   that waits for a signal must hold the event loop open itself; `main()` does.
 * - Bun (like Deno, unlike Node, which resets it at startup) keeps an inherited "ignore
 *   SIGINT": a Bun started by a script without job control, e.g. `bun app.ts &`, does
 *   nothing on `kill -INT` or Ctrl+C. This source deliberately does not honour that
 *   inheritance: while its listener is installed, it replaces the ignore, so the program
 *   still shuts down gracefully on SIGINT, as it would under Node. After the remover ran,
 *   the runtime restores the default action (terminate, code 130), not the inherited
 *   ignore. Pass `signals: ["SIGTERM"]` to leave SIGINT alone.
 *
 * @example Call the source directly
 * ```ts
 * import { processSignals } from "@quiesce/quiesce/process";
 *
 * const listen = processSignals({ signals: ["SIGINT", "SIGTERM", "SIGUSR2"] });
 * const remove = listen((signal: string) => console.log("received", signal));
 * remove(); // all three listeners are gone; calling it again does nothing
 * remove();
 * ```
 *
 * @example Bad names are refused up front (Bun itself would accept them silently)
 * ```ts
 * import { processSignals } from "@quiesce/quiesce/process";
 * import { assertThrows } from "@std/assert";
 *
 * const names = JSON.parse('["SIGUSR1"]'); // e.g. from a config file
 * assertThrows(() => processSignals({ signals: names }), TypeError, "options.signals");
 * ```
 *
 * @param options Which signals to listen to (default SIGINT and SIGTERM).
 * @returns A source for `new GracefulShutdown({ signals })`.
 * @throws {TypeError} If `options.signals` holds anything but the names of
 * {@linkcode OsSignal}.
 */
export function processSignals(options?: SignalsOptions): SignalSource {
  return signalSource(processHost, options);
}

// The signal layer: what begins a shutdown (the public types), the host's signal sources,
// and the rule that turns an `options.signals` value into a source. The names and numbers of
// the signals live in one table (./_signal_table.ts); the host lookups in ./_host.ts.
import {
  DEFAULT_SIGNALS,
  listSignalNames,
  OS_SIGNALS,
  type SignalName,
} from "./_signal_table.ts";
import { denoHost, processHost, type SignalHost } from "./_host.ts";
import { describe, validateOptions } from "./_validate.ts";

/**
 * What triggered a shutdown: an OS signal name, or where a programmatic trigger came from:
 * `"manual"` (`shutdown()`, an aborted `options.signal`, `fn` returning under `main()`),
 * `"worker"` (the parent's `stopWorker`), `"failure"` (a task failed or the process crashed,
 * with `shutdownOnFailure`; the report's `reason` is the error). The value is its own
 * readable form.
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
 *     default: // "manual", "worker" or "failure": the program (or its parent) chose to stop
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
export type ShutdownTrigger = OsSignal | "manual" | "worker" | "failure";

/**
 * The OS signals a {@linkcode SignalSource} built on the host may listen to. SIGINT and
 * SIGTERM are the default; the others are opt-in: SIGHUP (a closed terminal, a reload),
 * SIGQUIT (Ctrl+\\), SIGUSR2 (nodemon's and pm2's restart), SIGBREAK (Ctrl+Break on
 * Windows). A signal the platform does not have is skipped. Each behaves the same way: a
 * clean drain after it exits 128 + its number under `main()` (130, 143, 129, 131, 140, 149),
 * and a second one during the drain forces the exit (see the README's signal table).
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

// OsSignal is written out above for its documentation; this fails to type-check unless it
// names exactly the rows of the one signal table (src/_signal_table.ts).
const sameNames: [OsSignal, SignalName] extends [SignalName, OsSignal] ? true
  : never = true;
void sameNames;

/**
 * A {@linkcode SignalSource} on the host's own signal API, found by feature detection:
 * `Deno.addSignalListener` on Deno, `process.on`/`off` on Bun and Node, nothing elsewhere
 * (browsers, web workers, edge isolates without signals), so it is always safe to use.
 * A signal the host does not have on this platform is skipped (on Windows, Deno has SIGINT
 * and SIGBREAK, and newer versions SIGTERM). Where a source is accepted (`signals` of
 * `GracefulShutdown` and `main()`), a list of names means this source:
 * `signals: ["SIGINT", "SIGBREAK"]` is `signals: hostSignals({ signals: ["SIGINT", "SIGBREAK"] })`.
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

/**
 * The de-duplicated signal names in `value`, checked up front: hosts disagree on bad names
 * (Deno throws only when the listener is added, Bun accepts anything silently).
 *
 * @throws {TypeError} Naming `name`, unless `value` is an array of known signal names.
 */
function signalNames(value: unknown, name: string): OsSignal[] {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Cannot use ${name}: expected an array of signal names, got ${
        describe(value)
      }`,
    );
  }
  for (const signal of value) {
    if (!OS_SIGNALS.includes(signal)) {
      throw new TypeError(
        `Cannot use ${name}: ${
          describe(signal)
        } is not one of ${listSignalNames()}`,
      );
    }
  }
  return [...new Set<OsSignal>(value)];
}

/**
 * Listens to `signals` on `host` (nothing when there is no host) and returns the remover of
 * every listener added. A signal the host refuses (Deno on Windows has no SIGTERM) is skipped.
 */
function listen(
  host: SignalHost | undefined,
  signals: readonly OsSignal[],
  onSignal: (signal: ShutdownTrigger) => void,
): () => void {
  if (host === undefined) return () => {};
  const removers: Array<() => void> = [];
  for (const signal of signals) {
    // A fresh function per signal and per call: Deno ignores a function added twice, and
    // `off` must remove exactly this listener.
    const handler = () => onSignal(signal);
    try {
      host.add(signal, handler);
    } catch {
      continue; // Not supported on this platform.
    }
    removers.push(() => host.remove(signal, handler));
  }
  return () => {
    for (const remove of removers.splice(0)) {
      try {
        remove();
      } catch {
        // The host is tearing down and its listener is gone with it.
      }
    }
  };
}

/** Sources that deliver real OS signals (see {@linkcode isOsSource}). */
const osSources = new WeakSet<object>();

/**
 * Whether `source` delivers real OS signals, which task runners and process-group
 * supervisors may deliver twice (see _repeat.ts).
 */
export function isOsSource(source: unknown): boolean {
  return typeof source === "function" && osSources.has(source);
}

/**
 * A source listening on the host `pickHost` finds when it is installed (nothing where it
 * finds none) to the signals `options` asks for, checked now: the one body of
 * `hostSignals`, `denoSignals` and `processSignals`.
 *
 * @throws {TypeError} Naming the option, if `options` is not well formed.
 */
export function signalSource(
  pickHost: () => SignalHost | undefined,
  options: SignalsOptions | undefined,
): SignalSource {
  validateOptions(options, "options", ["signals"]);
  const names = signalNames(
    options?.signals ?? DEFAULT_SIGNALS,
    "options.signals",
  );
  const source = (onSignal: (signal: ShutdownTrigger) => void): () => void => {
    validateListener(onSignal);
    return listen(pickHost(), names, onSignal);
  };
  osSources.add(source);
  return source;
}

/**
 * Checks the function a {@linkcode SignalSource} is installed with, saying what to pass:
 * every source (the host's, `./deno`, `./process`, `./worker`, `manualSignals`) uses it.
 *
 * @throws {TypeError} Unless `onSignal` is a function.
 */
export function validateListener(onSignal: unknown): void {
  if (typeof onSignal !== "function") {
    throw new TypeError(
      `Cannot use onSignal: expected a function to call with each signal (a source is installed as source((signal) => ...), as GracefulShutdown does), got ${
        describe(onSignal)
      }`,
    );
  }
}

/**
 * What an `options.signals` value means, wherever a signal source is accepted: a source is
 * itself, a list of names is `hostSignals({ signals })`, `false` is none.
 *
 * @throws {TypeError} Naming `name` and saying what to pass, for anything else.
 */
export function toSignalSource(
  value: unknown,
  name: string,
): SignalSource | false {
  if (value === false || typeof value === "function") {
    return value as SignalSource | false;
  }
  if (Array.isArray(value)) {
    return hostSignals({ signals: signalNames(value, name) });
  }
  throw new TypeError(
    `Cannot use ${name}: expected a signal source (such as hostSignals()), a list of signal names (such as ["SIGINT", "SIGTERM"]) or false, got ${
      describe(value)
    }`,
  );
}

// The one place that adds and removes OS signal listeners, shared by the default source
// (`hostSignals`) and the `./deno` and `./process` sources. Hosts are found through
// `globalThis`, so nothing here references `Deno` or `process` statically.
import type {
  OsSignal,
  ShutdownTrigger,
  SignalsOptions,
  SignalSource,
} from "./trigger.ts";
import { describe, validateFunction, validateOptions } from "./_validate.ts";

/** Every OS signal a host source may listen to. */
export const OS_SIGNALS: readonly OsSignal[] = [
  "SIGINT",
  "SIGTERM",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR2",
  "SIGBREAK",
];

/**
 * The de-duplicated signal names `options` asks for (default SIGINT and SIGTERM), checked
 * before any listener exists.
 *
 * @throws {TypeError} Naming `name`, unless `options` is well formed.
 */
function optionSignals(
  options: SignalsOptions | undefined,
  name: string,
): OsSignal[] {
  validateOptions(options, name, ["signals"]);
  return signalNames(
    options?.signals ?? ["SIGINT", "SIGTERM"],
    `${name}.signals`,
  );
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
        `Cannot use ${name}: ${describe(signal)} is not one of ${
          OS_SIGNALS.map((known) => `"${known}"`).join(", ")
        }`,
      );
    }
  }
  return [...new Set<OsSignal>(value)];
}

/** Adds and removes one signal listener on a host. */
export interface SignalHost {
  add(signal: OsSignal, handler: () => void): void;
  remove(signal: OsSignal, handler: () => void): void;
}

/** `Deno.addSignalListener`/`removeSignalListener`, if this is Deno. */
export function denoHost(): SignalHost | undefined {
  const deno = (globalThis as {
    Deno?: {
      addSignalListener?: (signal: string, handler: () => void) => void;
      removeSignalListener?: (signal: string, handler: () => void) => void;
    };
  }).Deno;
  const add = deno?.addSignalListener, remove = deno?.removeSignalListener;
  if (typeof add !== "function" || typeof remove !== "function") {
    return undefined;
  }
  return {
    add: (signal, handler) => add.call(deno, signal, handler),
    remove: (signal, handler) => remove.call(deno, signal, handler),
  };
}

/** `process.on`/`off`, if this is Bun or Node. */
export function processHost(): SignalHost | undefined {
  const process = (globalThis as {
    process?: {
      on?: (event: string, listener: () => void) => unknown;
      off?: (event: string, listener: () => void) => unknown;
    };
  }).process;
  const on = process?.on, off = process?.off;
  if (typeof on !== "function" || typeof off !== "function") return undefined;
  return {
    add: (signal, handler) => void on.call(process, signal, handler),
    remove: (signal, handler) => void off.call(process, signal, handler),
  };
}

/**
 * Listens to `signals` on `host` (nothing when there is no host) and returns the remover of
 * every listener added. A signal the host refuses (Deno on Windows has no SIGTERM) is skipped.
 */
export function listen(
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

const osSources = new WeakSet<object>();

/**
 * Marks `source` as delivering real OS signals, which task runners and process-group
 * supervisors may deliver twice (see _repeat.ts). Returns it.
 */
function osSource<S extends object>(source: S): S {
  osSources.add(source);
  return source;
}

/** Whether `source` delivers real OS signals (see {@linkcode osSource}). */
export function isOsSource(source: unknown): boolean {
  return typeof source === "function" && osSources.has(source);
}

/**
 * Sends `signal` to this process again, once our listeners are gone, so that the runtime's
 * default action (ending the process) happens as if we had never listened.
 */
export function raiseSignal(signal: OsSignal): void {
  const host = globalThis as {
    Deno?: { pid?: number; kill?(pid: number, signal: string): void };
    process?: { pid?: number; kill?(pid: number, signal: string): unknown };
  };
  try {
    if (typeof host.Deno?.kill === "function") {
      host.Deno.kill(host.Deno.pid!, signal);
    } else if (typeof host.process?.kill === "function") {
      host.process.kill(host.process.pid!, signal);
    }
  } catch {
    // No permission to signal ourselves (Deno without --allow-run): the signal is lost,
    // as it would be with a listener the program forgot to remove.
  }
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
  const names = optionSignals(options, "options");
  return osSource((onSignal: (signal: ShutdownTrigger) => void): () => void => {
    validateFunction(onSignal, "onSignal");
    return listen(pickHost(), names, onSignal);
  });
}

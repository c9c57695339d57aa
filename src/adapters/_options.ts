// Option checks shared by the signal adapters, so `denoSignals` and `processSignals` accept
// exactly the same input and reject bad input with the same clear errors.
import type { OsSignal } from "../signals.ts";
import { describe, validateOptions } from "../_validate.ts";

/** Options shared by the OS signal adapters. */
export interface OsSignalsOptions {
  /** Which signals to listen to. Default `["SIGINT", "SIGTERM"]`. */
  signals?: readonly OsSignal[];
  /** Also listen to SIGHUP (a closed terminal, or a supervisor's reload). Default `false`. */
  hangup?: boolean;
}

const KNOWN: readonly OsSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * The de-duplicated signal names `options` asks for.
 *
 * Hosts disagree on bad names (Deno throws a `TypeError` only when the listener is added,
 * Bun accepts anything silently), so names are checked here, before any listener exists.
 */
export function signalNames(
  options: OsSignalsOptions | undefined,
  name: string,
): OsSignal[] {
  validateOptions(options, name);
  const signals = options?.signals ?? ["SIGINT", "SIGTERM"];
  if (!Array.isArray(signals)) {
    throw new TypeError(
      `Cannot use ${name}.signals: expected an array of signal names, got ${
        describe(signals)
      }`,
    );
  }
  for (const signal of signals) {
    if (!KNOWN.includes(signal)) {
      throw new TypeError(
        `Cannot use ${name}.signals: ${
          describe(signal)
        } is not one of "SIGINT", "SIGTERM", "SIGHUP"`,
      );
    }
  }
  const hangup = options?.hangup ?? false;
  if (typeof hangup !== "boolean") {
    throw new TypeError(
      `Cannot use ${name}.hangup: expected a boolean, got ${describe(hangup)}`,
    );
  }
  const names = new Set<OsSignal>(signals);
  if (hangup) names.add("SIGHUP");
  return [...names];
}

/** Throws unless the `onSignal` a source was given is a function. */
export function validateOnSignal(onSignal: unknown): void {
  if (typeof onSignal !== "function") {
    throw new TypeError(
      `Cannot use onSignal: expected a function, got ${describe(onSignal)}`,
    );
  }
}

// Option checks shared by the signal adapters, so `denoSignals` and `processSignals` accept
// exactly the same input and reject bad input with the same clear errors.
import type { OsSignal } from "../signals.ts";
import { signalNames } from "../_signal_hosts.ts";
import { describe, validateOptions } from "../_validate.ts";

/** Options shared by the OS signal adapters. */
export interface OsSignalsOptions {
  /** Which signals to listen to. Default `["SIGINT", "SIGTERM"]`. */
  signals?: readonly OsSignal[];
  /** Also listen to SIGHUP (a closed terminal, or a supervisor's reload). Default `false`. */
  hangup?: boolean;
}

/**
 * The de-duplicated signal names `options` asks for (`signals`, plus SIGHUP with `hangup`),
 * checked before any listener exists.
 */
export function optionSignals(
  options: OsSignalsOptions | undefined,
  name: string,
): OsSignal[] {
  validateOptions(options, name, ["signals", "hangup"]);
  const names = signalNames(
    options?.signals ?? ["SIGINT", "SIGTERM"],
    `${name}.signals`,
  );
  const hangup = options?.hangup ?? false;
  if (typeof hangup !== "boolean") {
    throw new TypeError(
      `Cannot use ${name}.hangup: expected a boolean, got ${describe(hangup)}`,
    );
  }
  if (hangup && !names.includes("SIGHUP")) names.push("SIGHUP");
  return names;
}

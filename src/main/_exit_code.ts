// main()'s exit code policy, and the `exitCode` option that overrides it.
import type { ShutdownTrigger } from "../signals.ts";
import type { MainFailure } from "./types.ts";
import { describe } from "../_validate.ts";
import { signalExitCode } from "../_signal_table.ts";

/** The parts of the outcome the policy looks at (`MainOutcome` without `code`). */
export interface ExitParts {
  readonly trigger: ShutdownTrigger;
  readonly report: { readonly ok: boolean } | undefined;
  readonly forcedBy: ShutdownTrigger | undefined;
  readonly failed: boolean;
  readonly error: unknown;
  readonly failures: readonly MainFailure[];
}

/**
 * The default policy: a forced exit reports the forcing signal as the runtime's default
 * action would (128 + n); a failure (of `fn`, a task, a cleanup step, a hook, or a crash),
 * even after a signal, or an unfinished drain is 1; a clean drain after an OS signal is
 * 128 + n (every signal of the table: 129, 130, 131, 140, 143, 149), so shells and
 * supervisors see what they would have seen without us; everything else is 0.
 */
export function defaultExitCode(parts: ExitParts): number {
  const forced = parts.forcedBy && signalExitCode(parts.forcedBy);
  if (forced !== undefined) return forced;
  if (parts.failed || parts.report?.ok !== true) return 1;
  return signalExitCode(parts.trigger) ?? 0;
}

function isExitCode(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 &&
    (value as number) <= 255;
}

/**
 * Builds the policy from the `exitCode` option (validated here): a number replaces
 * 128 + n after a clean signal-triggered shutdown; a function decides every code, and its
 * failure or a bad result falls back to the default code rather than crash the exit.
 *
 * @throws {TypeError | RangeError} If `exitCode` is not a function or an integer 0–255.
 */
export function exitCodeFor(
  exitCode: unknown,
): (parts: ExitParts, log: (line: string, error?: unknown) => void) => number {
  if (exitCode !== undefined && typeof exitCode !== "function") {
    if (typeof exitCode !== "number") {
      throw new TypeError(
        `Cannot use options.exitCode: expected an exit code or a function, got ${
          describe(exitCode)
        }`,
      );
    }
    if (!isExitCode(exitCode)) {
      throw new RangeError(
        `Cannot use options.exitCode: expected an integer from 0 to 255, got ${exitCode}`,
      );
    }
  }
  return (parts, log) => {
    const code = defaultExitCode(parts);
    if (typeof exitCode === "number") {
      const clean = parts.forcedBy === undefined && !parts.failed &&
        parts.report?.ok === true &&
        signalExitCode(parts.trigger) !== undefined;
      return clean ? exitCode : code;
    }
    if (typeof exitCode !== "function") return code;
    try {
      const chosen = exitCode({ ...parts, code });
      if (isExitCode(chosen)) return chosen;
      log(
        `options.exitCode returned ${
          describe(chosen)
        }, not an integer from 0 to 255; using ${code}`,
      );
    } catch (error) {
      log(`options.exitCode threw; using ${code}:`, error);
    }
    return code;
  };
}

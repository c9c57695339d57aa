// The platform's kill deadline: a process that is still draining when its grace period ends
// is killed (SIGKILL) mid-drain. main() checks at start-up that its shutdown fits.
import { seconds } from "./_ending.ts";

/** Deno Deploy sends SIGINT, then SIGKILL 5 s later. */
export const DENO_DEPLOY_GRACE_MS = 5_000;

/**
 * What the exit itself may take after the drain's deadline: the last log lines, the
 * runtime's exit hooks, and the signal's way from the platform to the handler.
 */
export const EXIT_MARGIN_MS = 500;

/**
 * The start-up warning (without the `quiesce: ` prefix) when a shutdown of `timeoutMs` (it
 * covers `drainDelay` too) plus {@linkcode EXIT_MARGIN_MS} does not fit the grace period:
 * `gracePeriodMs` when given, else Deno Deploy's 5 s when on Deploy; `undefined` when it
 * fits or no grace period is known.
 */
export function graceWarning(
  timeoutMs: number,
  gracePeriodMs: number | undefined,
  onDeploy: boolean,
): string | undefined {
  const grace = gracePeriodMs ?? (onDeploy ? DENO_DEPLOY_GRACE_MS : undefined);
  if (grace === undefined || grace === Infinity) return undefined;
  if (timeoutMs + EXIT_MARGIN_MS <= grace) return undefined;
  const whose = gracePeriodMs === undefined
    ? "Deno Deploy's 5 s grace period"
    : `the ${seconds(grace)} grace period (options.gracePeriod)`;
  const fix = grace > EXIT_MARGIN_MS
    ? `set timeout to at most ${seconds(grace - EXIT_MARGIN_MS)}`
    : "the grace period leaves no time to drain";
  const took = timeoutMs === Infinity ? "Infinity (no deadline)" : seconds(
    timeoutMs,
  );
  return `timeout ${took} plus ${EXIT_MARGIN_MS} ms to exit does not fit ${whose}: the platform would kill the process mid-drain; ${fix}`;
}

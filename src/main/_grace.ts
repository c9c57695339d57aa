// The platform's kill deadline: a process that is still draining when its grace period ends
// is killed (SIGKILL) mid-drain. main() checks at start-up that its shutdown fits.
import { seconds } from "./_ending.ts";
import { exitMargin, type PlatformProfile } from "./_platforms.ts";

/** Deno Deploy sends SIGINT, then SIGKILL 5 s later. */
const DENO_DEPLOY_GRACE_MS = 5_000;

/**
 * The start-up warning (without the `quiesce: ` prefix) when a shutdown of `timeoutMs` (it
 * covers `drainDelay` too) plus the exit margin ({@linkcode exitMargin}: 500 ms, or a fifth of a short grace period) does not fit the grace period:
 * `gracePeriodMs` when given, else Deno Deploy's 5 s when on Deploy, else the detected
 * platform's; `undefined` when it fits or no grace period is known.
 */
export function graceWarning(
  timeoutMs: number,
  gracePeriodMs: number | undefined,
  onDeploy: boolean,
  platform?: PlatformProfile,
): string | undefined {
  const grace = gracePeriodMs ??
    (onDeploy ? DENO_DEPLOY_GRACE_MS : platform?.gracePeriod);
  if (grace === undefined || grace === Infinity) return undefined;
  const margin = exitMargin(grace);
  if (timeoutMs + margin <= grace) return undefined;
  const whose = gracePeriodMs !== undefined
    ? `the ${seconds(grace)} grace period (options.gracePeriod)`
    : onDeploy
    ? "Deno Deploy's 5 s grace period"
    : `${platform!.name}'s default ${seconds(grace)} grace period (${
      platform!.detectedBy
    }; pass gracePeriod if ${platform!.setting} says otherwise)`;
  const fix = `set timeout to at most ${seconds(grace - margin)}`;
  const took = timeoutMs === Infinity ? "Infinity (no deadline)" : seconds(
    timeoutMs,
  );
  return `timeout ${took} plus ${
    Math.round(margin)
  } ms to exit does not fit ${whose}: the platform would kill the process mid-drain; ${fix}`;
}

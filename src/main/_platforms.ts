// The platforms main() recognises, in one table: how each one is told apart (a variable it
// sets and users do not), the signal it stops a process with, and its grace period before
// SIGKILL; and the plan that follows from them. Each row cites the platform's own docs.
import type { OsSignal } from "../signals.ts";
import { seconds } from "./_ending.ts";

/** One platform's stop behaviour. */
export interface PlatformProfile {
  /** Short name, as printed in the plan line. */
  readonly name: string;
  /** The variable(s) that identify it. */
  readonly detectedBy: string;
  /** The signal it stops a process with. */
  readonly stopSignal: OsSignal;
  /** Milliseconds from the stop signal to SIGKILL, by default. */
  readonly gracePeriod: number;
  /**
   * The default `timeout` there: the grace period less about a second for the signal's
   * way in and the exit's way out (Lambda: 100 ms), never more than the usual 30 s.
   */
  readonly timeout: number;
  /** Where the user changes the grace period, if anywhere. */
  readonly setting: string;
  /** The documentation the row was checked against. */
  readonly source: string;
}

type Env = (name: string) => string | undefined;

interface Row extends PlatformProfile {
  readonly matches: (env: Env, denoDeploy: boolean) => boolean;
}

const has = (env: Env, name: string) => !!env(name);

/**
 * The table, most specific first: Knative on Kubernetes sets `K_SERVICE` too, so Cloud
 * Run is only Cloud Run without `KUBERNETES_SERVICE_HOST`; a container started by systemd
 * inherits nothing of it, so systemd comes last.
 */
export const PLATFORMS: readonly Row[] = [
  {
    name: "aws-lambda",
    detectedBy: "AWS_LAMBDA_FUNCTION_NAME",
    stopSignal: "SIGTERM",
    // Only with an extension registered; the runtime gets 300 ms (500 ms with an internal
    // extension) of the 2 s shutdown phase.
    gracePeriod: 300,
    timeout: 200,
    setting: "none (register an extension to get SIGTERM at all)",
    source:
      "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html (shutdown phase); https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
    matches: (env) => has(env, "AWS_LAMBDA_FUNCTION_NAME"),
  },
  {
    name: "cloud-run",
    detectedBy: "K_SERVICE without KUBERNETES_SERVICE_HOST",
    stopSignal: "SIGTERM",
    gracePeriod: 10_000,
    timeout: 9_000,
    setting: "none",
    source:
      "https://cloud.google.com/run/docs/container-contract (environment variables; instance shutdown: SIGTERM, SIGKILL 10 s later)",
    matches: (env) =>
      has(env, "K_SERVICE") && !has(env, "KUBERNETES_SERVICE_HOST"),
  },
  {
    name: "fly",
    detectedBy: "FLY_APP_NAME",
    stopSignal: "SIGINT",
    gracePeriod: 5_000,
    timeout: 4_000,
    setting: "kill_signal and kill_timeout in fly.toml",
    source:
      "https://fly.io/docs/machines/runtime-environment/ (FLY_APP_NAME); https://fly.io/docs/reference/configuration/ (kill_signal default SIGINT, kill_timeout default 5 s)",
    matches: (env) => has(env, "FLY_APP_NAME"),
  },
  {
    name: "ecs",
    detectedBy: "ECS_CONTAINER_METADATA_URI_V4",
    stopSignal: "SIGTERM",
    gracePeriod: 30_000,
    timeout: 29_000,
    setting:
      "stopTimeout in the container definition (Fargate: at most 120 s), or ECS_CONTAINER_STOP_TIMEOUT",
    source:
      "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (stopTimeout, default 30 s)",
    matches: (env) => has(env, "ECS_CONTAINER_METADATA_URI_V4"),
  },
  {
    name: "deno-deploy",
    detectedBy: "DENO_DEPLOY=true, or DENO_REGION with DENO_DEPLOYMENT_ID",
    stopSignal: "SIGINT",
    gracePeriod: 5_000,
    timeout: 4_000,
    setting: "none",
    source:
      "https://docs.deno.com/deploy/reference/env_vars_and_contexts/; https://docs.deno.com/deploy/classic/environment-variables/",
    // Read by onDenoDeploy() (./_host.ts), on Deno only and without a permission prompt.
    matches: (_env, deploy) => deploy,
  },
  {
    name: "kubernetes",
    detectedBy: "KUBERNETES_SERVICE_HOST",
    stopSignal: "SIGTERM",
    // The default; the pod's own value is not visible inside it: pass gracePeriod.
    gracePeriod: 30_000,
    timeout: 29_000,
    setting:
      "terminationGracePeriodSeconds in the pod spec (preStop hooks count against it)",
    source:
      "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination; https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/",
    matches: (env) => has(env, "KUBERNETES_SERVICE_HOST"),
  },
  {
    name: "systemd",
    detectedBy: "INVOCATION_ID or NOTIFY_SOCKET",
    stopSignal: "SIGTERM",
    gracePeriod: 90_000,
    timeout: 30_000,
    setting: "TimeoutStopSec= in the unit (DefaultTimeoutStopSec=, 90 s)",
    source:
      "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html ($INVOCATION_ID); https://www.freedesktop.org/software/systemd/man/latest/systemd-system.conf.html (DefaultTimeoutStopSec=90s)",
    matches: (env) => has(env, "INVOCATION_ID") || has(env, "NOTIFY_SOCKET"),
  },
];

/**
 * The platform this process runs on, from its environment (and `denoDeploy`, detected or
 * passed); `undefined` when none fits.
 */
export function detectPlatform(
  env: Env,
  denoDeploy = false,
): PlatformProfile | undefined {
  const row = PLATFORMS.find((platform) => platform.matches(env, denoDeploy));
  if (row === undefined) return undefined;
  const { matches: _, ...profile } = row;
  return profile;
}

/**
 * What the exit itself may take after the drain's deadline (the last log lines, the
 * runtime's exit hooks, the signal's way to the handler): 500 ms, or a fifth of a grace
 * period shorter than 2.5 s (Lambda's 300 ms leaves 60 ms).
 */
export function exitMargin(gracePeriod: number): number {
  return Math.min(500, gracePeriod / 5);
}

/** A shutdown's plan: how long it may take, and why. */
export interface ShutdownPlan {
  /** The whole shutdown's budget in ms. */
  readonly timeout: number;
  /** The grace period it fits, if one is known. */
  readonly gracePeriod: number | undefined;
  /** Where the grace period came from. */
  readonly graceFrom: "option" | "platform" | "none";
  /** The platform, if detected. */
  readonly platform: PlatformProfile | undefined;
}

/**
 * The plan: an explicit `timeout` wins; else a passed grace period less
 * {@linkcode exitMargin}; else the platform's own timeout; else `fallback`.
 */
export function planShutdown(
  options: { timeout?: number; gracePeriod?: number },
  platform: PlatformProfile | undefined,
  fallback: number,
): ShutdownPlan {
  const gracePeriod = options.gracePeriod ?? platform?.gracePeriod;
  const graceFrom = options.gracePeriod !== undefined
    ? "option"
    : platform?.gracePeriod !== undefined
    ? "platform"
    : "none";
  const passed = options.gracePeriod;
  const fitted = passed !== undefined && passed !== Infinity
    ? Math.max(0, Math.floor(passed - exitMargin(passed)))
    : passed === undefined && platform !== undefined
    ? platform.timeout
    : fallback;
  return {
    timeout: options.timeout ?? fitted,
    gracePeriod,
    graceFrom,
    platform,
  };
}

/**
 * The plan in one line (without the `quiesce: ` prefix): the platform, the phases and the
 * grace period they fit.
 */
export function planLine(
  plan: ShutdownPlan,
  drainDelay: number,
  flushReserve: number,
): string {
  const where = plan.platform
    ? `${plan.platform.name} (${plan.platform.detectedBy}), stops with ${plan.platform.stopSignal}`
    : "no platform detected";
  const grace = plan.gracePeriod === undefined
    ? "no grace period known"
    : `grace period ${seconds(plan.gracePeriod)} (${
      plan.graceFrom === "option" ? "options.gracePeriod" : "platform default"
    })`;
  const main = plan.timeout - flushReserve;
  return `plan: ${where}; drain delay ${
    seconds(drainDelay)
  }, tasks and cleanup until ${seconds(main)}, flush reserve ${
    seconds(flushReserve)
  }, deadline ${seconds(plan.timeout)}; ${grace}`;
}

// The options a run draws before its first operation: which host it drives and how that
// host is configured. Drawn in a fixed order from the seed (see prng.ts).
import type { Rng } from "./prng.ts";

/** The options one run drew. */
export interface ScenarioConfig {
  host: "group" | "shutdown";
  policy: "fail-fast" | "collect";
  /** A TaskGroup (results are joined) or, when false, a TaskTracker (none are). */
  joinable: boolean;
  onError: boolean;
  outer: "none" | "parent" | "signal";
  timeout: number;
  ops: number;
}

/**
 * A GracefulShutdown always collects, is never joinable, always has onError and no outer
 * token: those options do not exist there, so they are not drawn for it. A TaskTracker has
 * no failure policy: it never cancels on a failure, as "collect".
 */
export function drawConfig(r: Rng): ScenarioConfig {
  const host = r.chance(0.35) ? "shutdown" : "group";
  const policy = host === "shutdown"
    ? "collect"
    : r.pick(["fail-fast", "collect"] as const);
  const joinable = host === "shutdown" ? false : r.chance(0.75);
  return {
    host,
    policy: joinable ? policy : "collect",
    joinable,
    onError: host === "shutdown" ? true : r.chance(0.5),
    outer: host === "shutdown"
      ? "none"
      : r.pick(["none", "none", "parent", "signal"] as const),
    // A 1 ms timeout makes waitAll and the drain time out while work still runs.
    timeout: r.weighted([[Infinity, 6], [10_000, 3], [1, 1]] as const),
    ops: 10 + r.int(60),
  };
}

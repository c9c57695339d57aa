// The paths a run can take that the invariants are most interested in. A seed range that
// never reaches one of them has not tested it, however many seeds pass: the test asserts
// that every key was reached, and the soak runner prints the counts.

/** Paths a run went through; the test checks that the seeds reach every one of them. */
export const COVERAGE_KEYS = [
  "trip",
  "lateFailure",
  "echo",
  "startedCancelled",
  "spawnRefused",
  "joinNextResult",
  "joinAllValues",
  "joinAllThrew",
  "awaitedFailure",
  "disposeThrew",
  "waitAllTimedOut",
  "reportTimedOut",
  "reportErrors",
  "cleanupFailure",
] as const;

/** How often each path was taken. */
export type Coverage = Record<(typeof COVERAGE_KEYS)[number], number>;

/** A count of zero for every path. */
export function emptyCoverage(): Coverage {
  return Object.fromEntries(COVERAGE_KEYS.map((key) => [key, 0])) as Coverage;
}

/** Adds one run's counts to a running total. */
export function addCoverage(total: Coverage, run: Coverage): void {
  for (const key of COVERAGE_KEYS) total[key] += run[key];
}

// Randomized interleavings of task operations, checked against an exact model.
//
// A seeded PRNG (prng.ts) picks a host, a TaskGroup with random options or a
// GracefulShutdown (config.ts, build_host.ts), and a sequence of operations
// (next_operation.ts, ops_*.ts): spawns of tasks that complete, fail, throw synchronously,
// hang until aborted, ignore their abort, or throw after it (work.ts); completing and
// failing their work; task.abort, cancel (of the group, its parent or its signal),
// shutdown, close, dispose; joinNext, joinAll, wait; awaiting handles;
// cleanup steps and subscribers.
//
// Operations run synchronously between flushes (flush.ts). A flush is one macrotask
// (setImmediate), so every microtask the core queued has run when it returns. The model
// (model.ts) knows which promise reactions each operation queued (the core's `.then` on
// the work's promise), replays them in FIFO order after the flush, and predicts every
// handle's status, every join result, size/running, failures (including the fail-fast
// trip and failures after cancellation) and where each failure must be delivered
// (check_*.ts, finale.ts, finish_*.ts). Any difference is a violation, reported with the
// seed and the last operations (run.ts). Runs on Deno and Bun (no host globals;
// node:timers for setImmediate, which both provide).
//
// Used by tests/interleaving_test.ts and bench/soak.ts; this file is their whole API.
export { type ScenarioConfig } from "./config.ts";
export {
  addCoverage,
  type Coverage,
  COVERAGE_KEYS,
  emptyCoverage,
} from "./coverage.ts";
export { mulberry32 } from "./prng.ts";
export { runScenario, type ScenarioResult } from "./run.ts";
export { trackUnhandled } from "./unhandled.ts";

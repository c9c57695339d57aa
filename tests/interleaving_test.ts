// Randomized interleavings of task operations on TaskGroup, TaskTracker and
// GracefulShutdown, checked against an exact model (see tests/interleave/). bench/soak.ts
// runs many more seeds. A failure names its seed; replay it (or a range) alone with
//   QUIESCE_SEEDS=42 deno task test:offline tests/interleaving_test.ts
//   QUIESCE_SEEDS=100-200 deno task test:offline tests/interleaving_test.ts
import { assert, assertEquals, fail } from "@std/assert";
import {
  addCoverage,
  COVERAGE_KEYS,
  emptyCoverage,
  mulberry32,
  runScenario,
  trackUnhandled,
} from "./interleave/mod.ts";
import { TaskGroup } from "../mod.ts";

const SEEDS = 2_000;

/** The seeds to run: `QUIESCE_SEEDS` ("42" or "100-200") replays those alone. */
function seedRange(): { first: number; last: number; replay: boolean } {
  const wanted = Deno.env.get("QUIESCE_SEEDS");
  if (wanted === undefined || wanted === "") {
    return { first: 1, last: SEEDS, replay: false };
  }
  const match = /^(\d+)(?:-(\d+))?$/.exec(wanted.trim());
  if (match === null) {
    throw new Error(
      `QUIESCE_SEEDS: expected "42" or "100-200", got "${wanted}"`,
    );
  }
  const first = Number(match[1]);
  return { first, last: Number(match[2] ?? first), replay: true };
}

Deno.test("mulberry32 is deterministic and spreads", () => {
  const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
  const xs = Array.from({ length: 1000 }, () => a());
  assertEquals(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert(xs[0] !== c());
  assert(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

const RANGE = seedRange();

Deno.test(`seeded interleavings ${RANGE.first}..${RANGE.last} keep every invariant`, async () => {
  const unhandled = trackUnhandled();
  const counts = { group: 0, shutdown: 0, ops: 0, tasks: 0 };
  const coverage = emptyCoverage();
  try {
    for (let seed = RANGE.first; seed <= RANGE.last; seed++) {
      const result = await runScenario(seed);
      if (result.failure !== undefined) fail(result.failure);
      if (unhandled.reasons.length > 0) {
        fail(
          `seed ${seed} (or the one before): unhandled rejection ${
            String(unhandled.reasons[0])
          }`,
        );
      }
      counts[result.config.host]++;
      counts.ops += result.ops;
      counts.tasks += result.tasks;
      addCoverage(coverage, result.coverage);
    }
  } finally {
    unhandled.stop();
  }
  if (RANGE.replay) return; // a replay checks its seeds' invariants, not the totals
  // The generator really exercised both hosts and a meaningful amount of work.
  assert(
    counts.group > SEEDS / 3 && counts.shutdown > SEEDS / 5,
    JSON.stringify(counts),
  );
  assert(counts.tasks > SEEDS * 5, JSON.stringify(counts));
  // ...and reached every interesting path: trips, late failures, timeouts, refusals.
  const missed = COVERAGE_KEYS.filter((key) => coverage[key] === 0);
  assertEquals(missed, [], JSON.stringify(coverage));
});

// Regression: two joinNext() calls waiting on the last task. The first gets it, the second
// must settle with `undefined` (tokio's JoinSet returns None), not wait forever.
Deno.test({
  name: "concurrent joinNext calls on the last task all settle",
  fn: async () => {
    const group = new TaskGroup();
    const gate = Promise.withResolvers<void>();
    group.spawn("only", () => gate.promise);
    const first = group.joinNext();
    const second = group.joinNext();
    gate.resolve();
    assertEquals((await first)?.name, "only");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      second.then((result) => ({ result })),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve("still pending after 1 s"), 1_000);
      }),
    ]);
    clearTimeout(timer);
    assertEquals(outcome, { result: undefined });
  },
});

// Soak run of the randomized interleaving checker (tests/interleave/) over many seeds:
//   deno run -A bench/soak.ts [runs=20000] [first seed=1]
//   bun bench/soak.ts [runs=20000] [first seed=1]
// Prints each failing seed with its last operations, a summary, and exits 1 on failure.
import {
  addCoverage,
  COVERAGE_KEYS,
  emptyCoverage,
  runScenario,
  trackUnhandled,
} from "../tests/interleave/mod.ts";
import { ARGS, exit, RUNTIME } from "./_util.ts";

const [runs = 20_000, first = 1] = ARGS.filter((a) => /^\d+$/.test(a)).map(
  Number,
);
const unhandled = trackUnhandled();
const coverage = emptyCoverage();
const failed: number[] = [];
let ops = 0, tasks = 0, groups = 0;
const started = performance.now();
for (let seed = first; seed < first + runs; seed++) {
  const result = await runScenario(seed);
  if (result.failure !== undefined) {
    failed.push(seed);
    if (failed.length <= 5) console.log(`FAIL ${result.failure}\n`);
  }
  if (unhandled.reasons.length > 0) {
    failed.push(seed);
    console.log(`FAIL seed ${seed}: unhandled rejection`, unhandled.reasons);
    unhandled.reasons.length = 0;
  }
  ops += result.ops;
  tasks += result.tasks;
  if (result.config.host === "group") groups++;
  addCoverage(coverage, result.coverage);
  if ((seed - first + 1) % Math.max(1, Math.floor(runs / 10)) === 0) {
    console.error(`[${RUNTIME}] ${seed - first + 1}/${runs} seeds`);
  }
}
unhandled.stop();
const seconds = (performance.now() - started) / 1000;
console.log(
  `${RUNTIME}: seeds ${first}..${first + runs - 1}: ${runs} runs ` +
    `(${groups} TaskGroup, ${
      runs - groups
    } GracefulShutdown), ${tasks} tasks, ` +
    `${ops} operations in ${seconds.toFixed(1)} s; ${failed.length} failed` +
    (failed.length > 0 ? ` (seeds ${failed.slice(0, 20).join(", ")})` : ""),
);
console.log(
  "coverage:",
  COVERAGE_KEYS.map((key) => `${key} ${coverage[key]}`).join(", "),
);
exit(failed.length > 0 ? 1 : 0);

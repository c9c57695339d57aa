// The kill-deadline measurement, short: on Deno, Bun and Node, random scenarios (hung
// tasks, hung steps with and without a bound, slow flush steps, second signals, a crash
// during the drain) under main() with gracePeriod set; the supervisor sends SIGTERM and
// SIGKILLs at exactly the grace period. Every run must exit by itself first, with the
// documented exit code, every unfinished part named, and the flush done when it fits.
// bench/deadline_kill.ts runs the same for hundreds of runs.
import { assertEquals } from "@std/assert";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { random, randomRun, supervise } from "./_supervisor.ts";

// 3 s: a 500 ms margin for the exit, as for any grace period of 2.5 s or more; the
// long measurement (bench/deadline_kill.ts) also runs the tighter 1.5 s.
const RUNS_PER_RUNTIME = 6;
const GRACE_MS = 3_000;

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `kill deadline on ${runtime}: ${RUNS_PER_RUNTIME} random runs, SIGKILL at ${GRACE_MS} ms, none killed`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      const seed = 18_000 + RUNTIMES.indexOf(runtime);
      const next = random(seed);
      const failures: string[] = [];
      for (let i = 0; i < RUNS_PER_RUNTIME; i++) {
        const run = randomRun(next, GRACE_MS);
        const result = await supervise(runtime, BINARIES[runtime]!, run);
        if (result.problems.length > 0) {
          failures.push(
            `run ${i} (seed ${seed}) ${JSON.stringify(run)}: ${
              result.problems.join("; ")
            }\n${result.stderr}`,
          );
        }
      }
      assertEquals(failures, []);
    },
  });
}

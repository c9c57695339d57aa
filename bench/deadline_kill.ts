// The kill-deadline measurement, long: `deno run -A bench/deadline_kill.ts [--runs 300]
// [--grace 1500] [--runtimes deno,bun,node] [--seed 18000] [--parallel 2]`. Each run is a
// real process under main() with a random scenario (tests/_supervisor.ts: hung tasks, hung
// steps with and without a bound, slow flush steps, a second signal, a crash during the
// drain); the supervisor sends SIGTERM and SIGKILLs at exactly the grace period. Prints, per
// runtime: runs, SIGKILLed, runs that broke a documented promise (with their seeds),
// exit codes, hazards covered, flush steps that fit and completed, and exit times.
import { BINARIES } from "../tests/_main_app.ts";
import type { RuntimeName } from "../tests/_runtime.ts";
import {
  planFor,
  random,
  randomRun,
  type RunResult,
  supervise,
} from "../tests/_supervisor.ts";

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] !== undefined
    ? Deno.args[i + 1]!
    : fallback;
}

const runs = Number(flag("runs", "300"));
const grace = Number(flag("grace", "1500"));
const seed = Number(flag("seed", "18000"));
const parallel = Number(flag("parallel", "2"));
const runtimes = flag("runtimes", "deno,bun,node").split(",") as RuntimeName[];

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ??
    NaN;
}

for (const runtime of runtimes) {
  const binary = BINARIES[runtime];
  if (binary === undefined) throw new Error(`${runtime} is not installed`);
  const next = random(seed);
  const plan = Array.from({ length: runs }, () => randomRun(next, grace));
  const results: RunResult[] = [];
  let index = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (index < plan.length) {
        const run = plan[index++]!;
        results.push(await supervise(runtime, binary, run));
      }
    }),
  );
  const broken = results.filter((r) => r.problems.length > 0);
  const codes = new Map<number, number>();
  for (const r of results) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
  const { reserve } = planFor(grace);
  const fits = results.filter((r) =>
    r.run.secondSignalAt === undefined && r.run.flushMs <= reserve * 0.9
  );
  const toDeadline = results.filter((r) =>
    r.run.secondSignalAt === undefined && r.run.hungTasks + r.run.hungSteps > 0
  ).map((r) => r.ms);
  const count = (f: (r: RunResult) => boolean) => results.filter(f).length;
  console.log(
    [
      `${runtime}: ${results.length} runs in ${
        ((performance.now() - started) / 1000).toFixed(0)
      } s, grace ${grace} ms (timeout ${
        planFor(grace).timeout
      }, flush reserve ${reserve})`,
      `  SIGKILLed: ${count((r) => r.killed)}`,
      `  broke a documented promise: ${broken.length}`,
      `  exit codes: ${
        [...codes].map(([code, n]) => `${code} x${n}`).join(", ")
      }`,
      `  hazards: hung tasks ${count((r) => r.run.hungTasks > 0)}, hung steps ${
        count((r) => r.run.hungSteps > 0)
      }, bounded hung steps ${
        count((r) => r.run.boundedHungSteps.length > 0)
      }, flush over its reserve ${
        count((r) => r.run.flushMs > reserve)
      }, second signal ${
        count((r) => r.run.secondSignalAt !== undefined)
      }, crash ${count((r) => r.run.crash)}`,
      `  flush fit its reserve: ${fits.length}, completed: ${
        fits.filter((r) => r.stdout.includes("flush done")).length
      }`,
      `  exit after SIGTERM when something hung to the deadline: p50 ${
        percentile(toDeadline, 0.5).toFixed(0)
      } ms, p99 ${percentile(toDeadline, 0.99).toFixed(0)} ms, max ${
        Math.max(...toDeadline).toFixed(0)
      } ms (of ${grace})`,
    ].join("\n"),
  );
  for (const r of broken.slice(0, 5)) {
    console.log(`  BROKEN ${JSON.stringify(r.run)}: ${r.problems.join("; ")}`);
  }
}

// The janitor's cost against the plain code it replaces (issue 9, point 6), side by side
// in one process:
//   ensureJanitor(fn) reusing an ambient janitor   vs  a bare `await fn(signal)`   goal <= 1.5x
//   enterJanitor registering 100 async jobs        vs  `await Promise.all` of them  goal <= 2x
//
//   deno bench bench/janitor_bench.ts                  (Deno's bench runner, grouped)
//   deno run bench/janitor_bench.ts [reps] [n]         (median ratios, as below)
//   bun bench/janitor_bench.ts [reps] [n]
//   node --experimental-strip-types --expose-gc bench/janitor_bench.ts [reps] [n]
//
// Script mode times `n` operations of the baseline and of the janitor back to back, in
// alternating order, `reps` times, and prints the median of the per-repetition ratios, so
// drift (GC, JIT tiers, the other processes on the machine) hits both sides alike. fn and
// the jobs are the same async functions on both sides; the baselines are what a competent
// engineer would write without a janitor.
//
// Then the scaling check (issue 15, item 16): n janitors sharing one outside signal, entered,
// aborted and awaited, at n and 4n; the time must grow linearly (4x; goal <= 6x), as it does
// for the token sources the core links to one signal, printed beside them. One abort
// listener per janitor made this quadratic (40,000 took 5.5-26 s to enter on Deno).
import { ensureJanitor, enterJanitor, spawnDaemon } from "../src/janitor.ts";
import { ambient } from "../src/janitor/_janitor.ts";
import { TokenSource } from "../src/token.ts";

const JOBS = 100;
const sharedSignal = new AbortController().signal;

// fn and the job: the smallest real async functions, so the janitor's overhead is not
// hidden behind work.
// deno-lint-ignore require-await -- the cheapest async function is the point
const fn = async (_signal: AbortSignal): Promise<number> => 1;
const job = async (_signal: AbortSignal): Promise<void> => {
  await undefined;
};

async function bareCalls(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await fn(sharedSignal);
}

async function ensureJanitorCalls(n: number): Promise<void> {
  // The loop itself runs inside a janitor, so every call reuses it.
  await enterJanitor(async () => {
    for (let i = 0; i < n; i++) await ensureJanitor(fn);
  });
}

// The least any ambient lookup can cost: one AsyncLocalStorage read plus the bare call.
async function storeReadCalls(n: number): Promise<void> {
  await enterJanitor(async () => {
    for (let i = 0; i < n; i++) await fn(ambient.getStore()!.signal);
  });
}

async function promiseAllBatches(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const pending = new Array<Promise<void>>(JOBS);
    for (let j = 0; j < JOBS; j++) pending[j] = job(sharedSignal);
    await Promise.all(pending);
  }
}

function spawnJobs(): void {
  for (let j = 0; j < JOBS; j++) spawnDaemon(job);
}

async function janitorBatches(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await enterJanitor(spawnJobs);
}

interface Comparison {
  readonly title: string;
  readonly goal: number;
  readonly baselineName: string;
  readonly baseline: (n: number) => Promise<void>;
  readonly candidateName: string;
  readonly candidate: (n: number) => Promise<void>;
  /** Informational: the cost floor of any implementation, printed beside the ratio. */
  readonly floorName?: string;
  readonly floor?: (n: number) => Promise<void>;
  /** Operations per timed batch in script mode. */
  readonly n: number;
}

const COMPARISONS: readonly Comparison[] = [
  {
    title: "ensureJanitor(fn) reusing the ambient janitor",
    goal: 1.5,
    baselineName: "await fn(signal)",
    baseline: bareCalls,
    candidateName: "await ensureJanitor(fn)",
    candidate: ensureJanitorCalls,
    floorName: "await fn(ambientStorage.getStore().signal)",
    floor: storeReadCalls,
    n: 200_000,
  },
  {
    title: `enterJanitor with ${JOBS} jobs`,
    goal: 2,
    baselineName: `await Promise.all(${JOBS} jobs)`,
    baseline: promiseAllBatches,
    candidateName: `await enterJanitor(spawnDaemon x ${JOBS})`,
    candidate: janitorBatches,
    n: 200,
  },
];

// Node 22 has no import.meta.main: only Deno's bench runner imports this file as a module.
if ("Deno" in globalThis && !import.meta.main) {
  // Under `deno bench`: one batch per iteration keeps the per-iteration time measurable.
  // The callbacks are `async` because Deno's runner awaits only async functions.
  for (const c of COMPARISONS) {
    const batch = Math.max(1, Math.floor(c.n / 100));
    Deno.bench(`${c.baselineName} x${batch}`, {
      group: c.title,
      baseline: true,
    }, async () => {
      await c.baseline(batch);
    });
    Deno.bench(
      `${c.candidateName} x${batch}`,
      { group: c.title },
      async () => {
        await c.candidate(batch);
      },
    );
  }
} else {
  await runScript();
}

/** Enters `n` janitors on one outside signal, aborts it, awaits them all. */
async function sharedSignalJanitors(n: number): Promise<void> {
  const outside = new AbortController();
  const janitors = new Array<Promise<void>>(n);
  for (let i = 0; i < n; i++) {
    janitors[i] = enterJanitor(
      (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true })
        ),
      { signal: outside.signal },
    );
  }
  outside.abort();
  await Promise.all(janitors);
}

/** The core's twin: `n` token sources on one outside signal, then the abort. */
// deno-lint-ignore require-await -- the same shape as the janitor side
async function sharedSignalSources(n: number): Promise<void> {
  const outside = new AbortController();
  const sources = new Array<TokenSource>(n);
  for (let i = 0; i < n; i++) {
    sources[i] = new TokenSource({ signal: outside.signal });
  }
  outside.abort();
}

async function runScaling(reps: number, scale: number): Promise<boolean> {
  const n = Math.max(1, Math.round(10_000 * scale));
  const goal = 6;
  const sizes = [n, 4 * n];
  const timed = async (run: (n: number) => Promise<void>, size: number) => {
    (globalThis as { gc?: () => void }).gc?.();
    return await time(run, size);
  };
  for (const size of sizes) await sharedSignalJanitors(size); // warm-up
  const janitorMs = sizes.map(() => [] as number[]);
  const sourceMs = sizes.map(() => [] as number[]);
  for (let r = 0; r < Math.max(3, Math.min(reps, 7)); r++) {
    for (const [i, size] of sizes.entries()) {
      janitorMs[i]!.push(await timed(sharedSignalJanitors, size));
      sourceMs[i]!.push(await timed(sharedSignalSources, size));
    }
  }
  const ms = (values: number[]) => `${median(values).toFixed(1)} ms`;
  const growth = median(janitorMs[1]!) / median(janitorMs[0]!);
  const met = growth <= goal;
  console.log(
    `\n## janitors sharing one outside signal: enter, abort, await (${
      janitorMs[0]!.length
    } repetitions, median)`,
  );
  for (const [i, size] of sizes.entries()) {
    console.log(
      `  n = ${size}: janitors ${ms(janitorMs[i]!)}, token sources ${
        ms(sourceMs[i]!)
      }`,
    );
  }
  console.log(
    `  growth     ${
      growth.toFixed(2)
    }x for 4x the janitors (linear: 4x, quadratic: 16x)   goal <= ${goal}x: ${
      met ? "met" : "NOT met"
    }`,
  );
  return met;
}

async function time(
  run: (n: number) => Promise<void>,
  n: number,
): Promise<number> {
  const start = performance.now();
  await run(n);
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function runScript(): Promise<void> {
  const host = globalThis as unknown as {
    Bun?: { version: string };
    Deno?: { version: { deno: string }; args: string[] };
    process?: { argv: string[]; version: string };
  };
  const args = host.Deno ? host.Deno.args : host.process!.argv.slice(2);
  const reps = Number(args[0] ?? 31);
  const scale = Number(args[1] ?? 1);
  const runtime = host.Bun
    ? `bun ${host.Bun.version}`
    : host.Deno
    ? `deno ${host.Deno.version.deno}`
    : `node ${host.process!.version}`;
  console.log(
    `# janitor overhead on ${runtime}: ${reps} repetitions, median ratio`,
  );
  let allMet = true;
  for (const c of COMPARISONS) {
    const n = Math.max(1, Math.round(c.n * scale));
    // Warm both sides up to the optimizing tier before timing.
    for (let i = 0; i < 3; i++) {
      await c.baseline(n);
      await c.candidate(n);
    }
    const ratios: number[] = [];
    const floorRatios: number[] = [];
    const baseMs: number[] = [];
    const candMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      let base: number;
      let cand: number;
      if (r % 2 === 0) {
        base = await time(c.baseline, n);
        cand = await time(c.candidate, n);
      } else {
        cand = await time(c.candidate, n);
        base = await time(c.baseline, n);
      }
      if (c.floor) floorRatios.push(await time(c.floor, n) / base);
      baseMs.push(base);
      candMs.push(cand);
      ratios.push(cand / base);
    }
    const ratio = median(ratios);
    const met = ratio <= c.goal;
    allMet &&= met;
    const perOp = (ms: number) => `${((ms * 1e6) / n).toFixed(0)} ns/op`;
    console.log(`\n## ${c.title} (n = ${n} per batch, ${reps} repetitions)`);
    console.log(`  baseline   ${c.baselineName}: ${perOp(median(baseMs))}`);
    console.log(`  janitor    ${c.candidateName}: ${perOp(median(candMs))}`);
    if (c.floor) {
      console.log(
        `  floor      ${c.floorName}: ${
          median(floorRatios).toFixed(2)
        }x the baseline (no ambient lookup can be cheaper)`,
      );
    }
    console.log(
      `  ratio      ${ratio.toFixed(2)}x (min ${
        Math.min(...ratios).toFixed(2)
      }, max ${Math.max(...ratios).toFixed(2)})   goal <= ${c.goal}x: ${
        met ? "met" : "NOT met"
      }`,
    );
  }
  allMet = await runScaling(reps, scale) && allMet;
  console.log(`\n${allMet ? "all goals met" : "some goals NOT met"}`);
}

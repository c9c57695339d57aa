// Issue 20's rows at server scale, on Deno or Bun (run by `deno task bench`):
//   deno run -A --no-lock --v8-flags=--expose-gc bench/scale.ts [--quick] [reps]
//   bun bench/scale.ts [--quick] [reps]
// - heap per live idle task against one AbortController and its work's pending promise,
//   after a forced GC (goal <= 1.5x);
// - a drain timing out with n stragglers: ms from the deadline to the report, and to
//   main()'s last log line (goal <= 100 ms);
// - children on one outside signal: time per child as n doubles (goal <= 1.3x per doubling).
// --quick: 100k only, fewer repetitions; --only=heap|drain|doubling: one section. Each figure is printed beside its goal, with the
// median and the spread (min-max) over the repetitions.
import {
  GracefulShutdown,
  TaskGroup,
  TaskTracker,
  TokenSource,
} from "../mod.ts";
import { main } from "../src/main.ts";
import { collectGarbage } from "./_measure.ts";
import { ARGS, RUNTIME } from "./_util.ts";
import process from "node:process";
import { loadavg } from "node:os";

/** CPU time of this process (every thread: the collector's too), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The CPU used from just before the deadline (a timer 1 ms earlier, set after the cancel
 * fan-out) to `end()`: on a loaded machine the wall time from the deadline measures the
 * queue for a core as much as the work, the CPU time only the work.
 */
function cpuFromDeadline(timeout: number): () => number {
  let before = NaN;
  const timer = setTimeout(() => before = cpuMs(), timeout - 1);
  return () => {
    clearTimeout(timer);
    return cpuMs() - before;
  };
}

const QUICK = ARGS.includes("--quick");
const REPS = Number(ARGS.find((a) => /^\d+$/.test(a)) ?? (QUICK ? 3 : 5));
const SIZES = QUICK ? [100_000] : [100_000, 1_000_000];

const host = globalThis as {
  Deno?: { memoryUsage(): { heapUsed: number } };
  process?: { memoryUsage(): { heapUsed: number } };
};
function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return (host.Deno ?? host.process)!.memoryUsage().heapUsed;
}

interface Figure {
  row: string;
  n: number;
  values: number[];
  unit: string;
  goal: number;
}
const figures: Figure[] = [];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// ---- heap per live idle task --------------------------------------------------------------

/** Idle work: waits for its signal, as a connection's or a job's task does. */
const idle = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );

/** Bytes per live item: heap after `make` (kept alive) less the heap before, over n. */
function bytesPer(n: number, make: () => { release(): Promise<unknown> }) {
  const before = heapUsed();
  const live = make();
  const bytes = (heapUsed() - before) / n;
  return { bytes, release: live.release };
}

async function heapRows(n: number): Promise<void> {
  const reason = new DOMException("stop", "AbortError");
  const ways: Record<string, () => { release(): Promise<unknown> }> = {
    bare: () => {
      const controllers = new Array<AbortController>(n);
      const work = new Array<Promise<void>>(n);
      for (let i = 0; i < n; i++) {
        work[i] = idle((controllers[i] = new AbortController()).signal);
      }
      return {
        release: () => {
          for (const c of controllers) c.abort(reason);
          return Promise.all(work);
        },
      };
    },
    TaskTracker: () => {
      const tracker = new TaskTracker();
      for (let i = 0; i < n; i++) tracker.spawn("task", idle);
      return {
        release: () => {
          tracker.cancel(reason);
          return tracker.wait();
        },
      };
    },
    TaskGroup: () => {
      const group = new TaskGroup();
      for (let i = 0; i < n; i++) group.spawn("task", idle);
      return {
        release: () => {
          group.cancel(reason);
          return group.wait();
        },
      };
    },
    GracefulShutdown: () => {
      const shutdown = new GracefulShutdown({
        signals: false,
        onProgress: false,
      });
      for (let i = 0; i < n; i++) shutdown.spawn("task", idle);
      return { release: () => shutdown.shutdown(reason) };
    },
  };
  const names = Object.keys(ways);
  const bytes = Object.fromEntries(names.map((k) => [k, [] as number[]]));
  for (let rep = 0; rep < REPS; rep++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + rep) % names.length]!;
      const { bytes: b, release } = bytesPer(n, ways[name]!);
      bytes[name]!.push(b);
      await release();
    }
  }
  const bare = median(bytes.bare!);
  console.error(
    `heap per live idle task, n=${n}: bare ${bare.toFixed(0)} B; ${
      names.slice(1).map((k) => `${k} ${median(bytes[k]!).toFixed(0)} B`)
        .join(", ")
    }`,
  );
  for (const name of names.slice(1)) {
    figures.push({
      row: `heap per live idle task: ${name} / bare (${bare.toFixed(0)} B)`,
      n,
      values: bytes[name]!.map((b, rep) => b / bytes.bare![rep]!),
      unit: "x",
      goal: 1.5,
    });
  }
}

// ---- a drain timing out with n stragglers -------------------------------------------------

/**
 * A promise that never settles, one per shutdown: a task's reaction on it keeps the task
 * alive as long as the promise lives, so a module-wide one would keep every run's tasks.
 */
const neverSettles = () => new Promise<void>(() => {});

/** ms from the deadline to the report of a shutdown whose n tasks never settle. */
async function reportAfterDeadline(n: number, timeout: number) {
  const shutdown = new GracefulShutdown({
    signals: false,
    timeout,
    onProgress: false,
  });
  const never = neverSettles();
  for (let i = 0; i < n; i++) shutdown.spawn("task", () => never);
  collectGarbage();
  const asked = performance.now();
  const cpu = cpuFromDeadline(timeout);
  const report = await shutdown.shutdown();
  const late = performance.now() - asked - timeout;
  const cpuLate = cpu();
  if (report.stragglers.length !== n) throw new Error("stragglers missing");
  return { late, cpuLate };
}

/** ms from the deadline to main()'s exit (its last log line written) with n stuck tasks. */
async function mainAfterDeadline(n: number, timeout: number) {
  const exited = Promise.withResolvers<number>();
  let asked = 0;
  let cpu = () => NaN;
  const log = console.error;
  let lines = 0, longest = 0;
  console.error = (...parts: unknown[]) => {
    lines++;
    longest = Math.max(longest, parts.map(String).join(" ").length);
  };
  try {
    const never = neverSettles();
    main((context) => {
      for (let i = 0; i < n; i++) context.spawn("task", () => never);
      collectGarbage();
      asked = performance.now();
      cpu = cpuFromDeadline(timeout);
      void context.shutdown.shutdown();
      return never;
    }, {
      signals: false,
      timeout,
      onProgress: false,
      exit: () => exited.resolve(performance.now()),
    });
    const at = await exited.promise;
    return { late: at - asked - timeout, cpuLate: cpu(), lines, longest };
  } finally {
    console.error = log;
  }
}

async function drainRows(n: number): Promise<void> {
  // Long enough that cancelling n tasks ends well before the deadline: what is timed is
  // the work done at the deadline, not a fan-out overrunning it.
  const timeout = n >= 1_000_000 ? 4_000 : 1_000;
  const reports: number[] = [], mains: number[] = [];
  const reportsCpu: number[] = [], mainsCpu: number[] = [];
  let shape = "";
  for (let rep = 0; rep < Math.min(REPS, 3); rep++) {
    const r = await reportAfterDeadline(n, timeout);
    reports.push(r.late);
    reportsCpu.push(r.cpuLate);
    const m = await mainAfterDeadline(n, timeout);
    mains.push(m.late);
    mainsCpu.push(m.cpuLate);
    shape = `${m.lines} log lines, the longest ${m.longest} characters`;
  }
  console.error(`main() with ${n} stragglers: ${shape}`);
  const rows: Array<[string, number[]]> = [
    ["timed-out drain: deadline -> ShutdownReport, wall", reports],
    ["timed-out drain: deadline -> ShutdownReport, CPU", reportsCpu],
    ["timed-out drain: deadline -> main()'s last log line, wall", mains],
    ["timed-out drain: deadline -> main()'s last log line, CPU", mainsCpu],
  ];
  for (const [row, values] of rows) {
    figures.push({ row, n, values, unit: " ms", goal: 100 });
  }
}

// ---- children on one outside signal -------------------------------------------------------

/** ms to make n children of one root sharing one outside signal, then dispose them. */
function sharedSignal(n: number, make: (signal: AbortSignal) => Disposable) {
  const outside = new AbortController();
  const children = new Array<Disposable>(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) children[i] = make(outside.signal);
  for (let i = 0; i < n; i++) children[i]![Symbol.dispose]();
  return performance.now() - started;
}

function doublingRows(): void {
  const root = new TokenSource();
  const members = new Set<object>();
  const kinds: Record<string, (signal: AbortSignal) => Disposable> = {
    // No goal: the same loop over a plain Set of plain children, to show how much of the
    // growth the machine and the collector put on any code holding n live objects.
    "baseline: a Set of plain children": () => {
      const child = {
        cancelled: false,
        [Symbol.dispose]: () => members.delete(child),
      };
      members.add(child);
      return child;
    },
    "TokenSource.child({ signal })": (signal) => root.child({ signal }),
    "new TaskTracker({ signal })": (signal) => {
      const tracker = new TaskTracker({ signal });
      return { [Symbol.dispose]: () => tracker.cancel() };
    },
  };
  const sizes = [10_000, 20_000, 40_000, 80_000, 160_000];
  for (const make of Object.values(kinds)) sharedSignal(80_000, make); // warm-up
  for (const [name, make] of Object.entries(kinds)) {
    // Every size once per round, in rotating order; each size's figure is its fastest
    // round (a preempted or collected round is only ever slower). Growth per doubling from
    // those; the values are one per doubling, so "spread" is across the doublings.
    const fastest = sizes.map(() => Infinity);
    for (let rep = 0; rep < 2 * REPS; rep++) {
      for (let k = 0; k < sizes.length; k++) {
        const i = (k + rep) % sizes.length;
        collectGarbage();
        fastest[i] = Math.min(fastest[i]!, sharedSignal(sizes[i]!, make));
      }
    }
    const growth = sizes.slice(1).map((n, i) =>
      fastest[i + 1]! / n / (fastest[i]! / sizes[i]!)
    );
    console.error(
      `one outside signal, ${name}: fastest ms at ${
        sizes.map((n, i) => `${n / 1000}k ${fastest[i]!.toFixed(2)}`).join(", ")
      }; per-child growth per doubling ${
        growth.map((g) => g.toFixed(2)).join(", ")
      }`,
    );
    if (name.startsWith("baseline")) continue;
    figures.push({
      row: `one outside signal, per child as n doubles 10k..160k: ${name}`,
      n: sizes.at(-1)!,
      values: growth,
      unit: "x",
      goal: 1.3,
    });
  }
}

// ---- run ----------------------------------------------------------------------------------

// --only=heap|drain|doubling runs one section.
const only = ARGS.find((a) => a.startsWith("--only="))?.slice(7);
if (only === undefined || only === "doubling") doublingRows();
for (const n of SIZES) {
  if (only === undefined || only === "heap") await heapRows(n);
  if (only === undefined || only === "drain") await drainRows(n);
}

const lines = figures.map((f) => {
  const m = median(f.values);
  const fmt = (v: number) => f.unit === "x" ? v.toFixed(2) : v.toFixed(0);
  return [
    f.row,
    f.n.toLocaleString("en-US"),
    String(f.values.length),
    `${fmt(m)}${f.unit}`,
    `${fmt(Math.min(...f.values))}-${fmt(Math.max(...f.values))}`,
    `<= ${f.goal}${f.unit}`,
    m <= f.goal ? "met" : "NOT MET",
  ];
});
const header = ["row", "n", "reps", "median", "spread", "goal", ""];
const widths = header.map((h, i) =>
  Math.max(h.length, ...lines.map((l) => l[i]!.length))
);
const line = (cells: string[]) =>
  cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
console.log(
  [
    `== ${RUNTIME} (scale; load average ${
      loadavg().map((l) => l.toFixed(1)).join(" ")
    } at the end)`,
    line(header),
    ...lines.map(line),
  ].join("\n"),
);

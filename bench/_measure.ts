// Side-by-side measurement: each repetition runs the baseline and every contender once, in
// a rotating order (so neither always runs first, on a warmer heap or after a GC), and a
// row's figure is the median of the per-repetition ratios to the baseline.

/** One way to do the job; returns milliseconds for the part being timed. */
export type Timed = () => Promise<number> | number;

/** A contender, with the goal its ratio to the baseline must meet. */
export interface Contender {
  name: string;
  run: Timed;
  /** The ratio (contender / baseline) must be at most this... */
  goal?: number;
  /** ...or, with `atLeast`, at least this: a peer measured against quiesce as the baseline. */
  atLeast?: boolean;
}

/** A measured row. */
export interface Row {
  job: string;
  n: number;
  reps: number;
  baseline: string;
  contender: string;
  baselineMs: number;
  contenderMs: number;
  /** Median of contender / baseline per repetition. */
  ratio: number;
  goal: string;
  met: boolean | undefined;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Forces a full GC where the runtime lets us, so one run's garbage is not the next one's bill. */
export function collectGarbage(): void {
  const host = globalThis as {
    gc?: () => void;
    Bun?: { gc(force: boolean): void };
  };
  if (host.Bun) host.Bun.gc(true);
  else host.gc?.();
}

/** Runs `baseline` and `contenders` side by side `reps` times (after one warm-up). */
export async function sideBySide(
  job: string,
  n: number,
  reps: number,
  baseline: { name: string; run: Timed },
  contenders: Contender[],
): Promise<Row[]> {
  const all = [baseline, ...contenders];
  const times = all.map(() => [] as number[]);
  for (let rep = -1; rep < reps; rep++) {
    for (let k = 0; k < all.length; k++) {
      const i = (k + Math.max(rep, 0)) % all.length;
      collectGarbage();
      const ms = await all[i]!.run();
      if (rep >= 0) times[i]!.push(ms);
    }
  }
  return contenders.map((contender, c) => {
    const mine = times[c + 1]!;
    const base = times[0]!;
    const ratio = median(mine.map((ms, rep) => ms / base[rep]!));
    const goal = contender.goal === undefined
      ? ""
      : `${contender.atLeast ? ">=" : "<="} ${contender.goal}x`;
    const met = contender.goal === undefined
      ? undefined
      : contender.atLeast
      ? ratio >= contender.goal
      : ratio <= contender.goal;
    return {
      job,
      n,
      reps,
      baseline: baseline.name,
      contender: contender.name,
      baselineMs: median(base),
      contenderMs: median(mine),
      ratio,
      goal,
      met,
    };
  });
}

/** Times `fn` once, in milliseconds. */
export async function time(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const fmt = (ms: number) => ms < 10 ? ms.toFixed(2) : ms.toFixed(1);

/** The rows as a fixed-width table. */
export function table(runtime: string, rows: Row[]): string {
  const header = [
    "job",
    "n",
    "reps",
    "baseline ms",
    "contender",
    "ms",
    "ratio",
    "goal",
    "",
  ];
  const lines = rows.map((r) => [
    r.job,
    r.n.toLocaleString("en-US"),
    String(r.reps),
    `${fmt(r.baselineMs)} (${r.baseline})`,
    r.contender,
    fmt(r.contenderMs),
    `${r.ratio.toFixed(2)}x`,
    r.goal,
    r.met === undefined ? "" : r.met ? "met" : "NOT MET",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => l[i]!.length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [`== ${runtime}`, line(header), ...lines.map(line)].join("\n");
}

// Shared helpers for the benchmarks: they run unchanged on Deno and Bun, so hosts are
// reached through `globalThis` and feature detection only.

interface DenoHost {
  version: { deno: string };
  args: string[];
  exit(code: number): never;
  memoryUsage(): { heapUsed: number };
}
interface BunHost {
  version: string;
  gc(force: boolean): void;
}
interface ProcessHost {
  argv: string[];
  exit(code: number): never;
  memoryUsage(): { heapUsed: number };
}

const host = globalThis as unknown as {
  Deno?: DenoHost;
  Bun?: BunHost;
  process?: ProcessHost;
  gc?: () => void;
};

/** `"bun 1.4.5"` or `"deno 2.9.6"`. */
export const RUNTIME: string = host.Bun
  ? `bun ${host.Bun.version}`
  : `deno ${host.Deno?.version.deno ?? "?"}`;

/** Command-line arguments after the script. */
export const ARGS: string[] = host.Bun
  ? host.process?.argv.slice(2) ?? []
  : host.Deno?.args ?? [];

/** Ends the process with `code`. */
export function exit(code: number): never {
  if (host.Bun) return host.process!.exit(code);
  return host.Deno!.exit(code);
}

/** Whether `--json` was passed: print one JSON document for bench/run.ts, nothing else. */
export const JSON_MODE: boolean = ARGS.includes("--json");

/** Whether a forced, full GC is available (Bun always; Deno with --v8-flags=--expose-gc). */
export const CAN_GC: boolean = host.Bun !== undefined ||
  typeof host.gc === "function";

function forceGc(): void {
  if (host.Bun) host.Bun.gc(true);
  else host.gc?.();
}

/** The live JS heap in bytes. */
export function heapUsed(): number {
  if (host.Bun) return host.process!.memoryUsage().heapUsed;
  return host.Deno!.memoryUsage().heapUsed;
}

/** Lets pending jobs run, forces full GCs, then reads the heap (NaN without a forced GC). */
export async function settledHeap(): Promise<number> {
  if (!CAN_GC) return NaN;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    forceGc();
  }
  return heapUsed();
}

/** Milliseconds `fn` took. */
export function timeSync(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Milliseconds `fn`'s promise took to settle. */
export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** One printed table. Cells are numbers (formatted here) or text. */
export interface Section {
  title: string;
  columns: string[];
  rows: Array<{ label: string; cells: Array<number | string> }>;
  notes: string[];
}

/** Formats a number compactly: 3 significant digits, thousands grouped. */
export function fmt(value: number | string): string {
  if (typeof value === "string") return value;
  if (Number.isNaN(value)) return "n/a";
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Renders rows as an aligned text table. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))
      .join("  ");
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** Prints sections as tables, or as one JSON document in `--json` mode. */
export function report(sections: Section[]): void {
  if (JSON_MODE) {
    console.log(JSON.stringify({ runtime: RUNTIME, sections }));
    return;
  }
  console.log(`# ${RUNTIME}${CAN_GC ? "" : " (no forced GC: heap n/a)"}`);
  for (const section of sections) {
    console.log(`\n## ${section.title}`);
    console.log(renderTable(
      ["", ...section.columns],
      section.rows.map((r) => [r.label, ...r.cells.map(fmt)]),
    ));
    for (const note of section.notes) console.log(`  note: ${note}`);
  }
}

/** Progress on stderr, so `--json` stdout stays clean. */
export function progress(message: string): void {
  console.error(`[${RUNTIME}] ${message}`);
}

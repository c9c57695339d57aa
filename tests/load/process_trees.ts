// Measures examples/process_tree.ts: many SIGTERM shutdowns of a program that owns 3-level
// process trees (sh -> runtime -> sleep), STUBBORN of them ignoring SIGTERM at every level.
// After each run, `ps` checks every pid the program printed: a live one is an orphan; the
// program's own children (the shells) must have been reaped by it unless main() killed them
// on its way out at the deadline. Runs with TIMEOUT_MS under spawnChild's 2 s grace make the
// stubborn trees stragglers: main() must name each (by its pid) and still leave nothing.
//
//     deno run -A tests/load/process_trees.ts [runs per runtime, default 300] [runtimes]
//
// tests/process_tree_test.ts runs a few dozen of these in CI.
import { ROOT, type RuntimeName } from "../_runtime.ts";

/** One program run's findings. */
export interface TreeRun {
  runtime: RuntimeName;
  timeoutMs: number;
  exitMs: number;
  code: number;
  /** Pids still alive (not zombies) 1 s after the exit: orphans. */
  orphans: number[];
  /** The program's shells left as zombies although the drain reaped them. */
  unreaped: number[];
  /** Stubborn shells main() should have named as stragglers but did not. */
  unnamed: number[];
  /** Stragglers named by main(). */
  named: number;
  /** The drain did not end although TIMEOUT_MS was above the grace (a starved machine). */
  straggledAboveGrace: boolean;
  /** Pids still alive right at the exit (killed, not yet gone). */
  dyingAtExit: number;
  stderr: string;
}

const CHILDREN = 3;
const STUBBORN = 1;
const GRACE_MS = 2_000; // spawnChild's default killAfter
/** What the exit may take beyond TIMEOUT_MS: the runtime's own exit, under load. */
export const EXIT_SLACK_MS = 500;

interface PsRow {
  pid: number;
  ppid: number;
  stat: string;
}

async function ps(pids: number[]): Promise<PsRow[]> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "pid=,ppid=,stat=", "-p", pids.join(",")],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(
    Boolean,
  )
    .map((line) => {
      const [pid, ppid, stat] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), stat: stat ?? "" };
    });
}

function command(runtime: RuntimeName, binary: string): string[] {
  const script = `${ROOT}examples/process_tree.ts`;
  return runtime === "deno" ? [binary, "run", "-A", script] : [binary, script];
}

/** Runs the program once: waits for `ready`, sends SIGTERM, checks what is left. */
export async function runOnce(
  runtime: RuntimeName,
  binary: string,
  timeoutMs: number,
): Promise<TreeRun> {
  const [cmd, ...args] = command(runtime, binary);
  const child = new Deno.Command(cmd!, {
    args,
    env: {
      CHILDREN: String(CHILDREN),
      STUBBORN: String(STUBBORN),
      TIMEOUT_MS: String(timeoutMs),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderrText = new Response(child.stderr).text();
  const decoder = new TextDecoder();
  let text = "";
  const reader = child.stdout.getReader();
  const started = performance.now();
  while (!text.includes("\n") && performance.now() - started < 30_000) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const line = text.split("\n")[0] ?? "";
  if (!line.startsWith("ready ")) {
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    throw new Error(
      `${runtime}: no ready line (got ${
        JSON.stringify(line)
      }): ${await stderrText}`,
    );
  }
  const pids = line.slice(6).trim().split(/\s+/).map(Number);
  const shells = pids.filter((_, i) => i % 3 === 0);
  const stubbornShells = shells.slice(CHILDREN - STUBBORN);
  const signalled = performance.now();
  child.kill("SIGTERM");
  const status = await child.status;
  const exitMs = performance.now() - signalled;
  reader.releaseLock();
  await child.stdout.cancel();
  // The trees share the program's stderr: if any outlived it, the pipe stays open. Then
  // they are orphans; note them, and SIGKILL their groups so the run can end.
  let outlived: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    stderrText.then(() => true),
    new Promise<false>((resolve) =>
      timer = setTimeout(() => resolve(false), 3_000)
    ),
  ]);
  clearTimeout(timer);
  if (!closed) {
    outlived = (await ps(pids)).filter((row) => !row.stat.startsWith("Z"))
      .map((row) => row.pid);
    for (const shell of shells) {
      try {
        Deno.kill(-shell, "SIGKILL");
      } catch {
        // That group is gone.
      }
    }
  }
  const stderr = await stderrText;
  const atExit = (await ps(pids)).filter((row) => !row.stat.startsWith("Z"));
  // SIGKILLed processes may take a moment to go; an orphan is one that does not.
  let alive = atExit;
  for (let i = 0; i < 20 && alive.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = (await ps(pids)).filter((row) => !row.stat.startsWith("Z"));
  }
  // Whether the drain ended before the deadline. With TIMEOUT_MS under the grace it never
  // does; above it, only a starved machine makes the stubborn tree straggle.
  const drained = !stderr.includes("Still running after the");
  const zombies = (await ps(shells)).filter((row) => row.stat.startsWith("Z"));
  return {
    runtime,
    timeoutMs,
    exitMs,
    code: status.code,
    orphans: [...new Set([...outlived, ...alive.map((row) => row.pid)])],
    // When the drain ran to its end, each shell was reaped by the program itself.
    unreaped: drained ? zombies.map((row) => row.pid) : [],
    unnamed: drained
      ? []
      : stubbornShells.filter((pid) => !stderr.includes(`(pid ${pid}:`)),
    named: drained
      ? 0
      : stubbornShells.filter((pid) => stderr.includes(`(pid ${pid}:`)).length,
    straggledAboveGrace: !drained && timeoutMs > GRACE_MS,
    dyingAtExit: atExit.length,
    stderr,
  };
}

/** Runs `runs` shutdowns on `runtime`, `concurrency` at a time; every fourth one straggles. */
export async function measure(
  runtime: RuntimeName,
  binary: string,
  runs: number,
  concurrency: number,
  onRun?: (run: TreeRun) => void,
): Promise<TreeRun[]> {
  const results: TreeRun[] = [];
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const i = next++;
      const run = await runOnce(runtime, binary, i % 4 === 3 ? 1_000 : 3_000);
      results.push(run);
      onRun?.(run);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** One line of figures for a runtime's runs. */
export function summary(runs: TreeRun[]): string {
  const sum = (f: (run: TreeRun) => number) =>
    runs.reduce((total, run) => total + f(run), 0);
  const late = runs.filter((run) => run.exitMs > run.timeoutMs + EXIT_SLACK_MS);
  const exits = (timeout: number) => {
    const ms = runs.filter((run) => run.timeoutMs === timeout).map((run) =>
      run.exitMs
    ).sort((a, b) => a - b);
    if (ms.length === 0) return "-";
    const at = (q: number) => Math.round(ms[Math.floor(q * (ms.length - 1))]!);
    return `median ${at(0.5)} ms, max ${at(1)} ms`;
  };
  return [
    `${runs[0]?.runtime}: ${runs.length} shutdowns (${
      runs.length * CHILDREN * 3
    } processes)`,
    `orphans ${sum((r) => r.orphans.length)}`,
    `unreaped ${sum((r) => r.unreaped.length)}`,
    `stragglers named ${sum((r) => r.named)}/${
      sum((r) => r.named + r.unnamed.length)
    }`,
    `still dying at exit ${sum((r) => r.dyingAtExit)}`,
    `TIMEOUT_MS=3000 runs that straggled ${
      runs.filter((r) => r.straggledAboveGrace).length
    }`,
    `late exits ${late.length}`,
    `exit after SIGTERM: TIMEOUT_MS=3000 ${exits(3_000)}; TIMEOUT_MS=1000 ${
      exits(1_000)
    }`,
  ].join(", ");
}

if (import.meta.main) {
  const { findRuntime } = await import("../_runtime.ts");
  const runs = Number(Deno.args[0] ?? 300);
  const names = (Deno.args[1] ?? "deno,bun,node").split(",") as RuntimeName[];
  for (const name of names) {
    const binary = findRuntime(name);
    if (binary === undefined) throw new Error(`${name} is not installed`);
    const started = performance.now();
    const results = await measure(name, binary, runs, 4, (run) => {
      if (run.orphans.length + run.unreaped.length + run.unnamed.length > 0) {
        console.error(`bad run: ${JSON.stringify(run)}`);
      } else if (run.exitMs > run.timeoutMs + EXIT_SLACK_MS) {
        const lines = run.stderr.split("\n").filter((l) =>
          l.includes("quiesce")
        );
        console.error(
          `late run: TIMEOUT_MS=${run.timeoutMs}, exit after ${
            Math.round(run.exitMs)
          } ms; ${lines.join(" | ").slice(0, 300)}`,
        );
      }
    });
    console.log(
      `${summary(results)} (${
        Math.round((performance.now() - started) / 1000)
      } s)`,
    );
  }
}

// The kill-deadline measurement: a supervisor that starts a program under main()
// (tests/fixtures/deadline/supervised_app.ts) with a random scenario, sends SIGTERM, and
// SIGKILLs it exactly at the grace period, as a platform does; then checks the run against
// what the README promises. Used by tests/deadline_supervisor_test.ts (a few runs, in CI)
// and bench/deadline_kill.ts (hundreds).
import { Child } from "./_child.ts";
import { mulberry32 } from "./interleave/prng.ts";
import { commandFor, type RuntimeName } from "./_runtime.ts";
import type { Scenario } from "./fixtures/deadline/supervised_app.ts";

export type { Scenario };

const APP = new URL("./fixtures/deadline/supervised_app.ts", import.meta.url)
  .pathname;

/** One run's scenario and what the supervisor does on top of it. */
export interface Run extends Scenario {
  /** A second SIGTERM this many ms after the first (outside the 100 ms repeat window). */
  secondSignalAt: number | undefined;
}

/** How a run went. */
export interface RunResult {
  readonly run: Run;
  readonly code: number;
  /** Whether the supervisor's SIGKILL at the grace period ended it. */
  readonly killed: boolean;
  /** Milliseconds from the first SIGTERM to the exit. */
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What did not match the documented behaviour (empty: the run passed). */
  readonly problems: string[];
}

/** A seeded generator, so a failing run can be replayed (the interleaving tests' own). */
export const random: (seed: number) => () => number = mulberry32;

/** The reserve main() plans for `grace` (README): a fifth of the timeout, at most 1 s. */
export function planFor(grace: number): { timeout: number; reserve: number } {
  const timeout = Math.floor(grace - Math.min(500, grace / 5));
  return { timeout, reserve: Math.min(1_000, timeout / 5) };
}

/** A random scenario: each hazard in about a third of the runs. */
export function randomRun(next: () => number, grace: number): Run {
  const pick = (p: number) => next() < p;
  const count = (max: number) => Math.floor(next() * (max + 1));
  const { reserve } = planFor(grace);
  const hungTasks = pick(0.35) ? 1 + count(2) : 0;
  const hungSteps = pick(0.3) ? 1 + count(1) : 0;
  const boundedHungSteps = pick(0.35)
    ? Array.from({ length: 1 + count(1) }, () => 50 + count(250))
    : [];
  // Bounded steps end by their bound: only these keep the drain going to its deadline.
  const hangs = hungTasks + hungSteps > 0;
  return {
    grace,
    tasks: count(3),
    hungTasks,
    hungSteps,
    boundedHungSteps,
    // Mostly inside the reserve, sometimes well over it.
    flushMs: pick(0.75)
      ? Math.floor(next() * reserve * 0.6)
      : Math.floor(reserve * (1.5 + next())),
    crash: pick(0.2),
    // Only while the drain surely still runs: when something hangs.
    // Well past the 100 ms repeat window (a loaded machine delivers signals late, which
    // shrinks the gap the program sees), well before the tasks phase ends.
    secondSignalAt: hangs && pick(0.3)
      ? Math.floor(grace * (0.2 + 0.25 * next()))
      : undefined,
  };
}

/** Starts the program, signals it, kills it at the grace period, and checks the run. */
export async function supervise(
  runtime: RuntimeName,
  binary: string,
  run: Run,
): Promise<RunResult> {
  const scenario: Scenario = { ...run };
  delete (scenario as Partial<Run>).secondSignalAt;
  await using child = Child.start([
    ...commandFor(runtime, binary, APP),
    JSON.stringify(scenario),
  ]);
  await child.waitFor("ready", { timeout: 30_000 });
  let killed = false;
  const exited = child.exit(run.grace + 10_000);
  child.kill("SIGTERM");
  const timers = [
    setTimeout(() => {
      killed = true;
      try {
        child.kill("SIGKILL");
      } catch { /* it exited at this very moment */ }
    }, run.grace),
  ];
  if (run.secondSignalAt !== undefined) {
    timers.push(setTimeout(() => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }, run.secondSignalAt));
  }
  const exit = await exited.finally(() => timers.forEach(clearTimeout));
  killed &&= exit.signal === "SIGKILL";
  const result = {
    run,
    code: exit.code,
    killed,
    ms: exit.ms,
    stdout: exit.stdout,
    stderr: exit.stderr,
  };
  return { ...result, problems: check(result) };
}

/** The README's promises, as checks. */
export function check(result: Omit<RunResult, "problems">): string[] {
  const { run, code, killed, stdout, stderr } = result;
  const problems: string[] = [];
  if (killed) {
    problems.push(`SIGKILLed at the ${run.grace} ms grace period`);
    return problems;
  }
  const flushed = stdout.includes("flush done");
  if (run.secondSignalAt !== undefined) {
    // A second signal exits at once with 128 + its number.
    if (code !== 143) problems.push(`forced exit code ${code}, expected 143`);
    if (result.ms > run.secondSignalAt + 1_000) {
      problems.push(`forced exit after ${Math.round(result.ms)} ms`);
    }
    return problems;
  }
  const hung = run.hungTasks + run.hungSteps + run.boundedHungSteps.length;
  const { reserve } = planFor(run.grace);
  // 143 after a clean drain; 1 when anything hung, crashed or the flush did not finish.
  const expected = hung > 0 || run.crash || !flushed ? 1 : 143;
  if (code !== expected) {
    problems.push(`exit code ${code}, expected ${expected}`);
  }
  // Every unfinished part is named on stderr.
  const names = [
    ...Array.from({ length: run.hungTasks }, (_, i) => `hung task ${i}`),
    ...Array.from({ length: run.hungSteps }, (_, i) => `hung step ${i}`),
    ...run.boundedHungSteps.map((_, i) => `bounded hung step ${i}`),
  ];
  for (const name of names) {
    if (!stderr.includes(`"${name}"`)) {
      problems.push(`"${name}" not named on stderr`);
    }
  }
  if (expected === 1 && !/phases: tasks \w/.test(stderr)) {
    problems.push("no line saying how each phase ended");
  }
  if (run.crash && !stderr.includes("uncaught exception")) {
    problems.push("the crash is not reported on stderr");
  }
  // The flush step completes whenever it fits its reserve (a tenth of slack for timers).
  if (run.flushMs <= reserve * 0.9 && !flushed) {
    problems.push(
      `flush of ${run.flushMs} ms did not complete (reserve ${reserve})`,
    );
  }
  if (!flushed && !stderr.includes('"exporter"')) {
    problems.push("the unfinished flush step is not named on stderr");
  }
  return problems;
}

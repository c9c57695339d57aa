// Runs one seeded scenario end to end and turns a violation into a report: the seed, the
// options it drew, what went wrong, and the last operations, enough to replay it.
import { buildHost } from "./build_host.ts";
import type { ScenarioConfig } from "./config.ts";
import type { Coverage } from "./coverage.ts";
import { finale } from "./finale.ts";
import { describe } from "./inspect.ts";
import { nextOperation } from "./next_operation.ts";
import { Scenario, Violation } from "./scenario.ts";
import { delay, macrotask } from "./turns.ts";

/** The outcome of one seeded run. */
export interface ScenarioResult {
  seed: number;
  config: ScenarioConfig;
  ops: number;
  tasks: number;
  coverage: Coverage;
  /** The first violation, with the run's last operations; undefined when all held. */
  failure: string | undefined;
}

/** Runs one seeded scenario; never throws (a violation is returned in `failure`). */
export async function runScenario(seed: number): Promise<ScenarioResult> {
  const scenario = new Scenario(seed);
  let failure: string | undefined;
  try {
    buildHost(scenario);
    for (let i = 0; i < scenario.config.ops; i++) {
      const pending = nextOperation(scenario);
      if (pending !== undefined) await pending;
    }
    await finale(scenario);
  } catch (error) {
    const what = error instanceof Violation
      ? error.message
      : `unexpected ${describe(error)}\n${(error as Error)?.stack ?? ""}`;
    failure = `seed ${seed} ${
      JSON.stringify(scenario.config)
    }: ${what}\n  last operations:\n    ${
      scenario.trace.slice(-25).join("\n    ")
    }`;
    await stopEverything(scenario).catch(() => {});
  }
  return {
    seed,
    config: scenario.config,
    ops: scenario.trace.length,
    tasks: scenario.recs.length,
    coverage: scenario.coverage,
    failure,
  };
}

/**
 * Best effort after a violation: open every gate and cancel, so nothing keeps running
 * into the next seed (or trips the test sanitizers).
 */
async function stopEverything(s: Scenario): Promise<void> {
  for (const rec of s.recs) {
    if (rec.work === "pending") {
      rec.work = "ok";
      rec.gate!.resolve(undefined);
    }
  }
  s.group?.cancel();
  void s.shutdown?.shutdown();
  for (let i = 0; i < 3; i++) await macrotask();
  await delay(5);
}

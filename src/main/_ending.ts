// How a run of main() ends: it holds the event loop open until the exit, keeps a backstop
// in case a drain never ends, decides the exit code from the outcome, says so, and exits
// once. main()'s part of the signal story is only a policy handed to the coordinator
// (./_run.ts); every listener lives in the coordinator's intake (src/_signal_intake.ts).
import { holdLoop } from "../_timer.ts";
import { sleep } from "../wait.ts";
import { defaultExitCode, type ExitParts } from "./_exit_code.ts";
import type { MainFailure, MainOutcome } from "./types.ts";

/**
 * How main()'s parts log: a line without its `quiesce: ` prefix, and the error when there
 * is one (passed only then, so a logger can tell "no error" from an `undefined` thrown).
 */
export type Log = (line: string, error?: unknown) => void;

/** Formats a deadline for the log. */
export function seconds(ms: number): string {
  return ms === Infinity ? "no deadline" : `${(ms / 1000).toFixed(1)} s`;
}

/** Every failure main() hears of, with when it happened. */
export class Failures {
  readonly list: MainFailure[] = [];
  readonly #startedAt: number;

  constructor(startedAt: number) {
    this.#startedAt = startedAt;
  }

  add(source: MainFailure["source"], name: string, error: unknown): void {
    const atMs = performance.now() - this.#startedAt;
    this.list.push({ source, name, error, atMs });
  }

  /** `task "sync" at 0.1 s, cleanup "db" at 2.3 s`. */
  describe(): string {
    return this.list.map((f) =>
      `${f.source} "${f.name}" at ${(f.atMs / 1000).toFixed(1)} s`
    ).join(", ");
  }
}

/** What the ending needs. */
export interface EndingOptions {
  log: Log;
  exit: (code: number, outcome: MainOutcome) => void;
  decide: (parts: ExitParts, log: Log) => number;
  failures: Failures;
  /** Runs right before the exit (removes the crash handlers). */
  beforeExit: () => void;
}

/** main()'s hold on the process, and its one way out. */
export class Ending {
  readonly #options: EndingOptions;
  readonly #release = holdLoop();
  readonly #backstop = new AbortController();
  #ended = false;

  constructor(options: EndingOptions) {
    this.#options = options;
  }

  /** Whether the exit happened. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Calls `overran` if the process has not ended `ms` from now. `Infinity` arms nothing;
   * long delays are chained, never cut to 2^31−1 ms.
   */
  armBackstop(ms: number, overran: () => void): void {
    if (ms === Infinity) return;
    sleep(ms, { signal: this.#backstop.signal }).then(overran, () => {});
  }

  /**
   * Decides the code, logs it (always after a signal), releases everything and exits, once.
   */
  end(
    parts: Pick<MainOutcome, "trigger" | "report" | "forcedBy">,
    signalled: boolean,
  ): void {
    if (this.#ended) return;
    this.#ended = true;
    const { log, decide, failures, exit, beforeExit } = this.#options;
    const whole: Omit<MainOutcome, "code"> = {
      ...parts,
      failed: failures.list.length > 0,
      error: failures.list[0]?.error,
      failures: [...failures.list],
    };
    const code = decide(whole, log);
    if (signalled || code !== 0) log(`exiting with code ${code}`);
    this.#backstop.abort();
    this.#release();
    beforeExit();
    exit(code, { ...whole, code: defaultExitCode(whole) });
  }
}

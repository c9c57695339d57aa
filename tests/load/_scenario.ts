// What a load-suite scenario is, so that each file (and each runtime's rows) can add its
// own list to run.ts without touching the others.
import type { Runtime } from "./_tools.ts";

/** Where a scenario puts its figures and its failed checks. */
export interface Checks {
  /** One line of figures for the summary (and the README's "Measured" paragraph). */
  row(text: string): void;
  /** Records `what` as a failure unless `ok`. */
  check(ok: boolean, what: string): void;
}

/** One scenario, run once per runtime in `runtimes`. */
export interface Scenario {
  /** Short and unique: the key in KNOWN_FAILURES is `<runtime> <name>`. */
  name: string;
  runtimes: readonly Runtime[];
  run(runtime: Runtime, t: Checks): Promise<void>;
}

// The state of one seeded run: the host under test, the records of the model, and the
// helpers every other module uses to log an operation and report a violation. The
// operations, the model and the checks are functions of this state, in their own files.
import type {
  GracefulShutdown,
  ShutdownReport,
  TaskGroup,
  TaskTracker,
  TokenSource,
} from "../../mod.ts";
import { drawConfig, type ScenarioConfig } from "./config.ts";
import { emptyCoverage } from "./coverage.ts";
import type { Outcome } from "./outcome.ts";
import { Rng } from "./prng.ts";
import type {
  AwaitEntry,
  Failure,
  Job,
  Joiner,
  ReasonSpec,
  Rec,
  WaitEntry,
} from "./records.ts";

/** A difference between the core and the model; runScenario turns it into a report. */
export class Violation extends Error {}

export class Scenario {
  readonly rng: Rng;
  readonly config: ScenarioConfig;
  readonly recs: Rec[] = [];
  /** Every operation, in order: the last ones are printed with a violation. */
  readonly trace: string[] = [];
  readonly coverage = emptyCoverage();
  /** The host when it is a group or tracker (`config.joinable` tells which). */
  group: TaskGroup<unknown> | TaskTracker | undefined;
  shutdown: GracefulShutdown | undefined;
  outerSource: TokenSource | undefined;
  outerController: AbortController | undefined;
  // model of the group
  /** Reactions the core queued since the last flush, in the order it queued them. */
  jobs: Job[] = [];
  /** Settled handles waiting to be joined, in settle order. */
  queue: Rec[] = [];
  failures: Failure[] = [];
  /** Failures nobody has taken yet: what dispose must still throw. */
  recorded: Failure[] = [];
  onErrorCalls: Array<{ error: unknown; name: string }> = [];
  joiner: Joiner | undefined;
  /** Set once the group's token is cancelled: later spawns start cancelled with it. */
  cancelledGroup: ReasonSpec | undefined;
  closed = false;
  tripped = false;
  seqNext = 0;
  /** `expected` is known once the last work settled: the failures dispose must throw. */
  disposing: { expected: unknown[] | undefined; outcome: unknown } | undefined;
  disposeResult: Outcome | undefined;
  waits: WaitEntry[] = [];
  awaits: AwaitEntry[] = [];
  /** A violation seen inside a callback the core calls (throwing there would mislead). */
  lateViolation: string | undefined;
  // model of the shutdown
  triggered = false;
  spawnClosed = false;
  report: Promise<ShutdownReport> | undefined;
  reportValue: ShutdownReport | undefined;
  steps: Array<{ name: string; kind: "ok" | "throw" | "reject" | "async" }> =
    [];
  stepRuns: string[] = [];
  subscribers: Array<{ calls: string[]; disposed: boolean; late: boolean }> =
    [];
  stepsError: unknown[] = [];
  /** An operation had nothing to act on and asked for a flush instead. */
  wantFlush = false;

  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.config = drawConfig(this.rng);
  }

  log(message: string): void {
    this.trace.push(message);
  }

  fail(message: string): never {
    throw new Violation(message);
  }

  check(condition: unknown, message: string): asserts condition {
    if (!condition) this.fail(message);
  }

  /** For callbacks the core calls: remembered, and thrown at the next state check. */
  note(condition: unknown, message: string): void {
    if (!condition) this.lateViolation ??= message;
  }

  /** An op that had nothing to act on becomes a flush. */
  flushLater(): void {
    this.wantFlush = true;
  }

  /** Tasks whose work has not settled yet. */
  get unfinished(): Rec[] {
    return this.recs.filter((r) => !r.finished);
  }
}

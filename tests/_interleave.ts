// Randomized interleavings of task operations, checked against an exact model.
//
// A seeded PRNG picks a host (a TaskGroup with random options, or a GracefulShutdown) and
// a sequence of operations: spawns of tasks that complete, fail, throw synchronously, hang
// until aborted, ignore their abort, or throw after it; completing and failing their work;
// task.abort, abortAll, cancel (of the group, its parent or its signal), shutdown, close,
// dispose; joinNext, joinAll, waitAll; awaiting handles; cleanup steps and subscribers.
//
// Operations run synchronously between flushes. A flush is one macrotask (setImmediate),
// so every microtask the core queued has run when it returns. The model knows
// which promise reactions each operation queued (the core's `.then` on the work's promise),
// replays them in FIFO order after the flush, and predicts every handle's status, every
// join result, size/running, failures (including the fail-fast trip and failures after
// cancellation) and where each failure must be delivered. Any difference is a violation,
// reported with the seed and the last operations. Runs on Deno and Bun (no host globals;
// node:timers for setImmediate, which both provide).
import {
  GracefulShutdown,
  type ShutdownFailure,
  type ShutdownReport,
  ShutdownTimeoutError,
  type Task,
  TaskGroup,
  TaskGroupClosedError,
  type TaskGroupOptions,
  type TaskResult,
  type TaskStatus,
  TokenSource,
} from "../mod.ts";
import { setImmediate } from "node:timers";

/** mulberry32: a tiny, well-mixed 32-bit PRNG; the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.#next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }
}

/**
 * One macrotask per flush, so every queued microtask has run when it returns. Neither
 * setTimeout(0) (clamped to ~2 ms once nested, in Deno) nor a MessageChannel (Deno
 * delivers its messages between microtasks) will do; setImmediate (node:timers, in both
 * runtimes) is a real macrotask and costs ~2 µs.
 */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How a task's work is made. */
type Kind = "gated" | "syncValue" | "syncThrow" | "asyncValue" | "asyncFail";
/** What gated work does when its signal aborts. */
type Reaction = "ignore" | "echo" | "resolve" | "throw" | "domAbort";
/** What the cancellation reason of a handle must be. */
type ReasonSpec = { exact: unknown } | { abortMessage: string };

interface Rec {
  id: number;
  name: string;
  kind: Kind;
  reaction: Reaction;
  task: Task<unknown>;
  seq: number;
  fnCalls: number;
  looked: boolean;
  gate: PromiseWithResolvers<unknown> | undefined;
  sawAbort: boolean;
  abortReason: unknown;
  // The model:
  work: "none" | "pending" | "ok" | "err";
  outcome: unknown;
  status: TaskStatus;
  reason: ReasonSpec | undefined;
  finished: boolean;
  awaited: boolean;
  joined: boolean;
}

interface Failure {
  rec: Rec;
  error: unknown;
  late: boolean;
  afterTrigger: boolean;
}

interface WaitEntry {
  /** Nothing was running at the call: resolves at once, whatever is spawned after. */
  immediate: boolean;
  timeout: number;
  result?: string;
}

interface AwaitEntry {
  rec: Rec;
  result?: { ok: boolean; value: unknown };
}

interface Job {
  rec: Rec;
  ok: boolean;
  outcome: unknown;
}

type Joiner =
  | { kind: "next"; taken: Rec | undefined; done: boolean; got: unknown }
  | {
    kind: "all";
    taken: Rec[];
    done: boolean;
    /** Parked on a join waiter (the next settle is handed over directly), not mid-loop. */
    waiting: boolean;
    rejected: unknown;
    got: unknown;
    settled: boolean;
  };

/** The options one run drew. */
export interface ScenarioConfig {
  host: "group" | "shutdown";
  policy: "fail-fast" | "collect";
  joinable: boolean;
  onError: boolean;
  outer: "none" | "parent" | "signal";
  timeout: number;
  ops: number;
}

/** Paths a run went through; the test checks that the seeds reach every one of them. */
export const COVERAGE_KEYS = [
  "trip",
  "lateFailure",
  "echo",
  "startedCancelled",
  "spawnRefused",
  "joinNextResult",
  "joinAllValues",
  "joinAllThrew",
  "awaitedFailure",
  "disposeThrew",
  "waitAllTimedOut",
  "reportTimedOut",
  "reportErrors",
  "cleanupFailure",
] as const;
/** How often each path was taken. */
export type Coverage = Record<(typeof COVERAGE_KEYS)[number], number>;

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

class Violation extends Error {}

const isAbortError = (value: unknown): boolean =>
  (value as { name?: unknown } | null)?.name === "AbortError";

/** The cancellation reason the core gave `task`, if it was cancelled. */
function reasonOf(task: Task<unknown>): unknown {
  const result = task.result;
  return result?.status === "cancelled" ? result.reason : undefined;
}

function describe(value: unknown): string {
  if (value instanceof Error || value instanceof DOMException) {
    return `${value.name}(${value.message})`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

class Scenario {
  readonly rng: Rng;
  readonly config: ScenarioConfig;
  readonly recs: Rec[] = [];
  readonly trace: string[] = [];
  readonly coverage = Object.fromEntries(
    COVERAGE_KEYS.map((key) => [key, 0]),
  ) as Coverage;
  group: TaskGroup<unknown> | undefined;
  shutdown: GracefulShutdown | undefined;
  outerSource: TokenSource | undefined;
  outerController: AbortController | undefined;
  // model of the group
  jobs: Job[] = [];
  queue: Rec[] = [];
  failures: Failure[] = [];
  recorded: Failure[] = [];
  onErrorCalls: Array<{ error: unknown; name: string }> = [];
  joiner: Joiner | undefined;
  cancelledGroup: ReasonSpec | undefined;
  closed = false;
  tripped = false;
  seqNext = 0;
  disposing: { expected: unknown[] | undefined; outcome: unknown } | undefined;
  disposeResult: { settled: boolean; ok: boolean; error: unknown } | undefined;
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

  constructor(seed: number) {
    this.rng = new Rng(seed);
    const r = this.rng;
    const host = r.chance(0.35) ? "shutdown" : "group";
    this.config = {
      host,
      policy: host === "shutdown"
        ? "collect"
        : r.pick(["fail-fast", "collect"] as const),
      joinable: host === "shutdown" ? false : r.chance(0.75),
      onError: host === "shutdown" ? true : r.chance(0.5),
      outer: host === "shutdown"
        ? "none"
        : r.pick(["none", "none", "parent", "signal"] as const),
      timeout: r.weighted([[Infinity, 6], [10_000, 3], [1, 1]] as const),
      ops: 10 + r.int(60),
    };
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

  note(condition: unknown, message: string): void {
    if (!condition) this.lateViolation ??= message;
  }

  // ---- setup ------------------------------------------------------------------------------

  build(): void {
    const c = this.config;
    if (c.host === "shutdown") {
      this.shutdown = new GracefulShutdown({
        signals: false,
        onProgress: false,
        timeout: c.timeout,
        onError: (failure: ShutdownFailure) => {
          if (failure.source === "task") {
            this.onErrorCalls.push({
              error: failure.error,
              name: failure.name,
            });
          } else if (failure.source === "cleanup") {
            this.stepsError.push(failure.error);
          } else {
            this.note(
              false,
              `unexpected ${failure.source} failure ${failure.name}`,
            );
          }
        },
      });
      return;
    }
    const options: TaskGroupOptions = {
      failure: c.policy,
      joinable: c.joinable,
    };
    if (c.onError) {
      options.onError = (error, task) =>
        this.onErrorCalls.push({ error, name: task.name });
    }
    if (c.outer === "parent") {
      this.outerSource = new TokenSource();
      options.parent = this.outerSource.token;
    } else if (c.outer === "signal") {
      this.outerController = new AbortController();
      options.signal = this.outerController.signal;
    }
    this.group = new TaskGroup(options);
  }

  // ---- the work ---------------------------------------------------------------------------

  enqueue(rec: Rec, ok: boolean, outcome: unknown): void {
    this.check(rec.work === "pending", `${rec.name}: work settled twice`);
    rec.work = ok ? "ok" : "err";
    rec.outcome = outcome;
    this.jobs.push({ rec, ok, outcome });
  }

  workFor(rec: Rec): (signal: AbortSignal) => unknown {
    return (signal) => {
      rec.fnCalls++;
      switch (rec.kind) {
        case "syncValue":
          rec.work = "ok";
          rec.outcome = { value: rec.name };
          return rec.outcome;
        case "syncThrow":
          rec.work = "err";
          rec.outcome = new Error(`sync failure of ${rec.name}`);
          throw rec.outcome;
        case "asyncValue":
          rec.work = "ok";
          rec.outcome = { value: rec.name };
          return Promise.resolve(rec.outcome);
        case "asyncFail":
          rec.work = "err";
          rec.outcome = new Error(`async failure of ${rec.name}`);
          return Promise.reject(rec.outcome);
        case "gated":
          break;
      }
      rec.work = "pending";
      const gate = rec.gate = Promise.withResolvers<unknown>();
      if (rec.reaction !== "ignore") {
        rec.looked = true;
        signal.addEventListener("abort", () => {
          if (!rec.sawAbort) {
            rec.sawAbort = true;
            rec.abortReason = signal.reason;
          }
          if (rec.work !== "pending") return;
          switch (rec.reaction) {
            case "echo":
              this.enqueue(rec, false, signal.reason);
              gate.reject(signal.reason);
              break;
            case "resolve": {
              const value = { stopped: rec.name };
              this.enqueue(rec, true, value);
              gate.resolve(value);
              break;
            }
            case "throw": {
              const error = new Error(`late failure of ${rec.name}`);
              this.enqueue(rec, false, error);
              gate.reject(error);
              break;
            }
            case "domAbort": {
              const error = new DOMException(
                `${rec.name} stopped`,
                "AbortError",
              );
              this.enqueue(rec, false, error);
              gate.reject(error);
              break;
            }
          }
        }, { once: true });
      }
      return gate.promise;
    };
  }

  // ---- the model --------------------------------------------------------------------------

  get unfinished(): Rec[] {
    return this.recs.filter((r) => !r.finished);
  }

  settle(
    rec: Rec,
    status: Exclude<TaskStatus, "running">,
    outcome: unknown,
    reason?: ReasonSpec,
  ): void {
    rec.status = status;
    if (status === "cancelled") rec.reason = reason;
    if (status === "failed") this.failure(rec, outcome, false);
    if (!this.config.joinable) return;
    const joiner = this.joiner;
    if (joiner?.kind === "next" && !joiner.done) {
      joiner.done = true;
      joiner.taken = this.take(rec);
    } else if (joiner?.kind === "all" && joiner.waiting) {
      // joinAll's next loop turn comes a microtask later: until then, settles queue up.
      joiner.waiting = false;
      this.joinAllTakes(joiner, rec);
    } else {
      this.queue.push(rec);
    }
  }

  take(rec: Rec): Rec {
    rec.joined = true;
    if (rec.status === "failed") {
      this.recorded = this.recorded.filter((f) => f.rec !== rec || f.late);
    }
    return rec;
  }

  failure(rec: Rec, error: unknown, late: boolean): void {
    const failure = { rec, error, late, afterTrigger: this.triggered };
    this.failures.push(failure);
    if (this.config.joinable || !this.config.onError) {
      this.recorded.push(failure);
    }
    if (late) this.coverage.lateFailure++;
    if (!late && this.config.policy === "fail-fast" && !this.tripped) {
      this.tripped = true;
      this.coverage.trip++;
      this.cancelRunning({ abortMessage: `task "${rec.name}" failed` });
    }
  }

  /** Every running handle is cancelled, in spawn order. Returns the recs it cancelled. */
  cancelRunning(reason: ReasonSpec): Rec[] {
    const hit = this.recs.filter((r) => r.status === "running");
    for (const rec of hit) this.settle(rec, "cancelled", undefined, reason);
    return hit;
  }

  isEcho(rec: Rec, error: unknown): boolean {
    return error === reasonOf(rec.task) || isAbortError(error);
  }

  /** Replays the reactions the core ran during the flush, then advances the joiners. */
  processJobs(): void {
    for (let i = 0; i < this.jobs.length; i++) {
      const { rec, ok, outcome } = this.jobs[i]!;
      if (rec.status === "running") {
        this.settle(rec, ok ? "completed" : "failed", outcome);
      } else if (!ok && !this.isEcho(rec, outcome)) {
        this.failure(rec, outcome, true);
      } else if (!ok) {
        this.coverage.echo++;
      }
      rec.finished = true;
    }
    this.jobs = [];
    this.advanceJoinAll();
    const unfinished = this.unfinished.length;
    if (
      this.disposing && this.disposing.expected === undefined && !unfinished
    ) {
      this.disposing.expected = this.recorded
        .filter((f) => f.late || !f.rec.awaited)
        .map((f) => f.error);
      this.recorded = [];
    }
  }

  joinAllTakes(joiner: Extract<Joiner, { kind: "all" }>, rec: Rec): void {
    joiner.taken.push(this.take(rec));
    if (rec.status === "failed" && this.config.policy === "fail-fast") {
      joiner.done = true;
      joiner.rejected = rec.outcome;
    }
  }

  /** After a flush, joinAll has looped until it threw, finished, or parked on a waiter. */
  advanceJoinAll(): void {
    const joiner = this.joiner;
    if (joiner?.kind !== "all" || joiner.done) return;
    while (this.queue.length > 0 && !joiner.done) {
      this.joinAllTakes(joiner, this.queue.shift()!);
    }
    if (joiner.done) return;
    if (this.recs.every((r) => r.joined)) joiner.done = true;
    else joiner.waiting = true;
  }

  // ---- checks -----------------------------------------------------------------------------

  checkReason(rec: Rec): void {
    const actual = reasonOf(rec.task);
    const spec = rec.reason!;
    if ("exact" in spec) {
      this.check(
        actual === spec.exact,
        `${rec.name}: cancelled with ${describe(actual)}, expected ${
          describe(spec.exact)
        }`,
      );
    } else {
      this.check(
        isAbortError(actual) &&
          String((actual as Error).message).includes(spec.abortMessage),
        `${rec.name}: cancelled with ${
          describe(actual)
        }, expected an AbortError mentioning "${spec.abortMessage}"`,
      );
    }
    if (
      rec.fnCalls === 1 && rec.reaction !== "ignore" && rec.kind === "gated"
    ) {
      // The work learns of it through its signal, with the same reason, at the same time.
      this.check(
        rec.sawAbort,
        `${rec.name}: cancelled but its signal never aborted`,
      );
      this.check(
        rec.abortReason === actual,
        `${rec.name}: signal aborted with ${
          describe(rec.abortReason)
        }, handle says ${describe(actual)}`,
      );
    }
  }

  /** The model and the core agree on every handle and on the group's counters. */
  checkState(where: string): void {
    if (this.lateViolation !== undefined) this.fail(this.lateViolation);
    for (const rec of this.recs) {
      const task = rec.task;
      this.check(
        task.status === rec.status,
        `${where}: ${rec.name} (${rec.kind}/${rec.reaction}) is ${task.status}, model says ${rec.status}`,
      );
      this.check(
        rec.fnCalls <= 1,
        `${rec.name}: work ran ${rec.fnCalls} times`,
      );
      this.check(
        task.isRunning === !rec.finished,
        `${where}: ${rec.name} isRunning ${task.isRunning}, model finished ${rec.finished}`,
      );
      if (rec.status === "completed") {
        this.check(
          task.result?.status === "completed" &&
            task.result.value === rec.outcome,
          `${rec.name}: completed with the wrong value`,
        );
      } else if (rec.status === "failed") {
        this.check(
          task.error === rec.outcome,
          `${rec.name}: failed with ${describe(task.error)}, work threw ${
            describe(rec.outcome)
          }`,
        );
      } else if (rec.status === "cancelled") {
        this.checkReason(rec);
      }
    }
    const group = this.group;
    if (group === undefined) return;
    const running = this.unfinished.length;
    this.check(
      group.running === running,
      `${where}: group.running is ${group.running}, model says ${running}`,
    );
    const size = this.config.joinable
      ? this.recs.filter((r) => !r.joined).length
      : running;
    this.check(
      group.size === size,
      `${where}: group.size is ${group.size}, model says ${size}`,
    );
  }

  /** After a flush: everything the core promised to deliver by now has arrived. */
  checkDeliveries(): void {
    for (const entry of this.awaits) {
      const { rec } = entry;
      if (rec.status === "running") {
        this.check(
          entry.result === undefined,
          `${rec.name}: await settled early`,
        );
        continue;
      }
      this.check(
        entry.result,
        `${rec.name}: settled but its awaiter was not told`,
      );
      const { ok, value } = entry.result;
      if (rec.status === "failed") {
        this.check(
          !ok && value === rec.outcome,
          `${rec.name}: awaiter got ${describe(value)}`,
        );
        this.coverage.awaitedFailure++;
      } else if (rec.status === "completed") {
        this.check(
          ok && value === rec.outcome,
          `${rec.name}: awaiter got the wrong value`,
        );
      } else {
        this.check(
          ok && value === undefined,
          `${rec.name}: cancelled awaiter got ${describe(value)}`,
        );
      }
    }
    this.awaits = this.awaits.filter((entry) => entry.rec.status === "running");
    const joiner = this.joiner;
    if (joiner?.kind === "next") {
      this.check(
        joiner.done === (joiner.got !== "pending"),
        `joinNext: model done=${joiner.done}, core ${
          joiner.got === "pending" ? "pending" : "settled"
        }`,
      );
      if (joiner.done) {
        const got = joiner.got as TaskResult<unknown> | undefined;
        const rec = joiner.taken;
        this.check(
          got?.name === rec?.name,
          `joinNext returned ${got?.name}, model expected ${rec?.name}`,
        );
        if (rec && got) {
          this.checkResult(rec, got, "joinNext");
          this.coverage.joinNextResult++;
        }
        this.joiner = undefined;
      }
    } else if (joiner?.kind === "all") {
      this.check(
        joiner.done === joiner.settled,
        `joinAll: model done=${joiner.done}, core settled=${joiner.settled}`,
      );
      if (joiner.done) {
        this.checkJoinAll(joiner);
        this.joiner = undefined;
      }
    }
    const running = this.unfinished.length;
    for (const wait of this.waits) {
      const result = wait.result;
      this.check(
        result === undefined || result === "resolved" || result === "rejected",
        `waitAll: ${result}`,
      );
      if (result === "rejected") continue;
      if (running === 0 || wait.immediate) {
        this.check(
          wait.result === "resolved",
          "waitAll did not resolve with nothing running",
        );
      } else {
        this.check(
          wait.result === undefined,
          "waitAll resolved while work was running",
        );
      }
    }
    this.waits = this.waits.filter((w) => w.result === undefined);
    if (this.report !== undefined && this.config.timeout !== 1) {
      // The drain waits for the work, not for the handles: the report comes once the
      // last piece of work settled, in the same turn.
      const done = this.unfinished.length === 0;
      this.check(
        (this.reportValue !== undefined) === done,
        `report ${
          this.reportValue ? "arrived" : "pending"
        } with ${this.unfinished.length} running`,
      );
    }
    if (this.disposing) {
      const settled = this.disposeResult?.settled ?? false;
      this.check(
        settled === (this.disposing.expected !== undefined),
        `dispose: settled=${settled}, model expects ${
          this.disposing.expected === undefined ? "pending" : "settled"
        }`,
      );
    }
  }

  checkResult(rec: Rec, got: TaskResult<unknown>, where: string): void {
    this.check(
      got.status === rec.status,
      `${where}: ${rec.name} is ${got.status}, model ${rec.status}`,
    );
    if (got.status === "completed") {
      this.check(got.value === rec.outcome, `${where}: ${rec.name} value`);
    } else if (got.status === "failed") {
      this.check(got.error === rec.outcome, `${where}: ${rec.name} error`);
    } else {
      this.check(
        got.reason === reasonOf(rec.task),
        `${where}: ${rec.name} reason`,
      );
    }
  }

  checkJoinAll(joiner: Extract<Joiner, { kind: "all" }>): void {
    const failed = joiner.taken.filter((r) => r.status === "failed");
    if (joiner.rejected !== undefined) {
      this.coverage.joinAllThrew++;
      this.check(
        joiner.got === joiner.rejected,
        `joinAll threw ${describe(joiner.got)}, expected ${
          describe(joiner.rejected)
        }`,
      );
      return;
    }
    if (failed.length > 0) {
      const got = joiner.got as AggregateError;
      this.coverage.joinAllThrew++;
      this.check(
        got instanceof AggregateError &&
          got.errors.length === failed.length &&
          got.errors.every((e, i) => e === failed[i]!.outcome),
        `joinAll (collect) threw ${
          describe(got)
        }, expected ${failed.length} failures`,
      );
      return;
    }
    const values = joiner.got as unknown[];
    if (joiner.taken.length > 0) this.coverage.joinAllValues++;
    const expected = joiner.taken.toSorted((a, b) => a.seq - b.seq).map((r) =>
      r.status === "completed" ? r.outcome : undefined
    );
    this.check(
      Array.isArray(values) && values.length === expected.length &&
        values.every((v, i) => v === expected[i]),
      `joinAll returned ${values?.length} values, expected ${expected.length}`,
    );
  }

  // ---- operations -------------------------------------------------------------------------

  spawn(): void {
    const r = this.rng;
    const id = this.recs.length;
    const name = `t${id}`;
    const kind = r.weighted<Kind>([
      ["gated", 10],
      ["syncValue", 1],
      ["syncThrow", 1],
      ["asyncValue", 2],
      ["asyncFail", 1.5],
    ]);
    const reaction = r.weighted<Reaction>([
      ["echo", 3],
      ["resolve", 2],
      ["ignore", 2],
      ["throw", 1.5],
      ["domAbort", 1],
    ]);
    this.log(`spawn ${name} ${kind}/${reaction}`);
    const rec = {
      id,
      name,
      kind,
      reaction,
      seq: 0,
      fnCalls: 0,
      looked: false,
      gate: undefined,
      sawAbort: false,
      abortReason: undefined,
      work: "none",
      outcome: undefined,
      status: "running",
      reason: undefined,
      finished: false,
      awaited: false,
      joined: false,
    } as Omit<Rec, "task"> as Rec;
    const fn = this.workFor(rec);
    let task: Task<unknown>;
    try {
      task = this.group
        ? this.group.spawn(name, fn)
        : this.shutdown!.spawn(name, fn);
    } catch (error) {
      this.check(
        error instanceof TaskGroupClosedError,
        `spawn threw ${describe(error)}`,
      );
      if (this.group) this.check(this.closed, "spawn refused on an open group");
      else {
        this.check(this.triggered, "spawn refused before shutdown");
        this.spawnClosed = true;
      }
      this.check(rec.fnCalls === 0, "a refused spawn ran its work");
      this.coverage.spawnRefused++;
      return;
    }
    if (this.group) {
      this.check(!this.closed, "spawn accepted on a closed group");
    } else this.check(!this.spawnClosed, "spawn accepted after it was refused");
    rec.task = task;
    rec.seq = this.seqNext++;
    this.recs.push(rec);
    this.check(task.name === name, "task name");
    if (this.cancelledGroup !== undefined) {
      // Shutdown wins over work that has not started: the work never runs.
      this.check(rec.fnCalls === 0, `${name}: work ran on a cancelled group`);
      this.coverage.startedCancelled++;
      rec.finished = true;
      this.settle(rec, "cancelled", undefined, this.cancelledGroup);
      return;
    }
    this.check(rec.fnCalls === 1, `${name}: work did not run synchronously`);
    switch (kind) {
      case "syncValue":
        rec.finished = true;
        this.settle(rec, "completed", rec.outcome);
        break;
      case "syncThrow":
        rec.finished = true;
        this.settle(rec, "failed", rec.outcome);
        break;
      case "asyncValue":
      case "asyncFail": {
        // The core's reaction to an already settled promise is queued right now.
        const ok = kind === "asyncValue";
        this.jobs.push({ rec, ok, outcome: rec.outcome });
        break;
      }
      case "gated":
        break;
    }
  }

  settleGate(): void {
    const pending = this.recs.filter((r) => r.work === "pending");
    if (pending.length === 0) return this.flushLater();
    const rec = this.rng.pick(pending);
    if (this.rng.chance(0.7)) {
      const value = { value: rec.name };
      this.log(`complete ${rec.name}`);
      this.enqueue(rec, true, value);
      rec.gate!.resolve(value);
    } else {
      const error = new Error(`failure of ${rec.name}`);
      this.log(`fail ${rec.name}`);
      this.enqueue(rec, false, error);
      rec.gate!.reject(error);
    }
  }

  /** A reason for a cancelling operation: the default, an Error, or a plain value. */
  reason(): unknown {
    return this.rng.weighted<() => unknown>([
      [() => undefined, 2],
      [() => new Error(`reason ${this.trace.length}`), 2],
      [() => `why ${this.trace.length}`, 1],
    ])();
  }

  abortTask(): void {
    if (this.recs.length === 0) return this.spawn();
    const rec = this.rng.pick(this.recs);
    const reason = this.reason();
    this.log(`abort ${rec.name} (${describe(reason)})`);
    const was = rec.status;
    rec.task.abort(reason);
    if (was === "running") {
      this.settle(
        rec,
        "cancelled",
        undefined,
        reason === undefined
          ? { abortMessage: `Task "${rec.name}" was aborted` }
          : { exact: reason },
      );
    }
  }

  abortAll(): void {
    const reason = this.reason();
    this.log(`abortAll (${describe(reason)})`);
    this.group!.abortAll(reason);
    for (const rec of this.recs.filter((r) => r.status === "running")) {
      this.settle(
        rec,
        "cancelled",
        undefined,
        reason === undefined
          ? { abortMessage: `Task "${rec.name}" was aborted` }
          : { exact: reason },
      );
    }
  }

  /** The group's token is cancelled (by cancel(), its parent, its signal, or shutdown). */
  cancelToken(how: "cancel" | "parent" | "signal" | "shutdown"): void {
    if (this.cancelledGroup !== undefined && how !== "shutdown") return;
    // A finished dispose has disposed the group's token already.
    if (this.disposing?.expected !== undefined) return;
    const reason = this.reason();
    this.log(`${how} (${describe(reason)})`);
    let actual: unknown;
    if (how === "cancel") {
      this.group!.cancel(reason);
      actual = this.group!.token.reason;
    } else if (how === "parent") {
      this.outerSource!.cancel(reason);
      actual = this.group!.token.reason;
    } else if (how === "signal") {
      this.outerController!.abort(reason);
      actual = this.outerController!.signal.reason;
      this.check(
        this.group!.token.reason === actual,
        "group reason != signal reason",
      );
    } else {
      const first = this.report === undefined;
      const report = this.shutdown!.shutdown(reason);
      if (!first) {
        this.check(
          report === this.report,
          "a second shutdown() returned another promise",
        );
        return;
      }
      this.report = report;
      this.triggered = true;
      report.then((value) => {
        this.reportValue = value;
      });
      actual = this.shutdown!.token().reason;
      this.check(
        this.shutdown!.isShutdown && this.shutdown!.draining,
        "not draining",
      );
    }
    if (reason !== undefined) {
      this.check(
        actual === reason,
        `token reason ${describe(actual)} != ${describe(reason)}`,
      );
    } else {
      this.check(isAbortError(actual), `default reason ${describe(actual)}`);
    }
    this.cancelledGroup = { exact: actual };
    this.cancelRunning(this.cancelledGroup);
  }

  close(): void {
    this.log("close");
    this.group!.close();
    this.closed = true;
    this.check(this.group!.closed, "closed getter");
  }

  disposeGroup(): void {
    this.log("dispose (start)");
    const result = { settled: false, ok: false, error: undefined as unknown };
    this.disposeResult = result;
    this.group![Symbol.asyncDispose]().then(
      () => {
        result.settled = true;
        result.ok = true;
      },
      (error) => {
        result.settled = true;
        result.error = error;
      },
    );
    this.closed = true;
    this.disposing = { expected: undefined, outcome: undefined };
    for (const rec of this.recs.filter((r) => r.status === "running")) {
      this.settle(rec, "cancelled", undefined, { abortMessage: "disposed" });
    }
  }

  joinNext(): void {
    if (this.joiner !== undefined || this.disposing) return this.flushLater();
    this.log("joinNext");
    const joiner: Joiner = {
      kind: "next",
      taken: undefined,
      done: false,
      got: "pending",
    };
    this.group!.joinNext().then(
      (result) => (joiner.got = result),
      (error) => (joiner.got = error),
    );
    this.joiner = joiner;
    if (!this.config.joinable) {
      joiner.done = true;
    } else if (this.queue.length > 0) {
      joiner.done = true;
      joiner.taken = this.take(this.queue.shift()!);
    } else if (this.recs.every((r) => r.joined)) {
      joiner.done = true;
    }
  }

  joinAll(): void {
    if (this.joiner !== undefined || this.disposing) return this.flushLater();
    this.log("joinAll");
    const joiner: Joiner = {
      kind: "all",
      taken: [],
      done: false,
      waiting: false,
      rejected: undefined,
      got: undefined,
      settled: false,
    };
    this.group!.joinAll().then(
      (values) => {
        joiner.settled = true;
        joiner.got = values;
      },
      (error) => {
        joiner.settled = true;
        joiner.got = error;
      },
    );
    this.joiner = joiner;
    if (!this.config.joinable) {
      joiner.done = true;
      return;
    }
    // The first turn runs synchronously: take one queued result, see that none is left,
    // or park on a waiter.
    if (this.queue.length > 0) {
      this.joinAllTakes(joiner, this.queue.shift()!);
    } else if (this.recs.every((r) => r.joined)) {
      joiner.done = true;
    } else {
      joiner.waiting = true;
    }
  }

  waitAll(): void {
    const timeout = this.rng.chance(0.3) ? 1 : Infinity;
    this.log(`waitAll(timeout ${timeout})`);
    const wait: WaitEntry = {
      immediate: this.unfinished.length === 0,
      timeout,
    };
    this.waits.push(wait);
    this.group!.waitAll({ timeout }).then(
      () => {
        wait.result = "resolved";
        if (!wait.immediate && this.group!.running !== 0) {
          wait.result = `resolved with ${this.group!.running} running`;
        }
      },
      (error) => {
        wait.result = "rejected";
        this.coverage.waitAllTimedOut++;
        if (!(error instanceof ShutdownTimeoutError) || timeout !== 1) {
          wait.result = `rejected with ${describe(error)}`;
          return;
        }
        // Stragglers are exactly the tasks whose work runs at the deadline (which may
        // include tasks spawned after the call), with what their work did with the signal.
        const running = this.recs.filter((r) => r.task.isRunning);
        const names = error.stragglers.map((s) => s.name);
        const ok = names.length === running.length &&
          running.every((r) => {
            const s = error.stragglers.find((x) => x.name === r.name);
            return s?.kind === "task" && s.ageMs >= 0 &&
              s.observedSignal === r.looked;
          });
        if (!ok) {
          wait.result = `stragglers ${names} but running ${
            running.map((r) => r.name)
          }`;
        }
      },
    );
  }

  awaitHandle(): void {
    if (this.recs.length === 0) return this.spawn();
    const rec = this.rng.pick(this.recs);
    this.log(`await ${rec.name}`);
    const entry: AwaitEntry = { rec };
    this.awaits.push(entry);
    rec.awaited = true;
    rec.task.then(
      (value) => (entry.result = { ok: true, value }),
      (error) => (entry.result = { ok: false, value: error }),
    );
    this.check(rec.task.awaited, `${rec.name}: awaited flag not set`);
  }

  defer(): void {
    const name = `step${this.steps.length}`;
    const kind = this.rng.pick(["ok", "throw", "reject", "async"] as const);
    this.log(`defer ${name} ${kind}`);
    try {
      this.shutdown!.defer(() => {
        this.stepRuns.push(name);
        this.note(
          this.recs.every((r) => !r.task.isRunning) ||
            this.config.timeout !== Infinity,
          `${name} ran while tasks were running`,
        );
        if (kind === "throw") throw new Error(`${name} failed`);
        if (kind === "reject") {
          return Promise.reject(new Error(`${name} failed`));
        }
        if (kind === "async") return Promise.resolve();
        return undefined;
      }, name);
    } catch (error) {
      this.check(
        this.triggered,
        `defer threw before shutdown: ${describe(error)}`,
      );
      return;
    }
    this.steps.push({ name, kind });
  }

  subscribe(): void {
    this.log("subscribe");
    const entry = {
      calls: [] as string[],
      disposed: false,
      late: this.triggered,
    };
    this.subscribers.push(entry);
    const registration = this.shutdown!.subscribe((signal) =>
      entry.calls.push(signal)
    );
    // A late subscriber hears of the shutdown at once, synchronously.
    this.check(
      entry.calls.length === (entry.late ? 1 : 0),
      `subscriber called ${entry.calls.length} times at subscribe`,
    );
    if (this.rng.chance(0.2) && !this.triggered) {
      registration[Symbol.dispose]();
      entry.disposed = true;
    }
  }

  async flush(): Promise<void> {
    this.log("flush");
    await macrotask();
    this.processJobs();
    this.checkState("after flush");
    this.checkDeliveries();
  }

  /** An op that had nothing to act on becomes a flush. */
  flushLater(): void {
    this.wantFlush = true;
  }
  wantFlush = false;

  async sleep(): Promise<void> {
    const ms = this.rng.int(3);
    this.log(`sleep ${ms}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.flush();
  }

  // ---- the run ----------------------------------------------------------------------------

  /** One operation. Returns a promise only when it must yield (a flush or a sleep). */
  step(): Promise<void> | undefined {
    const group = this.config.host === "group";
    const ops: Array<readonly [() => void | Promise<void>, number]> = [
      // Fewer spawns once they can only be refused or start cancelled.
      [
        () => this.spawn(),
        this.closed || this.spawnClosed ? 0.5 : this.triggered ? 1.5 : 5,
      ],
      [() => this.settleGate(), 4],
      [() => this.abortTask(), 1.5],
      [() => this.awaitHandle(), 1.5],
      [() => this.flush(), 4],
      [() => this.sleep(), 0.2],
    ];
    if (group) {
      ops.push(
        [() => this.abortAll(), 0.6],
        [() => this.cancelToken("cancel"), 0.4],
        [() => this.close(), 0.2],
        [() => this.joinNext(), 1.5],
        [() => this.joinAll(), 0.6],
        [() => this.waitAll(), 0.5],
      );
      if (this.config.outer !== "none") {
        ops.push([() => this.cancelToken(this.config.outer as "parent"), 0.4]);
      }
      if (!this.disposing && this.joiner === undefined) {
        ops.push([() => this.disposeGroup(), 0.25]);
      }
    } else {
      ops.push(
        [() => this.cancelToken("shutdown"), 0.7],
        [() => this.defer(), 0.6],
        [() => this.subscribe(), 0.3],
      );
    }
    // Only flushes may yield: awaiting a synchronous op would let microtasks run early.
    const pending = this.rng.weighted(ops)();
    if (pending instanceof Promise) return pending.then(() => this.afterStep());
    return this.afterStep();
  }

  afterStep(): Promise<void> | undefined {
    if (this.wantFlush) {
      this.wantFlush = false;
      return this.flush().then(() => this.afterStep());
    }
    this.checkState(`after "${this.trace.at(-1)}"`);
    return undefined;
  }

  /** Lets every piece of work finish, then checks the end state. */
  async finale(): Promise<void> {
    this.log("-- finale");
    if (this.config.host === "shutdown" && !this.triggered) {
      this.cancelToken("shutdown");
    }
    if (
      this.config.host === "group" && !this.disposing && this.rng.chance(0.3)
    ) {
      if (this.joiner === undefined) this.disposeGroup();
    }
    const shortWaits = this.waits.some((w) =>
      w.timeout === 1 && w.result === undefined
    );
    const shortDrain = this.config.host === "shutdown" &&
      this.config.timeout === 1;
    if ((shortWaits || shortDrain) && this.unfinished.length > 0) {
      // Let the 1 ms deadlines pass while work still runs (they were set earlier, so they
      // fire before this timer): the timeout paths are then taken deterministically.
      this.log("sleep 3 (deadlines pass)");
      await new Promise((resolve) => setTimeout(resolve, 3));
      await this.flush();
    }
    for (let round = 0; round < 4; round++) {
      for (const rec of this.recs.filter((r) => r.work === "pending")) {
        if (this.rng.chance(0.7)) {
          const value = { value: rec.name };
          this.enqueue(rec, true, value);
          rec.gate!.resolve(value);
        } else {
          const error = new Error(`final failure of ${rec.name}`);
          this.enqueue(rec, false, error);
          rec.gate!.reject(error);
        }
      }
      await this.flush();
      if (this.unfinished.length === 0 && this.joiner === undefined) break;
    }
    this.check(
      this.unfinished.length === 0,
      "work still running after every gate opened",
    );
    this.check(this.joiner === undefined, "a join never finished");
    for (const rec of this.recs) {
      this.check(
        rec.task.status !== "running",
        `${rec.name}: handle never settled`,
      );
      this.check(
        !rec.task.isRunning,
        `${rec.name}: isRunning after its work settled`,
      );
      this.check(
        rec.task.observedSignal === rec.looked,
        `${rec.name}: observedSignal ${rec.task.observedSignal}, work looked: ${rec.looked}`,
      );
    }
    if (this.group) await this.finishGroup();
    else await this.finishShutdown();
    await this.flush();
    this.checkAccounting();
  }

  async finishGroup(): Promise<void> {
    const group = this.group!;
    await group.waitAll();
    this.check(group.running === 0, "running after waitAll");
    if (!this.disposing && this.config.joinable && this.rng.chance(0.5)) {
      // Drain the join queue with for await: results in settle order.
      const expected = this.queue.splice(0);
      const got: TaskResult<unknown>[] = [];
      for await (const result of group) got.push(result);
      this.check(
        got.length === expected.length,
        `for await yielded ${got.length}, expected ${expected.length}`,
      );
      expected.forEach((rec, i) => {
        this.take(rec);
        this.check(
          got[i]!.name === rec.name,
          `for await order: ${got[i]!.name} != ${rec.name}`,
        );
        this.checkResult(rec, got[i]!, "for await");
      });
      this.check(group.size === 0, "size after for await");
    }
    if (!this.disposing) this.disposeGroup();
    await this.flush();
    const result = this.disposeResult!;
    this.check(result.settled, "dispose never settled");
    const expected = this.disposing!.expected!;
    if (expected.length === 0) {
      this.check(
        result.ok,
        `dispose threw ${describe(result.error)} with nothing unseen`,
      );
    } else if (expected.length === 1 && this.config.policy === "fail-fast") {
      this.check(
        result.error === expected[0],
        `dispose threw ${describe(result.error)}, expected ${
          describe(expected[0])
        }`,
      );
    } else {
      const error = result.error as AggregateError;
      this.check(
        error instanceof AggregateError &&
          error.errors.length === expected.length &&
          error.errors.every((e, i) => e === expected[i]),
        `dispose threw ${
          describe(error)
        }, expected ${expected.length} unseen failures`,
      );
    }
    this.disposing!.outcome = result.ok ? [] : result.error;
    if (!result.ok) this.coverage.disposeThrew++;
    // A second dispose has nothing left to report.
    await group[Symbol.asyncDispose]();
    this.outerSource?.[Symbol.dispose]();
  }

  async finishShutdown(): Promise<void> {
    const shutdown = this.shutdown!;
    const report = await this.report!;
    this.check(report === this.reportValue, "report callback");
    this.check(
      (await shutdown.done()) === report,
      "done() resolves with the same report",
    );
    this.check((await shutdown.wait()) === "manual", "wait()");
    this.check(report.signal === "manual", `report.signal ${report.signal}`);
    this.check(
      report.ok === (!report.timedOut && report.errors.length === 0),
      "report.ok",
    );
    const taskErrors = report.errors.filter((e) => e.source === "task");
    if (report.timedOut) this.coverage.reportTimedOut++;
    if (taskErrors.length > 0) this.coverage.reportErrors++;
    this.coverage.cleanupFailure += this.stepsError.length;
    const after = this.failures.filter((f) => f.afterTrigger);
    if (!report.timedOut) {
      this.check(
        taskErrors.length === after.length &&
          taskErrors.every((e, i) =>
            e.error === after[i]!.error && e.name === after[i]!.rec.name
          ),
        `report has ${taskErrors.length} task errors, model ${after.length}`,
      );
      this.check(
        report.stragglers.length === 0,
        "stragglers without a timeout",
      );
    } else {
      this.check(
        this.config.timeout !== Infinity,
        "timed out without a deadline",
      );
      for (const s of report.stragglers) {
        if (s.kind === "cleanup") continue;
        const rec = this.recs.find((r) => r.name === s.name);
        this.check(rec !== undefined, `unknown straggler ${s.name}`);
        this.check(
          s.observedSignal === rec.looked,
          `${s.name}: straggler observedSignal`,
        );
      }
    }
    // Cleanup steps: each ran once, in reverse order of registration, after the tasks.
    const order = this.steps.map((s) => s.name).reverse();
    this.check(
      this.stepRuns.join() === order.join(),
      `steps ran ${this.stepRuns.join()}, expected ${order.join()}`,
    );
    if (!report.timedOut) {
      const failing = this.steps.filter((s) =>
        s.kind === "throw" || s.kind === "reject"
      ).length;
      this.check(
        this.stepsError.length === failing,
        `${this.stepsError.length} cleanup failures, expected ${failing}`,
      );
    }
    for (const sub of this.subscribers) {
      const expected = sub.disposed ? [] : ["manual"];
      this.check(
        sub.calls.join() === expected.join(),
        `subscriber called ${sub.calls.join()}`,
      );
    }
    // Disposing again reports the same outcome, and never hangs.
    const disposal = await shutdown[Symbol.asyncDispose]().then(
      () => undefined,
      (e) => e,
    );
    this.check(
      (disposal === undefined) === report.ok,
      `asyncDispose ${describe(disposal)} vs ok ${report.ok}`,
    );
    if (report.timedOut) {
      this.check(
        disposal instanceof ShutdownTimeoutError,
        "asyncDispose after a timeout",
      );
    }
  }

  /** Every failure reached someone: onError, a join, an awaiter, dispose or the report. */
  checkAccounting(): void {
    const onError = this.config.onError;
    if (onError) {
      this.check(
        this.onErrorCalls.length === this.failures.length &&
          this.onErrorCalls.every((c, i) =>
            c.error === this.failures[i]!.error &&
            c.name === this.failures[i]!.rec.name
          ),
        `onError saw ${this.onErrorCalls.length} failures, model ${this.failures.length}`,
      );
    } else {
      this.check(this.onErrorCalls.length === 0, "onError called without one");
    }
    const disposed = this.disposing?.outcome;
    const thrown = disposed instanceof AggregateError
      ? disposed.errors
      : disposed === undefined || Array.isArray(disposed)
      ? []
      : [disposed];
    const reported = new Set(
      this.reportValue?.errors.map((e) => e.error) ?? [],
    );
    for (const f of this.failures) {
      const seen = onError || thrown.includes(f.error) ||
        reported.has(f.error) ||
        (!f.late && (f.rec.joined || f.rec.awaited));
      this.check(
        seen,
        `failure of ${f.rec.name} (${describe(f.error)}) reached nobody`,
      );
    }
  }

  /** Best effort after a violation: open every gate and cancel, so nothing keeps running. */
  async cleanup(): Promise<void> {
    for (const rec of this.recs) {
      if (rec.work === "pending") {
        rec.work = "ok";
        rec.gate!.resolve(undefined);
      }
    }
    this.group?.cancel();
    void this.shutdown?.shutdown();
    for (let i = 0; i < 3; i++) await macrotask();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs one seeded scenario; never throws (a violation is returned in `failure`). */
export async function runScenario(seed: number): Promise<ScenarioResult> {
  const scenario = new Scenario(seed);
  let failure: string | undefined;
  try {
    scenario.build();
    for (let i = 0; i < scenario.config.ops; i++) {
      const pending = scenario.step();
      if (pending !== undefined) await pending;
    }
    await scenario.finale();
  } catch (error) {
    const what = error instanceof Violation
      ? error.message
      : `unexpected ${describe(error)}\n${(error as Error)?.stack ?? ""}`;
    failure = `seed ${seed} ${
      JSON.stringify(scenario.config)
    }: ${what}\n  last operations:\n    ${
      scenario.trace.slice(-25).join("\n    ")
    }`;
    await scenario.cleanup().catch(() => {});
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
 * Records unhandled promise rejections while installed (Deno and browsers:
 * `unhandledrejection` events; Bun/Node: `process.on("unhandledRejection")`).
 */
export function trackUnhandled(): {
  readonly reasons: unknown[];
  stop(): void;
} {
  const reasons: unknown[] = [];
  const host = globalThis as unknown as {
    Bun?: unknown;
    process?: {
      on(event: string, fn: (reason: unknown) => void): void;
      off(event: string, fn: (reason: unknown) => void): void;
    };
  };
  if (host.Bun !== undefined && host.process) {
    const onReason = (reason: unknown) => reasons.push(reason);
    host.process.on("unhandledRejection", onReason);
    return {
      reasons,
      stop: () => host.process!.off("unhandledRejection", onReason),
    };
  }
  const onEvent = (event: Event) => {
    event.preventDefault();
    reasons.push((event as PromiseRejectionEvent).reason);
  };
  globalThis.addEventListener("unhandledrejection", onEvent);
  return {
    reasons,
    stop: () => globalThis.removeEventListener("unhandledrejection", onEvent),
  };
}

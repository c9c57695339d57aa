import { ClosedError, WaitTimeoutError } from "./errors.ts";
import type { Straggler } from "./report.ts";
import type { Failure } from "./report.ts";
import {
  isAwaited,
  RunningTasks,
  startTask,
  type Task,
  type TaskFunction,
  type TaskOwner,
} from "./task.ts";
import { type CancellationToken, setCancelHook, TokenSource } from "./token.ts";
import { deadline } from "./wait.ts";
import { reportUncaught } from "./_uncaught.ts";
import {
  describe,
  validateFunction,
  validateMs,
  validateName,
  validateOptions,
  validateSignal,
} from "./_validate.ts";

/**
 * Options for {@linkcode TaskTracker}.
 *
 * @example A tracker whose tasks stop when an outside signal aborts
 * ```ts
 * import { sleep, TaskTracker, type TaskTrackerOptions } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const request = new AbortController();
 * const failed: string[] = [];
 * const options: TaskTrackerOptions = {
 *   signal: request.signal,
 *   onError: (failure) => failed.push(failure.name),
 * };
 * await using tracker = new TaskTracker(options);
 * tracker.spawn("poll", (signal) => sleep(60_000, { signal }));
 * request.abort();
 * await tracker.wait();
 * assertEquals(failed, []); // honouring the cancellation is not a failure
 * ```
 */
export interface TaskTrackerOptions {
  /** The tracker's token is a child of this token: its cancellation cancels every task. */
  parent?: CancellationToken;
  /**
   * Aborting this signal cancels every task; later spawns run with an aborted signal. Any
   * number of trackers and groups may share one signal at O(1) cost each.
   */
  signal?: AbortSignal;
  /**
   * Called for every task failure as it happens, including failures after cancellation.
   * Without it, failures nobody awaited are thrown by `[Symbol.asyncDispose]`. If it throws,
   * the error is reported as uncaught (`reportError`) and the tracker goes on.
   */
  onError?: (failure: Failure) => void;
}

/**
 * Options for {@linkcode TaskTracker.wait} (and `TaskGroup.wait`).
 *
 * @example Wait a bounded time, then cancel what is left
 * ```ts
 * import { WaitTimeoutError, sleep, TaskTracker, type TrackerWaitOptions } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * await using tracker = new TaskTracker();
 * tracker.spawn("endless", (signal) => sleep(60_000, { signal }));
 * const options: TrackerWaitOptions = { timeout: 20 };
 * const error = await assertRejects(() => tracker.wait(options), WaitTimeoutError);
 * assertEquals(error.stragglers.map((straggler) => straggler.name), ["endless"]);
 * tracker.cancel();
 * await tracker.wait({ timeout: 1_000 });
 * assertEquals(tracker.running, 0);
 * ```
 */
export interface TrackerWaitOptions {
  /** Milliseconds to wait before rejecting with `WaitTimeoutError`; default `Infinity`. */
  timeout?: number;
  /** Aborting it stops the wait (rejects with `signal.reason`); tasks keep running. */
  signal?: AbortSignal;
}

/** What a join queue over a tracker hears of its tasks. Internal. */
export interface TrackerListener {
  /** A task was made; its work has not run yet. */
  spawned(task: Task<unknown>): void;
  /** A handle settled; a failed handle settles before its failure is reported. */
  settled(task: Task<unknown>): void;
  /** A task failed (`late`: after its handle was cancelled); the listener keeps it. */
  failed(task: Task<unknown>, error: unknown, late: boolean): void;
}

const TRACKER_OPTIONS = [
  "parent",
  "signal",
  "onError",
] as const satisfies ReadonlyArray<keyof TaskTrackerOptions>;

let listen: (tracker: TaskTracker, listener: TrackerListener) => void;

/** Makes `listener` hear of every task of `tracker` (the join queue of a TaskGroup). */
export function listenToTracker(
  tracker: TaskTracker,
  listener: TrackerListener,
): void {
  listen(tracker, listener);
}

/** Validates the options a tracker (and a group) share; returns the tracker's own token. */
function trackerSource(
  options: TaskTrackerOptions | undefined,
): TokenSource {
  const parent = options?.parent;
  if (
    parent !== undefined &&
    typeof (parent as CancellationToken | null)?.child !== "function"
  ) {
    throw new TypeError(
      `Cannot use options.parent: expected a CancellationToken, got ${
        describe(parent)
      }`,
    );
  }
  validateSignal(options?.signal, "options.signal");
  if (options?.onError !== undefined) {
    validateFunction(options.onError, "options.onError");
  }
  const link = { signal: options?.signal };
  return parent?.child(link) ?? new TokenSource(link);
}

/**
 * Tracks named tasks until their work really settles: tokio's `TaskTracker`. Every task gets
 * a child token of the tracker's token, so `cancel()` (or the parent, or the signal option)
 * cancels them all; `wait()` resolves once no task's work is running, or names the
 * stragglers at a deadline; `close()` refuses new tasks. It keeps no results: await a
 * task's handle for its value, or use a {@linkcode TaskGroup} to join results.
 *
 * @example Track background work, then wait for it
 * ```ts
 * import { TaskTracker } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using tracker = new TaskTracker();
 * const saved: string[] = [];
 * for (const id of ["a", "b"]) {
 *   tracker.spawn(`save ${id}`, async () => void saved.push(id));
 * }
 * tracker.close();
 * await tracker.wait();
 * assertEquals(saved, ["a", "b"]);
 * ```
 */
export class TaskTracker implements AsyncDisposable {
  #source: TokenSource;
  #onError: ((failure: Failure) => void) | undefined;
  #listener: TrackerListener | undefined;
  #closed = false;
  #running = new RunningTasks();
  /** Tasks spawned so far: the next task's number in spawn order. */
  #spawned = 0;
  #waiters: Array<() => void> = [];
  /** Failures kept for dispose when nobody else receives them; one per task. */
  #unseen = new Map<Task<unknown>, { error: unknown; late: boolean }>();

  /**
   * Creates an open tracker with no tasks.
   *
   * @throws {TypeError} If an option has the wrong type or name.
   */
  constructor(options?: TaskTrackerOptions) {
    validateOptions(options, "options", TRACKER_OPTIONS);
    this.#source = trackerSource(options);
    this.#onError = options?.onError;
    // One hook for all tasks: no token, closure or registration per task.
    setCancelHook(this.#source, (reason) => this.#running.cancelAll(reason));
  }

  static {
    listen = (tracker, listener) => tracker.#listener = listener;
  }

  /** The tracker's token: cancelled by `cancel()`, by the parent or by the signal option. */
  get token(): CancellationToken {
    return this.#source.token;
  }

  /** Tasks whose work has not settled yet (a cancelled task counts until it really stops). */
  get running(): number {
    return this.#running.size;
  }

  /** Whether `close()` was called (or the tracker was disposed). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts `fn` as a task named `name`; `fn` runs synchronously up to its first `await`.
   * On a cancelled (not closed) tracker `fn` still runs, with an already-aborted signal, and
   * the tracker waits for it: work handed over during a drain is never silently dropped.
   *
   * @throws {TypeError} If `name` is not a non-empty string or `fn` is not a function.
   * @throws {ClosedError} If the tracker is closed.
   */
  spawn<T>(name: string, fn: TaskFunction<T>): Task<T> {
    validateName(name, "name");
    validateFunction(fn, "fn");
    if (this.#closed) throw new ClosedError(name);
    return startTask<T>(name, this.#source, this.#owner, fn, this.#spawned++);
  }

  /**
   * Resolves once no task's work is running (at once when none is). Rejects with a
   * `WaitTimeoutError` naming the stragglers if `timeout` passes first.
   *
   * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
   */
  wait(options?: TrackerWaitOptions): Promise<void> {
    validateOptions(options, "options", ["timeout", "signal"]);
    const timeout = validateMs(options?.timeout ?? Infinity, "options.timeout");
    const signal = options?.signal;
    validateSignal(signal, "options.signal");
    if (this.#running.size === 0) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push(resolve);
    return deadline(promise, timeout, signal ? { signal } : {}).catch(
      (error) => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== resolve);
        if (
          (error as { name?: unknown })?.name === "TimeoutError" &&
          !signal?.aborted
        ) {
          throw new WaitTimeoutError(
            timeout,
            this.stragglers(),
            Array.from(this.#unseen.values(), (f) => f.error),
          );
        }
        throw error;
      },
    );
  }

  /** The tasks whose work is still running, oldest first, with age and whether they looked at their signal. */
  stragglers(): Straggler[] {
    const now = performance.now();
    return this.#running.map((task) => ({
      name: task.name,
      kind: "task" as const,
      ageMs: now - task.startedAt,
      observedSignal: task.observedSignal,
    }));
  }

  /**
   * Cancels the tracker's token: every task is cancelled, and later spawns run with an
   * aborted signal (until `close()`). Never throws.
   */
  cancel(reason?: unknown): void {
    this.#source.cancel(reason);
  }

  /** Refuses new tasks from now on; running tasks are not affected. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Closes the tracker, cancels every task, waits for their work to settle, then throws the
   * failures nobody received (no `onError`, not awaited) as an `AggregateError` naming
   * the tasks.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    this.cancel(
      new DOMException("The task tracker was disposed", "AbortError"),
    );
    await this.wait();
    this.#source[Symbol.dispose]();
    throwUnseen(this.#unseen, "collect");
  }

  #owner: TaskOwner = {
    onSpawned: (task) => {
      this.#running.add(task);
      this.#listener?.spawned(task);
    },
    onSettled: (task) => {
      this.#listener?.settled(task);
      if (task.status === "failed") this.#failed(task, task.error, false);
    },
    onFinished: (task) => {
      this.#running.delete(task);
      if (this.#running.size > 0) return;
      for (const resolve of this.#waiters.splice(0)) resolve();
    },
    onLateFailure: (task, error) => this.#failed(task, error, true),
  };

  #failed(task: Task<unknown>, error: unknown, late: boolean): void {
    if (this.#listener !== undefined) {
      this.#listener.failed(task, error, late);
    } else if (this.#onError === undefined) {
      this.#unseen.set(task, { error, late });
    }
    if (this.#onError === undefined) return;
    try {
      this.#onError({ source: "task", name: task.name, error });
    } catch (hookError) {
      reportUncaught(hookError);
    }
  }
}

/**
 * Throws the failures in `kept` that nobody saw (late ones, and those whose handle nobody
 * awaited), and forgets them all: the error itself when there is one and `policy` is
 * fail-fast, otherwise an `AggregateError` naming the tasks.
 */
export function throwUnseen(
  kept: Map<Task<unknown>, { error: unknown; late: boolean }>,
  policy: "fail-fast" | "collect",
): void {
  const unseen = Array.from(kept).filter(([task, f]) =>
    f.late || !isAwaited(task)
  );
  kept.clear();
  if (unseen.length === 0) return;
  if (policy === "fail-fast" && unseen.length === 1) throw unseen[0]![1].error;
  throw new AggregateError(
    unseen.map(([, f]) => f.error),
    `${unseen.length} task failure(s) were not joined: ${
      unseen.map(([task]) => task.name).join(", ")
    }`,
  );
}

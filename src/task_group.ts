import type { Failure } from "./report.ts";
import type { Straggler } from "./report.ts";
import {
  isJoined,
  markJoined,
  spawnSeq,
  type Task,
  type TaskFunction,
  type TaskResult,
  valueIfCompleted,
} from "./task.ts";
import {
  listenToTracker,
  TaskTracker,
  throwUnseen,
  type TrackerWaitOptions,
} from "./task_tracker.ts";
import type { CancellationToken } from "./token.ts";
import { Queue } from "./_queue.ts";
import { validateOptions } from "./_validate.ts";

/**
 * What a group does when a task fails.
 *
 * @example `"collect"` lets the siblings finish; `"fail-fast"` cancels them
 * ```ts
 * import { type FailurePolicy, sleep, TaskGroup } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * async function run(failure: FailurePolicy): Promise<string> {
 *   await using group = new TaskGroup({ failure });
 *   const slow = group.spawn("slow", (signal) => sleep(20, { signal }));
 *   group.spawn("broken", () => Promise.reject(new Error("boom")));
 *   await assertRejects(() => group.joinAll());
 *   return slow.status;
 * }
 *
 * assertEquals(await run("fail-fast"), "cancelled");
 * assertEquals(await run("collect"), "completed");
 * ```
 */
export type FailurePolicy = "fail-fast" | "collect";

/**
 * Options for {@linkcode TaskGroup}.
 *
 * @example A group whose tasks stop when the program shuts down
 * ```ts
 * import { GracefulShutdown, sleep, TaskGroup, type TaskGroupOptions } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const failures: string[] = [];
 * const options: TaskGroupOptions = {
 *   parent: shutdown.token,
 *   failure: "collect",
 *   onError: (failure) => failures.push(failure.name),
 * };
 * await using group = new TaskGroup(options);
 * const poll = group.spawn("poll", (signal) => sleep(60_000, { signal }));
 * await shutdown.shutdown();
 * assertEquals(poll.status, "cancelled");
 * assertEquals(group.token.isCancelled, true);
 * assertEquals(failures, []); // a task honouring its cancellation is not a failure
 * ```
 */
export interface TaskGroupOptions {
  /** The group's token is a child of this token: its cancellation cancels every task. */
  parent?: CancellationToken;
  /**
   * Aborting this signal cancels every task; later spawns run with an aborted signal. Any
   * number of groups may share one signal at O(1) cost each.
   */
  signal?: AbortSignal;
  /**
   * `"fail-fast"` (default): the first failure cancels the group (every sibling, and later
   * spawns run with an aborted signal) and is thrown by `joinAll` and
   * `[Symbol.asyncDispose]`. `"collect"`: failures are gathered and thrown together as an
   * `AggregateError`.
   */
  failure?: FailurePolicy;
  /**
   * Called for every task failure as it happens, including failures after cancellation. If
   * it throws, the error is reported as uncaught (`reportError`) and the group goes on.
   */
  onError?: (failure: Failure) => void;
}

/**
 * A task taken by a join, boxed: a promise resolved with the task itself would adopt it as
 * a thenable and yield its value instead.
 */
type Joined = [Task<unknown>];

const GROUP_OPTIONS = [
  "parent",
  "signal",
  "failure",
  "onError",
] as const satisfies ReadonlyArray<keyof TaskGroupOptions>;

/**
 * Named tasks whose results are joined: tokio's `JoinSet`, over a {@linkcode TaskTracker}.
 * Every task gets a child token of the group's token, so cancelling the group (or its
 * parent) cancels them all. Results come out in the order tasks settled (`joinNext`,
 * `for await`) or in spawn order (`joinAll`). Handles settle as soon as a task is
 * cancelled, while the group keeps tracking the work until it really settles: `wait` and
 * `[Symbol.asyncDispose]` wait for the work, and name what is stuck at a deadline.
 *
 * @example Fan out and collect
 * ```ts
 * import { TaskGroup } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using group = new TaskGroup<number>();
 * for (const n of [1, 2, 3]) group.spawn(`square ${n}`, async () => n * n);
 * assertEquals(await group.joinAll(), [1, 4, 9]);
 * ```
 */
export class TaskGroup<T = unknown>
  implements AsyncDisposable, AsyncIterable<TaskResult<T>> {
  #tracker: TaskTracker;
  #policy: FailurePolicy;
  #tripped = false;
  /**
   * Tasks spawned and not yet joined. Which ones is a bit on each task, and the spawn order
   * `joinAll` sorts by is the task's own number: no map entry per task.
   */
  #unjoined = 0;
  #settled = new Queue<Task<unknown>>();
  #joinWaiters = new Queue<(next: Joined | undefined) => void>();
  /** Failures not yet delivered by a join; one per task (early or late, never both). */
  #failures = new Map<Task<unknown>, { error: unknown; late: boolean }>();

  /**
   * Creates an open, empty group.
   *
   * @throws {TypeError} If an option has the wrong type or name.
   */
  constructor(options?: TaskGroupOptions) {
    validateOptions(options, "options", GROUP_OPTIONS);
    const failure = options?.failure ?? "fail-fast";
    if (failure !== "fail-fast" && failure !== "collect") {
      throw new TypeError(
        `Cannot use options.failure: expected "fail-fast" or "collect", got ${
          String(failure)
        }`,
      );
    }
    this.#policy = failure;
    this.#tracker = new TaskTracker({
      parent: options?.parent,
      signal: options?.signal,
      onError: options?.onError,
    });
    listenToTracker(this.#tracker, {
      spawned: () => this.#unjoined++,
      settled: (task) => this.#onSettled(task),
      failed: (task, error, late) => this.#onFailed(task, error, late),
    });
  }

  /** The group's token: cancelled by `cancel()`, by the parent or by the signal option. */
  get token(): CancellationToken {
    return this.#tracker.token;
  }

  /** Tasks spawned and not yet joined (running or waiting in the join queue). */
  get size(): number {
    return this.#unjoined;
  }

  /** Tasks whose work has not settled yet (a cancelled task counts until it really stops). */
  get running(): number {
    return this.#tracker.running;
  }

  /** Whether `close()` was called (or the group was disposed). */
  get closed(): boolean {
    return this.#tracker.closed;
  }

  /**
   * Starts `fn` as a task named `name`. `fn` runs synchronously up to its first `await`.
   * On a cancelled (not closed) group `fn` still runs, with an already-aborted signal, and
   * the group waits for it: work handed over during a drain is never silently dropped.
   *
   * @throws {TypeError} If `name` is not a non-empty string or `fn` is not a function.
   * @throws {ClosedError} If the group is closed.
   */
  spawn<R extends T>(name: string, fn: TaskFunction<R>): Task<R> {
    return this.#tracker.spawn(name, fn);
  }

  /**
   * Waits for the next task to settle and returns its result, or `undefined` when no task is
   * left to join. Results come in the order tasks settled.
   */
  async joinNext(): Promise<TaskResult<T> | undefined> {
    const next = await this.#nextSettled();
    return next?.[0].result as TaskResult<T> | undefined;
  }

  /** Yields each task's result as it settles, until none is left. */
  async *[Symbol.asyncIterator](): AsyncIterator<TaskResult<T>> {
    for (;;) {
      const result = await this.joinNext();
      if (result === undefined) return;
      yield result;
    }
  }

  /**
   * Waits for every unjoined task and returns their values in spawn order (`undefined` for
   * cancelled ones). With `"fail-fast"` the first failure cancels the rest and is thrown at
   * once; with `"collect"`, all failures are thrown together as an `AggregateError` once
   * every task has settled.
   */
  async joinAll(): Promise<Array<T | undefined>> {
    const joined: Task<unknown>[] = [];
    const errors: unknown[] = [];
    let inOrder = true;
    let lastSeq = -1;
    for (;;) {
      // Take what has settled already without a turn of the event loop per result; await
      // only when nothing is queued, and stop when nothing is left to wait for.
      let next = this.#takeQueued();
      if (next === undefined) {
        next = (await this.#nextSettled())?.[0];
        if (next === undefined) break;
      }
      for (; next !== undefined; next = this.#takeQueued()) {
        const task = next;
        if (task.status === "failed") {
          if (this.#policy === "fail-fast") throw task.error;
          errors.push(task.error);
          continue;
        }
        const seq = spawnSeq(task);
        if (seq < lastSeq) inOrder = false;
        lastSeq = seq;
        joined.push(task);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} of the group's tasks failed`,
      );
    }
    if (!inOrder) joined.sort((a, b) => spawnSeq(a) - spawnSeq(b));
    const values = new Array<T | undefined>(joined.length);
    for (let i = 0; i < joined.length; i++) {
      const task = joined[i]!;
      values[i] = valueIfCompleted(task) as T | undefined;
    }
    return values;
  }

  /**
   * Waits until no task's work is running; see {@linkcode TaskTracker.wait}. Failures are
   * not thrown here: join them, or let `[Symbol.asyncDispose]` throw them.
   *
   * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
   */
  wait(options?: TrackerWaitOptions): Promise<void> {
    return this.#tracker.wait(options);
  }

  /** The tasks whose work is still running, oldest first, with age and whether they looked at their signal. */
  stragglers(): Straggler[] {
    return this.#tracker.stragglers();
  }

  /**
   * Cancels the group's token: every task is cancelled, and later spawns run with an
   * aborted signal (until `close()`). Never throws.
   */
  cancel(reason?: unknown): void {
    this.#tracker.cancel(reason);
  }

  /** Refuses new tasks from now on; running tasks are not affected. */
  close(): void {
    this.#tracker.close();
  }

  /**
   * Closes the group, cancels every task, waits for their work to settle, then throws the
   * failures nobody has seen (not joined, not awaited), per the failure policy.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    this.cancel(new DOMException("The task group was disposed", "AbortError"));
    await this.#tracker[Symbol.asyncDispose]();
    throwUnseen(this.#failures, this.#policy);
  }

  /** The oldest queued result, taken; `undefined` when none is queued. */
  #takeQueued(): Task<unknown> | undefined {
    const task = this.#settled.take();
    return task === undefined ? undefined : this.#take(task);
  }

  #nextSettled(): Promise<Joined | undefined> {
    const task = this.#settled.take();
    if (task !== undefined) return Promise.resolve([this.#take(task)]);
    // Each waiter claims one task still to settle; one more waiter than that would wait
    // for a task nobody will spawn, so it gets `undefined` like a call on an empty group.
    if (this.#joinWaiters.size >= this.#unjoined) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => this.#joinWaiters.push(resolve));
  }

  #take(task: Task<unknown>): Task<unknown> {
    if (!markJoined(task)) this.#unjoined--;
    if (task.status === "failed") this.#failures.delete(task);
    return task;
  }

  /** Hands the result to a waiting join, or queues it; before any failure is handled. */
  #onSettled(task: Task<unknown>): void {
    const waiter = this.#joinWaiters.take();
    if (waiter !== undefined) waiter([this.#take(task)]);
    else this.#settled.push(task);
  }

  #onFailed(task: Task<unknown>, error: unknown, late: boolean): void {
    // A failure a join already took is delivered; anything else is kept for dispose.
    if (late || !isJoined(task)) {
      this.#failures.set(task, { error, late });
    }
    if (!late && this.#policy === "fail-fast" && !this.#tripped) {
      this.#tripped = true;
      this.cancel(
        new DOMException(
          `Aborted because task "${task.name}" failed`,
          "AbortError",
        ),
      );
    }
  }
}

import {
  ShutdownTimeoutError,
  type Straggler,
  TaskGroupClosedError,
} from "./errors.ts";
import {
  startTask,
  type Task,
  type TaskFunction,
  type TaskOwner,
  type TaskResult,
} from "./task.ts";
import { type ShutdownToken, TokenSource } from "./token.ts";
import { deadline } from "./wait.ts";
import { Queue } from "./_queue.ts";
import { reportUncaught } from "./_report.ts";
import {
  describe,
  validateFunction,
  validateMs,
  validateName,
  validateOptions,
  validateSignal,
} from "./_validate.ts";

/**
 * What a group does when a task fails.
 *
 * @example `"collect"` lets the siblings finish; `"fail-fast"` aborts them
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
 *   parent: shutdown.token(),
 *   failure: "collect",
 *   onError: (_error, task) => failures.push(task.name),
 * };
 * await using group = new TaskGroup(options);
 * const poll = group.spawn("poll", (signal) => sleep(60_000, { signal }));
 * await shutdown.shutdown();
 * assertEquals(poll.status, "cancelled");
 * assertEquals(group.token.isShutdown, true);
 * assertEquals(failures, []); // a task honouring its cancellation is not a failure
 * ```
 */
export interface TaskGroupOptions {
  /** The group's token is a child of this token: its shutdown cancels every task. */
  parent?: ShutdownToken;
  /**
   * Aborting this signal cancels every task; later spawns run with an aborted signal. Any
   * number of groups may share one signal at O(1) cost each.
   */
  signal?: AbortSignal;
  /**
   * `"fail-fast"` (default): the first failure aborts the siblings and is thrown by
   * `joinAll` and `[Symbol.asyncDispose]`. `"collect"`: failures are gathered and thrown
   * together as an `AggregateError`.
   */
  failure?: FailurePolicy;
  /**
   * Whether settled tasks are kept until joined (`joinNext`, `joinAll`, `for await`).
   * Default `true`. Set `false` for a long-lived tracker whose tasks are never joined: they
   * are forgotten once their work settles, and failures go only to `onError`.
   */
  joinable?: boolean;
  /**
   * Called for every task failure as it happens, including failures after cancellation. If
   * it throws, the error is reported as uncaught (`reportError`) and the group goes on.
   */
  onError?: (error: unknown, task: Task<unknown>) => void;
}

const TASK_GROUP_OPTIONS = [
  "parent",
  "signal",
  "failure",
  "joinable",
  "onError",
] as const satisfies ReadonlyArray<keyof TaskGroupOptions>;

/**
 * Options for {@linkcode TaskGroup.waitAll}.
 *
 * @example Wait a bounded time, then abort what is left
 * ```ts
 * import { ShutdownTimeoutError, sleep, TaskGroup, type WaitAllOptions } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * await using group = new TaskGroup();
 * group.spawn("quick", async () => "done");
 * group.spawn("endless", (signal) => sleep(60_000, { signal }));
 * const options: WaitAllOptions = { timeout: 20 };
 * const error = await assertRejects(() => group.waitAll(options), ShutdownTimeoutError);
 * assertEquals(error.stragglers.map((straggler) => straggler.name), ["endless"]);
 * group.abortAll();
 * await group.waitAll({ timeout: 1_000 });
 * assertEquals(group.running, 0);
 * ```
 */
export interface WaitAllOptions {
  /** Milliseconds to wait before rejecting with `ShutdownTimeoutError`; default `Infinity`. */
  timeout?: number;
  /** Aborting it stops the wait (rejects with `signal.reason`); tasks keep running. */
  signal?: AbortSignal;
}

/**
 * A set of named tasks with one lifetime: tokio's `JoinSet` and `TaskTracker` in one.
 * Every task gets a child token of the group's token, so cancelling the group (or its
 * parent) cancels them all. Handles settle as soon as a task is cancelled, while the group
 * keeps tracking the work until it really settles: `waitAll` and `[Symbol.asyncDispose]`
 * wait for the work, and name what is stuck at a deadline.
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
  #source: TokenSource;
  #policy: FailurePolicy;
  #joinable: boolean;
  #onError: ((error: unknown, task: Task<unknown>) => void) | undefined;
  #closed = false;
  #tripped = false;
  #seq = 0;
  #unjoined = new Map<Task<T>, number>();
  #settled = new Queue<Task<T>>();
  #joinWaiters = new Queue<(next: [Task<T>, number] | undefined) => void>();
  #running = new Set<Task<T>>();
  #drainWaiters: Array<() => void> = [];
  /** Failures not yet delivered by a join; one per task (a task fails early or late, never both). */
  #failures = new Map<Task<T>, { error: unknown; late: boolean }>();

  /**
   * Creates an open, empty group.
   *
   * @throws {TypeError} If an option has the wrong type.
   */
  constructor(options?: TaskGroupOptions) {
    validateOptions(options, "options", TASK_GROUP_OPTIONS);
    const failure = options?.failure ?? "fail-fast";
    if (failure !== "fail-fast" && failure !== "collect") {
      throw new TypeError(
        `Cannot use options.failure: expected "fail-fast" or "collect", got ${
          String(failure)
        }`,
      );
    }
    if (options?.onError !== undefined) {
      validateFunction(options.onError, "options.onError");
    }
    const joinable = options?.joinable ?? true;
    if (typeof joinable !== "boolean") {
      throw new TypeError(
        `Cannot use options.joinable: expected a boolean, got ${
          describe(joinable)
        }`,
      );
    }
    const parent = options?.parent;
    if (
      parent !== undefined &&
      typeof (parent as ShutdownToken | null)?.child !== "function"
    ) {
      throw new TypeError(
        `Cannot use options.parent: expected a ShutdownToken, got ${
          describe(parent)
        }`,
      );
    }
    validateSignal(options?.signal, "options.signal");
    this.#policy = failure;
    this.#joinable = joinable;
    this.#onError = options?.onError;
    const link = { signal: options?.signal };
    this.#source = parent?.child(link) ?? new TokenSource(link);
  }

  /** The group's token: cancelled by `cancel()`, by the parent or by the signal option. */
  get token(): ShutdownToken {
    return this.#source.token;
  }

  /** Tasks spawned and not yet joined (running or waiting in the join queue). */
  get size(): number {
    return this.#joinable ? this.#unjoined.size : this.#running.size;
  }

  /** Tasks whose work has not settled yet (a cancelled task counts until it really stops). */
  get running(): number {
    return this.#running.size;
  }

  /** Whether `close()` was called (or the group was disposed). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts `fn` as a task named `name`. `fn` runs synchronously up to its first `await`.
   * On a cancelled (not closed) group `fn` still runs, with an already-aborted signal, and
   * the group waits for it: work handed over during a drain is never silently dropped.
   *
   * @throws {TypeError} If `name` is not a non-empty string or `fn` is not a function.
   * @throws {TaskGroupClosedError} If the group is closed.
   */
  spawn<R extends T>(name: string, fn: TaskFunction<R>): Task<R> {
    validateName(name, "name");
    validateFunction(fn, "fn");
    if (this.#closed) throw new TaskGroupClosedError(name);
    const register = (task: Task<R>) => {
      // A Task<R> is a Task<T> for every reader; the cast only bridges the private fields.
      const tracked = task as unknown as Task<T>;
      this.#running.add(tracked);
      if (this.#joinable) this.#unjoined.set(tracked, this.#seq++);
    };
    return startTask<R>(name, this.#source.child(), this.#owner, register, fn);
  }

  /**
   * Waits for the next task to settle and returns its result, or `undefined` when no task is
   * left to join. Results come in the order tasks settled.
   */
  async joinNext(): Promise<TaskResult<T> | undefined> {
    const next = await this.#nextSettled();
    return next?.[0].result;
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
   * cancelled ones). With `"fail-fast"` the first failure aborts the rest and is thrown at
   * once; with `"collect"`, all failures are thrown together as an `AggregateError` once
   * every task has settled.
   */
  async joinAll(): Promise<Array<T | undefined>> {
    const values: Array<[number, T | undefined]> = [];
    const errors: unknown[] = [];
    for (;;) {
      const next = await this.#nextSettled();
      if (next === undefined) break;
      const [task, seq] = next;
      const result = task.result!;
      if (result.status === "failed") {
        if (this.#policy === "fail-fast") throw result.error;
        errors.push(result.error);
      } else {
        values.push([
          seq,
          result.status === "completed" ? result.value : undefined,
        ]);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} of the group's tasks failed`,
      );
    }
    return values.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }

  /**
   * Waits until no task's work is running. Rejects with a `ShutdownTimeoutError` naming the
   * stragglers if `timeout` passes first. Failures are not thrown here: join them, or let
   * `[Symbol.asyncDispose]` throw them.
   *
   * @throws {TypeError | RangeError} If `options.timeout` is not a non-negative number.
   */
  waitAll(options?: WaitAllOptions): Promise<void> {
    validateOptions(options, "options", ["timeout", "signal"]);
    const timeout = validateMs(options?.timeout ?? Infinity, "options.timeout");
    validateSignal(options?.signal, "options.signal");
    if (this.#running.size === 0) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#drainWaiters.push(resolve);
    const signal = options?.signal;
    return deadline(promise, timeout, signal ? { signal } : {}).catch(
      (error) => {
        this.#drainWaiters = this.#drainWaiters.filter((waiter) =>
          waiter !== resolve
        );
        if (
          (error as { name?: unknown })?.name === "TimeoutError" &&
          !signal?.aborted
        ) {
          throw new ShutdownTimeoutError(
            timeout,
            this.stragglers(),
            Array.from(this.#failures.values(), (f) => f.error),
          );
        }
        throw error;
      },
    );
  }

  /** The tasks whose work is still running, oldest first, with age and whether they looked at their signal. */
  stragglers(): Straggler[] {
    const now = performance.now();
    return Array.from(this.#running, (task) => ({
      name: task.name,
      kind: "task" as const,
      ageMs: now - task.startedAt,
      observedSignal: task.observedSignal,
    }));
  }

  /** Aborts every running task with `reason`; the group stays open for new tasks. */
  abortAll(reason?: unknown): void {
    // One reason for all: a DOMException costs microseconds to build (a stack trace).
    reason ??= new DOMException("The group aborted its tasks", "AbortError");
    for (const task of Array.from(this.#running)) task.abort(reason);
  }

  /**
   * Cancels the group's token: every task is aborted, and later spawns run with an aborted
   * signal (until `close()`).
   */
  cancel(reason?: unknown): void {
    this.#source.cancel(reason);
  }

  /** Refuses new tasks from now on; running tasks are not affected. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Closes the group, aborts every task, waits for their work to settle, then throws the
   * failures nobody has seen (not joined, not awaited), per the failure policy.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    this.abortAll(
      new DOMException("The task group was disposed", "AbortError"),
    );
    await this.waitAll();
    this.#source[Symbol.dispose]();
    const unseen = Array.from(this.#failures).filter(([task, f]) =>
      f.late || !task.awaited
    );
    this.#failures.clear();
    if (unseen.length === 0) return;
    if (this.#policy === "fail-fast" && unseen.length === 1) {
      throw unseen[0]![1].error;
    }
    throw new AggregateError(
      unseen.map(([, f]) => f.error),
      `${unseen.length} task failure(s) were not joined: ${
        unseen.map(([task]) => task.name).join(", ")
      }`,
    );
  }

  #nextSettled(): Promise<[Task<T>, number] | undefined> {
    if (!this.#joinable) return Promise.resolve(undefined);
    const task = this.#settled.take();
    if (task !== undefined) return Promise.resolve(this.#take(task));
    // Each waiter claims one task still to settle; one more waiter than that would wait
    // for a task nobody will spawn, so it gets `undefined` like a call on an empty group.
    if (this.#joinWaiters.size >= this.#unjoined.size) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => this.#joinWaiters.push(resolve));
  }

  #take(task: Task<T>): [Task<T>, number] {
    const seq = this.#unjoined.get(task) ?? Infinity;
    this.#unjoined.delete(task);
    if (task.status === "failed") this.#failures.delete(task);
    return [task, seq];
  }

  #owner: TaskOwner = {
    onSettled: (settled) => {
      const task = settled as Task<T>;
      // Queue the result before handling a failure: fail-fast then cancels the siblings,
      // whose results must come out after the failure that caused them.
      if (this.#joinable) {
        const waiter = this.#joinWaiters.take();
        if (waiter !== undefined) waiter(this.#take(task));
        else this.#settled.push(task);
      }
      if (task.status === "failed") this.#failed(task, task.error, false);
    },
    onFinished: (finished) => {
      this.#running.delete(finished as Task<T>);
      if (this.#running.size > 0) return;
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    },
    onLateFailure: (task, error) => this.#failed(task as Task<T>, error, true),
  };

  #failed(task: Task<T>, error: unknown, late: boolean): void {
    const delivered = !late && task.status === "failed" &&
      this.#joinable && !this.#unjoined.has(task);
    if (!delivered && (this.#joinable || this.#onError === undefined)) {
      this.#failures.set(task, { error, late });
    }
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, task as Task<unknown>);
      } catch (hookError) {
        reportUncaught(hookError);
      }
    }
    if (!late && this.#policy === "fail-fast" && !this.#tripped) {
      this.#tripped = true;
      this.abortAll(
        new DOMException(
          `Aborted because task "${task.name}" failed`,
          "AbortError",
        ),
      );
    }
  }
}

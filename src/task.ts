import type { TokenSource } from "./token.ts";
import { abortQuietly, wasObserved, watchSignal } from "./_observed_signal.ts";
import { isCancellationEcho } from "./_cancellation_echo.ts";
import { isThenable } from "./_validate.ts";

/**
 * Where a task's handle stands. `cancelled` is final even while its work winds down.
 *
 * @example Watch a handle's status
 * ```ts
 * import { TaskGroup, type TaskStatus } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using group = new TaskGroup();
 * const quick = group.spawn("quick", () => "done"); // synchronous work settles at once
 * const slow = group.spawn("slow", (signal) =>
 *   new Promise((resolve) => signal.addEventListener("abort", () => setTimeout(resolve, 5))));
 * const before: TaskStatus[] = [quick.status, slow.status];
 * assertEquals(before, ["completed", "running"]);
 * slow.cancel();
 * assertEquals(slow.status, "cancelled"); // at once, though its work still winds down
 * assertEquals(slow.isRunning, true);
 * await slow.finished();
 * assertEquals(slow.isRunning, false);
 * ```
 */
export type TaskStatus = "running" | "completed" | "cancelled" | "failed";

/**
 * The work of a task: receives an `AbortSignal` that aborts when the task is cancelled.
 *
 * @example Write task work once, spawn it anywhere
 * ```ts
 * import { sleep, TaskGroup, type TaskFunction } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function countTo(limit: number): TaskFunction<number> {
 *   return async (signal) => {
 *     let count = 0;
 *     while (count < limit && !signal.aborted) {
 *       await sleep(1, { signal });
 *       count++;
 *     }
 *     return count;
 *   };
 * }
 *
 * await using group = new TaskGroup<number>();
 * assertEquals(await group.spawn("count", countTo(3)), 3);
 * ```
 */
export type TaskFunction<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * How a task ended, as yielded by `TaskGroup.joinNext` and `for await`.
 *
 * @example Handle each outcome from `joinNext`
 * ```ts
 * import { sleep, TaskGroup, type TaskResult } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * function summary(result: TaskResult<number>): string {
 *   switch (result.status) {
 *     case "completed":
 *       return `${result.name} = ${result.value}`;
 *     case "failed":
 *       return `${result.name} failed: ${(result.error as Error).message}`;
 *     case "cancelled":
 *       return `${result.name} cancelled`;
 *   }
 * }
 *
 * await using group = new TaskGroup<number>({ failure: "collect" });
 * group.spawn("answer", () => 42);
 * group.spawn("parse", () => {
 *   throw new Error("not a number");
 * });
 * group.spawn("wait", (signal) => sleep(60_000, { signal }).then(() => 0)).cancel();
 * const seen: string[] = [];
 * for (let result = await group.joinNext(); result; result = await group.joinNext()) {
 *   seen.push(summary(result));
 * }
 * assertEquals(seen, ["answer = 42", "parse failed: not a number", "wait cancelled"]);
 * ```
 */
export type TaskResult<T> =
  | { readonly name: string; readonly status: "completed"; readonly value: T }
  | {
    readonly name: string;
    readonly status: "failed";
    readonly error: unknown;
  }
  | {
    readonly name: string;
    readonly status: "cancelled";
    readonly reason: unknown;
  };

/** What a task tells the tracker that owns it. Internal. */
export interface TaskOwner {
  /** The task was made; its work has not run yet. */
  onSpawned(task: Task<unknown>): void;
  /** The handle settled (completed, failed or cancelled). */
  onSettled(task: Task<unknown>): void;
  /** The underlying work settled: the task no longer runs. */
  onFinished(task: Task<unknown>): void;
  /** The work threw something other than its abort reason after the task was cancelled. */
  onLateFailure(task: Task<unknown>, error: unknown): void;
}

// Task.#flags bits.
const AWAITED = 1; // someone called then(): a failure went to them
const WORK_DONE = 2; // the work itself settled
const BORN_CANCELLED = 4; // spawned into a cancelled scope: the signal aborted from the start
const JOINED = 8; // a group's join took the task

let cancelledReason: DOMException | undefined;

/** The reason of `task.cancel()` without one: shared, as a DOMException costs microseconds. */
function defaultCancelReason(): DOMException {
  return cancelledReason ??= new DOMException(
    "The task was cancelled.",
    "AbortError",
  );
}

let create: <T>(name: string, owner: TaskOwner, seq: number) => Task<T>;
let run: <T>(task: Task<T>, fn: TaskFunction<T>, born: TokenSource) => void;
let cancelUnlessBornCancelled: (task: Task<unknown>, reason: unknown) => void;
let slotOf: (task: Task<unknown>) => number;
let setSlot: (task: Task<unknown>, slot: number) => void;

/**
 * The tasks of one tracker whose work is still running, oldest first. An array with a hole
 * where a task finished, each task knowing its index: adding and removing take O(1) and
 * allocate nothing, and the garbage collector finds every task from one array. (An intrusive
 * list through the tasks cost a third more time on Deno's spawn path: a chain of 100k young
 * objects must be traced one after another.) Holes are squeezed out once they are half the
 * array, never while a walk is under way. Internal.
 */
export class RunningTasks {
  #slots: Array<Task<unknown> | undefined> = [];
  /** Walks under way: positions must not move while one runs. */
  #walking = 0;
  /** How many tasks are in the list. */
  size = 0;

  /** Adds `task` at the end. */
  add(task: Task<unknown>): void {
    setSlot(task, this.#slots.length);
    this.#slots.push(task);
    this.size++;
  }

  /** Removes `task`, which must be in this list. */
  delete(task: Task<unknown>): void {
    this.#slots[slotOf(task)] = undefined;
    this.size--;
    this.#squeeze();
  }

  /**
   * Cancels every task whose handle is still running, oldest first, with `reason`. A task
   * that was born cancelled (its signal aborted from the start) is left to its work.
   */
  cancelAll(reason: unknown): void {
    const slots = this.#slots;
    this.#walking++;
    try {
      // Cancelling runs user code, which may finish tasks (holes) or spawn more (appended,
      // born cancelled since the tracker's token already is).
      for (let i = 0; i < slots.length; i++) {
        const task = slots[i];
        if (task !== undefined) cancelUnlessBornCancelled(task, reason);
      }
    } finally {
      this.#walking--;
    }
    this.#squeeze();
  }

  /**
   * `fn` of each task, oldest first, into a new array: one pass over the slots, no
   * intermediate snapshot (a drain past its deadline may name a million stragglers).
   */
  map<R>(fn: (task: Task<unknown>) => R): R[] {
    const slots = this.#slots;
    // Sized once: growing by push copies the array about 20 times on the way to 1M (10-20 %
    // of building a million stragglers, measured on Bun and Deno).
    const out = new Array<R>(this.size);
    let next = 0;
    for (let i = 0; i < slots.length; i++) {
      const task = slots[i];
      if (task !== undefined) out[next++] = fn(task);
    }
    out.length = next; // the same unless `fn` finished a task on the way
    return out;
  }

  #squeeze(): void {
    const slots = this.#slots;
    if (this.#walking > 0 || this.size * 2 > slots.length) return;
    let kept = 0;
    for (let i = 0; i < slots.length; i++) {
      const task = slots[i];
      if (task === undefined) continue;
      setSlot(task, kept);
      slots[kept++] = task;
    }
    slots.length = kept;
  }
}

let wasAwaited: (task: Task<unknown>) => boolean;
let seqOf: (task: Task<unknown>) => number;
let completedValue: (task: Task<unknown>) => unknown;
let joinedFlag: (task: Task<unknown>, mark: boolean) => boolean;

/**
 * Whether someone awaited `task` (a failure then went to them, so a tracker or group need
 * not throw it again on dispose). Internal.
 */
export function isAwaited(task: Task<unknown>): boolean {
  return wasAwaited(task);
}

/** The task's number in its owner's spawn order (`joinAll` sorts by it). Internal. */
export function spawnSeq(task: Task<unknown>): number {
  return seqOf(task);
}

/**
 * Marks `task` as joined (taken by a group's join); returns whether it already was. A bit on
 * the task instead of a map entry per task in the group. Internal.
 */
export function markJoined(task: Task<unknown>): boolean {
  return joinedFlag(task, true);
}

/**
 * The value of a completed task, `undefined` otherwise, without building a `TaskResult`
 * (`joinAll` reads one per task). Internal.
 */
export function valueIfCompleted<T>(task: Task<T>): T | undefined {
  return completedValue(task as Task<unknown>) as T | undefined;
}

/** Whether a group's join has taken `task`. Internal. */
export function isJoined(task: Task<unknown>): boolean {
  return joinedFlag(task, false);
}

/**
 * Makes a task, lets the owner register it (`onSpawned`), then runs `fn` (synchronously, so
 * a task may settle before this returns). When `scope` is already cancelled, the work still
 * runs, with a signal aborted with `scope`'s reason. `seq` numbers the task in its owner's
 * spawn order. The only way tasks are made. Internal.
 */
export function startTask<T>(
  name: string,
  scope: TokenSource,
  owner: TaskOwner,
  fn: TaskFunction<T>,
  seq: number,
): Task<T> {
  const task = create<T>(name, owner, seq);
  owner.onSpawned(task as Task<unknown>);
  run(task, fn, scope);
  return task;
}

/**
 * A handle on spawned work. Await it for the work's value (`undefined` if the task was
 * cancelled first); a failure rejects only the awaiter, never as an unhandled rejection.
 * Cancelling settles the handle at once; the owning group keeps tracking the work until it
 * really settles, because JavaScript cannot pre-empt it.
 *
 * @example Cancel a task
 * ```ts
 * import { sleep, TaskGroup } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using group = new TaskGroup();
 * const task = group.spawn("nap", (signal) => sleep(60_000, { signal }));
 * task.cancel();
 * assertEquals(task.status, "cancelled");
 * assertEquals(await task, undefined);
 * ```
 */
export class Task<T> implements PromiseLike<T | undefined>, AsyncDisposable {
  /** The name given at spawn, used in reports. */
  readonly name: string;
  /** When the task started, as `performance.now()`. */
  readonly startedAt: number;
  // Every task lives until its work settles, so its size is paid by the garbage collector
  // (which dominates the spawn path) once per task: one outcome slot and one bit field
  // instead of a slot per outcome kind and per flag.
  #status: TaskStatus = "running";
  /**
   * The value (completed), error (failed) or reason (cancelled). While running, the abort
   * reason of a task born cancelled, kept here: reading the signal's would count as looking.
   */
  #outcome: unknown = undefined;
  #flags = 0;
  // `unknown`, not `T`: a private slot holding `T` in an input position would make
  // `Task<T>` invariant (`Task<never>` not a `Task<void>`), unlike `Promise<T>`.
  #waiters: PromiseWithResolvers<unknown> | undefined;
  #workWaiters: PromiseWithResolvers<void> | undefined;
  #controller = new AbortController();
  #owner: TaskOwner;
  #seq: number;
  /** Where the task sits in its owner's `RunningTasks`. */
  #slot = 0;

  private constructor(name: string, owner: TaskOwner, seq: number) {
    this.name = name;
    this.startedAt = performance.now();
    this.#owner = owner;
    this.#seq = seq;
  }

  static {
    create = <T>(name: string, owner: TaskOwner, seq: number) =>
      new Task<T>(name, owner, seq);
    run = <T>(task: Task<T>, fn: TaskFunction<T>, scope: TokenSource) =>
      task.#run(fn, scope);
    wasAwaited = (task) => (task.#flags & AWAITED) !== 0;
    seqOf = (task) => task.#seq;
    completedValue = (task) => task.#valueOrUndefined();
    joinedFlag = (task, mark) => {
      const was = (task.#flags & JOINED) !== 0;
      if (mark) task.#flags |= JOINED;
      return was;
    };
    slotOf = (task) => task.#slot;
    setSlot = (task, slot) => task.#slot = slot;
    cancelUnlessBornCancelled = (task, reason) => {
      if ((task.#flags & BORN_CANCELLED) === 0) task.#cancel(reason);
    };
  }

  /** `running`, then one of `completed`, `failed` or `cancelled`. */
  get status(): TaskStatus {
    return this.#status;
  }

  /** Whether the work itself is still running (it may outlive a cancelled handle). */
  get isRunning(): boolean {
    return (this.#flags & WORK_DONE) === 0;
  }

  /** The error the work failed with, if `status` is `failed`. */
  get error(): unknown {
    return this.#status === "failed" ? this.#outcome : undefined;
  }

  /** Whether the work ever looked at its signal (see `Straggler.observedSignal`). */
  get observedSignal(): boolean {
    return wasObserved(this.#controller.signal);
  }

  /** The outcome, once settled. */
  get result(): TaskResult<T> | undefined {
    switch (this.#status) {
      case "completed":
        return {
          name: this.name,
          status: "completed",
          value: this.#outcome as T,
        };
      case "failed":
        return { name: this.name, status: "failed", error: this.#outcome };
      case "cancelled":
        return { name: this.name, status: "cancelled", reason: this.#outcome };
      default:
        return undefined;
    }
  }

  /**
   * Cancels the task: its signal aborts with `reason` and the handle settles as cancelled at
   * once. Does nothing if the handle already settled. A task spawned into a cancelled group
   * already has an aborted signal; aborting it settles its handle with that signal's reason.
   */
  cancel(reason?: unknown): void {
    if (this.#status !== "running") return;
    if ((this.#flags & BORN_CANCELLED) !== 0) {
      this.#settle("cancelled", this.#outcome);
      return;
    }
    this.#cancel(reason ?? defaultCancelReason());
  }

  /** The signal aborts first (the work hears of it), then the handle settles. */
  #cancel(reason: unknown): void {
    if (this.#status !== "running") return;
    abortQuietly(this.#controller, reason);
    this.#settle("cancelled", reason);
  }

  /** Resolves once the underlying work has settled (never rejects). */
  finished(): Promise<void> {
    if ((this.#flags & WORK_DONE) !== 0) return Promise.resolve();
    return (this.#workWaiters ??= Promise.withResolvers<void>()).promise;
  }

  /** Settles with the task's value, `undefined` if cancelled, or its error if it failed. */
  then<R1 = T | undefined, R2 = never>(
    onfulfilled?: ((value: T | undefined) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#flags |= AWAITED;
    let settled: Promise<T | undefined>;
    if (this.#status === "running") {
      settled = (this.#waiters ??= Promise.withResolvers<unknown>())
        .promise as Promise<T | undefined>;
    } else if (this.#status === "failed") {
      settled = Promise.reject(this.#outcome);
    } else {
      settled = Promise.resolve(this.#valueOrUndefined());
    }
    return settled.then(onfulfilled, onrejected);
  }

  /** Cancels the task and waits until its work has really settled. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.cancel();
    await this.finished();
  }

  #run(fn: TaskFunction<T>, scope: TokenSource): void {
    // Spawned into a cancelled scope (a drain in progress), the work still runs, with an
    // aborted signal, so a "flush on shutdown" task is never silently dropped; its handle
    // settles with the work's own outcome.
    if (scope.isCancelled) {
      this.#flags |= BORN_CANCELLED;
      this.#outcome = scope.reason;
      this.#controller.abort(scope.reason);
    }
    let result: T | PromiseLike<T>;
    try {
      result = fn(watchSignal(this.#controller.signal));
    } catch (error) {
      this.#workSettled(false, error);
      return;
    }
    if (isThenable(result)) {
      // Two closures and one reaction: about 200 bytes less per live task than awaiting the
      // work in an async frame (its generator, register file and result promise).
      (result as PromiseLike<T>).then(
        (value) => this.#workSettled(true, value),
        (error) => this.#workSettled(false, error),
      );
    } else {
      this.#workSettled(true, result as T);
    }
  }

  #workSettled(ok: boolean, outcome: unknown): void {
    if (this.#status === "running") {
      const reason = this.#outcome;
      if (
        !ok && (this.#flags & BORN_CANCELLED) !== 0 &&
        isCancellationEcho(outcome, reason)
      ) {
        this.#settle("cancelled", reason);
      } else {
        this.#settle(ok ? "completed" : "failed", outcome);
      }
    } else if (!ok && !isCancellationEcho(outcome, this.#outcome)) {
      // Only a cancelled handle settles before its work: `#outcome` is the cancel reason.
      this.#owner.onLateFailure(this as Task<unknown>, outcome);
    }
    this.#finish();
  }

  #settle(status: Exclude<TaskStatus, "running">, outcome: unknown): void {
    if (this.#status !== "running") return;
    this.#status = status;
    this.#outcome = outcome;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (status === "failed") waiters?.reject(outcome);
    else waiters?.resolve(this.#valueOrUndefined());
    this.#owner.onSettled(this as Task<unknown>);
  }

  /** The value if completed; `undefined` if cancelled (or not settled). */
  #valueOrUndefined(): T | undefined {
    return this.#status === "completed" ? this.#outcome as T : undefined;
  }

  #finish(): void {
    if ((this.#flags & WORK_DONE) !== 0) return;
    this.#flags |= WORK_DONE;
    // The work is over; its signal stays as it is (a response body or child process started
    // with it may still be in use): it aborts only when the task is cancelled.
    this.#workWaiters?.resolve();
    this.#owner.onFinished(this as Task<unknown>);
  }
}

import type { GracefulShutdown } from "./shutdown.ts";
import type { Task } from "./task.ts";
import { reportUncaught } from "./_report.ts";
import {
  describe,
  validateFunction,
  validateName,
  validateOptions,
} from "./_validate.ts";

/**
 * A lifecycle event of a task spawned through a {@linkcode TaskSpawner}.
 *
 * @example See how each task ended
 * ```ts
 * import { GracefulShutdown, type SpawnEvent, sleep, TaskSpawner } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const endings: Record<string, SpawnEvent["event"]> = {};
 * const onEvent = ({ task, event }: SpawnEvent) => {
 *   if (event !== "started") endings[task] = event;
 * };
 * const failed: string[] = [];
 * const shutdown = new GracefulShutdown({
 *   signals: false,
 *   onError: (failure) => failed.push(failure.name),
 * });
 * const spawner = new TaskSpawner(shutdown, { onEvent });
 * await spawner.spawnWithResult("compute", () => 42);
 * await assertRejects(() => spawner.spawn("import", () => Promise.reject(new Error("bad row"))));
 * spawner.spawn("poll", (signal) => sleep(60_000, { signal }));
 * await shutdown.shutdown();
 * assertEquals(failed, ["import"]);
 * assertEquals(endings, { compute: "completed", import: "failed", poll: "cancelled" });
 * ```
 */
export interface SpawnEvent {
  /** The task's name. */
  readonly task: string;
  /** What happened. */
  readonly event: "started" | "completed" | "cancelled" | "failed";
}

/**
 * Options for {@linkcode TaskSpawner}.
 *
 * @example Log every task's start and end
 * ```ts
 * import { GracefulShutdown, TaskSpawner, type TaskSpawnerOptions } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const log: string[] = [];
 * const options: TaskSpawnerOptions = {
 *   onEvent: ({ task, event }) => log.push(`${task} ${event}`),
 * };
 * const shutdown = new GracefulShutdown({ signals: false });
 * const spawner = new TaskSpawner(shutdown, options);
 * assertEquals(await spawner.spawnWithResult("compute", async () => 6 * 7), 42);
 * await shutdown.shutdown();
 * assertEquals(log, ["compute started", "compute completed"]);
 * ```
 */
export interface TaskSpawnerOptions {
  /**
   * Told when each task starts and how it ends. If it throws, the error is reported as
   * uncaught (`reportError`) and the task is not affected.
   */
  onEvent?: (event: SpawnEvent) => void;
}

/**
 * Spawns named tasks that stop on shutdown: the seed's `ShutdownAwareTaskSpawner`. Any
 * number of spawners can share one {@linkcode GracefulShutdown}; they all see the same
 * cancellation, and its drain waits for all their tasks.
 *
 * @example Spawn, then shut down
 * ```ts
 * import { GracefulShutdown, sleep, TaskSpawner } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const spawner = new TaskSpawner(shutdown);
 * const answer = spawner.spawnWithResult("compute", async () => 42);
 * assertEquals(await answer, 42);
 * const slow = spawner.spawnWithResult("slow", (signal) => sleep(60_000, { signal }).then(() => 1));
 * await shutdown.shutdown();
 * assertEquals(await slow, undefined); // cancelled: no result
 * ```
 */
export class TaskSpawner {
  #shutdown: GracefulShutdown;
  #onEvent: ((event: SpawnEvent) => void) | undefined;

  /**
   * Creates a spawner over `shutdown`.
   *
   * @throws {TypeError} If `shutdown` is not a `GracefulShutdown`-like object, or an
   * option has the wrong type.
   */
  constructor(shutdown: GracefulShutdown, options?: TaskSpawnerOptions) {
    if (typeof (shutdown as { spawn?: unknown } | null)?.spawn !== "function") {
      throw new TypeError(
        `Cannot use shutdown: expected a GracefulShutdown, got ${
          describe(shutdown)
        }`,
      );
    }
    validateOptions(options, "options", ["onEvent"]);
    if (options?.onEvent !== undefined) {
      validateFunction(options.onEvent, "options.onEvent");
    }
    this.#shutdown = shutdown;
    this.#onEvent = options?.onEvent;
  }

  /** The coordinator this spawner feeds; shared by every spawner made over it. */
  get shutdown(): GracefulShutdown {
    return this.#shutdown;
  }

  /** Spawns `fn` as a task that is cancelled on shutdown; resolves `undefined` either way. */
  spawn(name: string, fn: (signal: AbortSignal) => unknown): Task<void> {
    validateFunction(fn, "fn");
    return this.#spawn(name, async (signal) => {
      await fn(signal);
    });
  }

  /** Spawns a long-running background task; the same as `spawn`, named for intent. */
  spawnBackground(
    name: string,
    fn: (signal: AbortSignal) => unknown,
  ): Task<void> {
    return this.spawn(name, fn);
  }

  /** Spawns `fn` and resolves with its result, or `undefined` if shutdown came first. */
  spawnWithResult<T>(
    name: string,
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
  ): Task<T> {
    return this.#spawn(name, fn);
  }

  /** A new spawner over the same coordinator (the seed's `Clone`). */
  clone(): TaskSpawner {
    return new TaskSpawner(
      this.#shutdown,
      this.#onEvent ? { onEvent: this.#onEvent } : {},
    );
  }

  #spawn<T>(
    name: string,
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
  ): Task<T> {
    validateName(name, "name");
    validateFunction(fn, "fn");
    const onEvent = this.#onEvent;
    if (onEvent === undefined) return this.#shutdown.spawn(name, fn);
    const tell = (event: SpawnEvent["event"]) => {
      try {
        onEvent({ task: name, event });
      } catch (error) {
        reportUncaught(error);
      }
    };
    const task = this.#shutdown.spawn(name, (signal) => {
      tell("started");
      return fn(signal);
    });
    task.finished().then(() => {
      tell(task.status === "running" ? "cancelled" : task.status);
    });
    return task;
  }
}

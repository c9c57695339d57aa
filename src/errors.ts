import type { Straggler } from "./report.ts";

/** How many stragglers a message or log line names; the rest are counted. */
export const NAMED_STRAGGLERS = 5;

/** One straggler in words: name, kind, age and whether it looked at its signal. */
function describeStraggler(s: Straggler): string {
  return `${s.name} (${s.kind}, running ${Math.round(s.ageMs)} ms, ${
    s.observedSignal ? "saw its signal" : "never looked at its signal"
  })`;
}

/**
 * The oldest few stragglers in words and how many more there are: a message or log line
 * stays readable with a million stragglers (the list itself keeps every one). Reads only
 * the first few entries, so it costs the same for any number.
 */
function describeStragglers(stragglers: readonly Straggler[]): string {
  const count = stragglers.length;
  if (count === 0) return "nothing";
  const named: string[] = [];
  for (let i = 0; i < Math.min(count, NAMED_STRAGGLERS); i++) {
    named.push(describeStraggler(stragglers[i]!));
  }
  if (count <= NAMED_STRAGGLERS) return named.join(", ");
  return `${count} (the oldest: ${named.join(", ")}; and ${
    count - NAMED_STRAGGLERS
  } more)`;
}

/**
 * A drain did not finish within its deadline. `stragglers` names what was still running.
 *
 * @example Inspect the stragglers
 * ```ts
 * import { WaitTimeoutError, TaskGroup } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const group = new TaskGroup();
 * const stuck = Promise.withResolvers<void>();
 * group.spawn("stuck", () => stuck.promise);
 * const error = await assertRejects(() => group.wait({ timeout: 10 }), WaitTimeoutError);
 * assertEquals(error.stragglers.map((s) => s.name), ["stuck"]);
 * stuck.resolve();
 * await group.wait();
 * ```
 */
export class WaitTimeoutError extends Error {
  /** What was still running at the deadline, oldest first. */
  readonly stragglers: readonly Straggler[];
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;
  /** Failures collected before the deadline (tasks or cleanup steps that threw). */
  readonly errors: readonly unknown[];

  /**
   * Creates the error. The message names up to five stragglers, oldest first, and counts
   * the rest; `stragglers` keeps every one.
   */
  constructor(
    timeout: number,
    stragglers: readonly Straggler[],
    errors: readonly unknown[] = [],
  ) {
    super(
      `Still running after the ${timeout} ms deadline: ${
        describeStragglers(stragglers)
      }`,
    );
    this.name = "WaitTimeoutError";
    this.timeout = timeout;
    this.stragglers = stragglers;
    this.errors = errors;
  }
}

/** What a {@linkcode ClosedError} says refused, and what it refused. */
export interface ClosedErrorOptions {
  /** What was refused. Default `"task"`. */
  kind?: "task" | "cleanup step";
  /** Why, naming what refused. Default `"the task group is closed"`. */
  because?: string;
}

/**
 * Work was refused because its owner is closed: a task spawned on a closed group, tracker or
 * coordinator, or a cleanup step registered once a coordinator's cleanup began. The message
 * names what refused it.
 *
 * @example Spawning on a closed group throws
 * ```ts
 * import { TaskGroup, ClosedError } from "@quiesce/quiesce";
 * import { assertThrows } from "@std/assert";
 *
 * const group = new TaskGroup();
 * group.close();
 * assertThrows(() => group.spawn("late", () => {}), ClosedError);
 * ```
 *
 * @example A cleanup step registered once cleanup began
 * ```ts
 * import { ClosedError, GracefulShutdown } from "@quiesce/quiesce";
 * import { assertThrows } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * shutdown.defer(() => {
 *   assertThrows(
 *     () => shutdown.defer(() => {}, "late"),
 *     ClosedError,
 *     `Cannot add cleanup step "late": the GracefulShutdown's cleanup has already started`,
 *   );
 * });
 * await shutdown.shutdown();
 * ```
 */
export class ClosedError extends Error {
  /**
   * Creates the error for the task (or cleanup step) named `name`.
   *
   * @param name The refused task's or step's name.
   * @param options What was refused and why (default: a task, by a closed task group).
   */
  constructor(name: string, options?: ClosedErrorOptions) {
    const kind = options?.kind ?? "task";
    const because = options?.because ?? "the task group is closed";
    super(
      `Cannot ${
        kind === "task" ? "spawn task" : "add cleanup step"
      } "${name}": ${because}`,
    );
    this.name = "ClosedError";
  }
}

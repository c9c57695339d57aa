// The janitor's error classes: the two refusals of spawnDaemon, and the failure that
// carries both errors when the callee and the janitor failed together.
import { describe } from "../_validate.ts";

/**
 * Thrown by `spawnDaemon`/`spawnCleanupJob` (returned by the `try` variants) when no
 * janitor is ambient: the code did not run inside `enterJanitor`/`ensureJanitor`.
 *
 * @example Spawning outside a janitor
 * ```ts
 * import { NoActiveJanitorError, spawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => spawnDaemon(() => {}), NoActiveJanitorError);
 * ```
 */
export class NoActiveJanitorError extends Error {
  /** Creates the error with a message that names the fix. */
  constructor() {
    super(
      "No active janitor: call spawnDaemon/spawnCleanupJob inside enterJanitor(...) or ensureJanitor(...)",
    );
    this.name = "NoActiveJanitorError";
  }
}

/**
 * Thrown by `spawnDaemon`/`spawnCleanupJob` (returned by the `try` variants) when the
 * ambient janitor no longer accepts jobs: its callee has settled, so it only waits for the
 * jobs it already knew about, or one of its jobs failed and ended it.
 *
 * @example Spawning after the callee settled
 * ```ts
 * import { enterJanitor, JanitorTerminatingError, trySpawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertInstanceOf } from "@std/assert";
 *
 * let late: unknown;
 * await enterJanitor(() => {
 *   setTimeout(() => (late = trySpawnDaemon(() => {})), 0); // runs after the callee returned
 * });
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assertInstanceOf(late, JanitorTerminatingError);
 * ```
 */
export class JanitorTerminatingError extends Error {
  /** Creates the error with a message that says why the job was refused. */
  constructor() {
    super(
      "The active janitor is terminating and accepts no new jobs: its callee settled or one of its jobs failed",
    );
    this.name = "JanitorTerminatingError";
  }
}

/**
 * The rejection of `enterJanitor`/`ensureJanitor` when both the callee and the janitor (one
 * of its jobs) failed. Node 22 has no native `SuppressedError`, so this is an
 * `AggregateError` (native in Deno, Bun and Node) with both errors in `errors`, callee
 * first, and each also under its own name. Both are kept even when one cannot be turned
 * into text (a null-prototype object, a throwing `message` getter): the message then says so.
 *
 * @example Both errors are kept
 * ```ts
 * import {
 *   CalleeAndJanitorFailedError,
 *   enterJanitor,
 *   spawnCleanupJob,
 * } from "@quiesce/quiesce/janitor";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * const error = await assertRejects(
 *   () =>
 *     enterJanitor(() => {
 *       spawnCleanupJob(() => Promise.reject(new Error("flush failed")));
 *       throw new Error("handler failed");
 *     }),
 *   CalleeAndJanitorFailedError,
 * );
 * assertEquals((error.calleeError as Error).message, "handler failed");
 * assertEquals((error.janitorError as Error).message, "flush failed");
 * assertEquals(error.errors, [error.calleeError, error.janitorError]);
 * ```
 */
export class CalleeAndJanitorFailedError extends AggregateError {
  /** What the callee threw or rejected with. */
  readonly calleeError: unknown;
  /** The janitor's failure: what the first failing job threw or rejected with. */
  readonly janitorError: unknown;

  /** Creates the error; `errors` is `[calleeError, janitorError]`. */
  constructor(calleeError: unknown, janitorError: unknown) {
    super(
      [calleeError, janitorError],
      `Both the callee and the janitor failed: callee: ${
        messageOf(calleeError)
      }; janitor: ${messageOf(janitorError)}`,
    );
    this.name = "CalleeAndJanitorFailedError";
    this.calleeError = calleeError;
    this.janitorError = janitorError;
  }
}

// Never throws: a value that cannot be turned into text (a null-prototype object, a
// throwing `message` getter or `toString`) must not replace the two errors this class keeps.
function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    try {
      return `(${describe(error)} that cannot be turned into text)`;
    } catch {
      return "(a value that cannot be turned into text)";
    }
  }
}

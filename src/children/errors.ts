import type { ChildExit } from "./types.ts";

/**
 * A child process ended on its own with a non-zero code or a signal nobody sent it through
 * quiesce. Its task fails with this error; a child stopped by its task's cancellation
 * never does (its exit, whatever it is, is the expected answer to the signal).
 *
 * @example A failing command fails its task
 * ```ts
 * import { ChildExitError, spawnChild } from "@quiesce/quiesce/children";
 * import { TaskTracker } from "@quiesce/quiesce";
 * import { assertEquals, assertRejects } from "@std/assert";
 *
 * await using tracker = new TaskTracker({ onError: () => {} });
 * const child = spawnChild(tracker, "sh", ["-c", "exit 3"]);
 * const error = await assertRejects(() => child.task, ChildExitError);
 * assertEquals(error.exit, { code: 3, signal: null });
 * assertEquals(error.pid, child.pid);
 * ```
 */
export class ChildExitError extends Error {
  /** The child's process id (also its process group id). */
  readonly pid: number;
  /** The command line, as the task's name shows it. */
  readonly command: string;
  /** How it ended. */
  readonly exit: ChildExit;

  /** Creates the error; the message names the pid, the command and how it ended. */
  constructor(pid: number, command: string, exit: ChildExit) {
    super(
      `Child process ${pid} (${command}) ${
        exit.signal === null
          ? `exited with code ${exit.code}`
          : `was killed by ${exit.signal}`
      }`,
    );
    this.name = "ChildExitError";
    this.pid = pid;
    this.command = command;
    this.exit = exit;
  }
}

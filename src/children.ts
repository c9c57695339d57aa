/**
 * Child processes as tasks: {@linkcode spawnChild} starts a program in a process group of
 * its own as a task of a `GracefulShutdown`, `TaskTracker`, `TaskGroup` or `main()`'s
 * context. At the drain the whole group (grandchildren too) gets SIGTERM, then SIGKILL
 * after a grace period, and is waited for; the exit status is the task's outcome; a child
 * still running at the deadline is a straggler named with its pid and command; and if the
 * process ends first (`main()` at its deadline, a second signal, a crash), the live groups
 * are SIGKILLed on the way out. Built on `Deno.Command`, `Bun.spawn` and
 * `node:child_process`, with `detached: true` (setsid) in each. POSIX only.
 *
 * What it cannot do: if the parent itself is SIGKILLed (the OOM killer, `kill -9`), no
 * code of it runs and the groups live on, re-parented to init. See the README for what
 * to do about that on Linux (a supervisor such as systemd, or `setpriv --pdeathsig`).
 *
 * @example A worker process as a task of the shutdown
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { spawnChild } from "@quiesce/quiesce/children";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const worker = spawnChild(shutdown, "sleep", ["30"], { name: "worker" });
 * const report = await shutdown.shutdown(); // SIGTERM to the worker's group, then waits
 * assertEquals(report.ok, true);
 * assertEquals(await worker.exited, { code: null, signal: "SIGTERM" });
 * ```
 *
 * @module
 */
export {
  type ChildOptions,
  type ChildOwner,
  type ChildProcess,
  spawnChild,
  type StopSignal,
} from "./children/spawn_child.ts";
export { ChildExitError } from "./children/errors.ts";
export type { ChildExit, ChildStdio } from "./children/types.ts";
/** The core's task types, re-exported so this page links to them. */
export type { Task, TaskFunction, TaskResult, TaskStatus } from "./task.ts";

import type { Task, TaskFunction } from "../task.ts";
import { startTimer } from "../_timer.ts";
import {
  describe,
  validateMs,
  validateName,
  validateOptions,
} from "../_validate.ts";
import { type ChildHost, childHost, type Spawned } from "./_hosts.ts";
import type { ChildExit, ChildStdio, StopSignal } from "./types.ts";
import { trackGroup } from "./_live_groups.ts";
import {
  commandLine,
  oneOf,
  STDIO,
  STOP_SIGNALS,
  validateArgs,
  validateEnv,
} from "./_child_input.ts";
import { ChildExitError } from "./errors.ts";

export type { StopSignal } from "./types.ts";

/**
 * Whatever spawns tasks: a `GracefulShutdown`, a `TaskTracker`, a `TaskGroup`, or `main()`'s
 * context.
 *
 * @example Every task owner in quiesce is one
 * ```ts
 * import { GracefulShutdown, TaskGroup, TaskTracker } from "@quiesce/quiesce";
 * import type { ChildOwner } from "@quiesce/quiesce/children";
 *
 * const owners: ChildOwner[] = [
 *   new GracefulShutdown({ signals: false }),
 *   new TaskTracker(),
 *   new TaskGroup(),
 * ];
 * console.log(owners.length);
 * ```
 */
export interface ChildOwner {
  /** Starts a named task; the child's task is one. */
  spawn(name: string, fn: TaskFunction<ChildExit>): Task<unknown>;
}

/**
 * Options for {@linkcode spawnChild}.
 *
 * @example A child that gets SIGINT and one second to stop
 * ```ts
 * import { type ChildOptions, spawnChild } from "@quiesce/quiesce/children";
 * import { TaskTracker } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * const options: ChildOptions = { name: "dev server", stopSignal: "SIGINT", killAfter: 1_000 };
 * await using tracker = new TaskTracker();
 * const child = spawnChild(tracker, "sleep", ["30"], options);
 * tracker.cancel();
 * assertEquals(await child.exited, { code: null, signal: "SIGINT" });
 * ```
 */
export interface ChildOptions {
  /** A name for reports; the task is named `<name> (pid <pid>: <command line>)`. Default `child`. */
  name?: string;
  /** The working directory; default the parent's. */
  cwd?: string;
  /** Variables added to the parent's environment. */
  env?: Record<string, string>;
  /** Default `"null"`. With `"piped"`, write to {@linkcode ChildProcess.stdin}. */
  stdin?: ChildStdio;
  /** Default `"inherit"`. With `"piped"`, read {@linkcode ChildProcess.stdout}. */
  stdout?: ChildStdio;
  /** Default `"inherit"`. With `"piped"`, read {@linkcode ChildProcess.stderr}. */
  stderr?: ChildStdio;
  /** What the group gets first when the task is cancelled; default `"SIGTERM"`. */
  stopSignal?: StopSignal;
  /**
   * Milliseconds from the stop signal to SIGKILL for the whole group; default 2000, under
   * Deno Deploy's 5 s and any common platform deadline. `Infinity`: never.
   */
  killAfter?: number;
}

/**
 * A child process started by {@linkcode spawnChild}: the leader of its own process group,
 * run as a task.
 */
export interface ChildProcess {
  /** The process id, also the process group id. */
  readonly pid: number;
  /** The command line, as reports show it. */
  readonly command: string;
  /** The child's task: cancelling it stops the whole group. */
  readonly task: Task<unknown>;
  /** How the leader ended; settles once it was reaped and the rest of its group killed. */
  readonly exited: Promise<ChildExit>;
  /** The child's standard input when `stdin: "piped"`, else `null`. */
  readonly stdin: WritableStream<Uint8Array> | null;
  /** The child's standard output when `stdout: "piped"`, else `null`. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** The child's standard error when `stderr: "piped"`, else `null`. */
  readonly stderr: ReadableStream<Uint8Array> | null;
}

const OPTION_NAMES = [
  "name",
  "cwd",
  "env",
  "stdin",
  "stdout",
  "stderr",
  "stopSignal",
  "killAfter",
] as const satisfies ReadonlyArray<keyof ChildOptions>;

/**
 * Starts `command` as a task of `owner`, in a process group of its own. When the task is
 * cancelled (the shutdown's drain, a tracker's `cancel()`, `child.task.cancel()`), the
 * whole group gets `stopSignal`, then SIGKILL after `killAfter` ms; when the leader has
 * exited, whatever is left of its group is SIGKILLed at once, so grandchildren never
 * outlive it. The task ends when the leader was reaped, with its {@linkcode ChildExit} as
 * the value, or fails with a {@linkcode ChildExitError} if the child failed on its own.
 * A child still running at the deadline is a straggler named `<name> (pid <pid>:
 * <command line>)`, and if the process exits first (`main()` at its deadline or on a
 * second signal) its group is SIGKILLed synchronously on the way out.
 *
 * @example Run a child until the shutdown, then stop it
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { spawnChild } from "@quiesce/quiesce/children";
 * import { assertEquals } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const child = spawnChild(shutdown, "sh", ["-c", "sleep 30 & wait"], { name: "sleeper" });
 * console.log(child.task.name); // sleeper (pid 4242: sh -c 'sleep 30 & wait')
 * const report = await shutdown.shutdown(); // SIGTERM to sh and its sleep
 * assertEquals(report.ok, true);
 * assertEquals(await child.exited, { code: null, signal: "SIGTERM" });
 * ```
 *
 * @param owner The shutdown, tracker, group or `main()` context the task belongs to.
 * @param command The program to run (looked up on `PATH`).
 * @param args Its arguments.
 * @param options Name, environment, standard streams, stop signal and grace period.
 * @throws {TypeError | RangeError} If an argument has the wrong type or range.
 * @throws {Error} If the program cannot be started (not found, not executable).
 * @throws {ClosedError} If `owner` refuses new tasks (the child is killed at once).
 */
export function spawnChild(
  owner: ChildOwner,
  command: string,
  args?: readonly string[],
  options?: ChildOptions,
): ChildProcess {
  if (typeof (owner as ChildOwner | null)?.spawn !== "function") {
    throw new TypeError(
      `Cannot use owner: expected a GracefulShutdown, TaskTracker, TaskGroup or main() context, got ${
        describe(owner)
      }`,
    );
  }
  validateName(command, "command");
  const argv = validateArgs(args);
  validateOptions(options, "options", OPTION_NAMES);
  const name = validateName(options?.name ?? "child", "options.name");
  const stopSignal = oneOf(
    options?.stopSignal,
    "options.stopSignal",
    STOP_SIGNALS,
    "SIGTERM",
  );
  const killAfter = validateMs(
    options?.killAfter ?? 2_000,
    "options.killAfter",
  );
  if (options?.cwd !== undefined) validateName(options.cwd, "options.cwd");
  const host = childHost();
  const spawned = host.spawn({
    command,
    args: argv,
    cwd: options?.cwd,
    env: validateEnv(options?.env),
    stdin: oneOf(options?.stdin, "options.stdin", STDIO, "null"),
    stdout: oneOf(options?.stdout, "options.stdout", STDIO, "inherit"),
    stderr: oneOf(options?.stderr, "options.stderr", STDIO, "inherit"),
  });
  const line = commandLine(command, argv);
  const untrack = trackGroup(host, spawned.pid);
  const exited = spawned.exited.then((exit) => {
    // The group lives as long as its leader: nothing it started may outlive it.
    host.killGroup(spawned.pid, "SIGKILL");
    untrack();
    return exit;
  });
  let task: Task<unknown>;
  try {
    task = owner.spawn(
      `${name} (pid ${spawned.pid}: ${line})`,
      (signal) =>
        superviseGroup(
          host,
          spawned,
          exited,
          signal,
          stopSignal,
          killAfter,
          line,
        ),
    );
  } catch (error) {
    host.killGroup(spawned.pid, "SIGKILL");
    throw error;
  }
  return {
    pid: spawned.pid,
    command: line,
    task,
    exited,
    stdin: spawned.stdin,
    stdout: spawned.stdout,
    stderr: spawned.stderr,
  };
}

/**
 * The task's work: stops the group when `signal` aborts (stop signal, then SIGKILL after the
 * grace period), resolves with the leader's exit, fails if the child failed on its own.
 */
function superviseGroup(
  host: ChildHost,
  child: Spawned,
  ended: Promise<ChildExit>,
  signal: AbortSignal,
  first: StopSignal,
  grace: number,
  shown: string,
): Promise<ChildExit> {
  let cancelKill = () => {};
  const stop = () => {
    host.killGroup(child.pid, first);
    cancelKill = startTimer(grace, () => host.killGroup(child.pid, "SIGKILL"));
  };
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  return ended.then((exit) => {
    signal.removeEventListener("abort", stop);
    cancelKill();
    if (!signal.aborted && (exit.code !== 0 || exit.signal !== null)) {
      throw new ChildExitError(child.pid, shown, exit);
    }
    return exit;
  });
}

// Running the program itself: `fn` as the coordinator's "main" task, with its context.
import type { GracefulShutdown } from "../shutdown.ts";
import type { Task, TaskFunction } from "../task.ts";
import type { MainContext } from "./types.ts";

/** How long after the start a program that returns with nothing running gets a note. */
export const EARLY_RETURN_MS = 1_000;

/** What running the program tells main. */
export interface ProgramHooks {
  /** `fn` threw or rejected before any shutdown began. */
  failed(error: unknown): void;
  log(line: string): void;
  /** The program says it is ready; `false` when a stop came first. */
  ready(): boolean;
}

/**
 * Spawns `fn` as the task "main". Its context's `signal` is the task's own (watched)
 * signal, so a straggler report can tell whether the program looked at it. When `fn` ends
 * on its own, the shutdown begins: what it left running is cancelled and drained, its
 * cleanup runs. A program that ends that way within {@linkcode EARLY_RETURN_MS} with no
 * task running (typically a forgotten `await shutdown.wait()`) gets one line on stderr.
 */
export function runProgram(
  shutdown: GracefulShutdown,
  fn: (context: MainContext) => unknown,
  startedAt: number,
  hooks: ProgramHooks,
): void {
  // Tasks spawned through the context during the first second, to tell a program that
  // returned with work running from one that simply ended.
  let early: Task<unknown>[] | undefined = [];
  const spawn = <T>(name: string, task: TaskFunction<T>): Task<T> => {
    const handle = shutdown.spawn(name, task);
    if (early !== undefined) {
      if (performance.now() - startedAt < EARLY_RETURN_MS) {
        early.push(handle as Task<unknown>);
      } else early = undefined;
    }
    return handle;
  };
  shutdown.spawn("main", async (signal) => {
    const context: MainContext = {
      signal,
      token: shutdown.token,
      shutdown,
      get draining() {
        return shutdown.draining;
      },
      ready: hooks.ready,
      spawn,
      defer: (step, options) => shutdown.defer(step, options),
      use: (resource, options) => shutdown.use(resource, options),
    };
    try {
      await fn(context);
    } catch (thrown) {
      // After the shutdown began, the drain reports it (unless it is the cancellation itself).
      if (shutdown.draining) throw thrown;
      hooks.failed(thrown);
      void shutdown.shutdown();
      return;
    }
    if (shutdown.draining) return;
    const ms = performance.now() - startedAt;
    if (
      ms < EARLY_RETURN_MS &&
      (early ?? []).every((task) => !task.isRunning)
    ) {
      hooks.log(
        `the program returned after ${
          Math.round(ms)
        } ms with no task running, so it ends now (to run until a signal, \`await shutdown.wait()\`)`,
      );
    }
    early = undefined;
    // The program ended on its own: cancel and drain what it left running, run its cleanup.
    void shutdown.shutdown();
  });
}

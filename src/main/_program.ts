// Running the program itself: `fn` as the coordinator's "main" task, with its context.
import type { GracefulShutdown } from "../shutdown.ts";
import type { Task, TaskFunction } from "../task.ts";
import type { MainContext } from "./types.ts";
import { NAMED_STRAGGLERS } from "../errors.ts";

/** What running the program tells main. */
export interface ProgramHooks {
  /** `fn` threw or rejected before any shutdown began. */
  failed(error: unknown): void;
  log(line: string): void;
}

/**
 * Spawns `fn` as the task "main". Its context's `signal` is the task's own (watched)
 * signal, so a straggler report can tell whether the program looked at it. When `fn` ends
 * on its own, the shutdown begins: what it left running is cancelled and drained, its
 * cleanup runs. A program that ends that way while a task it spawned still runs (typically
 * a forgotten `await shutdown.wait()`) gets one line saying so; a program that simply
 * finished (a short CLI) gets none.
 */
export function runProgram(
  shutdown: GracefulShutdown,
  fn: (context: MainContext) => unknown,
  hooks: ProgramHooks,
): void {
  // The tasks spawned through the context that still run; each leaves when it settles.
  const running = new Set<Task<unknown>>();
  const spawn = <T>(name: string, task: TaskFunction<T>): Task<T> => {
    const handle = shutdown.spawn(name, task);
    if (handle.isRunning) {
      running.add(handle);
      handle.finished().then(() => running.delete(handle));
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
      ready: () => shutdown.ready(),
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
    const left = [...running].filter((task) => task.isRunning);
    if (left.length > 0) {
      // A few names and a count: a program may leave hundreds of thousands running.
      const named = left.slice(0, NAMED_STRAGGLERS).map((task) =>
        `"${task.name}"`
      );
      const more = left.length - named.length;
      const names = named.join(", ") + (more > 0 ? ` and ${more} more` : "");
      hooks.log(
        `the program returned while ${names} still ran, so the shutdown begins and cancels ${
          left.length === 1 ? "it" : "them"
        } (to run until a signal, \`await shutdown.wait()\`)`,
      );
    }
    // The program ended on its own: cancel and drain what it left running, run its cleanup.
    void shutdown.shutdown();
  });
}

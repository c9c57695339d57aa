/**
 * Background work that must outlive a response, one API on the edge and self-hosted:
 * {@linkcode BackgroundWork.run} hands a named job to the platform's `ctx.waitUntil` on
 * Workers-style runtimes (`workerd`, Cloudflare Workers), and runs it as a task drained at
 * SIGTERM when the same fetch handler is served by `deno serve`, Bun or Node. A job that
 * reaches the platform's limit is named in a log line. Web standards only: the module runs
 * inside `workerd`.
 *
 * @example The same handler on workerd and self-hosted (`export default worker`)
 * ```ts
 * import { BackgroundWork } from "@quiesce/quiesce/edge";
 * import { TaskTracker } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using tracker = new TaskTracker(); // omit `owner` to drain at SIGTERM
 * const background = new BackgroundWork({ owner: tracker });
 * const audited: string[] = [];
 * const worker = {
 *   fetch(request: Request, _env?: unknown, ctx?: unknown): Response {
 *     background.run(ctx, "audit", async () => void audited.push(request.url));
 *     return new Response("ok");
 *   },
 * };
 * // workerd passes a ctx with waitUntil; deno serve and Bun pass none.
 * const handed: Promise<unknown>[] = [];
 * worker.fetch(new Request("http://localhost/a"), {}, { waitUntil: (p: Promise<unknown>) => void handed.push(p) });
 * worker.fetch(new Request("http://localhost/b"));
 * await Promise.all(handed);
 * await tracker.wait();
 * assertEquals(audited, ["http://localhost/a", "http://localhost/b"]);
 * ```
 *
 * @module
 */
export {
  type BackgroundOwner,
  BackgroundWork,
  type BackgroundWorkOptions,
  type RunningJob,
  type WaitUntilContext,
} from "./edge/background_work.ts";
/** The core's task types, re-exported so this page links to them. */
export type { Task, TaskFunction, TaskResult, TaskStatus } from "./task.ts";

import type { Task, TaskFunction } from "../task.ts";
import { startTimer } from "../_timer.ts";
import {
  validateFunction,
  validateMs,
  validateName,
  validateOptions,
} from "../_validate.ts";
import { selfHostedShutdown } from "./_self_hosted.ts";

/**
 * What a Workers-style platform hands a fetch handler as its third argument (`ctx`): only
 * `waitUntil` is used. `import { waitUntil } from "cloudflare:workers"` gives the same
 * function: pass `{ waitUntil }`.
 *
 * @example Both ways to reach `waitUntil`
 * ```ts
 * import type { WaitUntilContext } from "@quiesce/quiesce/edge";
 *
 * const pending: Promise<unknown>[] = [];
 * const ctx: WaitUntilContext = { waitUntil: (promise) => void pending.push(promise) };
 * console.log(typeof ctx.waitUntil);
 * ```
 */
export interface WaitUntilContext {
  /** Keeps the invocation alive until `promise` settles (within the platform's limit). */
  waitUntil(promise: Promise<unknown>): void;
}

/** Whoever drains self-hosted jobs: a `GracefulShutdown`, `TaskTracker` or `TaskGroup`. */
export interface BackgroundOwner {
  /** Starts a named task that the owner's drain waits for. */
  spawn(name: string, fn: TaskFunction<void>): Task<unknown>;
}

/**
 * Options for {@linkcode BackgroundWork}.
 *
 * @example Tighter than Cloudflare's limit, logging into an array
 * ```ts
 * import { BackgroundWork, type BackgroundWorkOptions } from "@quiesce/quiesce/edge";
 * import { TaskTracker } from "@quiesce/quiesce";
 *
 * const lines: string[] = [];
 * await using tracker = new TaskTracker();
 * const options: BackgroundWorkOptions = { owner: tracker, limit: 5_000, log: (l) => lines.push(l) };
 * const background = new BackgroundWork(options);
 * background.run(undefined, "noop", () => {});
 * ```
 */
export interface BackgroundWorkOptions {
  /**
   * Milliseconds a job may run before its signal aborts and a log line names it as cut.
   * Default 29000: a second under Cloudflare's 30 s `waitUntil` limit, so the line and the
   * job's own clean-up still run before the platform stops the work.
   */
  limit?: number;
  /**
   * Where self-hosted jobs (no `waitUntil`) run and are drained. Default: a
   * `GracefulShutdown` made at the first such job, listening to SIGINT and SIGTERM, that
   * ends the process with code 130/143 once its drain is over (the right thing under
   * `deno serve` and Bun's default export, which own the server).
   */
  owner?: BackgroundOwner;
  /** Receives each log line. Default: `console.error` with a `quiesce: ` prefix. */
  log?: (line: string) => void;
}

/** A job still running, as {@linkcode BackgroundWork.running} lists it. */
export interface RunningJob {
  /** The job's name. */
  readonly name: string;
  /** Milliseconds since it started. */
  readonly ageMs: number;
}

const OPTION_NAMES = ["limit", "owner", "log"] as const satisfies ReadonlyArray<
  keyof BackgroundWorkOptions
>;

function stderrLog(line: string): void {
  console.error(`quiesce: ${line}`);
}

function hasWaitUntil(value: unknown): value is WaitUntilContext {
  return typeof (value as WaitUntilContext | null)?.waitUntil === "function";
}

/**
 * Work that must outlive a response, with one API everywhere: on a Workers-style platform
 * (`workerd`, Cloudflare Workers) each job is handed to `ctx.waitUntil`; self-hosted (the
 * same handler under `deno serve`, Bun or Node) it is a task that the shutdown drains at
 * SIGTERM. Every job is named and tracked. Its signal aborts once it has run `limit` ms,
 * and a log line names it as cut, before the platform stops it unannounced; a failure is
 * logged with its name. A job is not cancelled by SIGTERM: it is what the drain waits for.
 *
 * @example A handler that reports after answering
 * ```ts
 * import { BackgroundWork } from "@quiesce/quiesce/edge";
 * import { TaskTracker } from "@quiesce/quiesce";
 * import { assertEquals } from "@std/assert";
 *
 * await using tracker = new TaskTracker(); // self-hosted here; on workerd: ctx.waitUntil
 * const background = new BackgroundWork({ owner: tracker });
 * const reported: string[] = [];
 * const handler = {
 *   fetch(request: Request, _env?: unknown, ctx?: { waitUntil(p: Promise<unknown>): void }) {
 *     background.run(ctx, "report", async () => {
 *       await new Promise((resolve) => setTimeout(resolve, 5));
 *       reported.push(new URL(request.url).pathname);
 *     });
 *     return new Response("ok");
 *   },
 * };
 * assertEquals(await handler.fetch(new Request("http://localhost/orders")).text(), "ok");
 * assertEquals(background.running.map((job) => job.name), ["report"]);
 * await tracker.wait();
 * assertEquals(reported, ["/orders"]);
 * ```
 */
export class BackgroundWork {
  #limit: number;
  #owner: BackgroundOwner | undefined;
  #log: (line: string) => void;
  #running = new Map<symbol, { name: string; startedAt: number }>();

  /**
   * Creates the tracker of background jobs; nothing starts until the first job.
   *
   * @throws {TypeError | RangeError} If an option has the wrong type, name or range.
   */
  constructor(options?: BackgroundWorkOptions) {
    validateOptions(options, "options", OPTION_NAMES);
    this.#limit = validateMs(options?.limit ?? 29_000, "options.limit");
    if (options?.log !== undefined) {
      validateFunction(options.log, "options.log");
    }
    this.#log = options?.log ?? stderrLog;
    const owner = options?.owner;
    if (owner !== undefined) {
      validateFunction(owner?.spawn, "options.owner.spawn");
    }
    this.#owner = owner;
  }

  /** The jobs still running, oldest first. */
  get running(): RunningJob[] {
    const now = performance.now();
    return Array.from(this.#running.values(), (job) => ({
      name: job.name,
      ageMs: now - job.startedAt,
    }));
  }

  /**
   * Starts `fn` as a background job named `name`. With a `ctx` that has `waitUntil`, the
   * job is handed to it; otherwise it runs as a task of `options.owner` (or the default
   * self-hosted shutdown). `fn` gets a signal that aborts when the job reaches `limit`.
   *
   * @param ctx The handler's platform context (`ctx` on workerd), or `undefined`.
   * @param name The job's name in logs and reports.
   * @param fn The work.
   * @throws {TypeError} If `name` is not a non-empty string or `fn` not a function.
   * @throws {ClosedError} If self-hosted and the shutdown's drain is already over.
   */
  run(
    ctx: WaitUntilContext | undefined | unknown,
    name: string,
    fn: (signal: AbortSignal) => unknown,
  ): void {
    validateName(name, "name");
    validateFunction(fn, "fn");
    if (hasWaitUntil(ctx)) {
      ctx.waitUntil(this.#job(name, fn));
      return;
    }
    const owner = this.#owner ??= selfHostedShutdown(this.#log);
    try {
      owner.spawn(name, () => this.#job(name, fn));
    } catch (error) {
      // The drain has moved past its tasks and the process is about to end: fail the
      // request (the client sees an error) rather than accept work that would be lost.
      this.#log(
        `background work "${name}" refused: the shutdown's drain is over`,
      );
      throw error;
    }
  }

  /** Runs one job: tracked, limited, its failure logged. Never rejects. */
  async #job(
    name: string,
    fn: (signal: AbortSignal) => unknown,
  ): Promise<void> {
    const key = Symbol(name);
    const startedAt = performance.now();
    this.#running.set(key, { name, startedAt });
    const limit = new AbortController();
    const stopTimer = startTimer(this.#limit, () => {
      this.#log(
        `background work "${name}" cut at the ${this.#limit} ms limit of waitUntil`,
      );
      limit.abort(
        new DOMException(
          `Background work "${name}" reached its limit`,
          "TimeoutError",
        ),
      );
    });
    try {
      await fn(limit.signal);
    } catch (error) {
      if (!limit.signal.aborted) {
        this.#log(`background work "${name}" failed: ${String(error)}`);
      }
    } finally {
      stopTimer();
      this.#running.delete(key);
    }
  }
}

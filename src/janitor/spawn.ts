// Registering jobs with the ambient janitor, and asking whether one accepts them.
import { validateFunction } from "../_validate.ts";
import { ambient } from "./_janitor.ts";
import { JanitorTerminatingError, NoActiveJanitorError } from "./errors.ts";
import type { JanitorFunction } from "./results.ts";

/**
 * Like {@linkcode spawnDaemon}, but returns the refusal instead of throwing it:
 * `undefined` when the job was registered.
 *
 * @param fn The job; it gets the janitor's `AbortSignal`.
 * @returns `undefined` on success, else why the job was refused (and not started).
 * @throws {TypeError} When `fn` is not a function.
 *
 * @example Best-effort registration
 * ```ts
 * import { NoActiveJanitorError, trySpawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertInstanceOf } from "@std/assert";
 *
 * let ran = false;
 * const refused = trySpawnDaemon(() => (ran = true));
 * assertInstanceOf(refused, NoActiveJanitorError);
 * console.assert(!ran, "a refused job never starts");
 * ```
 */
export function trySpawnDaemon(
  fn: JanitorFunction<unknown>,
): NoActiveJanitorError | JanitorTerminatingError | undefined {
  validateFunction(fn, "fn");
  const janitor = ambient.getStore();
  if (janitor === undefined) return new NoActiveJanitorError();
  if (!janitor.accepting) return new JanitorTerminatingError();
  janitor.spawn(fn);
  return undefined;
}

/**
 * Registers `fn(signal)` with the ambient janitor (the nearest enclosing
 * `enterJanitor`/`ensureJanitor`) and starts it at once; the janitor's owner waits for it.
 * The signal aborts when the janitor's outside signal aborts, the janitor it is nested in
 * aborts, or another job fails; it fires in the janitor's context, so the job's abort
 * listeners may register cleanup with `spawnCleanupJob` while the janitor accepts jobs.
 *
 * Use this name for background work that must finish before the janitor does (parallel
 * jobs, daemons); use its other name, {@linkcode spawnCleanupJob}, for cleanup actions.
 *
 * A job that throws or rejects ends the janitor with that failure. A job registered after
 * the janitor's callee settled is refused: the janitor waits only for what it knew about
 * when its owner finished.
 *
 * @param fn The job; it gets the janitor's `AbortSignal`.
 * @throws {NoActiveJanitorError} When no janitor is ambient.
 * @throws {JanitorTerminatingError} When the ambient janitor no longer accepts jobs.
 * @throws {TypeError} When `fn` is not a function.
 *
 * @example Parallel jobs from a loop, all awaited
 * ```ts
 * import { enterJanitor, spawnDaemon } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const done: number[] = [];
 * await enterJanitor(() => {
 *   for (const n of [3, 1, 2]) {
 *     spawnDaemon(async () => {
 *       await new Promise((resolve) => setTimeout(resolve, n));
 *       done.push(n);
 *     });
 *   }
 * });
 * assertEquals(done.sort(), [1, 2, 3]);
 * ```
 */
export function spawnDaemon(fn: JanitorFunction<unknown>): void {
  const refused = trySpawnDaemon(fn);
  if (refused !== undefined) throw refused;
}

/**
 * The same function as {@linkcode spawnDaemon}, under the name to use in destructors and
 * cleanup actions that start their work at once.
 *
 * @example Close a connection after the request, awaited by the request's janitor
 * ```ts
 * import { enterJanitor, spawnCleanupJob } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const log: string[] = [];
 * class Connection implements Disposable {
 *   [Symbol.dispose](): void {
 *     spawnCleanupJob(async () => {
 *       await new Promise((resolve) => setTimeout(resolve, 1)); // an async close
 *       log.push("closed");
 *     });
 *   }
 * }
 * await enterJanitor(() => {
 *   using _connection = new Connection();
 *   log.push("query");
 * });
 * assertEquals(log, ["query", "closed"]);
 * ```
 */
export const spawnCleanupJob: (fn: JanitorFunction<unknown>) => void =
  spawnDaemon;

/**
 * The same function as {@linkcode trySpawnDaemon}, named for cleanup actions.
 *
 * @example Clean up inside a janitor if there is one, else at once
 * ```ts
 * import { enterJanitor, trySpawnCleanupJob } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * const log: string[] = [];
 * function release(name: string): void {
 *   const close = () => void log.push(`released ${name}`);
 *   if (trySpawnCleanupJob(close) !== undefined) close(); // no janitor: do it inline
 * }
 * release("outside");
 * await enterJanitor(() => release("inside"));
 * assertEquals(log, ["released outside", "released inside"]);
 * ```
 */
export const trySpawnCleanupJob: (
  fn: JanitorFunction<unknown>,
) => NoActiveJanitorError | JanitorTerminatingError | undefined =
  trySpawnDaemon;

/**
 * Whether an ambient janitor accepts jobs right now: true exactly while `spawnDaemon`
 * would register a job (its callee has not settled and none of its jobs failed).
 *
 * @returns `true` when `spawnDaemon` would succeed here.
 *
 * @example Inside, after, and outside
 * ```ts
 * import { enterJanitor, hasActiveJanitor } from "@quiesce/quiesce/janitor";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(hasActiveJanitor(), false);
 * let later: boolean | undefined;
 * await enterJanitor(() => {
 *   assertEquals(hasActiveJanitor(), true);
 *   setTimeout(() => (later = hasActiveJanitor()), 0);
 * });
 * await new Promise((resolve) => setTimeout(resolve, 1));
 * assertEquals(later, false); // the callee had settled
 * ```
 */
export function hasActiveJanitor(): boolean {
  return ambient.getStore()?.accepting === true;
}

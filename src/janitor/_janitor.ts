// One janitor's state: the jobs it waits for, its signal, and its links to an outside
// signal and to the janitor it is nested in. Web primitives only (AbortController, Set),
// so it stays cheap and independent of the core's internals.
import { isNativePromise } from "./_promise.ts";
import { isThenable } from "../_validate.ts";
import type { JanitorFunction, SettledResult } from "./results.ts";

const FINISHED_OK: SettledResult<void> = Object.freeze({
  ok: true,
  value: undefined,
});

/** A janitor: accepts jobs until `close()`, then waits for them; the first failure ends it. */
export class Janitor {
  /** Aborts on the outside signal, the parent janitor's abort, or the first job failure. */
  readonly signal: AbortSignal;
  readonly #controller: AbortController;
  #accepting = true;
  #ended = false;
  #pending = 0;
  #failure: SettledResult<void> | undefined;
  #onEnd: ((result: SettledResult<void>) => void) | undefined;
  #parent: Janitor | undefined;
  // Nested janitors are aborted through this registry rather than one abort listener
  // each on our signal: EventTarget's duplicate check makes many listeners O(n²).
  #children: Set<Janitor> | undefined;
  #outside: AbortSignal | undefined;
  #onOutsideAbort: (() => void) | undefined;

  constructor(parent: Janitor | undefined, outside: AbortSignal | undefined) {
    this.#controller = new AbortController();
    this.signal = this.#controller.signal;
    if (parent !== undefined) {
      if (parent.signal.aborted) this.abort(parent.signal.reason);
      else {
        this.#parent = parent;
        (parent.#children ??= new Set()).add(this);
      }
    }
    if (outside !== undefined) {
      if (outside.aborted) this.abort(outside.reason);
      else {
        this.#outside = outside;
        this.#onOutsideAbort = () => this.abort(outside.reason);
        outside.addEventListener("abort", this.#onOutsideAbort, { once: true });
      }
    }
  }

  /** Whether `spawn` may be called: the callee has not settled and no job has failed. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** Starts `fn(signal)` now and counts it until it settles. Call only while `accepting`. */
  spawn(fn: JanitorFunction<unknown>): void {
    this.#pending++;
    let promise: PromiseLike<unknown> | undefined;
    try {
      const result = fn(this.signal);
      if (isThenable(result)) promise = result;
    } catch (error) {
      this.#jobRejected(error);
      return;
    }
    if (promise === undefined) this.#jobFulfilled();
    // Both outcomes are always observed, even after the janitor ended: no unhandled
    // rejection from a job, ever. Foreign thenables are adopted first, so a misbehaving
    // `then` cannot settle a job twice.
    else {
      (isNativePromise(promise) ? promise : Promise.resolve(promise)).then(
        this.#jobFulfilled,
        this.#jobRejected,
      );
    }
  }

  /**
   * The callee settled: refuse new jobs and wait for the known ones. Returns the janitor's
   * outcome, at once when nothing is pending or a job already failed.
   */
  close(): SettledResult<void> | Promise<SettledResult<void>> {
    this.#accepting = false;
    if (this.#failure !== undefined) return this.#failure;
    if (this.#pending === 0) {
      this.#end();
      return FINISHED_OK;
    }
    return new Promise((resolve) => (this.#onEnd = resolve));
  }

  /** Aborts this janitor's signal and those of the janitors nested in it. */
  abort(reason: unknown): void {
    if (!this.signal.aborted) this.#controller.abort(reason);
    if (this.#children === undefined) return;
    for (const child of this.#children) child.abort(this.signal.reason);
  }

  readonly #jobFulfilled = (): void => {
    this.#pending--;
    if (this.#pending === 0 && !this.#accepting && !this.#ended) {
      this.#end();
      this.#onEnd?.(FINISHED_OK);
    }
  };

  readonly #jobRejected = (error: unknown): void => {
    // A job that gives up with its own signal's reason was cancelled, not failed: the
    // janitor keeps waiting for the others, as an aborted outside signal promises.
    if (this.signal.aborted && error === this.signal.reason) {
      this.#jobFulfilled();
      return;
    }
    this.#pending--;
    if (this.#ended) return;
    this.#accepting = false;
    this.#failure = { ok: false, error };
    this.abort(error);
    this.#end();
    this.#onEnd?.(this.#failure);
  };

  #end(): void {
    this.#ended = true;
    if (this.#parent !== undefined) {
      this.#parent.#children!.delete(this);
      this.#parent = undefined;
    }
    if (this.#outside !== undefined) {
      this.#outside.removeEventListener("abort", this.#onOutsideAbort!);
      this.#outside = this.#onOutsideAbort = undefined;
    }
  }
}

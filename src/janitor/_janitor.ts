// One janitor's state: the jobs it waits for, its signal, and its links to an outside
// signal and to the janitor it is nested in; and the storage that makes one ambient. The
// only module of the package that imports `node:async_hooks` (Deno, Bun and Node all have
// AsyncLocalStorage); the core stays web-standard. An outside signal is linked the way the
// core links token sources (_outside_link.ts), and a job's AbortError after the abort is
// judged by the core's rule (_cancellation_echo.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { isCancellationEcho } from "../_cancellation_echo.ts";
import {
  linkOutside,
  type OutsideLinked,
  unlinkOutside,
} from "../_outside_link.ts";
import { isThenable } from "../_validate.ts";
import { isNativePromise } from "./_promise.ts";
import type { JanitorFunction, SettledResult } from "./results.ts";

/** The janitor that `spawnDaemon` reaches from the current async context, if any. */
export const ambient: AsyncLocalStorage<Janitor | undefined> =
  new AsyncLocalStorage<Janitor | undefined>();

const FINISHED_OK: SettledResult<void> = Object.freeze({
  ok: true,
  value: undefined,
});

/** A janitor: accepts jobs until `close()`, then waits for them; the first failure ends it. */
export class Janitor implements OutsideLinked {
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
        // One listener per outside signal, however many janitors share it: a listener
        // each is quadratic (EventTarget's duplicate check on every add).
        this.#outside = outside;
        linkOutside(outside, this);
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
    let promise: Promise<unknown> | undefined;
    try {
      const result = fn(this.signal);
      // Foreign thenables are adopted, so a misbehaving `then` cannot settle a job twice;
      // inside the try, so one whose `then` throws when read again fails the job instead
      // of leaving it counted forever.
      if (isThenable(result)) {
        promise = isNativePromise(result) ? result : Promise.resolve(result);
      }
    } catch (error) {
      this.#jobRejected(error);
      return;
    }
    if (promise === undefined) this.#jobFulfilled();
    // Both outcomes are always observed, even after the janitor ended: no unhandled
    // rejection from a job, ever.
    else promise.then(this.#jobFulfilled, this.#jobRejected);
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

  /** The outside signal aborted (called by its link, in the aborter's context). */
  cancel(reason: unknown): void {
    this.abort(reason);
  }

  /**
   * Aborts this janitor's signal and those of the janitors nested in it. Each signal fires
   * in its own janitor's context, not the aborter's: a job's abort listener registers its
   * cleanup here, whoever aborted (another janitor, a timer with no context).
   */
  abort(reason: unknown): void {
    if (!this.signal.aborted) {
      ambient.run(this, abortWith, this.#controller, reason);
    }
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
    // A job that gives up after its signal aborted, with the reason or an AbortError of
    // its own (node:timers/promises, events.once), was cancelled, not failed: the janitor
    // keeps waiting for the others, as an aborted outside signal promises.
    if (this.signal.aborted && isCancellationEcho(error, this.signal.reason)) {
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
      unlinkOutside(this.#outside, this);
      this.#outside = undefined;
    }
  }
}

function abortWith(controller: AbortController, reason: unknown): void {
  controller.abort(reason);
}

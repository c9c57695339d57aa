// The token tree: invariants.
//
// Links. A source links to its parent (`#parent`) and, while live, sits in its parent's
// doubly linked list of live children (`#first`/`#last` on the parent, `#prev`/`#next` on
// the children); `#childCount` is that list's length. Nothing else links sources: no abort
// listener on a parent's signal, no registry, no array. An outside `AbortSignal` reaches a
// source only through _outside_link.ts (one listener per signal, a Set of its sources).
//
// Ownership. A parent references its live children and a child its parent, so a live
// subtree stays reachable from its root; a cancelled or disposed source is referenced by
// nothing in the tree and is collected once its user drops it. A source owns its lazily made
// `AbortController` (`#controller`, only once `.signal` is read), the outside signal it is
// linked to (`#outside`) and its rare state (`#rare`: onCancel callbacks, the cancel hook,
// the `cancelled()` promise, the read-only view), made on first use, so a plain child is
// ten slots.
//
// 1. Live: `#reason === undefined`. Cancelled: `#reason !== undefined`, for good, since
//    `cancel()` turns an undefined reason into an AbortError (as `AbortController.abort`).
// 2. A live source's parent is live, and a live source is in its parent's child list; a
//    cancelled source has no parent, no children, no siblings and `#childCount === 0`.
// 3. Cancelling a source cancels its whole live subtree with the same reason, synchronously:
//    first every node is marked and unlinked, then the nodes that have anything to tell
//    (a controller, an outside link or rare state) are notified, depth first in creation
//    order (children are appended, so list order is creation order). No callback sees a
//    half-cancelled tree.
//    A child never cancels its parent; cancelling unlinks the source from its parent in O(1).
// 4. A marked subtree is frozen: `child()` of a cancelled source returns a new source that
//    is cancelled at once and linked to nothing; `cancel()` and dispose of a cancelled
//    source do nothing. So `cancel()` may reuse the links while it walks: `#next` threads
//    the subtree into one list, `#prev` the list of sources to notify.
// 5. Notifying a source, in this order: unlink its outside signal, abort its controller,
//    run its onCancel callbacks (each at most once, a throw reported and the rest still
//    run), run its cancel hook (at most once; a tracker cancels its tasks with it, so tasks
//    hear of a cancellation after the token's own observers), resolve `cancelled()`.
// 6. Outside signal: linked when the source is made (or cancels it at once if already
//    aborted); the link goes when the source is cancelled, whatever cancelled it.

import { linkOutside, unlinkOutside } from "./_outside_link.ts";
import { reportUncaught } from "./_uncaught.ts";
import {
  describe,
  isThenable,
  validateFunction,
  validateOptions,
  validateSignal,
} from "./_validate.ts";

/**
 * Options for {@linkcode TokenSource}.
 *
 * @example Cancel a token tree from an outside `AbortSignal`
 * ```ts
 * import { TokenSource, type TokenSourceOptions } from "@quiesce/quiesce";
 * import { assert, assertEquals } from "@std/assert";
 *
 * const request = new AbortController(); // e.g. a request's own signal
 * const options: TokenSourceOptions = { signal: request.signal };
 * using source = new TokenSource(options);
 * const job = source.child();
 * request.abort("client went away");
 * assert(source.isCancelled);
 * assert(job.isCancelled);
 * assertEquals(job.reason, "client went away");
 * ```
 */
export interface TokenSourceOptions {
  /**
   * An outside signal that cancels this source (and so its whole subtree) when it aborts.
   * The link is removed as soon as this source is cancelled or disposed.
   */
  signal?: AbortSignal;
}

let disposedReason: DOMException | undefined;

/**
 * The reason of every disposed source. Shared: making a DOMException costs microseconds
 * (a stack trace) on V8, and disposal is the hot path of short-lived children.
 */
function disposed(): DOMException {
  return disposedReason ??= new DOMException(
    "The token source was disposed.",
    "AbortError",
  );
}

function defaultReason(message: string): DOMException {
  return new DOMException(message, "AbortError");
}

let setHook: (source: TokenSource, hook: (reason: unknown) => void) => void;

/**
 * Gives `source` one internal callback that runs when it is cancelled, after its own signal
 * and `onCancel` callbacks: how a tracker cancels its tasks without a token (and a closure
 * registration) per task. Internal; one hook per source.
 */
export function setCancelHook(
  source: TokenSource,
  hook: (reason: unknown) => void,
): void {
  setHook(source, hook);
}

/** Validates `options` and returns its outside signal, if any. */
function outsideSignal(
  options: TokenSourceOptions | undefined,
): AbortSignal | undefined {
  validateOptions(options, "options", ["signal"]);
  validateSignal(options?.signal, "options.signal");
  return options?.signal;
}

/**
 * Owns a cancellation: the writable side of a {@linkcode CancellationToken}.
 *
 * Sources form a tree. Cancelling a source cancels every descendant synchronously, in
 * creation order (depth first), with the same reason; a child never cancels its parent.
 * Children are linked through the parent's own registry, not through abort listeners on the
 * parent's `AbortSignal` (EventTarget's duplicate check makes that quadratic), and a child
 * that is cancelled or disposed unlinks itself, so a long-lived root holds only the children
 * that are still live. The `AbortController` behind {@linkcode TokenSource.signal} is made on
 * first use.
 *
 * @example Cancel a subtree
 * ```ts
 * import { TokenSource } from "@quiesce/quiesce";
 * import { assert, assertFalse } from "@std/assert";
 *
 * const root = new TokenSource();
 * const child = root.child();
 * child.cancel();
 * assertFalse(root.isCancelled); // a child never cancels its parent
 *
 * const other = root.child();
 * root.cancel(new Error("bye"));
 * assert(other.token.isCancelled);
 * ```
 */
export class TokenSource implements Disposable {
  // See the invariants at the top of this file.
  #parent: TokenSource | undefined;
  #first: TokenSource | undefined;
  #last: TokenSource | undefined;
  #prev: TokenSource | undefined;
  #next: TokenSource | undefined;
  #childCount = 0;
  #controller: AbortController | undefined;
  #rare: RareState | undefined;
  /** The outside signal linked to this source (its own slot: many children may share one). */
  #outside: AbortSignal | undefined;
  /** `undefined` while live: a cancelled source always has a reason. */
  #reason: unknown = undefined;

  /**
   * Creates a root source, optionally cancelled by an outside `signal`.
   *
   * @throws {TypeError} If `options` or `options.signal` has the wrong type.
   */
  constructor(options?: TokenSourceOptions) {
    if (options !== undefined) this.#linkOutside(outsideSignal(options));
  }

  static {
    setHook = (source, hook) => (source.#rare ??= new RareState()).hook = hook;
  }

  /** The read-only view of this source, safe to hand to code that must not cancel. */
  get token(): CancellationToken {
    return (this.#rare ??= new RareState()).view ??= new CancellationToken(
      this,
    );
  }

  /** Whether this source has been cancelled (directly, by an ancestor, or by its signal). */
  get isCancelled(): boolean {
    return this.#reason !== undefined;
  }

  /** The cancellation reason, or `undefined` while not cancelled. */
  get reason(): unknown {
    return this.#reason;
  }

  /** An `AbortSignal` that aborts with {@linkcode TokenSource.reason} when this source is cancelled. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** How many live (not cancelled, not disposed) direct children this source holds. */
  get childCount(): number {
    return this.#childCount;
  }

  /**
   * Creates a child source. It is cancelled when this source is, or when `options.signal`
   * aborts; cancelling or disposing it does not affect this source. A child of a cancelled
   * source starts cancelled, with this source's reason.
   *
   * @throws {TypeError} If `options` or `options.signal` has the wrong type.
   */
  child(options?: TokenSourceOptions): TokenSource {
    const outside = options === undefined ? undefined : outsideSignal(options);
    const child = new TokenSource();
    if (this.#reason !== undefined) {
      child.cancel(this.#reason);
      return child;
    }
    child.#parent = this;
    const last = this.#last;
    if (last === undefined) this.#first = child;
    else {
      last.#next = child;
      child.#prev = last;
    }
    this.#last = child;
    this.#childCount++;
    child.#linkOutside(outside);
    return child;
  }

  /**
   * Cancels this source and all its descendants, synchronously and in creation order.
   * Does nothing if already cancelled. Every descendant sees the same `reason`.
   *
   * Never throws: like `AbortController.abort()`, a callback that throws is reported as an
   * uncaught error (`reportError`) and the remaining callbacks still run.
   *
   * @param reason Defaults to a `DOMException` named `AbortError`.
   */
  cancel(reason?: unknown): void {
    if (this.#reason !== undefined) return;
    // As AbortController.abort: no reason (or undefined) means an AbortError.
    if (reason === undefined) {
      reason = defaultReason("The token was cancelled.");
    }
    this.#unlinkFromParent();
    // Invariant 3: mark and unlink the whole subtree, then notify. The subtree is frozen
    // (invariant 4), so `#next` threads it into one walk, depth first in creation order
    // (each node's children are spliced in right after it), and `#prev` threads the nodes
    // with anything to notify. No array and no stack, and a million plain children are
    // one pass over memory.
    let notifyFirst: TokenSource | undefined;
    let notifyLast: TokenSource | undefined;
    // deno-lint-ignore no-this-alias -- the walk starts at this source
    for (let node: TokenSource | undefined = this; node !== undefined;) {
      node.#reason = reason;
      node.#childCount = 0;
      const first: TokenSource | undefined = node.#first;
      if (first !== undefined) {
        node.#last!.#next = node.#next;
        node.#next = first;
      }
      const next: TokenSource | undefined = node.#next;
      node.#parent =
        node.#first =
        node.#last =
        node.#next =
        node.#prev =
          undefined;
      if (
        node.#controller !== undefined || node.#rare !== undefined ||
        node.#outside !== undefined
      ) {
        if (notifyLast === undefined) notifyFirst = node;
        else notifyLast.#prev = node;
        notifyLast = node;
      }
      node = next;
    }
    for (let node = notifyFirst; node !== undefined;) {
      const next: TokenSource | undefined = node.#prev;
      node.#prev = undefined;
      node.#notify();
      node = next;
    }
  }

  /**
   * Registers `callback` to run synchronously when this source is cancelled (at once if it
   * already is). Cheaper than an abort listener: no `AbortSignal` is created.
   *
   * @returns A `Disposable` that unregisters the callback.
   */
  onCancel(callback: (reason: unknown) => void): Disposable {
    validateFunction(callback, "callback");
    if (this.#reason !== undefined) {
      callback(this.#reason);
      return { [Symbol.dispose]() {} };
    }
    const callbacks = (this.#rare ??= new RareState()).callbacks ??= new Set();
    const entry = (reason: unknown) => callback(reason);
    callbacks.add(entry);
    return { [Symbol.dispose]: () => callbacks.delete(entry) };
  }

  /** A promise that resolves (never rejects) once this source is cancelled. */
  cancelled(): Promise<void> {
    if (this.#reason !== undefined) return Promise.resolve();
    return ((this.#rare ??= new RareState()).deferred ??= Promise.withResolvers<
      void
    >()).promise;
  }

  /** Cancels this source (reason: an `AbortError` saying it was disposed) and unlinks it. */
  [Symbol.dispose](): void {
    if (this.#reason === undefined) this.cancel(disposed());
  }

  /** Cancels this source when `outside` aborts; the link goes when this source is cancelled. */
  #linkOutside(outside: AbortSignal | undefined): void {
    if (outside === undefined) return;
    if (outside.aborted) {
      this.cancel(outside.reason);
      return;
    }
    this.#outside = outside;
    linkOutside(outside, this);
  }

  #unlinkFromParent(): void {
    const parent = this.#parent;
    if (parent === undefined) return;
    const prev = this.#prev, next = this.#next;
    if (prev === undefined) parent.#first = next;
    else prev.#next = next;
    if (next === undefined) parent.#last = prev;
    else next.#prev = prev;
    parent.#childCount--;
    this.#parent = this.#prev = this.#next = undefined;
  }

  /** Invariant 5: tells this source's observers, once its subtree is marked and unlinked. */
  #notify(): void {
    if (this.#outside !== undefined) {
      unlinkOutside(this.#outside, this);
      this.#outside = undefined;
    }
    const rare = this.#rare;
    this.#controller?.abort(this.#reason);
    if (rare === undefined) return;
    const callbacks = rare.callbacks;
    if (callbacks !== undefined) {
      rare.callbacks = undefined;
      for (const callback of callbacks) {
        try {
          callback(this.#reason);
        } catch (error) {
          reportUncaught(error);
        }
      }
    }
    const hook = rare.hook;
    if (hook !== undefined) {
      rare.hook = undefined;
      try {
        hook(this.#reason);
      } catch (error) {
        reportUncaught(error);
      }
    }
    rare.deferred?.resolve();
  }
}

/**
 * What a source holds only once someone uses it: most children never need it, so it lives
 * apart and a plain child stays small (it is what a tree of a million children is made of).
 */
class RareState {
  callbacks: Set<(reason: unknown) => void> | undefined = undefined;
  hook: ((reason: unknown) => void) | undefined = undefined;
  deferred: PromiseWithResolvers<void> | undefined = undefined;
  view: CancellationToken | undefined = undefined;
}

/**
 * The read-only view of a {@linkcode TokenSource}: code holding it can observe shutdown and
 * derive children, but never cancel the source itself.
 *
 * @example Observe shutdown
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { assert, assertFalse } from "@std/assert";
 *
 * const shutdown = new GracefulShutdown({ signals: false });
 * const token = shutdown.token;
 * assertFalse(token.isCancelled);
 * await shutdown.shutdown();
 * assert(token.isCancelled);
 * await token.cancelled(); // resolves at once now
 * ```
 */
export class CancellationToken {
  #source: TokenSource;

  /** Wraps `source`; prefer {@linkcode TokenSource.token}. */
  constructor(source: TokenSource) {
    if (!(source instanceof TokenSource)) {
      throw new TypeError(
        "Cannot create a CancellationToken: expected a TokenSource",
      );
    }
    this.#source = source;
  }

  /**
   * An `AbortSignal` that aborts on shutdown, for `fetch`, streams, timers and friends.
   *
   * Do not hand it to `Deno.serve({ signal })` when you also call `server.shutdown()`:
   * aborting Deno's serve signal after `shutdown()` crashes the process. For servers, use
   * `@quiesce/quiesce/http`, which stops the listener at the right moment.
   */
  get signal(): AbortSignal {
    return this.#source.signal;
  }

  /** Whether this token has been cancelled. */
  get isCancelled(): boolean {
    return this.#source.isCancelled;
  }

  /** Why shutdown was requested, or `undefined` while it has not been. */
  get reason(): unknown {
    return this.#source.reason;
  }

  /** Resolves (never rejects) once shutdown is requested; at once if it already was. */
  cancelled(): Promise<void> {
    return this.#source.cancelled();
  }

  /** Throws {@linkcode CancellationToken.reason} if shutdown has been requested. */
  throwIfCancelled(): void {
    if (this.#source.isCancelled) throw this.#source.reason;
  }

  /**
   * Creates a child source: cancelled with this token (or when `options.signal` aborts),
   * cancellable on its own.
   *
   * @throws {TypeError} If `options` or `options.signal` has the wrong type.
   */
  child(options?: TokenSourceOptions): TokenSource {
    return this.#source.child(options);
  }

  /**
   * Registers `callback` to run when shutdown is requested; see {@linkcode TokenSource.onCancel}.
   *
   * @returns A `Disposable` that unregisters the callback.
   */
  onCancel(callback: (reason: unknown) => void): Disposable {
    return this.#source.onCancel(callback);
  }

  /**
   * Runs `work` until it settles or this token is cancelled, whichever comes first
   * (tokio's `run_until_cancelled`): resolves with its value, rejects with its error, or
   * resolves `undefined` once cancelled. Cancellation wins when both are ready. `work` is a
   * promise, or a function given this token's signal; on a cancelled token the function is
   * not called at all.
   *
   * @throws {TypeError} If `work` is neither a promise nor a function.
   */
  runUntilCancelled<T>(
    work: PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  ): Promise<T | undefined> {
    if (typeof work === "function") {
      if (this.#source.isCancelled) return Promise.resolve(undefined);
      let started: T | PromiseLike<T>;
      try {
        started = work(this.#source.signal);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#race(Promise.resolve(started));
    }
    if (!isThenable(work)) {
      throw new TypeError(
        `Cannot use work: expected a promise or a function, got ${
          describe(work)
        }`,
      );
    }
    return this.#race(work);
  }

  #race<T>(promise: PromiseLike<T>): Promise<T | undefined> {
    if (this.#source.isCancelled) {
      // The loser may still reject later; handle it so it is not reported as unhandled.
      Promise.resolve(promise).catch(() => {});
      return Promise.resolve(undefined);
    }
    const { promise: result, resolve, reject } = Promise.withResolvers<
      T | undefined
    >();
    const registration = this.#source.onCancel(() => resolve(undefined));
    promise.then(
      (value) => {
        registration[Symbol.dispose]();
        resolve(value);
      },
      (error) => {
        registration[Symbol.dispose]();
        reject(error);
      },
    );
    return result;
  }
}

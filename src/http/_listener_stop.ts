// Stopping the listeners a GracefulHttp was given, as the escalation plans it: when the drain
// begins, but no sooner than `linger` after the first signal (keep-alive clients get one
// `Connection: close` response first) and not while a handler may still read a request body
// (Deno's `shutdown()` would make it unreadable); then, once no request is in flight, at most
// `idleGrace` more for connections that carry nothing (Bun: `close()`, i.e. `stop(true)`);
// at the deadline, `close()` for whatever is left. Just before each of those moments the
// listener's counter, if it has one, counts the connections it closes carrying no request.
import type {
  BusyPorts,
  ClosedConnections,
  ClosedCounter,
  CountMoment,
} from "./_closed_connections.ts";

/** A listener as `GracefulHttp.attach()` takes it (the public `HttpListener`). */
interface HttpListener {
  stop(): Promise<void> | void;
  close?(): void;
  pending?(): number;
}

/** How often a stopped listener's count is read while responses are still being sent. */
export const PENDING_POLL_MS = 100;

/** The longest a stop or close waits for its count (read from /proc) before going on. */
export const COUNT_WAIT_MS = 1_000;

/** What the stopper needs from its server. */
export interface ListenerStopHooks {
  /** Least milliseconds from the first signal to the stop. */
  linger: number;
  /** Milliseconds to wait, once idle, for connections that carry nothing. */
  idleGrace: number;
  /** Whether a handler may still read a request body (or a dropped one is being read). */
  readingBodies(): boolean;
  /** Settles when no request is in flight. */
  whenIdle(): Promise<void>;
  /** Whether a response was cut because its client stopped reading (it holds Deno's stop). */
  stalled(): boolean;
  /** Reports a listener's failure. */
  fail(error: unknown): void;
  /**
   * How many requests the server accounts for that a listener may still count: those in
   * flight, and the responses it cut because their client stopped reading (Bun keeps
   * counting those: its write to the client never ends).
   */
  accounted(): number;
  /** The client ports of the connections that carry a request or a WebSocket now. */
  busyPorts: BusyPorts;
  /** A listener counted connections it closed carrying no request. */
  closed(counts: ClosedConnections): void;
}

/** The listeners of one server and their stops. */
export class ListenerStop {
  readonly #hooks: ListenerStopHooks;
  readonly #listeners: HttpListener[] = [];
  readonly #counters = new Map<HttpListener, ClosedCounter>();
  readonly #stops: Promise<void>[] = [];
  #stopping = false;
  #held: PromiseWithResolvers<void> | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(hooks: ListenerStopHooks) {
    this.#hooks = hooks;
  }

  /** Whether a listener was attached. */
  get attached(): boolean {
    return this.#listeners.length > 0;
  }

  /** Settles when every stop begun so far has settled. */
  settled(): Promise<unknown> {
    return Promise.all(this.#stops);
  }

  /** Collects what the listeners counted since their last count (the drain's end). */
  collect(): void {
    for (const listener of this.#listeners) this.#count(listener, "end");
  }

  /**
   * Adds a listener, with the counter of the connections it closes if it has one; one
   * added after the stops began is stopped at once.
   */
  add(listener: HttpListener, counter?: ClosedCounter): void {
    this.#listeners.push(listener);
    if (counter !== undefined) this.#counters.set(listener, counter);
    if (this.#stopping) this.#stops.push(this.#stop(listener));
  }

  /** The drain began: stops every listener once the hold allows (see the file's top). */
  stopAll(signalledAt: number): void {
    this.#stopping = true;
    if (this.#listeners.length === 0) return;
    const held = this.#held = Promise.withResolvers<void>();
    const wait = signalledAt + this.#hooks.linger - performance.now();
    if (wait > 0) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = undefined;
        this.recheck();
      }, wait);
    } else this.recheck();
    for (const listener of this.#listeners) {
      this.#stops.push(held.promise.then(() => this.#stop(listener)));
    }
  }

  /** Something changed that may release the hold (a response, a settled request). */
  recheck(): void {
    if (this.#held === undefined || this.#holdTimer !== undefined) return;
    if (!this.#hooks.readingBodies()) this.#release();
  }

  /**
   * The deadline: stops what is still held and closes every listener. Returns how many
   * requests the listeners still counted beyond those the server tracks: responses begun
   * before the first signal, still being sent, that the close cut.
   */
  forceClose(): number {
    this.#release();
    let pending = 0;
    for (const listener of this.#listeners) {
      try {
        pending += listener.pending?.() ?? 0;
        if (listener.close !== undefined) this.#count(listener, "deadline");
        listener.close?.();
      } catch (error) {
        this.#hooks.fail(error);
      }
    }
    return Math.max(0, pending - this.#hooks.accounted());
  }

  #release(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#held?.resolve();
  }

  /**
   * Asks the listener's counter, if any, what it closes at `moment` (or closed) carrying
   * nothing. A counter that reads /proc answers later: the promise settles when its count
   * is in, or after `COUNT_WAIT_MS` (the count then lands when it comes).
   */
  #count(
    listener: HttpListener,
    moment: CountMoment,
  ): Promise<void> | undefined {
    const counter = this.#counters.get(listener);
    if (counter === undefined) return undefined;
    let counted;
    try {
      counted = counter(this.#hooks.busyPorts, moment);
    } catch (error) {
      this.#hooks.fail(error);
      return undefined;
    }
    if (!(counted instanceof Promise)) {
      this.#hooks.closed(counted);
      return undefined;
    }
    const landed = counted.then(
      (closed) => this.#hooks.closed(closed),
      (error) => this.#hooks.fail(error),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, COUNT_WAIT_MS);
    });
    return Promise.race([landed, waited]).finally(() => clearTimeout(timer));
  }

  #stop(listener: HttpListener): Promise<void> {
    // Deno's `shutdown()` closes at once what carries no request, Bun's `stop()` the idle
    // keep-alive connections: counted first.
    const counting = this.#count(listener, "stop");
    return counting === undefined
      ? this.#stopNow(listener)
      : counting.then(() => this.#stopNow(listener));
  }

  #stopNow(listener: HttpListener): Promise<void> {
    let stopped: Promise<void>;
    try {
      stopped = Promise.resolve(listener.stop()).catch((error) =>
        this.#hooks.fail(error)
      );
    } catch (error) {
      this.#hooks.fail(error);
      return Promise.resolve();
    }
    // Bun: one connection holding half a request keeps `stop()` pending indefinitely; Deno:
    // a client that stopped reading keeps `shutdown()` pending. Once no request is in
    // flight, what is left carries nothing useful: after a grace, `close()` ends it (Bun), or
    // the drain stops waiting for a response already cut and named (Deno; the process's
    // exit closes the connection). But a listener that still counts requests then (Bun's
    // `pendingRequests`) is sending responses begun before the first signal, which nothing
    // here follows: `close()` waits until they are sent (or the deadline cuts them).
    const close = listener.close;
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const done = () => {
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      stopped.then(done);
      const sending = () => {
        try {
          return (listener.pending?.() ?? 0) > this.#hooks.accounted();
        } catch (error) {
          this.#hooks.fail(error);
          return false;
        }
      };
      const closeIdle = () => {
        if (settled) return;
        if (close === undefined) {
          if (this.#hooks.stalled()) done();
          return;
        }
        if (sending()) {
          timer = setTimeout(closeIdle, PENDING_POLL_MS);
          return;
        }
        const closeNow = () => {
          if (settled) return;
          try {
            close.call(listener);
          } catch (error) {
            this.#hooks.fail(error);
          }
          done();
        };
        const counting = this.#count(listener, "close");
        if (counting === undefined) closeNow();
        else counting.then(closeNow);
      };
      this.#hooks.whenIdle().then(() => {
        if (settled) return;
        timer = setTimeout(closeIdle, this.#hooks.idleGrace);
      });
    });
  }
}

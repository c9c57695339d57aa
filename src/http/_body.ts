// Wraps a response body so the server learns when its last byte was handed to the runtime
// (read to the end, failed, or cancelled by the runtime because the client went away) and
// can end it from outside: cleanly at the drain (an event stream), or with an error at the
// deadline. Large chunks are handed over in slices, so "handed over" follows the client's
// reading instead of one runtime buffer taking 20 MiB at once.

/** How a tracked body ended. */
export type BodyEnd = "done" | "cancelled" | "error";

/** A tracked body and the ways to end it from outside. */
export interface TrackedBody {
  readonly body: ReadableStream<Uint8Array>;
  /** Errors the body (the client sees a cut response) and cancels the source. */
  readonly force: (reason: unknown) => void;
  /** Ends the body cleanly after the chunk in hand and cancels the source. */
  readonly finish: (reason: unknown) => void;
  /**
   * Starts the stall bound now if the runtime has not asked for more since the last chunk
   * (a body handed over before the drain began, to a client that has stopped reading).
   */
  readonly watch: () => void;
}

/** The most handed to the runtime at once. */
export const SLICE = 64 * 1024;

/**
 * Wraps `source`; `onEnd` is called once, however the body ends. `stallMs()` is asked after
 * each chunk handed over: if it returns a number and the runtime does not ask for the next
 * chunk within that many milliseconds (the client stopped reading), the body is forced.
 */
export function trackBody(
  source: ReadableStream<Uint8Array>,
  onEnd: (how: BodyEnd, reason?: unknown) => void,
  stallMs: () => number | undefined = () => undefined,
): TrackedBody {
  const reader = source.getReader();
  let ended = false;
  let rest: Uint8Array | undefined;
  let stall: ReturnType<typeof setTimeout> | undefined;
  // A chunk was handed over and the runtime has not asked for the next one yet.
  let waiting = false;
  const arm = () => {
    const ms = stallMs();
    if (ms !== undefined) {
      stall = setTimeout(() => force(new StalledClientError(ms)), ms);
    }
  };
  const end = (how: BodyEnd, reason?: unknown) => {
    if (ended) return;
    ended = true;
    clearTimeout(stall);
    onEnd(how, reason);
  };
  const hand = (
    c: ReadableStreamDefaultController<Uint8Array>,
    chunk: Uint8Array,
  ) => {
    c.enqueue(chunk);
    waiting = true;
    arm();
  };
  const slice = (
    c: ReadableStreamDefaultController<Uint8Array>,
    chunk: Uint8Array,
  ) => {
    if (chunk.byteLength > SLICE) {
      rest = chunk.subarray(SLICE);
      chunk = chunk.subarray(0, SLICE);
    } else rest = undefined;
    hand(c, chunk);
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      clearTimeout(stall);
      stall = undefined;
      waiting = false;
      if (rest !== undefined) return slice(c, rest);
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          c.close();
          end("done");
        } else if (value instanceof Uint8Array) {
          slice(c, value);
        } else {
          hand(c, value);
        }
      } catch (error) {
        if (ended) return;
        c.error(error);
        end("error", error);
      }
    },
    cancel(reason) {
      end("cancelled", reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const force = (reason: unknown) => {
    if (ended) return;
    end("error", reason);
    try {
      controller.error(reason);
    } catch {
      // Already closed.
    }
    reader.cancel(reason).catch(() => {});
  };
  const finish = (reason: unknown) => {
    if (ended) return;
    end("done");
    try {
      if (rest !== undefined) controller.enqueue(rest);
      controller.close();
    } catch {
      // Already closed.
    }
    reader.cancel(reason).catch(() => {});
  };
  const watch = () => {
    if (!ended && waiting && stall === undefined) arm();
  };
  return { body, force, finish, watch };
}

/** A client that stopped reading its response: for longer than the bound, or past a buffer. */
export class StalledClientError extends Error {
  constructor(what: number | string) {
    super(
      typeof what === "number"
        ? `the client stopped reading for ${what} ms`
        : what,
    );
    this.name = "StalledClientError";
  }
}

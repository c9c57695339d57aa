// Wraps a response body so the server learns when it ended (read to the end, failed, or
// cancelled by the runtime because the client went away) and can end it at the deadline.

/** How a tracked body ended. */
export type BodyEnd = "done" | "cancelled" | "error";

/** A tracked body and the way to end it from outside. */
export interface TrackedBody {
  readonly body: ReadableStream<Uint8Array>;
  /** Errors the body (the client sees a cut response) and cancels the source. */
  readonly force: (reason: unknown) => void;
}

/** Wraps `source`; `onEnd` is called once, however the body ends. */
export function trackBody(
  source: ReadableStream<Uint8Array>,
  onEnd: (how: BodyEnd) => void,
): TrackedBody {
  const reader = source.getReader();
  let ended = false;
  const end = (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    onEnd(how);
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          c.close();
          end("done");
        } else {
          c.enqueue(value);
        }
      } catch (error) {
        if (ended) return;
        c.error(error);
        end("error");
      }
    },
    cancel(reason) {
      end("cancelled");
      return reader.cancel(reason);
    },
  });
  const force = (reason: unknown) => {
    if (ended) return;
    end("error");
    try {
      controller.error(reason);
    } catch {
      // Already closed.
    }
    reader.cancel(reason).catch(() => {});
  };
  return { body, force };
}

// The buffer between an event producer and a client that reads at its own pace: bytes wait
// here (never in a stream's internal queue) until the runtime asks for them, so the
// producer can be told when the client falls behind, and a client that stops reading costs
// at most `maxBuffer` bytes before it is cut.

import { StalledClientError } from "./_body.ts";

/** More than `maxBuffer` bytes waited for a client that stopped reading. */
export class BufferOverflowError extends StalledClientError {
  constructor(maxBuffer: number) {
    super(
      `the client stopped reading: more than ${maxBuffer} bytes of events waited`,
    );
    this.name = "BufferOverflowError";
  }
}

/** A byte queue read through `stream`, filled by `push`. */
export class EventQueue {
  readonly stream: ReadableStream<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #closed = false;
  #ended = false;
  #highWaterMark: number;
  #maxBuffer: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #arrived: PromiseWithResolvers<void> | undefined;
  #room: PromiseWithResolvers<void> | undefined;

  constructor(
    highWaterMark: number,
    maxBuffer: number,
    onCancel: (reason: unknown) => void,
  ) {
    this.#highWaterMark = highWaterMark;
    this.#maxBuffer = maxBuffer;
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: (c) => this.#pull(c),
      cancel: (reason) => {
        this.#end();
        onCancel(reason);
      },
    }, { highWaterMark: 0 });
  }

  /** Bytes waiting for the client. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Queues `bytes`: `true` while under the high-water mark, `false` once at or over it (the
   * client is behind) or after the end. Over `maxBuffer` the stream is errored and this
   * throws {@linkcode BufferOverflowError}.
   */
  push(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    this.#chunks.push(bytes);
    this.#queued += bytes.byteLength;
    this.#arrived?.resolve();
    this.#arrived = undefined;
    if (this.#queued > this.#maxBuffer) {
      const error = new BufferOverflowError(this.#maxBuffer);
      this.error(error);
      throw error;
    }
    return this.#queued < this.#highWaterMark;
  }

  /** Settles once the client has caught up below the high-water mark, or the end. */
  ready(): Promise<void> {
    if (this.#ended || this.#queued < this.#highWaterMark) {
      return Promise.resolve();
    }
    return (this.#room ??= Promise.withResolvers()).promise;
  }

  /** No more events: the stream ends once the client has read what is queued. */
  close(): void {
    this.#closed = true;
    this.#arrived?.resolve();
    this.#arrived = undefined;
  }

  /** Ends the stream with `reason` (the client sees a cut body); drops what is queued. */
  error(reason: unknown): void {
    if (this.#ended) return;
    this.#end();
    try {
      this.#controller.error(reason);
    } catch {
      // Already closed.
    }
  }

  #end(): void {
    this.#closed = true;
    this.#ended = true;
    this.#chunks = [];
    this.#queued = 0;
    this.#arrived?.resolve();
    this.#room?.resolve();
    this.#room = undefined;
  }

  async #pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return;
      if (this.#closed) {
        this.#ended = true;
        this.#room?.resolve();
        c.close();
        return;
      }
      await (this.#arrived ??= Promise.withResolvers()).promise;
    }
    const chunk = this.#chunks.shift()!;
    this.#queued -= chunk.byteLength;
    c.enqueue(chunk);
    if (this.#queued < this.#highWaterMark) {
      this.#room?.resolve();
      this.#room = undefined;
    }
  }
}

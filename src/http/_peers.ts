// Workers of one `deno serve --parallel` process share the process: the first worker whose
// drain ends calls `exit()` and ends the requests every other worker is still serving. So on
// Deno each server's last step meets the others at a barrier over a BroadcastChannel (it
// crosses serve workers): a worker goes on to exit only when every worker it heard of has
// drained too, or the deadline passed. The channel is opened only from the first signal (an
// open channel keeps the process alive) and closed after the barrier.

const CHANNEL = "quiesce:http-drain";
/** How long a worker listens for the others after its own signal (they get it too). */
const WINDOW_MS = 200;

interface Message {
  id: string;
  state: "draining" | "arrived";
}

/** One server's place at the barrier. */
export class PeerBarrier {
  #id = crypto.randomUUID();
  #channel: BroadcastChannel | undefined;
  #openedAt = 0;
  #peers = new Map<string, Message["state"]>();
  #changed: PromiseWithResolvers<void> | undefined;
  #state: Message["state"] = "draining";

  /** Opens the channel and says this server is draining (at the first signal). */
  start(): void {
    if (this.#channel !== undefined || typeof BroadcastChannel !== "function") {
      return;
    }
    const channel = this.#channel = new BroadcastChannel(CHANNEL);
    this.#openedAt = performance.now();
    channel.onmessage = (event: MessageEvent<Message>) => {
      const { id, state } = event.data ?? {};
      if (typeof id !== "string" || id === this.#id) return;
      const known = this.#peers.has(id);
      if (state === "draining" || state === "arrived") {
        this.#peers.set(id, state);
      }
      if (!known) this.#post(); // a newcomer learns of this server
      this.#changed?.resolve();
      this.#changed = undefined;
    };
    this.#post();
  }

  /**
   * Says this server has drained; settles once every peer heard of within the window has
   * drained too, or `signal` aborts. Closes the channel.
   */
  async arrive(signal: AbortSignal): Promise<void> {
    const channel = this.#channel;
    if (channel === undefined) return;
    this.#state = "arrived";
    this.#post();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => this.#changed?.resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const waiting = [...this.#peers.values()].some((s) => s !== "arrived");
        const left = this.#openedAt + WINDOW_MS - performance.now();
        if (!waiting && left <= 0) break;
        this.#changed = Promise.withResolvers();
        if (left > 0) timer = setTimeout(() => this.#changed?.resolve(), left);
        await this.#changed.promise;
        clearTimeout(timer);
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      channel.close();
      this.#channel = undefined;
    }
  }

  #post(): void {
    this.#channel?.postMessage({ id: this.#id, state: this.#state });
  }
}

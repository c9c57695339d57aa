// A real NOTIFY_SOCKET for tests: tests/fixtures/systemd/receiver.py (python3) bound to a
// fresh socket, collecting every datagram with its sender's pid and arrival time.

/** One datagram as systemd would have received it. */
export interface Notification {
  /** Wall-clock milliseconds at arrival. */
  readonly ms: number;
  /** The sender's pid from SCM_CREDENTIALS: what `NotifyAccess=main` checks. */
  readonly pid: number;
  /** The message: newline-separated `KEY=VALUE` lines. */
  readonly data: string;
}

const SCRIPT = new URL("./fixtures/systemd/receiver.py", import.meta.url)
  .pathname;

/** A running receiver. Use with `await using`. */
export class NotifyReceiver implements AsyncDisposable {
  readonly path: string;
  readonly messages: Notification[] = [];
  readonly #process: Deno.ChildProcess;
  readonly #reading: Promise<void>;

  private constructor(
    path: string,
    process: Deno.ChildProcess,
    ready: () => void,
  ) {
    this.path = path;
    this.#process = process;
    this.#reading = (async () => {
      let buffer = "";
      for await (
        const chunk of process.stdout.pipeThrough(new TextDecoderStream())
      ) {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = JSON.parse(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          if ("listening" in line) ready();
          else this.messages.push(line);
        }
      }
    })();
  }

  /** Starts a receiver on `path` (`@name`: abstract), resolving once it is bound. */
  static async start(path: string): Promise<NotifyReceiver> {
    const process = new Deno.Command("python3", {
      args: [SCRIPT, path],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const bound = Promise.withResolvers<void>();
    const receiver = new NotifyReceiver(path, process, bound.resolve);
    const timer = setTimeout(
      () => bound.reject(new Error("receiver did not start")),
      10_000,
    );
    try {
      await bound.promise;
    } finally {
      clearTimeout(timer);
    }
    return receiver;
  }

  /** Every `KEY=VALUE` line received so far, in order (one datagram may hold several). */
  lines(): string[] {
    return this.messages.flatMap((m) => m.data.split("\n"));
  }

  /** Resolves once a line matching `pattern` arrived (at most `ms` later, else rejects). */
  async waitFor(pattern: RegExp, ms = 10_000): Promise<void> {
    const end = performance.now() + ms;
    while (!this.lines().some((l) => pattern.test(l))) {
      if (performance.now() > end) {
        throw new Error(
          `no ${pattern} within ${ms} ms; got ${JSON.stringify(this.lines())}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#process.stdin.close();
    await this.#process.status;
    await this.#reading;
  }
}

// Starts a fixture as a real child process, waits for its lines, sends it real signals and
// collects its exit. Every child is killed and awaited on dispose, so Deno's sanitizers pass
// even when a test fails half-way.
//
// Signal dispositions are inherited: a runner started from a shell without job control may
// ignore SIGINT, and Deno and Bun keep that ignore in their children. So children start
// through coreutils `env --default-signal=INT,TERM,HUP` by default, and a test can read
// `/proc/<pid>/status` (`ignores()`) to prove the precondition instead of trusting it.

/** How a child ended. */
export interface ChildExit {
  /** Exit code; Deno reports a death by signal n as 128 + n. */
  readonly code: number;
  /** The signal that killed it, or `null` if it exited by itself. */
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Non-empty stdout lines. */
  readonly lines: string[];
  /** Milliseconds from the first `kill()` (or the start) to the exit. */
  readonly ms: number;
}

/** Options for {@linkcode Child.start}. */
export interface ChildOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Start the child with these signals ignored (`env --ignore-signal`) instead of reset to
   * their default action, to test an inherited "ignore".
   */
  ignore?: Array<"INT" | "TERM">;
}

const SIGNAL_BITS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
};

/** Rejects with `message` if `promise` has not settled within `ms`; clears its timer. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Waiter {
  pattern: string | RegExp;
  stream: "stdout" | "stderr";
  count: number;
  resolve: (line: string) => void;
}

/** A running fixture. Use with `await using`. */
export class Child implements AsyncDisposable {
  readonly #process: Deno.ChildProcess;
  readonly #readers: Promise<void>[];
  readonly #status: Promise<Deno.CommandStatus>;
  readonly #started = performance.now();
  #firstKill: number | undefined;
  #exitedAt: number | undefined;
  #text = { stdout: "", stderr: "" };
  #waiters = new Set<Waiter>();

  private constructor(cmd: string[], options: ChildOptions) {
    const prefix = options.ignore?.length
      ? ["env", `--ignore-signal=${options.ignore.join(",")}`]
      : ["env", "--default-signal=INT,TERM,HUP"];
    const [bin, ...args] = [...prefix, ...cmd];
    this.#process = new Deno.Command(bin!, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
    }).spawn();
    this.#readers = [
      this.#read(this.#process.stdout, "stdout"),
      this.#read(this.#process.stderr, "stderr"),
    ];
    this.#status = this.#process.status.then((status) => {
      this.#exitedAt = performance.now();
      return status;
    });
  }

  /** Starts `cmd` (see {@linkcode ChildOptions} for the signal dispositions it gets). */
  static start(cmd: string[], options: ChildOptions = {}): Child {
    return new Child(cmd, options);
  }

  /** The child's pid (that of the runtime: `env` execs it). */
  get pid(): number {
    return this.#process.pid;
  }

  /** Everything on stdout so far. */
  get stdout(): string {
    return this.#text.stdout;
  }

  /** Everything on stderr so far. */
  get stderr(): string {
    return this.#text.stderr;
  }

  /**
   * Resolves with the `count`-th (default first) line containing (or matching) `pattern`,
   * already printed or to come.
   */
  waitFor(
    pattern: string | RegExp,
    options: {
      stream?: "stdout" | "stderr";
      timeout?: number;
      count?: number;
    } = {},
  ): Promise<string> {
    const stream = options.stream ?? "stdout";
    const count = options.count ?? 1;
    const found = findLine(this.#text[stream], pattern, count);
    if (found !== undefined) return Promise.resolve(found);
    const { promise, resolve } = Promise.withResolvers<string>();
    const waiter = { pattern, stream, count, resolve };
    this.#waiters.add(waiter);
    // A child that exits without printing the line fails the wait at once, not at the timeout.
    const exited = Promise.all([this.#status, ...this.#readers]).then(() => {
      throw new Error(this.#describe(`exited before printing ${pattern}`));
    });
    return withTimeout(
      Promise.race([promise, exited]),
      options.timeout ?? 30_000,
      () => this.#describe(`did not print ${pattern} on ${stream} in time`),
    ).finally(() => this.#waiters.delete(waiter));
  }

  /**
   * The fixtures' two-signal protocol: checks that `signal` reaches the runtime with its
   * default action (not an inherited ignore), sends it, waits for the fixture to say it is
   * waiting for another, sends it again and returns the exit.
   */
  async signalTwice(
    signal: "SIGINT" | "SIGTERM" | "SIGHUP",
    timeout = 15_000,
  ): Promise<ChildExit> {
    if (this.ignores(signal)) {
      throw new Error(`${signal} is ignored by the child`);
    }
    this.kill(signal);
    await this.waitFor("waiting for another signal");
    this.kill(signal);
    return await this.exit(timeout);
  }

  /** Sends `signal` to the child. */
  kill(signal: Deno.Signal): void {
    this.#firstKill ??= performance.now();
    this.#process.kill(signal);
  }

  /** A signal mask of the child from `/proc/<pid>/status` (Linux): `SigIgn` or `SigCgt`. */
  mask(field: "SigIgn" | "SigCgt"): bigint {
    // Through `cat`: Deno reads /proc/<pid>/ files only with --allow-all, and the suite
    // runs with narrower permissions.
    const out = new Deno.Command("cat", {
      args: [`/proc/${this.pid}/status`],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const status = new TextDecoder().decode(out.stdout);
    const hex = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1];
    if (hex === undefined) throw new Error(`No ${field} line in /proc status`);
    return BigInt(`0x${hex}`);
  }

  /** Whether the child currently ignores `signal`. */
  ignores(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): boolean {
    return (this.mask("SigIgn") & signalBit(signal)) !== 0n;
  }

  /** Whether the child currently has a handler installed for `signal`. */
  catches(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): boolean {
    return (this.mask("SigCgt") & signalBit(signal)) !== 0n;
  }

  /** Waits for the exit (killing the child after `timeout`) and returns how it ended. */
  async exit(timeout = 30_000): Promise<ChildExit> {
    let status: Deno.CommandStatus;
    try {
      status = await withTimeout(
        this.#status,
        timeout,
        () => this.#describe(`did not exit within ${timeout} ms`),
      );
    } catch (error) {
      await this[Symbol.asyncDispose]();
      throw error;
    }
    await Promise.all(this.#readers);
    const stdout = this.#text.stdout;
    return {
      code: status.code,
      signal: status.signal,
      stdout,
      stderr: this.#text.stderr,
      lines: stdout.split("\n").filter((line) => line.trim() !== ""),
      ms: this.#exitedAt! - (this.#firstKill ?? this.#started),
    };
  }

  /** Kills the child if it still runs and waits until it and its pipes are done. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#exitedAt === undefined) {
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // It exited in the meantime.
      }
    }
    await this.#status;
    await Promise.all(this.#readers);
  }

  async #read(
    stream: ReadableStream<Uint8Array>,
    name: "stdout" | "stderr",
  ): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.#text[name] += decoder.decode(chunk, { stream: true });
      for (const waiter of this.#waiters) {
        if (waiter.stream !== name) continue;
        const line = findLine(this.#text[name], waiter.pattern, waiter.count);
        if (line !== undefined) waiter.resolve(line);
      }
    }
    this.#text[name] += decoder.decode();
  }

  #describe(what: string): string {
    return `Child ${this.pid} ${what}.\n--- stdout:\n${this.#text.stdout}\n--- stderr:\n${this.#text.stderr}`;
  }
}

/** The `count`-th complete line that contains or matches `pattern`. */
function findLine(
  text: string,
  pattern: string | RegExp,
  count: number,
): string | undefined {
  const lines = text.split("\n");
  lines.pop(); // The last piece may be a line still being written.
  return lines.filter((line) =>
    typeof pattern === "string" ? line.includes(pattern) : pattern.test(line)
  )[count - 1];
}

/** `signal`'s bit in a `/proc` signal mask. */
export function signalBit(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): bigint {
  return 1n << BigInt(SIGNAL_BITS[signal]! - 1);
}

/** The exit code a process killed by `signal` reports (128 + n). */
export function signalCode(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): number {
  return 128 + SIGNAL_BITS[signal]!;
}

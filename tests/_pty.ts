// Runs a command in a real pseudo-terminal (tests/fixtures/pty/drive.py, Python's `pty`
// module) and types into it as a person would: Ctrl+C goes through the kernel's line
// discipline to the whole foreground process group, so task runners (`deno task`,
// `bun run`) see it together with their child, exactly as at a keyboard.
import { withTimeout } from "./_child.ts";
import { requireRuntime } from "./_runtime.ts";

const DRIVER = new URL("./fixtures/pty/drive.py", import.meta.url).pathname;

/** How a pty session ended. */
export interface PtyExit {
  /** The command's exit code (128 + n when a signal n killed it). */
  readonly code: number;
  /** Everything the terminal showed, `\r\n` turned into `\n`. */
  readonly output: string;
}

/** A command running in a pseudo-terminal. Use with `await using`. */
export class Pty implements AsyncDisposable {
  readonly #process: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: Promise<void>;
  #output = "";
  #changed = Promise.withResolvers<void>();
  #closed = false;

  private constructor(
    cmd: string[],
    options: { cwd?: string; env?: Record<string, string> },
  ) {
    try {
      this.#process = new Deno.Command("python3", {
        args: [DRIVER, ...cmd],
        cwd: options.cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
        env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
      }).spawn();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Error("The pty tests need python3 on PATH (its `pty` module)", {
        cause: error,
      });
    }
    this.#stdin = this.#process.stdin.getWriter();
    this.#reader = this.#read();
  }

  /** Starts `cmd` in a new pseudo-terminal, in `cwd`. */
  static start(
    cmd: string[],
    options: { cwd?: string; env?: Record<string, string> } = {},
  ): Pty {
    return new Pty(cmd, options);
  }

  /** Everything the terminal showed so far. */
  get output(): string {
    return this.#output;
  }

  /** Resolves with the first line containing or matching `pattern`, already shown or to come. */
  async waitFor(pattern: string | RegExp, timeout = 30_000): Promise<string> {
    const find = () =>
      this.#output.split("\n").find((line) =>
        typeof pattern === "string"
          ? line.includes(pattern)
          : pattern.test(line)
      );
    return await withTimeout(
      (async () => {
        for (;;) {
          const line = find();
          if (line !== undefined) return line;
          if (this.#closed) {
            throw new Error(`pty ended before ${pattern}:\n${this.#output}`);
          }
          await this.#changed.promise;
        }
      })(),
      timeout,
      () => `pty did not show ${pattern} in time:\n${this.#output}`,
    );
  }

  /** Types Ctrl+C. */
  async ctrlC(): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode("C\n"));
  }

  /** Sends SIGTERM to the whole process group, as systemd's default stop does. */
  async terminateGroup(): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode("TERM\n"));
  }

  /** Waits for the command to end. */
  async exit(timeout = 30_000): Promise<PtyExit> {
    const line = await this.waitFor(/^pty-exit \d+$/, timeout);
    await this[Symbol.asyncDispose]();
    return {
      code: Number(line.split(" ")[1]),
      output: this.#output.slice(0, this.#output.lastIndexOf("\npty-exit")),
    };
  }

  /** Ends the session: kills the process group if it still runs, waits for everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.#stdin.close(); // the driver kills the group on stdin's end
    } catch {
      // Already closed.
    }
    await this.#process.status;
    await this.#reader;
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#process.stdout) {
      this.#output += decoder.decode(chunk, { stream: true }).replaceAll(
        "\r\n",
        "\n",
      );
      this.#changed.resolve();
      this.#changed = Promise.withResolvers();
    }
    this.#closed = true;
    this.#changed.resolve();
  }
}

// ---- sessions of the fixtures under tests/fixtures/pty, as users start them ----------------

const CWD = new URL("./fixtures/pty/", import.meta.url).pathname;
const AT_ONCE = 4;
const DENO = requireRuntime("deno");
const BUN = requireRuntime("bun");

/**
 * The task runners users start programs with, each set to run the fixture task `name`
 * (defined in tests/fixtures/pty/tasks.json and package.json); `undefined` when the
 * runtime is missing outside CI.
 */
export function RUNNERS(name: string): Record<string, string[] | undefined> {
  return {
    "deno task": DENO
      ? [DENO, "task", "--config", "tasks.json", name]
      : undefined,
    "bun run": BUN ? [BUN, "run", name] : undefined,
  };
}

/** Starts a fixture under `cmd` in a pty, waits for "ready", then does `act`. */
export async function session(
  cmd: string[],
  act: (pty: Pty) => Promise<void>,
  env?: Record<string, string>,
): Promise<PtyExit> {
  await using pty = Pty.start(cmd, {
    cwd: CWD,
    // The runners find their `deno`/`bun` on PATH: put the ones under test first.
    env: {
      PATH: `${DENO!.replace(/\/[^/]*$/, "")}:${
        BUN?.replace(/\/[^/]*$/, "") ?? ""
      }:${Deno.env.get("PATH")}`,
      ...env,
    },
  });
  await pty.waitFor(/^ready$/);
  await act(pty);
  return await pty.exit(20_000);
}

/** Runs `count` sessions, `AT_ONCE` at a time. */
export async function many(
  count: number,
  run: () => Promise<PtyExit>,
): Promise<PtyExit[]> {
  const exits: PtyExit[] = [];
  for (let i = 0; i < count; i += AT_ONCE) {
    const batch = Array.from({ length: Math.min(AT_ONCE, count - i) }, run);
    exits.push(...await Promise.all(batch));
  }
  return exits;
}

/**
 * A person's two Ctrl+C: one, then (once the slow task saw the abort, and 500 ms later, far
 * beyond a runner's forwarded copy) another, while the fixture's drain still has 10 s to go.
 */
export function ctrlCTwice(cmd: string[]): Promise<PtyExit> {
  return session(cmd, async (pty) => {
    await pty.ctrlC();
    await pty.waitFor("slow saw abort");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await pty.ctrlC();
  }, { PTY_DRAIN_MS: "10000" });
}

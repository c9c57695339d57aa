// What main() tells systemd through NOTIFY_SOCKET (sd_notify(3)), and when:
// - READY=1 when the program says it is ready (once);
// - STOPPING=1 at the first signal, then STATUS=<the drain's progress line> at least once a
//   second until the exit (the timer ticks twice a second, so a busy loop still makes it);
// - EXTEND_TIMEOUT_USEC= only when the user opts in, and only on a tick at which the drain
//   made progress (something finished): the value is a window "from now" in which the next
//   message must come, so a drain that stops moving is left to TimeoutStopSec;
// - WATCHDOG=1 every half WATCHDOG_USEC while the event loop runs (an unreferenced timer:
//   it never holds the process open), when WATCHDOG_PID is unset or ours;
// - nothing at all when NOTIFY_SOCKET is unset. A failed send never throws.
import { unrefTimer } from "../_host.ts";
import type { DrainProgress } from "../report.ts";
import { type NotifyTransport, openNotifySocket } from "./_notify_socket.ts";

/** How often STATUS= is sent while stopping. */
export const STATUS_EVERY_MS = 500;

/** What the notifier needs from the environment and from main(). */
export interface SystemdInput {
  /** Reads an environment variable (`undefined` when unset or not allowed). */
  env: (name: string) => string | undefined;
  /** This process's id. */
  pid: number;
  /**
   * Opt-in: the window in ms that each EXTEND_TIMEOUT_USEC= asks for while the drain
   * makes progress; `undefined` sends none.
   */
  extendTimeoutMs: number | undefined;
  /** main()'s log, for the one line saying notify cannot work here. */
  log: (line: string) => void;
}

/** Where the drain stands, as main() sees it at each tick. */
export interface StopState {
  /** The progress line for STATUS=. */
  line: string;
  /** Milliseconds left before quiesce's own deadline (`Infinity` without one). */
  remainingMs: number;
  /** What still runs; a name gone since the last tick is progress. */
  running: DrainProgress["running"];
}

/** One program's conversation with systemd. */
export class SystemdNotifier {
  readonly #transport: NotifyTransport;
  readonly #extendMs: number | undefined;
  #ready = false;
  #stopping = false;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #watchdogTimer: ReturnType<typeof setInterval> | undefined;
  #lastRunning: Set<string> | undefined;

  /**
   * The notifier for this process, or `undefined` when NOTIFY_SOCKET is unset (or empty),
   * or when this runtime has no way to send (said once through `input.log`).
   */
  static fromEnv(input: SystemdInput): SystemdNotifier | undefined {
    const path = input.env("NOTIFY_SOCKET");
    if (!path) return undefined;
    if (!path.startsWith("/") && !path.startsWith("@")) {
      input.log(
        `NOTIFY_SOCKET=${path} is neither a path nor @abstract: not notifying systemd`,
      );
      return undefined;
    }
    const transport = openNotifySocket(path, input.pid);
    if (typeof transport === "string") {
      input.log(`NOTIFY_SOCKET is set but ${transport}`);
      return undefined;
    }
    return new SystemdNotifier(transport, input);
  }

  private constructor(transport: NotifyTransport, input: SystemdInput) {
    this.#transport = transport;
    this.#extendMs = input.extendTimeoutMs;
    const usec = Number(input.env("WATCHDOG_USEC"));
    const watchdogPid = input.env("WATCHDOG_PID");
    const ours = !watchdogPid || Number(watchdogPid) === input.pid;
    if (Number.isFinite(usec) && usec > 0 && ours) {
      const every = Math.max(1, Math.floor(usec / 2_000));
      this.#watchdogTimer = setInterval(
        () => this.#transport.send("WATCHDOG=1"),
        every,
      );
      unrefTimer(this.#watchdogTimer);
    }
  }

  /** The transport's kind (`"ffi"` or `"systemd-notify"`). */
  get via(): string {
    return this.#transport.kind;
  }

  /** READY=1, once; not after stopping began (a stopping service never becomes ready). */
  ready(status = "ready"): void {
    if (this.#ready || this.#stopping) return;
    this.#ready = true;
    this.#transport.send(`READY=1\nSTATUS=${status}`);
  }

  /**
   * STOPPING=1, once, then STATUS= from `state()` every {@linkcode STATUS_EVERY_MS} until
   * {@linkcode exiting}.
   */
  stopping(state: () => StopState): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#transport.send(`STOPPING=1\nSTATUS=${state().line}`);
    this.#statusTimer = setInterval(() => {
      let now: StopState;
      try {
        now = state();
      } catch {
        return; // a status we cannot describe is not worth breaking the drain for
      }
      this.#transport.send(`${this.#extension(now)}STATUS=${now.line}`);
    }, STATUS_EVERY_MS);
    unrefTimer(this.#statusTimer);
  }

  /** `EXTEND_TIMEOUT_USEC=…\n` when opted in and something finished since the last tick. */
  #extension(now: StopState): string {
    const names = new Set(now.running.map((s) => `${s.kind}:${s.name}`));
    const before = this.#lastRunning;
    this.#lastRunning = names;
    if (this.#extendMs === undefined || before === undefined) return "";
    let progressed = false;
    for (const name of before) if (!names.has(name)) progressed = true;
    if (!progressed) return "";
    // Never ask for more than quiesce itself will take: its own deadline still holds.
    const window = Math.min(this.#extendMs, now.remainingMs + 1_000);
    return `EXTEND_TIMEOUT_USEC=${Math.round(window * 1_000)}\n`;
  }

  /**
   * The last STATUS= (how the program ends), then stops every timer and waits, at most
   * `waitMs`, for messages still on their way (the helper transport is a child process).
   */
  async exiting(status: string, waitMs = 300): Promise<void> {
    clearInterval(this.#statusTimer);
    clearInterval(this.#watchdogTimer);
    this.#transport.send(`STATUS=${status}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#transport.settled(),
      new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
    this.#transport.close();
  }
}

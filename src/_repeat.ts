// The duplicate-signal filter: one Ctrl+C typed under `deno task` or `bun run`, or one
// systemd stop (SIGTERM to the whole control group), reaches the program twice — once from
// the kernel or supervisor, once forwarded by the runner. Measured with a real Ctrl+C in a
// pseudo-terminal (tests/fixtures/pty), the copy arrived 0.02–0.55 ms after the original
// (Deno 2.9.6 `deno task`, Bun 1.4.5 `bun run`; idle, and with six busy loops on two cores
// and the runner at nice 19), and Deno's signal stream often merged the two into one.
// Reproduce with tests/fixtures/pty/count.ts (see there). A person pressing Ctrl+C twice on
// purpose does it hundreds of milliseconds apart; the tests press 500 ms apart.

import { unrefTimer } from "./_host.ts";

/**
 * A repeat of the same signal this soon is the same signal. 100 ms: ~200 times the largest
 * forwarding delay measured, room for a loaded CI machine's scheduling hiccups (tens of
 * ms), and still below a deliberate double press. Erring long costs one more Ctrl+C; erring
 * short costs a forced exit that drops in-flight work.
 */
export const REPEAT_WINDOW_MS = 100;

/**
 * Tells a forwarded copy of a signal from a second signal. The window starts when the
 * event loop is next free after the first signal (a 0 ms timer), not when the first was
 * handled: a copy that arrived while the first one's synchronous handling still ran (abort
 * listeners, cold code on a busy machine) is also the same signal. The window is closed by
 * a timer, not measured with a clock, so fake timers (`@std/testing/time`) move it too.
 */
export class RepeatFilter {
  readonly #windowMs: number;
  readonly #onWindowClosed: (() => void) | undefined;
  #signal: string | undefined;
  #open = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param onWindowClosed Called when the window after the last kept signal has closed; its
   * timers are then unreferenced, so the window never holds a finished program open.
   */
  constructor(
    windowMs: number = REPEAT_WINDOW_MS,
    onWindowClosed?: () => void,
  ) {
    this.#windowMs = windowMs;
    this.#onWindowClosed = onWindowClosed;
  }

  /** Whether `signal` repeats the last signal kept; if not, it is kept as the last. */
  isRepeat(signal: string): boolean {
    if (signal === this.#signal && this.#open) return true;
    this.#signal = signal;
    this.#open = true;
    clearTimeout(this.#timer);
    // The event loop is free again: the window runs from now.
    this.#timer = this.#arm(() => {
      this.#timer = this.#arm(() => {
        this.#timer = undefined;
        this.#open = false;
        this.#onWindowClosed?.();
      }, this.#windowMs);
    }, 0);
    return false;
  }

  #arm(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(fn, ms);
    if (this.#onWindowClosed !== undefined) unrefTimer(timer);
    return timer;
  }

  /** Clears the pending timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

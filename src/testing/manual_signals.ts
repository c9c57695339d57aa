// A signal source a test drives by hand: no process signal is touched.
import {
  type ShutdownTrigger,
  type SignalSource,
  validateListener,
} from "../signals.ts";
import { describe } from "../_validate.ts";
import { OS_SIGNALS } from "../_signal_table.ts";

const TRIGGERS: readonly ShutdownTrigger[] = [
  ...OS_SIGNALS,
  "manual",
  "worker",
  "failure",
];

/**
 * A {@linkcode SignalSource} driven by the test, made by {@linkcode manualSignals}: pass
 * `source` as the `signals` option of a `GracefulShutdown` or of `main()` (or `runMain`),
 * then `send("SIGTERM")` where a real program would get `kill -TERM`.
 *
 * @example Send SIGTERM to a coordinator and see its listener removed
 * ```ts
 * import { GracefulShutdown } from "@quiesce/quiesce";
 * import { manualSignals } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const signals = manualSignals();
 * const shutdown = new GracefulShutdown({ signals: signals.source });
 * assertEquals(signals.listening, 1); // an explicit source is installed at once
 * assertEquals(signals.send("SIGTERM"), 1); // one listener heard it
 * assertEquals((await shutdown.done()).trigger, "SIGTERM");
 * assertEquals(signals.listening, 0); // the coordinator removed its listener
 * assertEquals(signals.send("SIGTERM"), 0); // nobody hears a late signal
 * ```
 */
export interface ManualSignals {
  /** The source to pass as `signals`; it may be installed any number of times. */
  readonly source: SignalSource;
  /**
   * Delivers `trigger` to every listener installed right now, synchronously, in the order
   * they were installed (a listener removed by an earlier one in the same delivery is not
   * called). Returns how many heard it: `0` means nothing listened, which a test usually
   * wants to assert against.
   *
   * @throws {TypeError} If `trigger` is not a `ShutdownTrigger` (`"SIGINT"`, `"SIGTERM"`,
   * `"SIGHUP"`, `"SIGQUIT"`, `"SIGUSR2"`, `"SIGBREAK"`, `"manual"`, `"worker"`).
   */
  send(trigger: ShutdownTrigger): number;
  /** How many listeners are installed now (installed and not yet removed). */
  readonly listening: number;
  /** How many times the source was installed in all, removed ones included. */
  readonly installs: number;
}

/**
 * Makes a {@linkcode ManualSignals}: a signal source the test drives with `send()`, in
 * place of the OS signals, so a test can shut a program down "by SIGTERM" without sending
 * a signal to its own process (which would reach the test runner). `listening` tells
 * whether the listeners were removed, as the `SignalSource` contract requires once the
 * shutdown began.
 *
 * @example Drive main() with a manual SIGTERM
 * ```ts
 * import { manualSignals, runMain } from "@quiesce/quiesce/testing";
 * import { assertEquals } from "@std/assert";
 *
 * const signals = manualSignals();
 * const run = runMain(async ({ shutdown }) => {
 *   await shutdown.wait();
 * }, { signals: signals.source });
 * assertEquals(signals.send("SIGTERM"), 1);
 * const { code } = await run;
 * assertEquals(code, 143); // 128 + 15, as the shell would see it
 * assertEquals(signals.listening, 0);
 * ```
 *
 * @returns A new, independent source with nothing installed yet.
 */
export function manualSignals(): ManualSignals {
  const listeners = new Set<{ onSignal: (trigger: ShutdownTrigger) => void }>();
  let installs = 0;
  const source: SignalSource = (onSignal) => {
    validateListener(onSignal);
    // One entry per installation: the same function installed twice is two listeners.
    const entry = { onSignal };
    listeners.add(entry);
    installs++;
    return () => void listeners.delete(entry);
  };
  return {
    source,
    send(trigger: ShutdownTrigger): number {
      if (!TRIGGERS.includes(trigger)) {
        throw new TypeError(
          `Cannot use trigger: ${describe(trigger)} is not one of ${
            TRIGGERS.map((known) => `"${known}"`).join(", ")
          }`,
        );
      }
      let heard = 0;
      for (const entry of [...listeners]) {
        if (!listeners.has(entry)) continue;
        heard++;
        entry.onSignal(trigger);
      }
      return heard;
    },
    get listening(): number {
      return listeners.size;
    },
    get installs(): number {
      return installs;
    },
  };
}

// How signals reach a GracefulShutdown: the source is installed at construction (an
// explicit source) or once the program waits (the default one), the first signal begins
// the shutdown, a task runner's duplicate of it is swallowed, and the listeners go once the
// shutdown has begun, so that a second signal gets the runtime's default action.
import { REPEAT_WINDOW_MS, RepeatFilter } from "./_repeat.ts";
import { isOsSource, raiseSignal } from "./_signal_hosts.ts";
import type { OsSignal, ShutdownTrigger, SignalSource } from "./trigger.ts";
import { describe } from "./_validate.ts";

/** What the intake needs from its coordinator. */
export interface IntakeOwner {
  /** Whether the shutdown has begun (by a signal or otherwise). */
  hasBegun(): boolean;
  /** The first signal: begin the shutdown. */
  begin(trigger: ShutdownTrigger): void;
  /** Removing the listeners threw. */
  removeFailed(error: unknown): void;
}

/** The signal side of one coordinator. */
export class SignalIntake {
  readonly #owner: IntakeOwner;
  /** A source waiting to be installed until the program waits for its shutdown. */
  #pending: SignalSource | undefined;
  #remove: (() => void) | undefined;
  #listening = false;
  #repeats: RepeatFilter | undefined;

  /**
   * Installs `source` now, or keeps it for {@linkcode SignalIntake.waiting} when `lazy`.
   *
   * @throws {unknown} Whatever a source installed now throws.
   */
  constructor(owner: IntakeOwner, source: SignalSource | false, lazy: boolean) {
    this.#owner = owner;
    if (source === false) return;
    if (lazy) this.#pending = source;
    else this.#install(source);
  }

  /**
   * The program waits for its shutdown (`wait()`, `done()`): installs a pending source.
   * The source may fire while it is installed, so the caller checks whether it began afterwards.
   */
  waiting(): void {
    const source = this.#pending;
    if (source === undefined) return;
    this.#pending = undefined;
    this.#install(source);
  }

  /**
   * Keeps the event loop alive until `until` settles, while a signal may still come:
   * signal listeners alone keep no runtime alive (Node even exits 13 on an unsettled
   * top-level await).
   */
  holdUntil(until: Promise<unknown>): void {
    if (!this.#listening) return;
    const timer = setInterval(() => {}, 2 ** 30);
    until.then(() => clearInterval(timer));
  }

  /** The shutdown began: stop listening now, or after the repeat window of an OS signal. */
  began(): void {
    this.#listening = false;
    this.#pending = undefined;
    if (this.#repeats === undefined) this.#stop();
  }

  #install(source: SignalSource): void {
    const fromOs = isOsSource(source);
    const remove = source((signal) => this.#onSignal(signal, fromOs));
    if (typeof remove !== "function") {
      throw new TypeError(
        `Cannot use options.signals: the source returned ${
          describe(remove)
        }, not a function that removes its listeners`,
      );
    }
    this.#remove = remove;
    if (this.#owner.hasBegun()) {
      // The source fired while it was being installed: the shutdown began before the
      // remover existed, so remove its listeners now.
      this.#stop();
      return;
    }
    this.#listening = true;
  }

  /**
   * After the first signal from the OS, the listeners stay for a short window (see
   * _repeat.ts): `deno task`, `bun run` and process-group supervisors deliver one Ctrl+C
   * or stop twice, and the copy must not get the runtime's default action (ending the
   * process mid-drain). A different signal in the window is re-raised once the listeners
   * are gone, so it gets that default action; after the window there are no listeners.
   */
  #onSignal(signal: ShutdownTrigger, fromOs: boolean): void {
    if (!this.#owner.hasBegun()) {
      if (fromOs) {
        this.#repeats = new RepeatFilter(REPEAT_WINDOW_MS, () => this.#stop());
        this.#repeats.isRepeat(signal);
      }
      this.#owner.begin(signal);
      return;
    }
    if (this.#repeats === undefined || this.#repeats.isRepeat(signal)) return;
    this.#stop();
    raiseSignal(signal as OsSignal);
  }

  /** Removes the source's listeners, now, once. */
  #stop(): void {
    this.#repeats?.stop();
    const remove = this.#remove;
    this.#remove = undefined;
    try {
      remove?.();
    } catch (error) {
      this.#owner.removeFailed(error);
    }
  }
}

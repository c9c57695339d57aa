// The one place OS signals enter quiesce: every listener of every coordinator (main()'s too)
// is installed and removed here. The source is installed at construction (an explicit
// source) or once the program waits (the default one); the first signal begins the
// shutdown; a task runner's duplicate of it is swallowed; a second signal goes to the
// coordinator's `onSecondSignal` policy (main() forces the exit there) or, without one, gets
// the runtime's default action because the listeners are gone by then.
import { REPEAT_WINDOW_MS, RepeatFilter } from "./_repeat.ts";
import { raiseSignal } from "./_host.ts";
import { holdLoop } from "./_timer.ts";
import {
  isOsSource,
  type OsSignal,
  type ShutdownTrigger,
  type SignalSource,
} from "./signals.ts";
import { describe } from "./_validate.ts";

/** What the intake needs from its coordinator. */
export interface IntakeOwner {
  /** Whether the shutdown has begun (by a signal or otherwise). */
  hasBegun(): boolean;
  /** The first signal: begin the shutdown. */
  begin(trigger: ShutdownTrigger): void;
  /**
   * What a second signal does while the shutdown runs; with it, the listeners stay until
   * {@linkcode SignalIntake.release}. Without it, they go once the shutdown began.
   */
  again:
    | ((signal: ShutdownTrigger, stopListening: () => void) => void)
    | undefined;
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
  #holds = 0;
  #release: (() => void) | undefined;
  #released = false;

  /**
   * Installs `source` now, or keeps it for {@linkcode SignalIntake.waiting} when `lazy`.
   *
   * @throws {TypeError} If the source returns no remover.
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
   * signal listeners alone keep no runtime alive. One hold for all pending waits, released
   * when the last of them settles (a wait that timed out holds nothing any more).
   */
  hold(until: Promise<unknown>): void {
    if (!this.#listening) return;
    if (this.#holds++ === 0) this.#release = holdLoop();
    const settled = () => {
      if (--this.#holds === 0) this.#release?.();
    };
    until.then(settled, settled);
  }

  /** The shutdown began: stop listening now, after the repeat window, or at `release()`. */
  began(): void {
    this.#pending = undefined;
    if (this.#owner.again !== undefined) return;
    this.#listening = false;
    if (this.#repeats === undefined) this.#stop();
  }

  /** The shutdown is over: remove the listeners a second-signal policy kept. */
  release(): void {
    this.#released = true;
    this.#listening = false;
    this.#stop();
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
    if (this.#owner.hasBegun() && this.#owner.again === undefined) {
      // The source fired while it was being installed: the shutdown began before the
      // remover existed, so remove its listeners now.
      this.#stop();
      return;
    }
    this.#listening = true;
  }

  /**
   * After the first signal, a repeat of it within a short window (see _repeat.ts) is the
   * same signal: `deno task`, `bun run` and process-group supervisors deliver one Ctrl+C or
   * stop twice, and the copy must neither force the exit nor get the runtime's default
   * action. Any other signal is a second one: the policy's, or, without a policy, the
   * runtime's default action (re-raised once the listeners are gone).
   */
  #onSignal(signal: ShutdownTrigger, fromOs: boolean): void {
    if (this.#released) return;
    const again = this.#owner.again;
    if (!this.#owner.hasBegun()) {
      if (fromOs || again !== undefined) {
        this.#repeats = new RepeatFilter(
          REPEAT_WINDOW_MS,
          again === undefined ? () => this.#stop() : () => {},
        );
        this.#repeats.isRepeat(signal);
      }
      this.#owner.begin(signal);
      return;
    }
    if (again !== undefined) {
      // Also after a shutdown begun otherwise (shutdown(), `fn` returning under main()).
      this.#repeats ??= new RepeatFilter(REPEAT_WINDOW_MS, () => {});
      if (!this.#repeats.isRepeat(signal)) {
        again(signal, () => this.release());
      }
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

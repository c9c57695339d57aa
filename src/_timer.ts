// The one timer helper: setTimeout caps at 2^31-1 ms (24.8 days) and fires at once past it,
// so a long deadline chains timers instead of silently turning into "now".

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` after `ms` milliseconds (`Infinity`: never, and no timer is held); returns a
 * canceller that is safe to call more than once.
 */
export function startTimer(ms: number, fn: () => void): () => void {
  if (ms === Infinity) return () => {};
  let id: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    id = setTimeout(
      left > MAX_TIMER_MS ? () => arm(left - MAX_TIMER_MS) : fn,
      Math.min(left, MAX_TIMER_MS),
    );
  };
  arm(ms);
  return () => clearTimeout(id);
}

/**
 * Holds the event loop open until the returned release is called (safe to call twice):
 * signal listeners and pending promises keep no runtime alive, so whatever waits for a
 * signal holds the loop itself (Node even exits 13 on an unsettled top-level await). The
 * one keep-alive of the coordinator's waits and of main()'s run.
 */
export function holdLoop(): () => void {
  const timer = setInterval(() => {}, MAX_TIMER_MS);
  return () => clearInterval(timer);
}

/**
 * The one race of a promise against a timer and an abort signal (`sleep`, `deadline`,
 * `abortable` and the coordinator's timed `wait` are all this): settles as `promise` does
 * (never, when it is `undefined`), rejects with the signal's reason once it aborts, or
 * settles with `onTimeout()` after `ms`. Whichever comes first clears the other two.
 */
export function race<T>(
  promise: PromiseLike<T> | undefined,
  ms: number,
  signal: AbortSignal | undefined,
  onTimeout: () => T,
): Promise<T> {
  const { promise: result, resolve, reject } = Promise.withResolvers<T>();
  if (signal?.aborted) {
    // Handled all the same, so a late rejection is never reported as unhandled.
    promise?.then(undefined, () => {});
    reject(signal.reason);
    return result;
  }
  const settle = (outcome: () => void) => {
    stopTimer();
    signal?.removeEventListener("abort", onAbort);
    outcome();
  };
  const onAbort = () => settle(() => reject(signal!.reason));
  const stopTimer = startTimer(ms, () =>
    settle(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }));
  signal?.addEventListener("abort", onAbort, { once: true });
  promise?.then(
    (value) => settle(() => resolve(value)),
    (error) => settle(() => reject(error)),
  );
  return result;
}

// Watching a promise without awaiting it. Operations run synchronously, so the harness
// cannot await what the core returns; it records how the promise settled and compares
// that with the model after the next flush.

/** How a promise settled; `settled` stays false until one of its reactions has run. */
export interface Outcome {
  settled: boolean;
  ok: boolean;
  /** The value it fulfilled with, or the reason it rejected with. */
  value: unknown;
}

/**
 * Registers one reaction on `promise` (right now, with `.then` on the object itself, so
 * it runs in the same microtask turn as any other reaction registered at this point)
 * and returns the record it fills in.
 */
export function observe(promise: PromiseLike<unknown>): Outcome {
  const outcome: Outcome = { settled: false, ok: false, value: undefined };
  promise.then(
    (value) => {
      outcome.settled = true;
      outcome.ok = true;
      outcome.value = value;
    },
    (error) => {
      outcome.settled = true;
      outcome.value = error;
    },
  );
  return outcome;
}

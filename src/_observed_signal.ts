// Marks task signals that their task looked at, for straggler reports. The signal keeps its
// native identity (fetch and Deno.serve accept it) but inherits from a prototype whose
// public accessors record the access before delegating to AbortSignal's own.

// The mark is an own property on the signal, not a WeakSet entry: a drain past its deadline
// asks a million signals at once, and WeakSet.has cost 50-130 ms of the 100 ms budget there
// (Deno and Bun, 1M signals); a property read through an inline cache costs a few ms.
// A symbol key keeps it out of Object.keys, for-in and JSON.
const OBSERVED: unique symbol = Symbol("quiesce.observedSignal");
type Marked = AbortSignal & { [OBSERVED]?: true };
let prototype: object | undefined;
// Deno's own abort() reads the public getters; those reads are not the task looking.
let muted = 0;

// Signals the work froze or sealed cannot take the mark; they are remembered here instead
// (rare: the set stays unused, and unasked, in every other program).
let sealed: WeakSet<AbortSignal> | undefined;

function mark(signal: Marked): void {
  if (muted !== 0 || signal[OBSERVED] === true) return;
  try {
    signal[OBSERVED] = true;
  } catch {
    (sealed ??= new WeakSet()).add(signal);
  }
}

/** Aborts `controller` without counting the runtime's own reads as observation. */
export function abortQuietly(
  controller: AbortController,
  reason: unknown,
): void {
  muted++;
  try {
    controller.abort(reason);
  } finally {
    muted--;
  }
}

function findDescriptor(
  start: object,
  key: string,
): PropertyDescriptor | undefined {
  for (
    let proto: object | null = start;
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}

function buildPrototype(): object {
  const base = AbortSignal.prototype;
  const proto = Object.create(base);
  for (const key of ["aborted", "reason", "onabort"]) {
    const descriptor = findDescriptor(base, key);
    if (descriptor?.get === undefined) continue;
    const { get, set } = descriptor;
    Object.defineProperty(proto, key, {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get(this: AbortSignal) {
        mark(this);
        return get.call(this);
      },
      set: set && function (this: AbortSignal, value: unknown) {
        mark(this);
        set.call(this, value);
      },
    });
  }
  for (const key of ["throwIfAborted", "addEventListener"]) {
    const method = findDescriptor(base, key)?.value;
    if (typeof method !== "function") continue;
    Object.defineProperty(proto, key, {
      configurable: true,
      writable: true,
      value: function (this: AbortSignal, ...args: unknown[]) {
        mark(this);
        return method.apply(this, args);
      },
    });
  }
  return proto;
}

/** Makes `signal` record whether it is ever looked at; returns the same object. */
export function watchSignal(signal: AbortSignal): AbortSignal {
  Object.setPrototypeOf(signal, prototype ??= buildPrototype());
  return signal;
}

/** Whether `signal` (passed through {@linkcode watchSignal}) was ever looked at. */
export function wasObserved(signal: AbortSignal): boolean {
  return (signal as Marked)[OBSERVED] === true ||
    (sealed !== undefined && sealed.has(signal));
}

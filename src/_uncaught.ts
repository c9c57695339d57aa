// Where an error goes when no caller can receive it: a hook (`onCancel`, `onError`,
// `onProgress`) that threw while the machinery was running on someone else's behalf.

/**
 * Reports `error` the way the platform reports a throwing event listener (an
 * `AbortSignal` abort listener, say): `reportError` where the host has it (Deno, Bun,
 * browsers), otherwise an exception thrown from a microtask (Node's own `EventTarget` does
 * the same). The caller goes on, so one throwing hook never wedges the rest.
 */
export function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void })
    .reportError;
  if (typeof report === "function") {
    report(error);
    return;
  }
  queueMicrotask(() => {
    throw error;
  });
}
